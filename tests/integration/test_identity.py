from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from proteus import edge
from proteus.errors import InputError
from proteus.graph import Graph
from proteus.identity import explain_device, explain_pair, run
from proteus.identity.links import link_from_row
from proteus.identity.rules import default_rules_path
from proteus.identity.source import read_folder, read_graph
from proteus.identity.table import LinkTable
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
    first = run(graph, edge.identity_params(settings))
    assert first.published and first.persons.count == 2 + 60
    ids = partition(graph)
    assert ids["a1"] == ids["a2"] == ids["tv"] != ids["b1"] == ids["b2"]
    for engine in ("fast", "gds", "reference"):
        report = run(graph, edge.identity_params(settings, engine=engine))
        assert report.ids_new == 0 and not report.changes
        assert partition(graph) == ids
    households = {r["device"]: r["household"] for r in graph.read("identity/current_persons")}
    assert households["a1"] == households["b2"] != households["m001"]
    assert graph.read("db/counts")[0]["nodes"] > 0


def _identity_runs(graph: Graph) -> int:
    with graph.session() as session:
        return int(session.run("MATCH (r:Run {stage: 'identity'}) RETURN count(r) AS n")
                   .single()["n"])


def test_identity_run_with_a_truth_records_the_scores_on_its_run(graph: Graph,
                                                                 settings: Settings,
                                                                 tmp_path: Path) -> None:
    """`proteus identity run --truth` scores the run at the command line, not in the stage,
    and keeps the scores on the Run; a truth it cannot use stops it before any run."""
    load_fixture(graph)
    truth = tmp_path / "truth.csv"
    truth.write_text("device_id,person_id\na1,p1\na2,p1\ntv,p1\nb1,p2\nb2,p2\n",
                     encoding="utf-8")
    env = {**os.environ, "PROTEUS_NEO4J_URI": settings.bolt_uri,
           "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()}
    command = [sys.executable, "-m", "proteus.cli", "identity", "run", "--quiet", "--truth"]
    done = subprocess.run([*command, str(truth)], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout.splitlines()[-1])
    assert "F1 person 1.0000" in done.stdout
    stored = json.loads(graph.read("runs/get_run", id=printed["run_id"])[0]["run"]["report"])
    assert stored["quality"] == printed["quality"]
    assert stored["quality"]["person"]["f1"] == 1.0 and stored["quality"]["truth"] == str(truth)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,person_id\na1,p1\n", encoding="utf-8")
    runs = _identity_runs(graph)
    refused = subprocess.run([*command, str(bad)], env=env, capture_output=True, text=True,
                             check=False)
    assert refused.returncode == 1
    assert "the truth needs the column(s) device_id" in refused.stderr
    assert _identity_runs(graph) == runs


def test_explain_linked_pair_walks_real_edges(graph: Graph, settings: Settings) -> None:
    load_fixture(graph)
    run(graph, edge.identity_params(settings))
    pair = explain_pair(graph, "a2", "tv")
    assert pair.linked and len(pair.steps) == 2
    for step in pair.steps:
        with graph.session(write=False) as session:
            found = session.run("MATCH ()-[s:SEEN_WITH]->() WHERE elementId(s) = $id "
                                "RETURN count(s) AS n", id=step.edge_id).single()
        assert found is not None and found["n"] == 1
    assert pair.steps[0].source == "a2" and pair.steps[-1].target == "tv"
    assert pair.steps[0].target == pair.steps[1].source == "login:alice"
    assert pair.steps[0].rule == "evidence.weights.login.shared"
    assert pair.steps[0].rule_version == "2" and pair.steps[0].weight == 12
    (hop,) = pair.hops
    items = {i.kind: (i.level, i.weight, i.identifiers) for i in hop.items}
    assert items == {"login": ("shared", 12, ["login:alice"]), "ip": ("shared", 3, ["ip:home1"])}
    assert hop.score == hop.prior + 12 + 3 and hop.linked
    hidden = explain_pair(graph, "a2", "tv", redact=True)
    assert "alice" not in hidden.model_dump_json()
    device = explain_device(graph, "a1")
    assert device.person == pair.person and device.household is not None
    assert {s.kind for s in device.evidence} == {"login"}
    assert {(h.device_a, h.device_b) for h in device.links} == {("a1", "a2"), ("a1", "tv")}


def test_an_explanation_cites_the_rules_its_run_used_after_the_file_changes(
        graph: Graph, settings: Settings, tmp_path: Path) -> None:
    load_fixture(graph)
    data = yaml.safe_load(default_rules_path().read_text())
    data["version"] = "2-test"
    data["evidence"]["weights"]["login"]["shared"] = 10
    path = tmp_path / "identity.yaml"
    path.write_text(yaml.safe_dump(data))
    report = run(graph, edge.identity_params(settings, rules=path))
    (stored,) = graph.read("runs/get_run", id=report.run_id)
    assert json.loads(stored["run"]["rules"])["evidence"]["weights"]["login"]["shared"] == 10
    data["version"] = "3-later"
    data["evidence"]["weights"]["login"]["shared"] = 4
    path.write_text(yaml.safe_dump(data))
    pair = explain_pair(graph, "a2", "tv")
    assert pair.run_id == report.run_id
    (hop,) = pair.hops
    login = next(i for i in hop.items if i.kind == "login")
    assert login.weight == 10 and "+10 bits" in login.sentence
    assert hop.rule_version == "2-test" and pair.steps[0].rule_version == "2-test"
    assert "rules v2-test" in pair.steps[0].sentence


def test_explain_unlinked_pair_names_the_rule_that_excluded_the_cgnat_ip(
        graph: Graph, settings: Settings) -> None:
    load_fixture(graph)
    run(graph, edge.identity_params(settings))
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
    run(graph, edge.identity_params(settings))
    before = partition(graph)
    data = yaml.safe_load(default_rules_path().read_text())
    data["gate"]["max_person_devices"] = 2
    strict = tmp_path / "identity.yaml"
    strict.write_text(yaml.safe_dump(data))
    report = run(graph, edge.identity_params(settings, rules=strict))
    assert not report.published and report.status == "failed"
    assert partition(graph) == before
    (row,) = graph.read("runs/get_run", id=report.run_id)
    assert row["run"]["status"] == "failed"


def test_gds_engine_handles_an_empty_graph(graph: Graph, settings: Settings) -> None:
    report = run(graph, edge.identity_params(settings, engine="gds"))
    assert report.devices == 0 and report.persons.count == 0


SIGHTINGS = """
MATCH (d:Device)-[s:SEEN_WITH]->(i:Identifier)
RETURN d.id AS device, i.kind AS kind, i.value AS value,
       s.first_seen.epochSeconds AS first_seen, s.last_seen.epochSeconds AS last_seen,
       s.count AS count, s.days AS days, s.day_counts AS day_counts
"""
IDENTIFIERS = """
MATCH (i:Identifier)
RETURN i.kind AS kind, i.value AS value, i.network AS network, i.ip_class AS ip_class,
       i.first_seen.epochSeconds AS first_seen, i.last_seen.epochSeconds AS last_seen
"""
DEVICES = """
MATCH (d:Device)
RETURN d.id AS id, d.type AS type, d.first_seen.epochSeconds AS first_seen,
       d.last_seen.epochSeconds AS last_seen, d.last_viewed AS last_viewed,
       coalesce(d.withdrawn, []) AS withdrawn
"""
SCHEMAS = {
    "sightings": pa.schema([("device", pa.string()), ("kind", pa.string()),
                            ("value", pa.string()), ("first_seen", pa.int64()),
                            ("last_seen", pa.int64()), ("count", pa.int64()),
                            ("days", pa.list_(pa.string())),
                            ("day_counts", pa.list_(pa.int64()))]),
    "identifiers": pa.schema([("kind", pa.string()), ("value", pa.string()),
                              ("network", pa.string()), ("ip_class", pa.string()),
                              ("first_seen", pa.int64()), ("last_seen", pa.int64())]),
    "devices": pa.schema([("id", pa.string()), ("type", pa.string()),
                          ("first_seen", pa.int64()), ("last_seen", pa.int64()),
                          ("last_viewed", pa.string()), ("withdrawn", pa.list_(pa.string()))]),
}


def export_folder(graph: Graph, folder: Path) -> Path:
    """The graph's devices, identifiers and sightings as the fold's Parquet files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, query in (("sightings", SIGHTINGS), ("identifiers", IDENTIFIERS),
                        ("devices", DEVICES)):
        with graph.session(write=False) as session:
            rows = session.run(query).data()
        columns = {field.name: [row[field.name] for row in rows] for field in SCHEMAS[name]}
        pq.write_table(pa.table(columns, schema=SCHEMAS[name]), folder / f"{name}.parquet")
    return folder


def test_blocks_hold_what_the_row_query_reads(graph: Graph) -> None:
    load_fixture(graph)
    table = read_graph(graph)
    rows = LinkTable.from_links([r["id"] for r in graph.read("identity/devices")],
                                [link_from_row(r) for r in graph.read("identity/stream_links")])

    def links(found: LinkTable) -> list[tuple[object, ...]]:
        return sorted((k.device, k.kind, k.value, k.days, k.network, k.ip_class)
                      for k in found.links())

    assert table.n_links == rows.n_links == 74
    assert table.device_ids() == rows.device_ids()
    assert links(table) == links(rows)


def test_folder_and_graph_give_the_same_run(graph: Graph, settings: Settings,
                                            tmp_path: Path) -> None:
    load_fixture(graph)
    with graph.session() as session:
        session.run("MATCH (d:Device {id: 'a1'}) SET d.last_viewed = '2025-03-08', "
                    "d.withdrawn = ['advertising']").consume()
    folder = export_folder(graph, tmp_path / "fold")
    from_graph = run(graph, edge.identity_params(settings))
    ids = partition(graph)
    from_folder = run(graph, edge.identity_params(settings, links=folder))
    assert partition(graph) == ids
    assert from_folder.ids_new == 0 and not from_folder.changes
    assert from_folder.source == f"folder {folder}" and from_graph.source == "graph"
    same = ("devices", "links", "person_links", "household_links", "persons", "households",
            "excluded_by_rule")
    assert {k: getattr(from_folder, k) for k in same} == {k: getattr(from_graph, k)
                                                          for k in same}
    with graph.session(write=False) as session:
        summary = session.run("MATCH (:Device {id: 'a1'})-[:BELONGS_TO]->(p:Person) "
                              "RETURN p.last_viewed AS viewed, p.withdrawn AS withdrawn, "
                              "p.device_types AS types, p.household AS household").single()
    assert summary is not None
    assert summary["viewed"] == "2025-03-08" and summary["withdrawn"] == ["advertising"]
    assert summary["types"] == ["phone"] * 3 and summary["household"]
    assert read_folder(folder).n_links == read_graph(graph).n_links


def test_folder_problems_are_one_line_errors(graph: Graph, tmp_path: Path) -> None:
    load_fixture(graph)
    folder = export_folder(graph, tmp_path / "fold")
    (folder / "devices.parquet").unlink()
    with pytest.raises(InputError, match=r"no devices\.parquet"):
        read_folder(folder)
    export_folder(graph, folder)
    table = pq.read_table(folder / "devices.parquet")
    pq.write_table(table.slice(1), folder / "devices.parquet")
    with pytest.raises(InputError, match=r"missing from devices\.parquet"):
        read_folder(folder)


def test_a_noisy_profile_merge_is_explained_item_by_item(graph: Graph, settings: Settings,
                                                         tmp_path: Path) -> None:
    """On the noisy profile, every linked pair's explanation names each piece of evidence
    with its weight, and adds up to the score the run gave the pair."""
    from proteus import ingest
    from proteus.identity.resolve import resolve_table
    from proteus.identity.rules import load_rules
    from proteus.pseudonym import key_from
    from proteus.tools import generate

    out = tmp_path / "noisy"
    generate.run(generate.GenerateParams.model_validate(
        {"out": out, "devices": 400, "days": 4, "seed": 5, "profile": "noisy", "quiet": True}))
    ingest.run(graph, edge.ingest_params(settings, [out], rejects_dir=tmp_path / "rejects"))
    data = yaml.safe_load(default_rules_path().read_text())
    data["gate"]["max_person_share"] = 1.0  # 400 devices: a person of 11 would be 2.75 %
    lenient = tmp_path / "identity.yaml"
    lenient.write_text(yaml.safe_dump(data))
    report = run(graph, edge.identity_params(settings, rules=lenient))
    assert report.published and report.evidence is not None
    assert report.evidence.pairs_linked > 0
    rules = load_rules()
    decided = resolve_table(read_graph(graph), rules, rules.blocked_values(key_from(settings)))
    ids, pairs = decided.device_ids, decided.decision.pairs
    scores = {(ids[a], ids[b]): s for a, b, s in zip(pairs.a.tolist(), pairs.b.tolist(),
                                                     pairs.score.tolist(), strict=True)}
    mixed = [(ids[a], ids[b]) for a, b, level, linked in zip(
        pairs.a.tolist(), pairs.b.tolist(), pairs.level.tolist(),
        decided.decision.linked.tolist(), strict=True)
        if linked and sum(x > 0 for x in level) >= 3]
    assert mixed
    for a, b in mixed[:5]:
        pair = explain_pair(graph, a, b)
        assert pair.linked
        hop = next(h for h in pair.hops if {h.device_a, h.device_b} == {a, b})
        assert len(hop.items) >= 3
        for item in hop.items:
            assert item.identifiers and item.rule == f"evidence.weights.{item.kind}.{item.level}"
            assert f"{item.weight:+g} bits" in item.sentence
            assert item.weight == rules.weight(item.kind, item.level)
        assert hop.score == pytest.approx(hop.prior + sum(i.weight for i in hop.items))
        assert hop.score == pytest.approx(scores[(a, b)])
        assert f"{hop.score:+g} bits" in hop.sentence
