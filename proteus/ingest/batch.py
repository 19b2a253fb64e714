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

Memory grows with the chunk (about 0.8 KB per raw traffic row at the peak of folding), not
with the files. Chunks are written by `writers` threads (one by default: chunks of network
traffic share hot identifiers such as CGNAT IPs, and concurrent transactions on them
deadlock and retry more often than they gain) while the next chunk, or the next group, is
read. Rejected rows go to `<file>-<sha12>.rejects.jsonl`, rewritten whole on every attempt.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TextIO

from pydantic import BaseModel

from proteus.events import ContractError, Rejection, read_rows, validate
from proteus.events.quick import QUICK, day_iso, values_of
from proteus.graph import Runner
from proteus.ingest.aggregate import Pseudonymiser, Rows, rows_for
from proteus.ingest.files import DataFile, check_start
from proteus.ingest.fold import NetworkFold, ViewingFold
from proteus.ingest.link import NODES, Linker


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


class Fold(Protocol):
    def add(self, values: Any) -> None: ...
    def rows(self, pseudonym: Pseudonymiser) -> Rows: ...
    def __len__(self) -> int: ...


class _Records:
    """Catalog and consent records, folded by the plain-Python functions (small files)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.records: list[Any] = []

    def add(self, values: Any) -> None:
        self.records.append(values)

    def rows(self, pseudonym: Pseudonymiser) -> Rows:
        return rows_for(self.kind, self.records, pseudonym) if self.records else {}

    def __len__(self) -> int:
        return len(self.records)


def _fold(kind: str) -> Fold:
    if kind == "network":
        return NetworkFold()
    if kind == "viewing":
        return ViewingFold()
    return _Records(kind)


def group_id(files: list[str]) -> str:
    """The id of a group: the sha256 over its files' sha256, in reading order."""
    return hashlib.sha256("\n".join(files).encode()).hexdigest()


class Group:
    def __init__(self, kind: str, files: list[DataFile]) -> None:
        self.kind, self.files = kind, files
        self.id = group_id([f.sha256 for f in files])


class _Progress:
    def __init__(self, stream: TextIO = sys.stderr, every_s: float = 2.0) -> None:
        self.stream, self.every_s = stream, every_s
        self.started = self.last = time.monotonic()

    def say(self, line: str, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every_s:
            self.last = now
            print(f"  [{now - self.started:6.1f}s] {line}", file=self.stream, flush=True)


def plan(graph: Runner, files: list[DataFile],
         run_id: str) -> tuple[list[Group], list[BatchReport]]:
    """Group the files to write (per record type, in order) and report the rest: complete
    files are skipped; an empty file or one without the required columns fails (its batch
    says why) before any of its group is written; a file partly written by an older layout,
    or in a group whose other files are not all here again, fails and is not touched."""
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
        found = graph.read("ingest/find_batch", id=data.sha256)
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
                check_start(data.path)
            except ContractError as exc:
                reports.append(_report(data, "failed", str(exc)))
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


def _write_chunk(graph: Runner, group: str, rows: Rows, chunk: int, batch_rows: int,
                 done: frozenset[str], progress: _Progress, label: str) -> None:
    """Write a chunk's rows part by part. Node queries run whole again on a resume (they are
    idempotent and answer the ids the links need); every other part commits with its marker
    and is skipped once written."""
    total = sum(map(len, rows.values()))
    written = 0
    linker = Linker()
    for name, part_rows in rows.items():
        started = time.monotonic()
        for part, start in enumerate(range(0, len(part_rows), batch_rows)):
            marker = f"{chunk}:{name}:{part}"
            piece = part_rows[start:start + batch_rows]
            if name in NODES:
                linker.merge(graph, name, piece)
            elif marker not in done:
                graph.write_many([
                    (name, {"rows": linker.fill(name, piece)}),
                    ("ingest/mark_written", {"id": group, "part": marker, "complete": False})])
            written += len(piece)
            progress.say(f"{label}: chunk {chunk} written {written:,} of {total:,} rows")
        seconds = time.monotonic() - started
        progress.say(f"{label}: chunk {chunk} {name}: {len(part_rows):,} rows in "
                     f"{seconds:.1f}s ({len(part_rows) / max(seconds, 1e-9):,.0f}/s)", force=True)
    graph.write("ingest/mark_written", id=group, part=str(chunk), complete=True)


class GroupIngest:
    """Reads the files of one group and hands its chunks to the writers."""

    def __init__(self, graph: Runner, group: Group, run_id: str, pseudonym: Pseudonymiser,
                 rejects_dir: Path, chunk_size: int, batch_rows: int,
                 progress: _Progress) -> None:
        self.graph, self.group, self.pseudonym = graph, group, pseudonym
        self.rejects_dir, self.progress = rejects_dir, progress
        opened = graph.write(
            "ingest/open_group", id=group.id, files=[f.sha256 for f in group.files],
            names=[f.path.name for f in group.files], kind=group.kind, chunk_size=chunk_size,
            batch_rows=batch_rows, run_id=run_id)[0]
        self.done = frozenset(map(str, opened["done_parts"]))
        self.chunk_size, self.batch_rows = opened["chunk_size"], opened["batch_rows"]
        self.reports = [_report(f, "running") for f in group.files]
        for data, report in zip(group.files, self.reports, strict=True):
            report.group = group.id
            graph.write("ingest/open_batch", id=data.sha256, file=data.path.name,
                        size=data.size, kind=data.kind, group=group.id, run_id=run_id)
        self.chunk = 0
        self.futures: list[Future[None]] = []
        self.label = f"{group.kind} ({len(group.files)} file{'s' if len(group.files) > 1 else ''})"

    def read(self, submit: Any) -> None:
        """Read every file, submitting each chunk as it fills; a file that cannot be read
        fails the group (its other files stay unfinished, never complete)."""
        self.started = time.monotonic()
        self.rejects_dir.mkdir(parents=True, exist_ok=True)
        kind = self.group.kind
        fold = _fold(kind)
        in_chunk = 0
        for data, report in zip(self.group.files, self.reports, strict=True):
            stem = data.path.name.split(".")[0]
            rejects_path = self.rejects_dir / f"{stem}-{data.sha256[:12]}.rejects.jsonl"
            report.rejects_file = str(rejects_path)
            accepted = _Accepted(kind)
            try:
                with rejects_path.open("w", encoding="utf-8") as rejects:
                    for line_no, raw in read_rows(data.path):
                        report.read += 1
                        in_chunk += 1
                        values, rejection = _check(kind, raw)
                        if rejection is not None:
                            report.rejected += 1
                            rejects.write(_reject_line(data, line_no, raw, rejection))
                        elif accepted.first(values):
                            fold.add(values)
                        if in_chunk == self.chunk_size:
                            self._flush(fold, submit)
                            fold, in_chunk = _fold(kind), 0
                        if report.read % 65_536 == 0:
                            self.progress.say(f"{data.path.name}: {report.read:,} rows read, "
                                              f"{report.rejected:,} rejected")
            except ContractError as exc:
                self.fail(str(exc))
                return
            report.accepted, report.duplicates = accepted.count, accepted.duplicates
            report.last_day = accepted.last_day()
            self.progress.say(f"{data.path.name}: {report.read:,} rows read, "
                              f"{report.rejected:,} rejected, {report.duplicates:,} duplicates",
                              force=True)
        if in_chunk:
            self._flush(fold, submit)

    def _flush(self, fold: Fold, submit: Any) -> None:
        self.chunk += 1
        chunk = self.chunk
        if str(chunk) in self.done:
            for report in self.reports:
                report.chunks_resumed += 1
            return
        for report in self.reports:
            report.chunks_written += 1
        self.futures.append(submit(self._fold_and_write, fold, chunk))

    def _fold_and_write(self, fold: Fold, chunk: int) -> None:
        started = time.monotonic()
        raw = len(fold)
        rows = fold.rows(self.pseudonym)
        self.progress.say(f"{self.label}: chunk {chunk} folded {raw:,} rows into "
                          f"{sum(map(len, rows.values())):,} in "
                          f"{time.monotonic() - started:.1f}s", force=True)
        _write_chunk(self.graph, self.group.id, rows, chunk, self.batch_rows, self.done,
                     self.progress, self.label)

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
        seconds = round(time.monotonic() - self.started, 3)
        status = "failed" if any(r.status == "failed" for r in self.reports) else "complete"
        for report in self.reports:
            report.seconds = seconds
            if report.status == "running":
                report.status = status
            close_batch(self.graph, report)
        self.graph.write("ingest/close_group", id=self.group.id, status=status)
        self.progress.say(f"{self.label}: {status} in {seconds:.1f}s", force=True)


def _check(kind: str, raw: Any) -> tuple[Any, Rejection | None]:
    """(values to fold, None) or (None, why the row is rejected). Traffic rows of the plain
    shape pass the quick check; every other row is validated in full."""
    quick = QUICK.get(kind)
    values = quick(raw) if quick is not None else None
    if values is not None:
        return values, None
    outcome = validate(kind, raw)
    if isinstance(outcome, Rejection):
        return None, outcome
    return (values_of(outcome) if quick is not None else outcome), None


def _reject_line(data: DataFile, line_no: int, raw: Any, rejection: Rejection) -> str:
    return json.dumps({"source": data.path.name, "line": line_no, "raw": raw,
                       "field": rejection.field, "reason": rejection.reason},
                      default=str) + "\n"


class _Accepted:
    """A file's accepted rows: duplicates (the same event id, or content id in a catalog)
    are counted, not folded again; the latest UTC day is kept for the batch."""

    def __init__(self, kind: str) -> None:
        self.traffic = kind in QUICK
        self.seen: set[int] = set()
        self.count = self.duplicates = 0
        self.latest: int | None = None

    def first(self, values: Any) -> bool:
        if self.traffic:
            key, day = values[0], values[2]
        else:
            key = getattr(values, "event_id", None) or getattr(values, "content_id", "")
            ts = getattr(values, "ts", None)
            day = ts.date().toordinal() if ts is not None else None
        digest = hash(key)
        if digest in self.seen:
            self.duplicates += 1
            return False
        self.seen.add(digest)
        self.count += 1
        if day is not None and (self.latest is None or day > self.latest):
            self.latest = day
        return True

    def last_day(self) -> str | None:
        return day_iso(self.latest) if self.latest is not None else None


def ingest_groups(graph: Runner, groups: list[Group], run_id: str, pseudonym: Pseudonymiser,
                  rejects_dir: Path, chunk_size: int, writers: int = 1,
                  batch_rows: int = 20_000) -> list[BatchReport]:
    """Ingest each group; the next group is read while the last one's chunks are written.
    At most `writers` chunks wait to be written, so memory stays at a few chunks."""
    progress = _Progress()
    reports: list[BatchReport] = []
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(max_workers=writers) as pool:

        def submit(work: Any, *args: Any) -> Future[None]:
            while len(pending) >= writers:
                pending.popleft().exception()
            future = pool.submit(work, *args)
            pending.append(future)
            return future

        closing: list[Future[None]] = []
        ingests: list[GroupIngest] = []
        try:
            for group in groups:
                ingest = GroupIngest(graph, group, run_id, pseudonym, rejects_dir, chunk_size,
                                     batch_rows, progress)
                ingests.append(ingest)
                ingest.read(submit)
                closing.append(pool.submit(ingest.close))
            for future in closing:
                future.result()
        except BaseException as exc:
            for ingest in ingests:
                ingest.fail(f"{type(exc).__name__}: {exc}")
            raise
        finally:
            for ingest in ingests:
                reports.extend(ingest.reports)
    return reports


def close_batch(graph: Runner, report: BatchReport) -> None:
    graph.write("ingest/close_batch", id=report.batch_id, status=report.status,
                read=report.read, accepted=report.accepted, rejected=report.rejected,
                duplicates=report.duplicates, error=report.error, last_day=report.last_day)
