"""Files named by URL on the Spark engine (read through Spark's Hadoop filesystems, here
`file://`) ingest as the same files given as local paths: the same graph, folded tables,
batches and rejects; the same URLs again change nothing; a URL that does not exist is one
line. In local[2], against a real Neo4j (CI sets PROTEUS_REQUIRE_SPARK=1)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from proteus import edge, ingest
from proteus.errors import InputError
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools.generate import GenerateParams
from proteus.tools.generate import run as generate

if not os.environ.get("PROTEUS_REQUIRE_SPARK"):
    pytest.importorskip("pyspark", reason='the Spark engine needs pip install -e ".[spark]"')


pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _content(graph: Graph) -> dict[str, Any]:
    found = graph.read("db/content_summary")[0]["summary"]
    found["identifiers"] = sorted(found["identifiers"], key=lambda row: row["kind"])
    return found


def _ingest(graph: Graph, settings: Settings, paths: list[Path | str], out: Path,
            bulk: str = "auto") -> ingest.IngestReport:
    params = edge.ingest_params(settings, paths, bulk=bulk, engine="spark",
                                rejects_dir=out / "rejects", work_dir=out / "work")
    report = ingest.run(graph, params)
    assert report.ok, report.lines()
    return report


def _folded(work: Path) -> dict[str, list[dict[str, Any]]]:
    return {p.name: sorted(pq.read_table(p).to_pylist(), key=lambda r: repr(sorted(r.items())))
            for p in sorted((work / "folded").glob("*.parquet"))}


def _rejects(report: ingest.IngestReport) -> dict[str, str]:
    return {Path(b.rejects_file).name: Path(b.rejects_file).read_text()
            for b in report.batches if b.rejects_file}


def test_urls_ingest_as_the_same_local_files(graph: Graph, spark_settings: Settings,
                                             tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate(GenerateParams(out=data, devices=150, days=2, seed=5, malformed_rate=0.03,
                            quiet=True))
    local = _ingest(graph, spark_settings, [data], tmp_path / "local", bulk="rebuild")
    expected = _content(graph)

    # the folder as a URL: listed through Hadoop's filesystem (truth/ and the manifest left
    # out), described and read by the executors
    lake = _ingest(graph, spark_settings, [data.as_uri() + "/"], tmp_path / "lake",
                   bulk="rebuild")
    assert _content(graph) == expected
    assert lake.path == local.path == "bulk"
    same = ("read", "accepted", "rejected", "duplicates", "counts")
    assert {k: getattr(lake, k) for k in same} == {k: getattr(local, k) for k in same}
    assert [(b.batch_id, b.kind, b.read, b.rejected, b.duplicates, b.status)
            for b in lake.batches] == [(b.batch_id, b.kind, b.read, b.rejected, b.duplicates,
                                        b.status) for b in local.batches]
    assert [b.file for b in lake.batches] == [Path(b.file).as_uri() for b in local.batches]
    assert _folded(tmp_path / "lake" / "work") == _folded(tmp_path / "local" / "work")
    assert _rejects(lake) == _rejects(local) and len(_rejects(local)) >= 2
    assert any(b.kind == "catalog" for b in lake.batches)  # folded on the driver, fetched

    # the same files again, each by its own URL, then the folder again: nothing changes
    files = [data.as_uri() + "/" + b.file.rsplit("/", 1)[-1] for b in lake.batches]
    for paths in (files, [data.as_uri()]):
        again = _ingest(graph, spark_settings, list(paths), tmp_path / "again")
        assert [b.status for b in again.batches] == ["skipped"] * len(lake.batches)
        assert again.accepted == 0
        assert _content(graph) == expected


def test_a_missing_url_is_one_line(graph: Graph, spark_settings: Settings,
                                   tmp_path: Path) -> None:
    missing = (tmp_path / "nowhere").as_uri()
    with pytest.raises(InputError) as caught:
        _ingest(graph, spark_settings, [missing], tmp_path)
    assert str(caught.value) == f"{missing}: no such file or folder"
