"""The Spark engine's incremental path, through the Neo4j Connector for Apache Spark, against
the embedded incremental path on a real Neo4j: the same graph from the generator's data,
nothing changed by the same files again, and a run killed mid-write resumed to the same graph.

PySpark is the optional extra `spark`; CI installs it and sets PROTEUS_REQUIRE_SPARK=1, so
these tests run there (without PySpark and without that variable they are skipped). The Spark
they run on is the one proteus assembles from Maven (Scala 2.13, with the connector).
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from proteus import edge, ingest, queries
from proteus.db import manage
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools.generate import GenerateParams
from proteus.tools.generate import run as generate

if not os.environ.get("PROTEUS_REQUIRE_SPARK"):
    pytest.importorskip("pyspark", reason='the Spark engine needs pip install -e ".[spark]"')

from proteus.ingest.sparkwrite import LAYOUTS, connector_query
from proteus.spark.runtime import connector_package

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

CHUNK, BATCH = 500, 40  # several chunks per group, several batches per partition


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("connector") / "world"
    generate(GenerateParams(out=out, devices=150, days=2, seed=5, malformed_rate=0.02,
                            quiet=True))
    # events of day one sent again with day two: duplicates of an earlier ingest's events
    with gzip.open(out / "network-day01.jsonl.gz", "rt") as day_one:
        again = [line for line, _ in zip(day_one, range(120), strict=False)]
    with gzip.open(out / "network-day02-resent.jsonl.gz", "wt") as resent:
        resent.writelines(again)
    return out


def summary(graph: Graph) -> dict[str, Any]:
    found = graph.read("db/content_summary")[0]["summary"]
    found["identifiers"] = sorted(found["identifiers"], key=lambda row: row["kind"])
    return found


def _params(settings: Settings, paths: list[Path], tmp: Path, engine: str
            ) -> ingest.IngestParams:
    return edge.ingest_params(settings, paths, bulk="never", engine=engine, chunk_size=CHUNK,
                              batch_rows=BATCH, rejects_dir=tmp / engine / "rejects",
                              work_dir=tmp / engine / "work")


def _days(world: Path) -> tuple[list[Path], list[Path]]:
    return (sorted(world.glob("*-day01.*")) + sorted(world.glob("catalog.*")),
            sorted(world.glob("*-day02*")))


@pytest.fixture(scope="module")
def embedded(session_graph: Graph, settings: Settings, world: Path,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The graph the embedded incremental path builds: day one, then day two merged in."""
    manage.reset(session_graph)
    tmp = tmp_path_factory.mktemp("embedded")
    for paths in _days(world):
        report = ingest.run(session_graph, _params(settings, paths, tmp, "duckdb"))
        assert report.ok and report.path == "incremental", report.lines()
    return summary(session_graph)


def _rows(graph: Graph, text: str, **params: Any) -> list[dict[str, Any]]:
    with graph.session() as s:
        return [dict(r) for r in s.run(text, **params)]


def test_the_connector_merges_what_the_embedded_path_merges_and_again_changes_nothing(
        graph: Graph, spark_settings: Settings, embedded: dict[str, Any], world: Path,
        tmp_path: Path) -> None:
    reports = [ingest.run(graph, _params(spark_settings, paths, tmp_path, "spark"))
               for paths in _days(world)]
    assert all(r.ok and r.path == "connector" for r in reports), [r.lines() for r in reports]
    assert summary(graph) == embedded
    assert embedded["sightings"]["n"] > 500 and embedded["views"]["n"] > 300
    assert embedded["sightings"]["days"] > embedded["sightings"]["n"]  # lists merged
    assert embedded["devices"]["withdrawn"] > 0
    assert embedded["batches"]["duplicates"] >= 110  # found in the earlier ingest's ledger
    groups = _rows(graph, "MATCH (g:IngestGroup) RETURN g.kind AS kind, g.writer AS writer, "
                          "g.partitions AS k, g.done_parts AS parts, g.status AS status")
    assert {(g["writer"], g["k"], g["status"]) for g in groups} == {("connector", 2, "complete")}
    # parts of BATCH rows: partitions of several batches, each part written once
    network = [g for g in groups if g["kind"] == "network"]
    assert all(len(g["parts"]) == len(set(g["parts"])) for g in groups)
    assert any(part.endswith(":3") for g in network for part in g["parts"])

    # the same files again: skipped whole
    again = ingest.run(graph, _params(spark_settings, [world], tmp_path, "spark"))
    assert {b.status for b in again.batches} == {"skipped"}
    assert summary(graph) == embedded

    # the groups reopened as a run killed after its last part leaves them: every part is
    # sent again, found written, and changes nothing
    _rows(graph, "MATCH (b:IngestBatch) SET b.status = 'running' WITH DISTINCT b.group AS id "
                 "MATCH (g:IngestGroup {id: id}) SET g.status = 'running'")
    resumed = ingest.run(graph, _params(spark_settings, [world], tmp_path, "spark"))
    assert resumed.ok and {b.status for b in resumed.batches} == {"complete"}
    assert summary(graph) == embedded


def test_a_connector_run_killed_mid_write_resumes_to_the_same_graph(
        graph: Graph, settings: Settings, spark_settings: Settings, embedded: dict[str, Any],
        world: Path, tmp_path: Path) -> None:
    first, second = _days(world)
    assert ingest.run(graph, _params(spark_settings, first, tmp_path, "spark")).ok
    env = {**os.environ, "PROTEUS_NEO4J_URI": settings.bolt_uri,
           "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
           "PROTEUS_HOME": str(settings.home), "PROTEUS_SPARK_MASTER": "local[2]",
           "PROTEUS_SPARK_CONF": '{"spark.sql.shuffle.partitions": "4"}'}
    command = [sys.executable, "-m", "proteus.cli", "ingest", *map(str, second),
               "--engine", "spark", "--no-bulk", "--chunk-size", str(CHUNK),
               "--batch-rows", str(BATCH), "--rejects-dir", str(tmp_path / "rejects"),
               "--work-dir", str(tmp_path / "killed")]
    victim = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    # killed once the network group (the second group written) has some parts written
    deadline = time.monotonic() + 300
    written = 0
    while time.monotonic() < deadline and victim.poll() is None:
        found = _rows(graph, "MATCH (g:IngestGroup {kind: 'network', status: 'running'}) "
                             "RETURN size(g.done_parts) AS n")
        written = found[0]["n"] if found else 0
        if written >= 6:
            break
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    assert written >= 6, "the run ended before the kill"
    partial = _rows(graph, "MATCH (g:IngestGroup {kind: 'network', status: 'running'}) "
                           "RETURN size(g.done_parts) AS n")
    assert partial and partial[0]["n"] >= 6
    assert summary(graph)["sightings"] != embedded["sightings"]  # cut short

    resumed = ingest.run(graph, _params(spark_settings, second, tmp_path, "spark"))
    assert resumed.ok and resumed.path == "connector", resumed.lines()
    assert summary(graph) == embedded


def test_a_spark_that_cannot_load_the_connector_stops_at_one_line(
        graph: Graph, settings: Settings, world: Path, tmp_path: Path) -> None:
    """PySpark's own Spark (Scala 2.12) as SPARK_HOME: the first group stops the run."""
    import pyspark

    env = {**os.environ, "SPARK_HOME": str(Path(pyspark.__file__).parent),
           "PROTEUS_NEO4J_URI": settings.bolt_uri,
           "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
           "PROTEUS_HOME": str(settings.home), "PROTEUS_SPARK_MASTER": "local[1]"}
    done = subprocess.run(
        [sys.executable, "-m", "proteus.cli", "ingest", *map(str, _days(world)[1]),
         "--engine", "spark", "--no-bulk", "--rejects-dir", str(tmp_path / "rejects"),
         "--work-dir", str(tmp_path / "work")],
        env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "Neo4j Connector for Apache Spark" in last and "Scala 2.12" in last, last
    assert f"--packages {connector_package()}" in last
    assert _rows(graph, "MATCH (n) WHERE n:Device OR n:IngestGroup RETURN count(n) AS n") == [
        {"n": 0}]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_the_connector_s_statements_seek_every_row_by_a_unique_index(graph: Graph,
                                                                     name: str) -> None:
    """As the embedded path's (test_ingest.py): no per-row label scan on a just-reset graph."""
    manage.reset(graph)
    row = {"_part": "0:n:0:0", "_group": "g", "id": "x", "device": "d", "kind": "ip",
           "value": "v", "content": "c", "account": "a", "purpose": "p", "login": "l"}
    text = "WITH $scriptResult AS scriptResult UNWIND $events AS event\n" + connector_query(name)
    with graph.session() as s:
        plan = s.run("EXPLAIN " + text, events=[row], scriptResult=[]).consume().plan
    operators: list[str] = []

    def walk(node: Any) -> None:
        operators.append(f"{node['operatorType']} {node.get('args', {}).get('Details', '')}")
        for child in node.get("children", []):
            walk(child)

    walk(plan)
    assert not [op for op in operators if "LabelScan" in op or "AllNodesScan" in op], operators
    assert any("UniqueIndexSeek" in op for op in operators), operators
    assert queries.get(name).params == {"rows"}
