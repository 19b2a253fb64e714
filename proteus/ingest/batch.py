"""Ingest files as IngestBatches whose rows are folded together in groups, every part once.

The files of one record type that a run reads are one group (an `IngestGroup`): their rows
are read in order, one file after the other, and cut into chunks of `chunk_size` raw rows
that may span files. Each chunk is folded into aggregate rows (a device's sightings of an
identifier become one row however many events and days repeat them, so a week of traffic
folded together writes about half the sighting rows that day by day does), and those rows
are written in parts of at most `batch_rows`, query after query. A part's rows and its
marker (`<chunk>:<query>:<n>` in the group's `done_parts`) commit in one transaction, and a
finished chunk adds its number; so a run killed at any point resumes with the parts not yet
written, and the graph ends as a clean run leaves it. Folding is deterministic, so a resumed
group cuts the same chunks and parts. A group is resumed only as a whole: a file partly
written in a group is ingested again together with the same files, or refused.

A group's files are read, checked and folded in DuckDB first (`proteus.ingest.fold`, in a
database file of its own under the work folder, so memory stays bounded whatever the
files), then its chunks are written by `writers` threads (one by default: chunks of network
traffic share hot identifiers such as CGNAT IPs, and concurrent transactions on them
deadlock and retry more often than they gain), each reading its rows from DuckDB a part at
a time. An event id seen earlier in the group is counted as a duplicate and folded once.
Rejected rows go to `<file>-<sha12>.rejects.jsonl` (readable by the owner only: they hold
raw identifiers), rewritten whole on every attempt; a file without rejects gets none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from proteus.events import ContractError
from proteus.events.checks import Bounds
from proteus.graph import Runner
from proteus.ingest.files import DataFile, check_start
from proteus.ingest.fold import Fold, Folding, Row
from proteus.ingest.ledger import Ledger

log = logging.getLogger(__name__)


class BatchReport(BaseModel):
    file: str
    batch_id: str
    kind: str
    status: str  # complete, skipped (already ingested), failed
    group: str | None = None
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    chunks_written: int = 0  # of the file's group
    chunks_resumed: int = 0
    seconds: float = 0.0  # from the group's first row read to the group closed
    rejects_file: str | None = None
    error: str | None = None
    last_day: str | None = None  # UTC day of the latest accepted event


def group_id(files: list[str]) -> str:
    """The id of a group: the sha256 over its files' sha256, in reading order."""
    return hashlib.sha256("\n".join(files).encode()).hexdigest()


class Group:
    def __init__(self, kind: str, files: list[DataFile]) -> None:
        self.kind, self.files = kind, files
        self.id = group_id([f.sha256 for f in files])


class Progress:
    """Progress lines, at most one every `every_s` seconds unless forced."""

    def __init__(self, every_s: float = 2.0) -> None:
        self.every_s = every_s
        self.last = time.monotonic()

    def say(self, line: str, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every_s:
            self.last = now
            log.info(line)


def plan(graph: Runner, files: list[DataFile], run_id: str,
         fresh: bool = False) -> tuple[list[Group], list[BatchReport]]:
    """Group the files to write (per record type, in order) and report the rest: complete
    files are skipped; an empty file or one without the required columns fails (its batch
    says why) before any of its group is written; a file partly written by an older layout,
    or in a group whose other files are not all here again, fails and is not touched.
    `fresh` plans for a new database (a rebuild): nothing in the graph counts, and nothing
    is written to it."""
    reports: list[BatchReport] = []
    groups: list[Group] = []
    by_kind: dict[str, list[tuple[DataFile, dict[str, Any] | None]]] = {}
    named: dict[str, str] = {}
    for data in files:
        if data.sha256 in named:  # the same content twice (a copy, or named twice)
            reports.append(_report(data, "skipped", f"{data.path.name}: same content as "
                                                    f"{named[data.sha256]}, read once"))
            continue
        named[data.sha256] = data.path.name
        found = [] if fresh else graph.read("ingest/find_batch", id=data.sha256)
        batch = found[0]["batch"] if found else {}
        earlier = found[0].get("group") if found else None
        if batch.get("status") == "complete":
            reports.append(_report(data, "skipped"))
        elif not batch.get("group") and (batch.get("done_parts") or batch.get("done_chunks")):
            reports.append(_report(data, "failed", (
                f"{data.path.name}: partly written by an earlier version of ingest whose "
                "chunks this one cannot resume; reset the graph and ingest again")))
        else:
            try:
                check_start(data)
            except ContractError as exc:
                reports.append(_report(data, "failed", str(exc)))
                if not fresh:
                    graph.write("ingest/open_batch", id=data.sha256, file=data.path.name,
                                size=data.size, kind=data.kind, group=None, run_id=run_id)
                    close_batch(graph, reports[-1])
                continue
            written = earlier if earlier and earlier["written"] and \
                earlier["status"] != "complete" else None
            by_kind.setdefault(data.kind, []).append((data, written))
    for kind, candidates in by_kind.items():
        here = {data.sha256: data for data, _ in candidates}
        taken: set[str] = set()
        for data, earlier in candidates:
            if earlier is None or data.sha256 in taken:
                continue
            members = [here.get(sha) for sha in earlier["files"]]
            if all(members):
                groups.append(Group(kind, [m for m in members if m]))
                taken.update(earlier["files"])
            else:
                taken.add(data.sha256)
                others = ", ".join(sorted(
                    m.path.name for m in members if m and m is not data)) or "none here"
                reports.append(_report(data, "failed", (
                    f"{data.path.name}: partly written together with "
                    f"{len(earlier['files']) - 1} other file(s) (here: {others}); ingest all "
                    "of them together to finish it, or reset the graph")))
        rest = [data for data, _ in candidates if data.sha256 not in taken]
        if rest:
            groups.append(Group(kind, rest))
    return groups, reports


def _report(data: DataFile, status: str, error: str | None = None) -> BatchReport:
    return BatchReport(file=str(data.path), batch_id=data.sha256, kind=data.kind,
                       status=status, error=error)


def _write_chunk(graph: Runner, group: str, parts: Iterator[tuple[str, list[Row]]], chunk: int,
                 done: frozenset[str], progress: Progress, label: str) -> None:
    """Write a chunk's rows part by part, each committed with its marker and skipped once
    written. Nodes come before the relationships that find them by their keys."""
    written = 0
    counters: dict[str, int] = {}
    started: dict[str, float] = {}
    for name, piece in parts:
        part = counters.get(name, 0)
        counters[name] = part + 1
        started.setdefault(name, time.monotonic())
        marker = f"{chunk}:{name}:{part}"
        if marker not in done:
            graph.write_many([
                (name, {"rows": piece}),
                ("ingest/mark_written", {"id": group, "part": marker, "complete": False})])
        written += len(piece)
        progress.say(f"{label}: chunk {chunk} written {written:,} rows ({name})")
    graph.write("ingest/mark_written", id=group, part=str(chunk), complete=True)
    progress.say(f"{label}: chunk {chunk}: {written:,} rows in "
                 f"{time.monotonic() - min(started.values(), default=time.monotonic()):.1f}s",
                 force=True)


WRITERS = {"unwind": "the embedded engine (--engine duckdb)",
           "connector": "the Spark engine (--engine spark)"}


class GroupIngest:
    """Folds the files of one group and hands its chunks to the writers."""

    writer = "unwind"  # the Python driver's UNWIND writes; the Spark connector's subclass

    def __init__(self, graph: Runner, group: Group, run_id: str, key: bytes,
                 rejects_dir: Path, chunk_size: int, batch_rows: int, progress: Progress,
                 work_dir: Path, bounds: Bounds, horizon_days: int = 0, *,
                 partitions: int | None = None) -> None:
        self.graph, self.group, self.key = graph, group, key
        self.rejects_dir, self.progress = rejects_dir, progress
        self.work_dir, self.bounds, self.horizon_days = work_dir, bounds, horizon_days
        opened = graph.write(
            "ingest/open_group", id=group.id, files=[f.sha256 for f in group.files],
            names=[f.path.name for f in group.files], kind=group.kind, chunk_size=chunk_size,
            batch_rows=batch_rows, writer=self.writer, partitions=partitions,
            run_id=run_id)[0]
        self.done = frozenset(map(str, opened["done_parts"]))
        self.chunk_size, self.batch_rows = opened["chunk_size"], opened["batch_rows"]
        self.partitions = opened.get("partitions") or partitions
        # parts written by the other writer are cut otherwise: neither can resume them
        earlier = opened.get("writer") or self.writer
        names = ", ".join(f.path.name for f in group.files)
        self.refused = None if earlier == self.writer else (
            f"{names}: partly written by {WRITERS.get(earlier, earlier)}, whose parts this "
            "writer cannot resume; ingest these files again with that engine to finish them, "
            "or reset the graph")
        self.reports = [_report(f, "running") for f in group.files]
        for data, report in zip(group.files, self.reports, strict=True):
            report.group = group.id
            graph.write("ingest/open_batch", id=data.sha256, file=data.path.name,
                        size=data.size, kind=data.kind, group=group.id, run_id=run_id)
        self.futures: list[Future[None]] = []
        self.fold: Fold | None = None
        self.label = f"{group.kind} ({len(group.files)} file{'s' if len(group.files) > 1 else ''})"
        self.started = time.monotonic()

    def read(self, submit: Any) -> None:
        """Read, check and fold every file, then submit each chunk not yet written; a file
        that cannot be read whole fails the group (its files stay unfinished)."""
        self.started = time.monotonic()
        if self.refused:
            self.fail(self.refused)
            return
        self.fold = Fold(self.group.kind, self.work_dir, self.group.id[:16], self.key,
                         self.bounds, self.chunk_size, say=self.progress.say)
        ledger = Ledger(self.work_dir, self.group.kind)
        earlier = ledger.earlier(self.graph, self.group.id) if self.horizon_days else []
        chunks = fold_group(self.fold, self.group, self.reports, self.rejects_dir,
                            self.progress, self.label, earlier, self.horizon_days,
                            ledger.path(self.group.id))
        for chunk in chunks:
            if str(chunk) in self.done:
                for report in self.reports:
                    report.chunks_resumed += 1
                continue
            for report in self.reports:
                report.chunks_written += 1
            self.futures.append(submit(self._write, chunk))

    def _write(self, chunk: int) -> None:
        assert self.fold is not None
        fold = self.fold.cursor()
        parts = ((query, rows) for query in fold.queries()
                 for rows in fold.rows(chunk, query, self.batch_rows))
        _write_chunk(self.graph, self.group.id, parts, chunk, self.done, self.progress,
                     self.label)

    def fail(self, error: str) -> None:
        for report in self.reports:
            report.status = "failed"
            report.error = report.error or error

    def close(self) -> None:
        """Wait for the group's chunks; close its batches and the group."""
        for future in self.futures:
            try:
                future.result()
            except Exception as exc:
                self.fail(f"{type(exc).__name__}: {exc}")
        if self.fold is not None:
            self.fold.close()
        seconds = round(time.monotonic() - self.started, 3)
        status = "failed" if any(r.status == "failed" for r in self.reports) else "complete"
        for report in self.reports:
            report.seconds = seconds
            if report.status == "running":
                report.status = status
            close_batch(self.graph, report)
        self.graph.write("ingest/close_group", id=self.group.id, status=status)
        self.progress.say(f"{self.label}: {status} in {seconds:.1f}s", force=True)


def fold_group(fold: Folding, group: Group, reports: list[BatchReport], rejects_dir: Path,
               progress: Progress, label: str, earlier: Sequence[Path] = (),
               horizon_days: int = 0, ledger: Path | None = None) -> list[int]:
    """Read, check and fold a group's files into `fold`; fill the reports (counts, rejects
    files) and return the chunks that hold rows. A file that cannot be read whole fails
    every report of the group and nothing is folded. Events already in the `earlier` ledger
    files count as duplicates; the group's own event ids go to `ledger`."""
    started = time.monotonic()
    scans = fold.load([f.path for f in group.files])
    failed = [scan.error for scan in scans if scan.error]
    if failed:
        for report in reports:
            report.status = "failed"
            report.error = report.error or failed[0]
        return []
    chunks = fold.fold(earlier, horizon_days)
    if ledger is not None:
        fold.keep_ids(ledger)
    counts = fold.counts()
    for data, report, scan in zip(group.files, reports, scans, strict=True):
        found = counts[scan.index]
        report.read, report.rejected = found.read, found.rejected
        report.duplicates, report.accepted = found.duplicates, found.accepted
        report.last_day = found.last_day
        report.rejects_file = write_rejects(fold, data, scan.index, found.rejected,
                                            rejects_dir)
        progress.say(f"{data.path.name}: {report.read:,} rows read, {report.rejected:,} "
                     f"rejected, {report.duplicates:,} duplicates", force=True)
    progress.say(f"{label}: checked and folded in {time.monotonic() - started:.1f}s",
                 force=True)
    return chunks


def write_rejects(fold: Folding, data: DataFile, index: int, rejected: int,
                  rejects_dir: Path) -> str | None:
    """The file's rejected rows as JSON Lines, readable by the owner only; none without."""
    stem = data.path.name.split(".")[0]
    path = rejects_dir / f"{stem}-{data.sha256[:12]}.rejects.jsonl"
    if not rejected:
        path.unlink(missing_ok=True)
        return None
    rejects_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with open(descriptor, "w", encoding="utf-8") as out:
        for line, raw, field, reason in fold.rejects(index):
            out.write(_reject_line(data, line, raw, field, reason))
    return str(path)


def _reject_line(data: DataFile, line_no: int, raw: str | None, field: str,
                 reason: str) -> str:
    shown: Any = (raw or "").rstrip("\r\n")
    try:
        parsed = json.loads(shown)
        if isinstance(parsed, dict):
            shown = parsed
    except ValueError:
        pass
    return json.dumps({"source": data.path.name, "line": line_no, "raw": shown,
                       "field": field, "reason": reason}, default=str) + "\n"


def ingest_groups(graph: Runner, groups: list[Group], run_id: str, key: bytes,
                  rejects_dir: Path, chunk_size: int, writers: int = 1,
                  batch_rows: int = 20_000, work_dir: Path | None = None,
                  bounds: Bounds | None = None, horizon_days: int = 0,
                  make: Callable[..., GroupIngest] = GroupIngest) -> list[BatchReport]:
    """Ingest each group: fold it, then write its chunks on `writers` threads. `make` builds
    each group's ingest (`GroupIngest`'s arguments): the embedded writer's by default, the
    Spark connector's (`proteus.ingest.sparkwrite.ConnectorIngest`) on the Spark engine."""
    progress = Progress()
    reports: list[BatchReport] = []
    work = work_dir or rejects_dir / ".work"
    with ThreadPoolExecutor(max_workers=writers) as pool:
        ingests: list[GroupIngest] = []
        try:
            for group in groups:
                ingest = make(graph, group, run_id, key, rejects_dir, chunk_size,
                              batch_rows, progress, work, bounds or Bounds.around_now(),
                              horizon_days)
                ingests.append(ingest)
                ingest.read(pool.submit)
                ingest.close()
        except BaseException as exc:
            for ingest in ingests:
                ingest.fail(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            for ingest in ingests:
                reports.extend(ingest.reports)
                if ingest.fold is not None:
                    ingest.fold.close()
    return reports


def close_batch(graph: Runner, report: BatchReport) -> None:
    graph.write("ingest/close_batch", id=report.batch_id, status=report.status,
                read=report.read, accepted=report.accepted, rejected=report.rejected,
                duplicates=report.duplicates, error=report.error, last_day=report.last_day)
