from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from neo4j.exceptions import Neo4jError

from proteus import edge, identity, ingest, queries
from proteus.db import manage
from proteus.events import write_rows
from proteus.graph import Graph
from proteus.ingest.loaded import already_loaded
from proteus.settings import Settings

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
RAW_IDENTIFIERS = ["anna@example.org", "+4915112345678", "203.0.113.7", "100.64.1.9",
                   "cookie-abc-123", "app-77f"]


def network_rows(devices: int = 40, per_device: int = 30) -> list[dict[str, Any]]:
    rows = []
    for d in range(devices):
        for k in range(per_device):
            rows.append({
                "event_id": f"n-{d}-{k}", "ts": T0 + timedelta(hours=k * 5), "device_id": f"dev{d}",
                "device_type": "phone" if d % 2 else "laptop",
                "network": "mobile" if k % 2 else "home",
                "ip": "100.64.1.9" if k % 2 else f"203.0.113.{d % 8}",
                "cookie": f"cookie-{d}-{k // 10}" if d % 2 == 0 else None,
                "login": "anna@example.org" if d < 2 else f"user{d // 2}@example.org",
                "msisdn": f"+49151{d:08d}" if d % 2 else None,
            })
    rows[5]["msisdn"] = "+4915112345678"
    rows[6]["cookie"] = "cookie-abc-123"
    return rows


def viewing_rows(devices: int = 40, per_device: int = 20) -> list[dict[str, Any]]:
    return [{"event_id": f"v-{d}-{k}", "ts": T0 + timedelta(hours=k * 7), "device_id": f"dev{d}",
             "content_id": f"c{(d + k) % 9}", "seconds": 60 * (k + 1)}
            for d in range(devices) for k in range(per_device)]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    write_rows(root / "catalog.jsonl.gz", "catalog", [
        {"content_id": f"c{i}", "title": f"Title {i}", "kind": "vod", "iab_ids": ["150"],
         "genres": ["Drama"]} for i in range(9)])
    write_rows(root / "consent.csv", "consent", [
        {"event_id": "s1", "ts": T0, "account": "anna@example.org", "purpose": "advertising",
         "granted": True},
        {"event_id": "s2", "ts": T0 + timedelta(days=1), "account": "anna@example.org",
         "purpose": "advertising", "granted": False}])
    write_rows(root / "network-day1.jsonl.gz", "network", network_rows())
    write_rows(root / "viewing-day1.parquet", "viewing", viewing_rows())
    with (root / "network-bad.jsonl").open("w") as bad:
        bad.write('{"event_id": "b1", "ts": "yesterday", "device_id": "x", '
                  '"device_type": "phone", "network": "home"}\n')
        bad.write("not json at all\n")
        bad.write('{"event_id": "b3", "ts": "2026-11-02T08:00:00Z", "device_id": "x", '
                  '"device_type": "phone", "network": "home", "imei": "123"}\n')
    return root


def totals(graph: Graph) -> dict[str, Any]:
    with graph.session(write=False) as session:
        return session.run("""
            MATCH (n) WHERE NOT n:Run WITH count(n) AS nodes
            OPTIONAL MATCH ()-[s:SEEN_WITH]->() WITH nodes, count(s) AS seen,
                 sum(s.count) AS seen_count, sum(reduce(t = 0, c IN s.day_counts | t + c)) AS days
            OPTIONAL MATCH ()-[w:WATCHED]->() RETURN nodes, seen, seen_count, days,
                 count(w) AS watched, sum(w.seconds) AS seconds, sum(w.count) AS views
        """).single().data()


def run(graph: Graph, settings: Settings, path: Path, chunk: int = 250) -> ingest.IngestReport:
    params = edge.ingest_params(settings, [path], chunk_size=chunk,
                                rejects_dir=path.parent / "rejects")
    return ingest.run(graph, params)


def test_ingest_aggregates_validates_and_is_idempotent(graph: Graph, settings: Settings,
                                                      dataset: Path) -> None:
    report = run(graph, settings, dataset)
    assert report.read == 9 + 2 + 1200 + 800 + 3
    assert report.rejected == 3 and report.duplicates == 0
    assert [b.status for b in report.batches] == ["complete"] * 5
    first = totals(graph)
    assert first["seen_count"] == first["days"]
    assert first["seconds"] == sum(r["seconds"] for r in viewing_rows())
    assert first["views"] == 800
    last = max(r["ts"] for r in viewing_rows()).date().isoformat()
    assert graph.read("conditions/latest_day") == [{"day": last}]
    again = run(graph, settings, dataset)
    assert {b.status for b in again.batches} == {"skipped"}
    assert totals(graph) == first
    files = sorted(p for p in dataset.iterdir() if p.is_file())
    assert already_loaded(graph, files)
    assert not already_loaded(graph, files, stages=("identity",))
    assert not already_loaded(graph, [])
    other = dataset.parent / "viewing-other.jsonl"
    write_rows(other, "viewing", viewing_rows(devices=2, per_device=1))
    assert not already_loaded(graph, [*files, other])

    rejects = next(b for b in report.batches if "bad" in b.file).rejects_file
    lines = Path(str(rejects)).read_text().splitlines()
    assert [line.split('"field": ')[1].split(",")[0] for line in lines] == [
        '"ts"', '"line"', '"imei"']


def test_no_raw_identifier_reaches_the_graph(graph: Graph, settings: Settings,
                                             dataset: Path) -> None:
    run(graph, settings, dataset)
    with graph.session(write=False) as session:
        values = session.run("""
            MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v
            RETURN collect(v) AS values""").single()["values"]
        values += session.run("""
            MATCH ()-[r]->() UNWIND keys(r) AS k WITH r[k] AS v
            RETURN collect(v) AS values""").single()["values"]
    text = repr(values)
    for raw in [*RAW_IDENTIFIERS, "example.org"]:
        assert raw not in text
    kinds = {row["kind"]: row["n"] for row in session_rows(graph, """
        MATCH (i:Identifier) RETURN i.kind AS kind, count(*) AS n""")}
    assert set(kinds) == {"ip", "cookie", "login", "msisdn"}


def session_rows(graph: Graph, text: str) -> list[dict[str, Any]]:
    with graph.session(write=False) as session:
        return [r.data() for r in session.run(text)]


def test_latest_consent_wins(graph: Graph, settings: Settings, dataset: Path) -> None:
    run(graph, settings, dataset)
    rows = session_rows(graph, "MATCH (:Identifier {kind: 'login'})-[c:CONSENTED]->(p:Purpose) "
                               "RETURN p.name AS purpose, c.granted AS granted")
    assert rows == [{"purpose": "advertising", "granted": False}]


DEVICE_CONSENT = """
    MATCH (d:Device)
    RETURN d.id AS device, d.withdrawn AS stored, COLLECT {
      MATCH (d)-[:SEEN_WITH]->(:Identifier {kind: 'login'})-[k:CONSENTED]->(p:Purpose)
      WHERE k.granted = false RETURN DISTINCT p.name AS purpose ORDER BY purpose } AS live
    ORDER BY device"""


def test_devices_carry_the_purposes_their_logins_withdrew(graph: Graph, settings: Settings,
                                                          dataset: Path) -> None:
    run(graph, settings, dataset)
    rows = session_rows(graph, DEVICE_CONSENT)
    assert len(rows) == 40
    assert all(r["stored"] == r["live"] for r in rows)
    assert {r["device"] for r in rows if r["stored"]} == {"dev0", "dev1"}
    assert rows[0]["stored"] == ["advertising"]

    later = dataset.parent / "consent-later"
    later.mkdir()
    write_rows(later / "consent.csv", "consent", [
        {"event_id": "s3", "ts": T0 + timedelta(days=2), "account": "anna@example.org",
         "purpose": "advertising", "granted": True},
        {"event_id": "s4", "ts": T0 + timedelta(days=2), "account": "user3@example.org",
         "purpose": "analytics", "granted": False}])
    run(graph, settings, later)
    rows = session_rows(graph, DEVICE_CONSENT)
    assert all(r["stored"] == r["live"] for r in rows)
    assert {r["device"]: r["stored"] for r in rows if r["stored"]} == {
        "dev6": ["analytics"], "dev7": ["analytics"]}


PERSON_SUMMARY = """
    MATCH (p:Person)
    RETURN p.id AS person, p.device_types AS types, p.last_viewed AS viewed,
           p.withdrawn AS withdrawn, p.household AS household,
           [(p)-[:MEMBER_OF_HOUSEHOLD]->(h:Household) | h.id] AS live_household,
           [(p)<-[:BELONGS_TO]-(d:Device) | coalesce(d.type, 'unknown')] AS live_types,
           reduce(m = null, day IN COLLECT {
                    MATCH (p)<-[:BELONGS_TO]-(:Device)-[w:WATCHED]->()
                    UNWIND w.days AS day RETURN day }
                  | CASE WHEN m IS NULL OR day > m THEN day ELSE m END) AS live_viewed,
           COLLECT { MATCH (p)<-[:BELONGS_TO]-(:Device)-[:SEEN_WITH]->(l:Identifier)
                           -[k:CONSENTED]->(u:Purpose)
                     WHERE l.kind = 'login' AND k.granted = false
                     RETURN DISTINCT u.name AS purpose ORDER BY purpose } AS live_withdrawn
    ORDER BY person"""


def _summaries_hold(graph: Graph) -> list[dict[str, Any]]:
    rows = session_rows(graph, PERSON_SUMMARY)
    assert rows
    for r in rows:
        assert sorted(r["types"]) == sorted(r["live_types"]), r
        assert r["viewed"] == r["live_viewed"] and r["withdrawn"] == r["live_withdrawn"], r
        assert [r["household"]] == r["live_household"], r
    return rows


def _person_of(graph: Graph, device: str) -> str:
    with graph.session(write=False) as session:
        return str(session.run("MATCH (:Device {id: $device})-[:BELONGS_TO]->(p:Person) "
                               "RETURN p.id AS person", device=device).single(strict=True)[0])


def test_persons_carry_summaries_that_later_ingest_keeps_true(
        graph: Graph, settings: Settings, dataset: Path) -> None:
    run(graph, settings, dataset)
    identity.run(graph, edge.identity_params(settings))
    before = {r["person"]: r for r in _summaries_hold(graph)}
    assert {tuple(r["withdrawn"]) for r in before.values()} == {(), ("advertising",)}
    later = dataset.parent / "later"
    later.mkdir()
    write_rows(later / "consent.csv", "consent", [
        {"event_id": "s5", "ts": T0 + timedelta(days=3), "account": "user3@example.org",
         "purpose": "analytics", "granted": False}])
    write_rows(later / "viewing-day9.csv", "viewing", [
        {"event_id": "v-late", "ts": T0 + timedelta(days=9), "device_id": "dev0",
         "content_id": "c1", "seconds": 60}])
    write_rows(later / "network-day9.csv", "network", [
        {"event_id": "n-late", "ts": T0 + timedelta(days=9), "device_id": "dev1",
         "device_type": "smart_tv", "network": "home", "ip": "203.0.113.1"},
        # a device first seen with a login that withdrew: its purposes and its person's grow
        {"event_id": "n-shared", "ts": T0 + timedelta(days=9), "device_id": "dev10",
         "device_type": "laptop", "network": "home", "login": "anna@example.org"}])
    assert "advertising" not in before[_person_of(graph, "dev10")]["withdrawn"]
    run(graph, settings, later)
    assert all(r["stored"] == r["live"] for r in session_rows(graph, DEVICE_CONSENT))
    after = {r["person"]: r for r in _summaries_hold(graph)}
    assert "advertising" in after[_person_of(graph, "dev10")]["withdrawn"]
    changed = {p for p in after if after[p]["types"] != before[p]["types"]
               or after[p]["viewed"] != before[p]["viewed"]
               or after[p]["withdrawn"] != before[p]["withdrawn"]}
    assert any("analytics" in r["withdrawn"] for r in after.values())
    assert any(r["viewed"] == (T0 + timedelta(days=9)).date().isoformat()
               for r in after.values())
    assert any("smart_tv" in r["types"] for r in after.values())
    assert len(changed) >= 2


def _operators(plan: Any) -> list[str]:
    details = plan.get("args", {}).get("Details", "")
    return [f"{plan['operatorType'].split('@')[0]} {details}"] + [
        op for child in plan.get("children", []) for op in _operators(child)]


# Each link query's endpoints: variable, label and the properties of the key it is found by.
ENDPOINTS = {"ingest/merge_views": ("d:Device(id)", "c:Content(id)"),
             "ingest/merge_sightings": ("d:Device(id)", "i:Identifier(kind, value)")}


def _endpoint_lookups(name: str, rows: list[dict[str, Any]], graph: Graph) -> list[str]:
    """The operators of the query's plan (the whole tree) that are not a seek of an
    endpoint by its key: an endpoint without one, or any scan or element-id lookup."""
    with graph.session() as session:
        plan = session.run("EXPLAIN " + queries.get(name).text, rows=rows).consume().plan
    operators = _operators(plan)
    seeks = [op for op in operators if "IndexSeek" in op.split(" ", 1)[0]]
    unseeked = [f"no seek by {key}" for key in ENDPOINTS[name]
                if not any(f"UNIQUE {key} WHERE" in op for op in seeks)]
    other = [op for op in operators
             if "Scan" in op.split(" ", 1)[0] or "ElementId" in op or "Identifier(kind) " in op]
    return unseeked + other


def test_links_find_their_endpoints_by_their_keys(graph: Graph) -> None:
    """Sightings and views look their endpoints up by the project's keys through the
    uniqueness constraints (element ids hold only within one transaction, and the nodes are
    written in another), whatever the statistics: on a just-reset graph and once the
    endpoints are written, every endpoint is a unique-index seek (of whatever operator
    shape) and nothing scans. A row whose endpoint is missing fails the transaction, not the
    row."""
    manage.reset(graph)
    when = int(T0.timestamp())
    views = [{"device": "d1", "content": "c1", "first": when, "last": when, "count": 1,
              "seconds": 60, "days": ["2026-11-02"], "day_seconds": [60]}]
    sightings = [{"device": "d1", "kind": "login", "value": "v", "first": when, "last": when,
                  "count": 1, "days": ["2026-11-02"], "day_counts": [1]}]
    links = (("ingest/merge_views", views), ("ingest/merge_sightings", sightings))
    assert {name: _endpoint_lookups(name, rows, graph) for name, rows in links} == {
        name: [] for name in ENDPOINTS}
    graph.write("ingest/merge_devices", rows=[
        {"id": d, "type": "stb", "first": when, "last": when, "viewed": None}
        for d in ("d1", "d2")])
    graph.write("ingest/merge_contents", rows=[{"id": "c1"}])
    graph.write("ingest/merge_identifiers", rows=[
        {"kind": "login", "value": "v", "network": None, "ip_class": None, "first": when,
         "last": when}])
    for name, rows in links:
        assert _endpoint_lookups(name, rows, graph) == [], name
        with pytest.raises(Neo4jError):
            graph.write(name, rows=[{**rows[0], "device": "gone"}])
        graph.write(name, rows=rows)
    assert totals(graph)["watched"] == 1 and totals(graph)["seen"] == 1


@pytest.mark.parametrize(("name", "row"), [
    ("identity/person_summary", {"device": "d"}),
    ("identity/person_summary", {"login": "v"}),
    ("identity/person_summary", {"person": "p"}),
])
def test_ingest_writes_seek_every_row_by_a_unique_index(graph: Graph, name: str,
                                                       row: dict[str, Any]) -> None:
    """On a just-reset graph (the statistics of an empty one) no per-row lookup may scan a
    label or seek logins by kind alone: either makes a chunk quadratic in the graph. Nor may
    a distinct carry the list of changed devices along with each person: that held the list
    once per person, quadratic in the chunk (a consent day of 1M devices ran out of Neo4j's
    transaction memory)."""
    manage.reset(graph)
    with graph.session() as session:
        plan = session.run("EXPLAIN " + queries.get(name).text, rows=[row]).consume().plan
    operators = _operators(plan)
    assert not [op for op in operators if "LabelScan" in op or "AllNodesScan" in op], operators
    assert not [op for op in operators if "Identifier(kind) " in op], operators
    assert any("UniqueIndexSeek" in op for op in operators), operators
    assert not [op for op in operators if op.startswith("Distinct") and "changed" in op], \
        operators


def test_broken_files_fail_alone_and_are_never_complete(graph: Graph, settings: Settings,
                                                        tmp_path: Path, dataset: Path) -> None:
    good = (dataset / "network-day1.jsonl.gz").read_bytes()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "network-cut.jsonl.gz").write_bytes(good[: len(good) // 2])
    (broken / "network-empty.jsonl").write_text("")
    (broken / "viewing-nocol.csv").write_text("event_id,ts,device_id\nv1,2026-11-02T08:00:00Z,d\n")
    (broken / "notes.txt").write_text("not data: passed over inside a folder")
    (broken / "clicks-day1.jsonl").write_text("{}\n")
    report = run(graph, settings, broken)
    assert not report.ok
    failed = {Path(b.file).name: b.error for b in report.batches if b.status == "failed"}
    assert "network-empty.jsonl" in failed and "empty" in str(failed["network-empty.jsonl"])
    assert "missing" in str(failed["viewing-nocol.csv"]) or "misses" in str(
        failed["viewing-nocol.csv"])
    assert any("network-cut.jsonl.gz: truncated" in e for e in report.errors)
    assert any("clicks-day1.jsonl: unknown record type" in e for e in report.errors)
    assert not any("notes.txt" in e for e in report.errors)
    statuses = session_rows(graph, "MATCH (b:IngestBatch) RETURN b.file AS f, b.status AS s")
    assert {r["f"]: r["s"] for r in statuses} == {
        "network-empty.jsonl": "failed", "viewing-nocol.csv": "failed"}
    assert all(len(e.splitlines()) == 1 for e in report.errors)


def test_kill_9_mid_file_then_rerun_equals_a_clean_run(graph: Graph, settings: Settings,
                                                       tmp_path: Path) -> None:
    big = tmp_path / "kill"
    big.mkdir()
    # two files of one group, whose chunks of 500 rows span the two
    rows = sorted(network_rows(devices=400, per_device=60), key=lambda r: r["ts"])
    write_rows(big / "network-big1.jsonl.gz", "network", rows[:11_750])
    write_rows(big / "network-big2.jsonl.gz", "network", rows[11_750:])
    env = {**os.environ, "PROTEUS_NEO4J_URI": settings.bolt_uri,
           "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()}
    # parts of 20 aggregate rows: a chunk takes several transactions, so the kill can land
    # between the parts of one chunk as well as between chunks
    command = [sys.executable, "-m", "proteus.cli", "ingest", str(big), "--chunk-size", "500",
               "--batch-rows", "20", "--rejects-dir", str(tmp_path / "rejects")]
    victim = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = session_rows(graph, "MATCH (g:IngestGroup) RETURN g.chunks_done AS done")
        if done and done[0]["done"] >= 3:
            break
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    partial = session_rows(graph, "MATCH (b:IngestBatch), (g:IngestGroup {id: b.group}) "
                                  "RETURN DISTINCT b.status AS s, g.chunks_done AS done")
    assert len(partial) == 1, partial
    assert partial[0]["s"] == "running" and 3 <= partial[0]["done"] < 48
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    after_resume = totals(graph)

    manage.reset(graph)
    clean = run(graph, settings, big, chunk=500)
    assert [b.chunks_written for b in clean.batches] == [48, 48]
    assert totals(graph) == after_resume
    assert after_resume["seen_count"] > 0

