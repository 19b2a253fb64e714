"""Ingest of one file against a recording runner: which chunks are written, and with what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from proteus.events import write_rows
from proteus.graph import RecordingGraph
from proteus.ingest.batch import ingest_file
from proteus.ingest.files import describe

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _viewing(path: Path, rows: int) -> Path:
    write_rows(path, "viewing", [
        {"event_id": f"v{k}", "ts": T0 + timedelta(minutes=k), "device_id": f"dev{k % 3}",
         "content_id": f"c{k % 4}", "seconds": 60} for k in range(rows)])
    return path


def _written_chunks(graph: RecordingGraph) -> list[int]:
    return sorted(p["chunk"] for name, p in graph.calls if name == "ingest/chunk_done")


@pytest.mark.parametrize("writers", [1, 3])
def test_a_resumed_file_writes_exactly_the_chunks_not_yet_written(tmp_path: Path,
                                                                   writers: int) -> None:
    data = describe(_viewing(tmp_path / "viewing-day1.jsonl", rows=10))
    graph = RecordingGraph({"ingest/open_batch": [{"done_chunks": [1, 3], "chunk_size": 2}]})
    report = ingest_file(graph, data, "run-1", lambda kind, value: value, tmp_path / "rejects",
                         chunk_size=500, writers=writers)
    assert report.status == "complete"
    assert report.chunks_resumed == 2 and report.chunks_written == 3
    # The batch's own chunk size (2 rows) wins over the one asked for (500).
    assert _written_chunks(graph) == [2, 4, 5]
    seconds = sum(row["seconds"] for name, p in graph.calls if name == "ingest/merge_views"
                  for row in p["rows"])
    assert seconds == 6 * 60


def test_a_fresh_file_with_several_writers_writes_every_row_once(tmp_path: Path) -> None:
    data = describe(_viewing(tmp_path / "viewing-day1.jsonl", rows=101))
    graph = RecordingGraph({"ingest/open_batch": [{"done_chunks": [], "chunk_size": 10}]})
    report = ingest_file(graph, data, "run-1", lambda kind, value: value, tmp_path / "rejects",
                         chunk_size=10, writers=4)
    assert _written_chunks(graph) == list(range(1, 12))
    counts = sum(row["count"] for name, p in graph.calls if name == "ingest/merge_views"
                 for row in p["rows"])
    assert counts == report.accepted == 101
