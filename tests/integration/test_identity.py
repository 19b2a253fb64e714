from __future__ import annotations

from pathlib import Path

import yaml

from proteus.graph import Graph
from proteus.identity import IdentityParams, explain_device, explain_pair, run
from proteus.identity.rules import default_rules_path
from proteus.settings import Settings

FIXTURE = """
UNWIND $links AS l
MERGE (d:Device {id: l[0]}) ON CREATE SET d.type = 'phone'
MERGE (i:Identifier {kind: l[1], value: l[2]})
  ON CREATE SET i.network = l[3], i.ip_class = CASE WHEN l[1] = 'ip' THEN 'public' END
MERGE (d)-[s:SEEN_WITH]->(i)
SET s.days = l[4], s.day_counts = [x IN l[4] | 1], s.count = size(l[4]),
    s.first_seen = datetime(l[4][0] + 'T08:00:00Z'), s.last_seen = datetime(l[4][-1] + 'T20:00:00Z')
"""
WEEK = [f"2025-03-0{d}" for d in range(3, 10)]


def load_fixture(graph: Graph) -> None:
    links = [
        ["a1", "login", "alice", None, WEEK[:3]], ["a2", "login", "alice", None, WEEK[:2]],
        ["tv", "login", "alice", None, WEEK], ["tv", "login", "family", None, WEEK],
        ["a1", "login", "family", None, WEEK[:1]],
        ["b1", "login", "bob", None, WEEK[:4]], ["b2", "login", "bob", None, WEEK[:4]],
        ["b1", "login", "family", None, WEEK[:2]],
    ]
    links += [[d, "ip", "home1", "home", WEEK] for d in ("a1", "a2", "tv", "b1", "b2")]
    links += [[f"m{i:03d}", "ip", "cgnat1", "mobile", WEEK[:1]] for i in range(60)]
    links += [["a1", "ip", "cgnat1", "mobile", WEEK[:1]]]
    with graph.session() as session:
        session.run(FIXTURE, links=links).consume()


def partition(graph: Graph) -> dict[str, str]:
    return {r["device"]: r["person"] for r in graph.read("identity/current_persons")}


def test_runs_are_stable_engines_agree_and_households_link(graph: Graph,
                                                          settings: Settings) -> None:
    load_fixture(graph)
    first = run(graph, IdentityParams(), settings)
    assert first.published and first.persons.count == 2 + 60
    ids = partition(graph)
    assert ids["a1"] == ids["a2"] == ids["tv"] != ids["b1"] == ids["b2"]
    for engine in ("fast", "gds", "reference"):
        report = run(graph, IdentityParams(engine=engine), settings)
        assert report.ids_new == 0 and not report.changes
        assert partition(graph) == ids
    households = {r["device"]: r["household"] for r in graph.read("identity/current_persons")}
    assert households["a1"] == households["b2"] != households["m001"]
    assert graph.read("db/counts")[0]["nodes"] > 0


def test_explain_linked_pair_walks_real_edges(graph: Graph, settings: Settings) -> None:
    load_fixture(graph)
    run(graph, IdentityParams(), settings)
    pair = explain_pair(graph, "a2", "tv")
    assert pair.linked and len(pair.steps) == 2
    for step in pair.steps:
        with graph.session(write=False) as session:
            found = session.run("MATCH ()-[s:SEEN_WITH]->() WHERE elementId(s) = $id "
                                "RETURN count(s) AS n", id=step.edge_id).single()
        assert found is not None and found["n"] == 1
    assert pair.steps[0].source == "a2" and pair.steps[-1].target == "tv"
    assert pair.steps[0].target == pair.steps[1].source == "login:alice"
    assert pair.steps[0].rule == "kinds.login.persons" and pair.steps[0].rule_version == "1"
    hidden = explain_pair(graph, "a2", "tv", redact=True)
    assert "alice" not in hidden.model_dump_json()
    device = explain_device(graph, "a1")
    assert device.person == pair.person and device.household is not None
    assert {s.kind for s in device.evidence} == {"login"}


def test_explain_unlinked_pair_names_the_rule_that_excluded_the_cgnat_ip(
        graph: Graph, settings: Settings) -> None:
    load_fixture(graph)
    run(graph, IdentityParams(), settings)
    pair = explain_pair(graph, "a1", "m007")
    assert not pair.linked and not pair.steps
    (shared,) = pair.shared
    assert shared.kind == "ip" and shared.rule == "kinds.ip.max_devices"
    family = explain_pair(graph, "a1", "b1")
    rules = {s.identifier: s.rule for s in family.shared}
    assert rules["login:family"] == "shared.min_other_logins"
    assert rules["ip:home1"] == "kinds.ip.persons"


def test_failed_gate_keeps_the_previous_persons(graph: Graph, settings: Settings,
                                                tmp_path: Path) -> None:
    load_fixture(graph)
    run(graph, IdentityParams(), settings)
    before = partition(graph)
    data = yaml.safe_load(default_rules_path().read_text())
    data["gate"]["max_person_devices"] = 2
    strict = tmp_path / "identity.yaml"
    strict.write_text(yaml.safe_dump(data))
    report = run(graph, IdentityParams(rules=strict), settings)
    assert not report.published and report.status == "failed"
    assert partition(graph) == before
    (row,) = graph.read("runs/get_run", id=report.run_id)
    assert row["run"]["status"] == "failed"


def test_gds_engine_handles_an_empty_graph(graph: Graph, settings: Settings) -> None:
    report = run(graph, IdentityParams(engine="gds"), settings)
    assert report.devices == 0 and report.persons.count == 0
