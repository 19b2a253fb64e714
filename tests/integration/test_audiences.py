from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from proteus import audiences
from proteus.audiences.compile import compile_definition
from proteus.audiences.evaluate import select
from proteus.audiences.governance import load_governance
from proteus.conditions.compile import check_order
from proteus.conditions.recency import latest_day
from proteus.errors import Conflict, InputError, NotFound
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools.bench.audiences import bench_audience

PERSONS = 12
FIXTURE = """
MERGE (ad:Purpose {name: 'advertising'})
CREATE (sports:Interest {id: 'c3:483', name: 'Sports', tier: 1, taxonomy: 'content-3.1',
                         sensitive: false})
CREATE (soccer:Interest {id: 'c3:533', name: 'Soccer', tier: 2, taxonomy: 'content-3.1',
                         sensitive: false})-[:CHILD_OF]->(sports)
CREATE (health:Interest {id: 'c3:286', name: 'Medical Health', tier: 1,
                         taxonomy: 'content-3.1', sensitive: true})
CREATE (drama:Interest {id: 'c3:647', name: 'Drama', tier: 2, taxonomy: 'content-3.1',
                        sensitive: false})
CREATE (match:Content {id: 'c-match', title: 'Cup Final', kind: 'live'})-[:TAGGED]->(soccer)
CREATE (show:Content {id: 'c-show', title: 'Harbour', kind: 'vod'})-[:TAGGED]->(drama)
CREATE (seg:Segment {id: 'community-1', kind: 'community', name: 'Soccer fans'})
WITH *
UNWIND range(1, $persons) AS n
CREATE (p:Person {id: 'p-' + n, run_id: 'identity-1', size: 1})
CREATE (d:Device {id: 'd-' + n, type: CASE WHEN n % 2 = 0 THEN 'stb' ELSE 'phone' END,
                  last_viewed: '2025-03-09'})
CREATE (d)-[:BELONGS_TO {run_id: 'identity-1', confidence: 0.9}]->(p)
MERGE (h:Household {id: 'h-' + ((n + 1) / 2)}) SET h.size = 2, h.run_id = 'identity-1'
CREATE (p)-[:MEMBER_OF_HOUSEHOLD {run_id: 'identity-1'}]->(h)
CREATE (d)-[:WATCHED {seconds: 600 * n, count: 1, first: '2025-03-08', last: '2025-03-09',
                      days: ['2025-03-08', '2025-03-09'],
                      day_seconds: [300 * n, 300 * n]}]->(match)
CREATE (p)-[:INTERESTED_IN {score: 0.1 * n, lift: 1.5, evidence_count: n,
                            last_seen: '2025-03-09', run_id: 'interests-1'}]->(soccer)
CREATE (p)-[:INTERESTED_IN {score: 0.05 * n, lift: 1.1, evidence_count: n,
                            last_seen: '2025-03-09', run_id: 'interests-1'}]->(sports)
CREATE (l:Identifier {kind: 'login', value: 'login-' + n})<-[:SEEN_WITH {count: 3}]-(d)
CREATE (l)-[:CONSENTED {granted: n <> 3, at: '2025-03-05T10:00:00Z'}]->(ad)
FOREACH (x IN CASE WHEN n <= 4 THEN [1] ELSE [] END |
  CREATE (p)-[:IN_SEGMENT {run_id: 'segments-1'}]->(seg))
"""
DEFINITION: dict[str, Any] = {
    "name": "soccer-fans",
    "description": "Soccer fans",
    "purpose": "advertising",
    "target": "person",
    "include": [{"interest": ["c3:533"], "min_score": 0.2}, {"active_within_days": 7}],
}
SMALL = load_governance().model_copy(update={"min_audience_size": 5})


@pytest.fixture
def fixture_graph(graph: Graph) -> Graph:
    with graph.session() as session:
        session.run(FIXTURE, persons=PERSONS).consume()
    graph.write("identity/person_summary",
                rows=[{"device": f"d-{n}"} for n in range(1, PERSONS + 1)])
    return graph


def _counts(graph: Graph) -> dict[str, Any]:
    return graph.read("db/counts")[0]


def test_dry_run_matches_materialised_members_and_consent_is_enforced(
        fixture_graph: Graph) -> None:
    graph = fixture_graph
    version = audiences.create(graph, DEFINITION, actor="ana", governance=SMALL)
    assert version.id == "soccer-fans@v1" and version.status == "draft"
    assert version.policy_version == "1"
    before = _counts(graph)
    dry = audiences.dry_run(graph, version.id, actor="ana", sample=3, governance=SMALL)
    assert _counts(graph) == before
    # p-1 has score 0.1 < 0.2; p-3 withdrew advertising consent
    assert dry.members == PERSONS - 2 and dry.excluded_consent == 1
    assert dry.counts.households == 6 and dry.counts.devices == PERSONS - 2
    assert dry.query_name == "conditions/members" and "c3:533" not in dry.query
    assert dry.sample[0].member == "p-10" and dry.sample[0].steps[0].path
    audiences.approve(graph, version.id, actor="bo")
    report = audiences.materialise(graph, version.id, actor="bo", governance=SMALL)
    assert report.members == dry.members
    page = audiences.members(graph, version.id, actor="bo", limit=100)
    ids = {m["member"] for m in page.members}
    assert "p-3" not in ids and "p-1" not in ids and len(ids) == dry.members
    export = audiences.export(graph, version.id, "jsonl", actor="bo", governance=SMALL)
    assert export.content is not None and "p-3" not in export.content
    rows = [json.loads(line) for line in export.content.splitlines()]
    assert rows[0]["iab_audience_ids"] == ["663"] and rows[0]["segments"] == [version.id]
    # consent withdrawn after materialisation: left out of the next export
    with graph.session() as session:
        session.run("MATCH (:Identifier {value: 'login-4'})-[c:CONSENTED]->() "
                    "SET c.granted = false").consume()
    graph.write("identity/person_summary", rows=[{"login": "login-4"}])  # as ingest does
    again = audiences.export(graph, version.id, "csv", actor="bo", governance=SMALL)
    assert again.excluded_consent == 1 and again.content is not None
    assert "p-4," not in again.content
    trail = audiences.audit_trail(graph, "soccer-fans")
    assert [e["action"] for e in trail] == ["create", "approve", "materialise", "members",
                                            "export", "export"]
    assert {e["actor"] for e in trail} == {"ana", "bo"}


def test_stored_explanations_exist_and_survive_graph_changes(fixture_graph: Graph) -> None:
    graph = fixture_graph
    version = audiences.create(graph, DEFINITION, actor="ana", governance=SMALL)
    audiences.approve(graph, version.id, actor="ana")
    audiences.materialise(graph, version.id, actor="ana", governance=SMALL)
    checked = audiences.verify(graph, version.id)
    assert checked["hops"] > 0 and checked["missing"] == 0
    first = audiences.explain(graph, version.id, "p-6", actor="ana")
    interest = first.steps[0]
    assert [h.type for h in interest.path] == ["BELONGS_TO", "WATCHED", "TAGGED",
                                               "INTERESTED_IN"]
    assert interest.run_ids == ["identity-1", "interests-1"]
    assert first.confidence == pytest.approx(0.9 * (1 - 2.718281828 ** -3), abs=1e-3)
    with graph.session() as session:
        session.run("MATCH (p:Person {id: 'p-6'}) DETACH DELETE p").consume()
        session.run("MATCH ()-[w:WATCHED]->() DELETE w").consume()
    later = audiences.explain(graph, version.id, "p-6", actor="ana")
    assert later == first
    assert audiences.verify(graph, version.id)["missing"] > 0
    with pytest.raises(NotFound):
        audiences.explain(graph, version.id, "p-1", actor="ana")


class Counting:
    """The graph, counting the round trips (queries) made through it."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.graph, name)

        def counted(*args: Any, **params: Any) -> Any:
            self.calls.append(str(args[0]) if args else name)
            return method(*args, **params)

        return counted


def test_explained_member_pages_take_the_same_round_trips_whatever_their_size(
        fixture_graph: Graph, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from proteus import keys
    from proteus.api import create_app

    graph = fixture_graph
    version = audiences.create(graph, DEFINITION, actor="ana", governance=SMALL)
    audiences.approve(graph, version.id, actor="ana")
    audiences.materialise(graph, version.id, actor="ana", governance=SMALL)
    key = keys.create_key(graph, "it-analyst", "analyst").key
    counting = Counting(graph)
    app = create_app(settings)
    app.state.graph = counting
    api = TestClient(app, headers={"X-API-Key": key})
    api.get("/v1/health/live")
    trips = {}
    for limit in (2, 8):
        counting.calls.clear()
        page = api.get(f"/v1/audiences/{version.id}/members",
                       params={"explain": "true", "limit": limit, "redact": "false"}).json()
        assert len(page["members"]) == len(page["explanations"]) == limit
        for member, explained in zip(page["members"], page["explanations"], strict=True):
            stored = audiences.explain(graph, version.id, member["member"], actor="ana")
            assert explained == stored.model_dump(mode="json")
        trips[limit] = [c for c in counting.calls if c != "keys/lookup_key"]
    assert trips[2] == trips[8] and len(trips[8]) <= 5, trips
    redacted = api.get(f"/v1/audiences/{version.id}/members",
                       params={"explain": "true", "limit": 2}).json()["explanations"]
    assert all("device:•••" in json.dumps(e, ensure_ascii=False) for e in redacted)
    trail = [e["action"] for e in audiences.audit_trail(graph, "soccer-fans")]
    assert trail.count("members") == 3 and trail.count("explain") >= 2 + 8 + 2


def test_sensitive_interest_is_refused_naming_it(fixture_graph: Graph) -> None:
    for condition, field in (({"interest": ["c3:533", "c3:286"]}, "include[0].interest[1]"),
                             ({"category": ["c3:286"]}, "include[0].category[0]")):
        definition = {**DEFINITION, "include": [condition]}
        with pytest.raises(InputError, match=re.escape(f"{field}: interest c3:286 is "
                                                       "sensitive")):
            audiences.dry_run(fixture_graph, definition, actor="ana")
        with pytest.raises(InputError, match="is sensitive"):
            audiences.create(fixture_graph, definition, actor="ana")
    assert fixture_graph.read("audiences/list") == []


def test_small_audience_dry_runs_but_is_not_materialised(fixture_graph: Graph) -> None:
    graph = fixture_graph
    version = audiences.create(graph, DEFINITION, actor="ana")
    dry = audiences.dry_run(graph, version.id, actor="ana", sample=0)
    assert dry.members == 10 and dry.min_size == 50 and not dry.materialisable
    audiences.approve(graph, version.id, actor="ana")
    with pytest.raises(InputError, match="fewer than the minimum audience size 50"):
        audiences.materialise(graph, version.id, actor="ana")
    with pytest.raises(Conflict, match="not materialised"):
        audiences.export(graph, version.id, "csv", actor="ana")
    assert audiences.get(graph, version.id).status == "approved"


def test_lifecycle_only_approved_versions_export(fixture_graph: Graph,
                                                 tmp_path: Path) -> None:
    graph = fixture_graph
    version = audiences.create(graph, DEFINITION, actor="ana", governance=SMALL)
    assert audiences.create(graph, DEFINITION, actor="ana", governance=SMALL).id == version.id
    with pytest.raises(Conflict, match="approved or active version can be exported"):
        audiences.export(graph, version.id, "csv", actor="ana", governance=SMALL)
    with pytest.raises(Conflict, match="materialised"):
        audiences.materialise(graph, version.id, actor="ana", governance=SMALL)
    audiences.approve(graph, version.id, actor="bo")
    with pytest.raises(Conflict, match="only a draft can be approved"):
        audiences.approve(graph, version.id, actor="bo")
    audiences.materialise(graph, version.id, actor="bo", governance=SMALL)
    out = tmp_path / "soccer.openrtb.jsonl"
    result = audiences.export(graph, version.id, "openrtb", actor="bo", out=out,
                              governance=SMALL)
    user = json.loads(out.read_text().splitlines()[0])["user"]
    assert result.rows == 10 and user["data"][1]["ext"] == {"segtax": 4}
    audiences.retire(graph, version.id, actor="bo")
    with pytest.raises(Conflict, match="it is retired"):
        audiences.export(graph, version.id, "csv", actor="bo", governance=SMALL)


def test_diff_lists_gained_and_lost_with_reasons(fixture_graph: Graph) -> None:
    graph = fixture_graph
    v1 = audiences.create(graph, DEFINITION, actor="ana", governance=SMALL)
    second = copy.deepcopy(DEFINITION)
    second["include"][0]["min_score"] = 0.05
    second["exclude"] = [{"segment": ["community-1"]}]
    v2 = audiences.create(graph, second, actor="ana", governance=SMALL)
    assert v2.id == "soccer-fans@v2"
    for v in (v1, v2):
        audiences.approve(graph, v.id, actor="bo")
        audiences.materialise(graph, v.id, actor="bo", governance=SMALL)
    result = audiences.diff(graph, v1.id, v2.id, actor="bo")
    assert [c.member for c in result.gained] == []
    assert sorted(c.member for c in result.lost) == ["p-2", "p-4"]
    assert result.lost[0].reasons == ["soccer-fans@v2 exclude[0] (segment) holds"]
    back = audiences.diff(graph, v2.id, v1.id, actor="bo")
    assert sorted(c.member for c in back.gained) == ["p-2", "p-4"]
    assert "soccer-fans@v2 exclude[0] (segment) holds" in back.gained[0].reasons


def test_household_and_device_targets(fixture_graph: Graph) -> None:
    graph = fixture_graph
    households = audiences.dry_run(graph, {**DEFINITION, "target": "household"}, actor="a",
                                   sample=1, governance=SMALL)
    # h-2 holds p-3 (withdrawn) and p-4: left out whole; h-1 holds p-1 (score) and p-2
    assert households.members == 5 and households.excluded_consent == 2
    assert households.sample[0].steps[0].kind == "identity"
    version = audiences.create(graph, {**DEFINITION, "target": "household"}, actor="a",
                               governance=SMALL)
    audiences.approve(graph, version.id, actor="a")
    audiences.materialise(graph, version.id, actor="a", governance=SMALL)
    by_person = audiences.explain(graph, version.id, "p-6", actor="a")
    assert by_person.member == "h-3" and by_person.persons == ["p-5", "p-6"]
    devices = audiences.dry_run(graph, {**DEFINITION, "target": "device",
                                        "include": [*DEFINITION["include"],
                                                    {"device_type": ["stb"]}]},
                                actor="a", sample=1, governance=SMALL)
    assert devices.members == 6 and devices.sample[0].member == "d-10"


@pytest.mark.parametrize("target", ["person", "household", "device"])
def test_a_dry_run_lists_only_its_sample_and_counts_as_the_whole_listing(
        fixture_graph: Graph, target: str) -> None:
    definition = audiences.load({**DEFINITION, "target": target})
    compiled = compile_definition(definition, latest_day(fixture_graph))
    whole = select(fixture_graph, definition, compiled)
    listed = select(fixture_graph, definition, compiled, listed=2)
    assert whole.size == len(whole.members) and listed.size == whole.size
    assert listed.counts == whole.counts and len(listed.members) < len(whole.members)
    for member, persons in listed.members.items():  # whole members, each with all its persons
        assert whole.members[member] == persons
    first = sorted(whole.members)[:2] if target != "device" else sorted(
        m for m in whole.members if whole.member_devices[m] in sorted(
            {p for ps in whole.members.values() for p in ps})[:2])
    assert sorted(listed.members) == first
    dry = audiences.dry_run(fixture_graph, definition, actor="a", sample=2, governance=SMALL)
    assert dry.members == whole.size and dry.counts == whole.counts
    assert [e.member for e in dry.sample] == sorted(listed.members)[:2]


@pytest.mark.parametrize("include", [
    [{"interest": ["c3:533"], "min_score": 0.2}, {"active_within_days": 7}],
    [{"segment": ["community-1"]}, {"device_type": ["stb"]}],
    [{"content": ["c-match"], "min_seconds": 1200}, {"interest": ["c3:483"], "min_lift": 1.0}],
    [{"category": ["c3:483"], "min_seconds": 1}],
])
def test_the_anchor_changes_the_cost_not_the_members(fixture_graph: Graph,
                                                      include: list[dict[str, Any]]) -> None:
    definition = audiences.load({**DEFINITION, "include": include})
    compiled = compile_definition(definition, latest_day(fixture_graph))
    [anchored] = fixture_graph.read_plain(compiled.query_name, **compiled.params)
    [everyone] = fixture_graph.read_plain(compiled.query_name, **{
        **compiled.params, "anchor": None,
        "conditions": check_order(compiled.conditions, None)})
    def by_person(found: dict[str, Any]) -> dict[str, Any]:
        return {**found, "rows": sorted(found["rows"], key=lambda r: r["person"])}

    assert by_person(anchored) == by_person(everyone) and anchored["rows"]
    expected = None if "category" in include[0] else include[0]
    assert (compiled.params["anchor"] or {}).get("kind") == (
        next(iter(expected)) if expected else None)


@pytest.mark.parametrize("target", ["person", "household", "device"])
def test_person_summaries_are_required_and_give_the_members(fixture_graph: Graph,
                                                            target: str) -> None:
    definition = audiences.load({**DEFINITION, "target": target, "include": [
        {"interest": ["c3:483"], "min_score": 0.1}, {"device_type": ["stb"]},
        {"active_within_days": 7}], "exclude": [{"household_size": {"min": 3}}]})
    with fixture_graph.session() as session:
        session.run("MATCH (p:Person) WHERE p.id IN ['p-2', 'p-4'] "
                    "REMOVE p.summary_version").consume()
    with pytest.raises(Conflict, match="2 person"):
        select(fixture_graph, definition,
               compile_definition(definition, latest_day(fixture_graph)))
    # a device row changes only what the device changed; the summaries come back when
    # identity publishes the persons again
    fixture_graph.write("identity/person_summary",
                        rows=[{"device": f"d-{n}"} for n in range(1, PERSONS + 1)])
    with pytest.raises(Conflict, match="2 person"):
        select(fixture_graph, definition,
               compile_definition(definition, latest_day(fixture_graph)))
    fixture_graph.write("identity/person_summary",
                        rows=[{"person": f"p-{n}"} for n in range(1, PERSONS + 1)])
    with fixture_graph.session(write=False) as session:
        p4 = session.run("MATCH (p:Person {id: 'p-4'}) RETURN p.device_types AS t, "
                         "p.last_viewed AS v, p.withdrawn AS w, p.household AS h, "
                         "p.summary_version AS version").single().data()
    assert p4 == {"t": ["stb"], "v": "2025-03-09", "w": [], "h": "h-2", "version": 1}
    read = select(fixture_graph, definition,
                  compile_definition(definition, latest_day(fixture_graph)))
    even = range(2, PERSONS + 1, 2)  # stb devices with sport score >= 0.1
    expected = {"person": {f"p-{n}" for n in even}, "device": {f"d-{n}" for n in even},
                # p-3 withdrew: its household h-2 is left out
                "household": {f"h-{(n + 1) // 2}" for n in even} - {"h-2"}}[target]
    assert set(read.members) == expected and read.excluded_consent == (
        1 if target == "household" else 0)


def test_injection_attempts_change_nothing(fixture_graph: Graph) -> None:
    graph = fixture_graph
    before = _counts(graph)
    attacks = [{**DEFINITION, "name": "x' }) MATCH (n) DETACH DELETE n //"},
               {**DEFINITION, "description": "a'}) DETACH DELETE n"},
               {**DEFINITION, "include": [{"segment": ["x'}) DETACH DELETE n //"]}]},
               {**DEFINITION, "include": [{"content": ["c' OR 1=1"]}]},
               {**DEFINITION, "purpose": "advertising'}) DETACH DELETE n //"}]
    for attack in attacks:
        with pytest.raises(InputError):
            audiences.create(graph, attack, actor="ana")
    with pytest.raises(InputError, match="audience:"):
        audiences.explain(graph, "x' OR 1=1 //", "p-1", actor="ana")
    with pytest.raises(InputError, match="actor:"):
        audiences.create(graph, DEFINITION, actor="'}) DETACH DELETE n //")
    assert _counts(graph) == before


def test_generated_data_respects_consent_truth(graph: Graph, settings: Settings,
                                              tmp_path: Path) -> None:
    result = bench_audience(graph, settings, 1500, seed=11)
    assert result["members"] == result["dry_run_members"] > 0
    assert result["consent_violations"] == 0 and result["consent_violations_truth"] == 0
    assert result["excluded_consent"] > 0 and result["truth_withdrawn_persons"] > 0
    assert result["paths_missing"] == 0
