"""The Spark engine against the embedded one: the same checks, rejects, folded tables, graph
and identity partitions, on the generator's data with malformed rows, in local[2].

PySpark is the optional extra `spark`; CI installs it and sets PROTEUS_REQUIRE_SPARK=1, so
these tests run there (without PySpark and without that variable they are skipped).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from proteus import edge, ingest, pipeline
from proteus.events.checks import Bounds
from proteus.graph import Graph
from proteus.identity import run as identity_run
from proteus.identity.resolve import resolve_table
from proteus.identity.rules import load_rules
from proteus.identity.source import read_folder
from proteus.ingest.fold import Fold
from proteus.settings import Settings
from proteus.tools.generate import GenerateParams
from proteus.tools.generate import run as generate

if not os.environ.get("PROTEUS_REQUIRE_SPARK"):
    pytest.importorskip("pyspark", reason='the Spark engine needs pip install -e ".[spark]"')

from proteus.ingest.sparkfold import SparkFold
from proteus.spark.session import session, setup_of

# PySpark 3.5 leaves the sockets it reads results from to the garbage collector
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

KEY = b"a key for the engine tests"
BOUNDS = Bounds(earliest=datetime(2000, 1, 1, tzinfo=UTC),
                latest=datetime(2030, 1, 1, tzinfo=UTC))
WHOLE = 1 << 40


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark") / "world"
    # small (each engine's fixed cost dominates), two days so the per-day lists hold more
    # than one day, and malformed rows enough for every kind's rejects
    generate(GenerateParams(out=out, devices=400, days=2, seed=11, malformed_rate=0.05,
                            quiet=True))
    return out


def _rows(path: Path) -> list[dict[str, Any]]:
    return sorted(pq.read_table(path).to_pylist(), key=lambda r: repr(sorted(r.items())))


def _both(kind: str, files: list[Path], tmp: Path, settings: Settings
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each engine's counts, rejects (file, line, field, reason, raw) and exported tables."""
    out = []
    spark = session(settings)
    for name in ("duckdb", "spark"):
        fold: Any = (Fold(kind, tmp, name, KEY, BOUNDS, WHOLE) if name == "duckdb"
                     else SparkFold(spark, kind, tmp, name, KEY, BOUNDS, WHOLE))
        with fold:
            scans = fold.load(files)
            assert all(s.error is None for s in scans), [s.error for s in scans]
            fold.fold()
            exported = fold.export(tmp / name)
            out.append({
                "counts": fold.counts(),
                "rejects": [(k, *row) for k in range(len(files)) for row in fold.rejects(k)],
                "tables": {p.name: _rows(p) for p in exported}})
    return out[0], out[1]


@pytest.mark.parametrize("kind", ["network", "viewing", "consent"])
def test_spark_checks_and_folds_generated_files_as_the_embedded_engine(
        kind: str, world: Path, spark_settings: Settings, tmp_path: Path) -> None:
    files = sorted(world.glob(f"{kind}-*.jsonl.gz"))
    embedded, spark = _both(kind, files, tmp_path, spark_settings)
    assert spark["counts"] == embedded["counts"]
    assert spark["rejects"] == embedded["rejects"]
    assert len(embedded["rejects"]) > 5  # the generator's malformed rows are there
    assert spark["tables"] == embedded["tables"]
    assert all(rows for rows in embedded["tables"].values())
    if kind != "consent":  # lists per day, in day order, some of more than one day
        (lists,) = [rows for name, rows in embedded["tables"].items()
                    if name in ("network_sightings.parquet", "viewing_views.parquet")]
        assert any(len(row["days"]) > 1 for row in lists)
        assert all(row["days"] == sorted(row["days"]) for row in lists)


def test_spark_reads_csv_and_parquet_and_finds_duplicates_across_files(
        spark_settings: Settings, tmp_path: Path) -> None:
    files = []
    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        generate(GenerateParams(out=out, devices=100, days=1, seed=3, malformed_rate=0.03,
                                quiet=True, format=fmt))
        files += sorted(out.glob(f"network-*.{fmt}"))
    embedded, spark = _both("network", files, tmp_path, spark_settings)
    assert spark == embedded
    assert sum(c.duplicates for c in embedded["counts"].values()) > 100


def _content(graph: Graph) -> dict[str, Any]:
    found = graph.read("db/content_summary")[0]["summary"]
    found["identifiers"] = sorted(found["identifiers"], key=lambda row: row["kind"])
    return found


def test_spark_first_load_and_identity_match_the_embedded_engine(
        graph: Graph, spark_settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate(GenerateParams(out=data, devices=150, days=2, seed=5, malformed_rate=0.02,
                            quiet=True))
    reports = {}
    contents = {}
    for engine in ("duckdb", "spark"):
        params = edge.ingest_params(spark_settings, [data], bulk="rebuild", engine=engine,
                                    rejects_dir=tmp_path / engine / "rejects",
                                    work_dir=tmp_path / engine / "work")
        reports[engine] = ingest.run(graph, params)
        assert reports[engine].ok and reports[engine].path == "bulk", reports[engine].lines()
        contents[engine] = _content(graph)
    assert contents["spark"] == contents["duckdb"]
    same = ("read", "accepted", "rejected", "duplicates", "counts")
    assert ({k: getattr(reports["spark"], k) for k in same}
            == {k: getattr(reports["duckdb"], k) for k in same})
    assert [(b.file, b.read, b.rejected, b.status) for b in reports["spark"].batches] == \
        [(b.file, b.read, b.rejected, b.status) for b in reports["duckdb"].batches]

    # identity's rules on the folded tables, then components by scipy and by Spark
    table = read_folder(tmp_path / "spark" / "work" / "folded")
    rules = load_rules(None)
    fast = resolve_table(table, rules, set(), "fast")
    on_spark = resolve_table(table, rules, set(), "spark", spark=setup_of(spark_settings))
    assert np.array_equal(fast.person, on_spark.person)
    assert np.array_equal(fast.household, on_spark.household)
    assert len(np.unique(fast.person)) < table.n_devices  # some devices are linked

    first = identity_run(graph, edge.identity_params(spark_settings, engine="fast"))
    persons = {r["device"]: r["person"] for r in graph.read("identity/current_persons")}
    second = identity_run(graph, edge.identity_params(spark_settings, engine="spark"))
    assert second.ids_new == 0 and not second.changes
    assert {r["device"]: r["person"] for r in graph.read("identity/current_persons")} == persons
    assert second.persons.count == first.persons.count


def test_main_job_runs_on_the_spark_engine(graph: Graph, spark_settings: Settings,
                                           tmp_path: Path) -> None:
    done = pipeline.run(spark_settings, pipeline.PipelineParams(
        devices=300, days=2, seed=3, engine="spark", data_dir=tmp_path / "data",
        report=tmp_path / "report.html"))
    assert done.ingest.ok and done.ingest.path == "bulk", done.ingest.lines()
    assert done.identity.engine == "spark"
    # scored against the generated truth (two days of 300 devices link about half the pairs)
    assert done.identity.quality is not None and done.identity.quality.person.precision >= 0.9
    assert done.segments.persons > 0 and done.recommend.run_id
    assert done.audience.dry_run is not None
    assert (tmp_path / "report.html").stat().st_size > 0
    # the same graph again: the week is loaded anew through import files, not refused
    again = pipeline.run(spark_settings, pipeline.PipelineParams(
        devices=300, days=2, seed=3, engine="spark", data_dir=tmp_path / "data",
        report=tmp_path / "again.html"))
    assert again.ingest.path == "bulk" and again.ingest.accepted == done.ingest.accepted
    assert again.identity.persons.count == done.identity.persons.count
