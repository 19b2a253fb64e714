"""The bulk first load (neo4j-admin import) against the incremental path, on a real Neo4j."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from proteus import edge, ingest, keys
from proteus.db import manage
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools.generate import GenerateParams
from proteus.tools.generate import run as generate


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two different small worlds: the graph before a rebuild, and the files it is rebuilt
    from."""
    first = tmp_path_factory.mktemp("bulk") / "first"
    second = tmp_path_factory.mktemp("bulk") / "second"
    generate(GenerateParams(out=first, devices=300, days=2, seed=5, malformed_rate=0.02,
                            quiet=True))
    generate(GenerateParams(out=second, devices=400, days=2, seed=6, malformed_rate=0.02,
                            quiet=True))
    return first, second


def summary(graph: Graph) -> dict[str, Any]:
    found = graph.read("db/content_summary")[0]["summary"]
    found["identifiers"] = sorted(found["identifiers"], key=lambda row: row["kind"])
    return found


def _params(settings: Settings, data: Path, tmp: Path, bulk: ingest.Bulk
            ) -> ingest.IngestParams:
    return edge.ingest_params(settings, [data], bulk=bulk, rejects_dir=tmp / "rejects",
                              work_dir=tmp / "work", chunk_size=2000, batch_rows=500)


def test_bulk_load_builds_what_the_incremental_path_builds(
        graph: Graph, settings: Settings, datasets: tuple[Path, Path], tmp_path: Path) -> None:
    data = datasets[1]
    merged = ingest.run(graph, _params(settings, data, tmp_path, "never"))
    assert merged.path == "incremental" and merged.ok
    incremental = summary(graph)
    created = keys.create_key(graph, "survives-rebuilds", "analyst")

    loaded = ingest.run(graph, _params(settings, data, tmp_path, "rebuild"))
    assert loaded.path == "bulk" and loaded.ok, loaded.lines()
    assert summary(graph) == incremental
    assert incremental["sightings"]["n"] > 1000 and incremental["views"]["n"] > 500
    assert incremental["devices"]["withdrawn"] > 0
    assert (loaded.read, loaded.accepted, loaded.rejected) == (
        merged.read, merged.accepted, merged.rejected)
    # the key made before the rebuild still opens the API, and the run is recorded whole
    assert keys.authenticate(graph, created.key) is not None
    run = graph.read("runs/get_run", id=loaded.run_id)[0]["run"]
    assert run["status"] == "complete" and '"path":"bulk"' in run["report"]
    # later files go through the incremental path, and the same files again change nothing
    again = ingest.run(graph, _params(settings, data, tmp_path, "auto"))
    assert again.path == "incremental"
    assert {b.status for b in again.batches} == {"skipped"}
    assert summary(graph) == incremental


def _rebuild(data: Path, tmp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "proteus.cli", "ingest", str(data), "--rebuild",
         "--rejects-dir", str(tmp / "rejects"), "--work-dir", str(tmp / "work")],
        stderr=subprocess.PIPE, text=True, start_new_session=True, env=dict(os.environ))


def _kill_at(process: subprocess.Popen[str], marker: str, delay: float) -> None:
    with process:
        assert process.stderr is not None
        for line in process.stderr:
            if marker in line:
                time.sleep(delay)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return
        process.wait()
    raise AssertionError(f"the rebuild ended before {marker!r}")


@pytest.mark.parametrize(("marker", "delay"), [("bulk import into", 2.0),
                                               ("bulk imported in", 0.5)])
def test_a_bulk_load_killed_leaves_the_old_database_or_the_whole_new_one(
        graph: Graph, settings: Settings, datasets: tuple[Path, Path], tmp_path: Path,
        marker: str, delay: float) -> None:
    old, new = datasets
    ingest.run(graph, _params(settings, old, tmp_path, "never"))
    before = summary(graph)
    ingest.run(graph, _params(settings, new, tmp_path, "rebuild"))
    complete = summary(graph)
    ingest.run(graph, _params(settings, old, tmp_path, "rebuild"))
    assert summary(graph) == before

    try:
        _kill_at(_rebuild(new, tmp_path), marker, delay)
    finally:
        manage.up(settings)[1].close()  # the kill may have left the server stopped
    after = summary(graph)
    assert after in (before, complete)
    # whichever it is, the next rebuild completes
    ingest.run(graph, _params(settings, new, tmp_path, "rebuild"))
    assert summary(graph) == complete
