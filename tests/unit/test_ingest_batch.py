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
    return sorted(int(p["part"]) for name, p in graph.calls
                  if name == "ingest/mark_written" and p["complete"])


def _opened(done: list[str], chunk_size: int, batch_rows: int = 1000) -> RecordingGraph:
    return RecordingGraph({"ingest/open_batch": [{
        "done_parts": done, "chunk_size": chunk_size, "batch_rows": batch_rows,
        "older_layout": False}]})


@pytest.mark.parametrize("writers", [1, 3])
def test_a_resumed_file_writes_exactly_the_chunks_not_yet_written(tmp_path: Path,
                                                                   writers: int) -> None:
    data = describe(_viewing(tmp_path / "viewing-day1.jsonl", rows=10))
    graph = _opened(["1", "3"], chunk_size=2)
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
    graph = _opened([], chunk_size=10)
    report = ingest_file(graph, data, "run-1", lambda kind, value: value, tmp_path / "rejects",
                         chunk_size=10, writers=4)
    assert _written_chunks(graph) == list(range(1, 12))
    counts = sum(row["count"] for name, p in graph.calls if name == "ingest/merge_views"
                 for row in p["rows"])
    assert counts == report.accepted == 101


def test_a_chunk_cut_short_resumes_with_the_parts_not_yet_written(tmp_path: Path) -> None:
    data = describe(_viewing(tmp_path / "viewing-day1.jsonl", rows=12))
    # one chunk of 12 views of 3 devices and 4 contents, parts of 2 rows: devices 0-1,
    # contents 0-1, views (12 distinct pairs) 0-5, person summaries 0-1
    done = ["1:ingest/merge_devices:0", "1:ingest/merge_devices:1",
            "1:ingest/merge_views:0", "1:ingest/merge_views:3"]
    graph = _opened(done, chunk_size=100, batch_rows=2)
    ingest_file(graph, data, "run-1", lambda kind, value: value, tmp_path / "rejects",
                chunk_size=100)
    parts = [p["part"] for name, p in graph.calls if name == "ingest/mark_written"]
    assert parts == ["1:ingest/merge_contents:0", "1:ingest/merge_contents:1",
                     "1:ingest/merge_views:1", "1:ingest/merge_views:2",
                     "1:ingest/merge_views:4", "1:ingest/merge_views:5",
                     "1:identity/person_summary:0", "1:identity/person_summary:1", "1"]
    assert not [n for n, _ in graph.calls if n == "ingest/merge_devices"]
    views = [row for name, p in graph.calls if name == "ingest/merge_views" for row in p["rows"]]
    assert len(views) == 8 and all(len(p["rows"]) <= 2 for _, p in graph.calls if "rows" in p)


def test_a_batch_written_by_an_older_layout_is_refused_not_doubled(tmp_path: Path) -> None:
    data = describe(_viewing(tmp_path / "viewing-day1.jsonl", rows=3))
    graph = RecordingGraph({"ingest/open_batch": [{
        "done_parts": [], "chunk_size": 2, "batch_rows": 1000, "older_layout": True}]})
    report = ingest_file(graph, data, "run-1", lambda kind, value: value, tmp_path / "rejects",
                         chunk_size=2)
    assert report.status == "failed" and "earlier version of ingest" in str(report.error)
    assert not [n for n, _ in graph.calls if n.startswith("ingest/merge")]
