"""Ingest of file groups against a recording runner: which chunks and parts are written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from proteus.events import write_rows
from proteus.graph import RecordingGraph
from proteus.ingest.batch import group_id, ingest_groups, plan
from proteus.ingest.files import DataFile, describe

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _viewing(path: Path, rows: int, first: int = 0) -> DataFile:
    write_rows(path, "viewing", [
        {"event_id": f"v{k}", "ts": T0 + timedelta(minutes=k), "device_id": f"dev{k % 3}",
         "content_id": f"c{k % 4}", "seconds": 60} for k in range(first, first + rows)])
    return describe(path)


def _written_chunks(graph: RecordingGraph) -> list[int]:
    return sorted(int(p["part"]) for name, p in graph.calls
                  if name == "ingest/mark_written" and p["complete"])


def _opened(done: list[str], chunk_size: int, batch_rows: int = 1000) -> RecordingGraph:
    return RecordingGraph({
        "ingest/open_group": [{"done_parts": done, "chunk_size": chunk_size,
                               "batch_rows": batch_rows}]})


def _ingest(graph: RecordingGraph, files: list[DataFile], tmp_path: Path, chunk_size: int = 500,
            writers: int = 1) -> list[Any]:
    groups, reports = plan(graph, files, "run-1")
    assert not reports
    return ingest_groups(graph, groups, "run-1", b"a test pseudonym key",
                         tmp_path / "rejects", chunk_size=chunk_size, writers=writers)


def _views(graph: RecordingGraph, key: str) -> int:
    return sum(row[key] for name, p in graph.calls if name == "ingest/merge_views"
               for row in p["rows"])


@pytest.mark.parametrize("writers", [1, 3])
def test_a_resumed_group_writes_exactly_the_chunks_not_yet_written(tmp_path: Path,
                                                                   writers: int) -> None:
    files = [_viewing(tmp_path / "viewing-day1.jsonl", rows=5),
             _viewing(tmp_path / "viewing-day2.jsonl", rows=5, first=5)]
    graph = _opened(["1", "3"], chunk_size=2)
    reports = _ingest(graph, files, tmp_path, writers=writers)
    assert [r.status for r in reports] == ["complete", "complete"]
    assert {r.group for r in reports} == {group_id([f.sha256 for f in files])}
    assert reports[0].chunks_resumed == 2 and reports[0].chunks_written == 3
    # The group's own chunk size (2 rows) wins over the one asked for (500); chunk 3 holds
    # the last row of the first file and the first of the second.
    assert _written_chunks(graph) == [2, 4, 5]
    assert _views(graph, "seconds") == 6 * 60


def test_a_fresh_group_with_several_writers_writes_every_row_once(tmp_path: Path) -> None:
    files = [_viewing(tmp_path / "viewing-day1.jsonl", rows=51),
             _viewing(tmp_path / "viewing-day2.jsonl", rows=50, first=51)]
    graph = _opened([], chunk_size=10)
    reports = _ingest(graph, files, tmp_path, chunk_size=10, writers=4)
    assert _written_chunks(graph) == list(range(1, 12))
    assert _views(graph, "count") == sum(r.accepted for r in reports) == 101


def test_files_of_one_kind_fold_together(tmp_path: Path) -> None:
    files = [_viewing(tmp_path / "viewing-day1.jsonl", rows=12),
             _viewing(tmp_path / "viewing-day2.jsonl", rows=12, first=12)]
    graph = _opened([], chunk_size=1000)
    _ingest(graph, files, tmp_path, chunk_size=1000)
    views = [row for name, p in graph.calls if name == "ingest/merge_views" for row in p["rows"]]
    # 3 devices x 4 contents: 12 pairs, each seen twice (once per file)
    assert len(views) == 12 and {v["count"] for v in views} == {2}
    assert _written_chunks(graph) == [1]


def test_a_chunk_cut_short_resumes_with_the_parts_not_yet_written(tmp_path: Path) -> None:
    files = [_viewing(tmp_path / "viewing-day1.jsonl", rows=12)]
    # one chunk of 12 views of 3 devices and 4 contents, parts of 2 rows: devices 0-1,
    # contents 0-1, views (12 distinct pairs) 0-5, person summaries 0-1
    done = ["1:ingest/merge_devices:0", "1:ingest/merge_devices:1",
            "1:ingest/merge_contents:0", "1:ingest/merge_views:0", "1:ingest/merge_views:3"]
    graph = _opened(done, chunk_size=100, batch_rows=2)
    _ingest(graph, files, tmp_path, chunk_size=100)
    parts = [p["part"] for name, p in graph.calls if name == "ingest/mark_written"]
    assert parts == ["1:ingest/merge_contents:1",
                     "1:ingest/merge_views:1", "1:ingest/merge_views:2",
                     "1:ingest/merge_views:4", "1:ingest/merge_views:5",
                     "1:identity/person_summary:0", "1:identity/person_summary:1", "1"]
    # the views find their endpoints by their keys: nothing written earlier is run again
    assert [n for n, _ in graph.calls if n == "ingest/merge_devices"] == []
    views = [row for name, p in graph.calls if name == "ingest/merge_views" for row in p["rows"]]
    assert len(views) == 8 and all(len(p["rows"]) <= 2 for _, p in graph.calls if "rows" in p)
    assert {v["device"] for v in views} <= {"dev0", "dev1", "dev2"}


class _Found(RecordingGraph):
    """Answers find_batch per file."""

    def __init__(self, found: dict[str, dict[str, Any]]) -> None:
        super().__init__({"ingest/open_group": [{"done_parts": [], "chunk_size": 100,
                                                 "batch_rows": 1000}]})
        self.found = found

    def read(self, name: str, **params: Any) -> list[dict[str, Any]]:
        if name == "ingest/find_batch":
            self.calls.append((name, params))
            return [self.found[params["id"]]] if params["id"] in self.found else []
        return super().read(name, **params)

    write = read


def test_a_batch_written_by_an_older_layout_is_refused_not_doubled(tmp_path: Path) -> None:
    data = _viewing(tmp_path / "viewing-day1.jsonl", rows=3)
    graph = _Found({data.sha256: {"batch": {"status": "running", "done_parts": ["1"]},
                                  "group": None}})
    groups, reports = plan(graph, [data], "run-1")
    assert not groups
    assert reports[0].status == "failed" and "earlier version of ingest" in str(reports[0].error)
    assert not [n for n, _ in graph.calls if n.startswith("ingest/merge")]


def test_a_partly_written_group_is_resumed_whole_or_refused(tmp_path: Path) -> None:
    one, two, three = (_viewing(tmp_path / f"viewing-day{k}.jsonl", rows=3, first=3 * k)
                       for k in (1, 2, 3))
    earlier = {"id": group_id([one.sha256, two.sha256]), "files": [one.sha256, two.sha256],
               "status": "running", "written": 4}
    found = {d.sha256: {"batch": {"status": "running", "group": earlier["id"]},
                        "group": earlier} for d in (one, two)}
    # all of the earlier group is here: it is formed again as it was, the new file apart
    groups, reports = plan(_Found(found), [one, two, three], "run-1")
    assert not reports
    assert [[f.path.name for f in g.files] for g in groups] == [
        ["viewing-day1.jsonl", "viewing-day2.jsonl"], ["viewing-day3.jsonl"]]
    assert groups[0].id == earlier["id"]
    # only part of it: that file is refused (and left as it is), the rest goes on
    graph = _Found(found)
    groups, reports = plan(graph, [two, three], "run-1")
    assert [[f.path.name for f in g.files] for g in groups] == [["viewing-day3.jsonl"]]
    assert reports[0].status == "failed"
    assert "partly written together with 1 other file" in str(reports[0].error)
    assert not [n for n, p in graph.calls if n != "ingest/find_batch"]


def test_the_same_content_twice_is_read_once(tmp_path: Path) -> None:
    data = _viewing(tmp_path / "viewing-day1.jsonl", rows=3)
    copy_path = tmp_path / "copy" / "viewing-day1.jsonl"
    copy_path.parent.mkdir()
    copy_path.write_bytes(data.path.read_bytes())
    copy = describe(copy_path)
    graph = _opened([], chunk_size=100)
    groups, reports = plan(graph, [data, copy, data], "run-1")
    assert [[f.path for f in g.files] for g in groups] == [[data.path]]
    assert [r.status for r in reports] == ["skipped", "skipped"]
    assert "same content as viewing-day1.jsonl" in str(reports[0].error)


def test_a_repeated_event_is_counted_once_and_a_bad_row_goes_to_the_rejects(
        tmp_path: Path) -> None:
    path = tmp_path / "viewing-day1.jsonl"
    _viewing(path, rows=4)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1], '{"event_id": "bad"}']) + "\n")
    graph = _opened([], chunk_size=100)
    [report] = _ingest(graph, [describe(path)], tmp_path)
    assert (report.read, report.accepted, report.duplicates, report.rejected) == (6, 4, 1, 1)
    assert _views(graph, "count") == 4
    assert report.last_day == "2026-11-02"
    [reject] = Path(str(report.rejects_file)).read_text().splitlines()
    assert '"line": 6' in reject and '"field": "ts"' in reject


def test_a_group_partly_written_by_the_connector_is_refused_by_the_embedded_writer(
        tmp_path: Path) -> None:
    files = [_viewing(tmp_path / "viewing-day1.jsonl", rows=6)]
    graph = RecordingGraph({"ingest/open_group": [{
        "done_parts": ["0:n:0:0", "2:d1:1:0"], "chunk_size": 100, "batch_rows": 1000,
        "writer": "connector", "partitions": 2}]})
    reports = _ingest(graph, files, tmp_path)
    assert [r.status for r in reports] == ["failed"]
    assert "viewing-day1.jsonl: partly written by the Spark engine (--engine spark)" in str(
        reports[0].error)
    # nothing merged, the group closed as failed
    assert not [n for n, _ in graph.calls if n.startswith("ingest/merge")]
    assert ("ingest/close_group", {"id": reports[0].group, "status": "failed"}) in graph.calls
    opened = next(p for n, p in graph.calls if n == "ingest/open_group")
    assert opened["writer"] == "unwind" and opened["partitions"] is None
