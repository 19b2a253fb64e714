"""Ingest one file as one IngestBatch: validate every row, write every part exactly once.

A file is read in chunks of `chunk_size` raw rows. Each chunk is folded into aggregate rows
(a device's sightings of an identifier become one row however often the chunk repeats
them), and those rows are written in parts of at most `batch_rows`, query after query. A
part's rows and its marker (`<chunk>:<query>:<n>` in the batch's `done_parts`) commit in one
transaction, and a finished chunk adds its number; so a run killed at any point resumes
with the parts not yet written, and the graph ends as a clean run leaves it. Folding is
deterministic, so a resumed chunk cuts the same parts. Large chunks fold more (a day's file
in one chunk writes under half the rows that chunks of 50,000 do); memory grows with the
chunk, not the file. `writers` chunks are written at once (parsing goes on meanwhile); the
aggregates are sums, so the order in which parts commit does not change the result. One
writer is the default: chunks of network traffic share hot identifiers (CGNAT IPs, family
logins), and concurrent transactions on them deadlock and retry more often than they gain.
Rejected rows go to `<file>-<sha12>.rejects.jsonl`, rewritten whole on every attempt.
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel

from proteus.events import ContractError, Record, Rejection, read_rows, validate
from proteus.graph import Runner
from proteus.ingest.aggregate import Pseudonymiser, rows_for
from proteus.ingest.files import DataFile


class BatchReport(BaseModel):
    file: str
    batch_id: str
    kind: str
    status: str  # complete, skipped (already ingested), failed
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    chunks_written: int = 0
    chunks_resumed: int = 0
    seconds: float = 0.0
    rejects_file: str | None = None
    error: str | None = None
    last_day: str | None = None  # UTC day of the latest accepted event


class _Progress:
    def __init__(self, name: str, stream: TextIO = sys.stderr, every_s: float = 2.0) -> None:
        self.name, self.stream, self.every_s = name, stream, every_s
        self.started = self.last = time.monotonic()

    def tick(self, report: BatchReport, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= self.every_s:
            self.last = now
            rate = report.read / max(now - self.started, 1e-9)
            print(f"  {self.name}: {report.read:,} rows read, {report.rejected:,} rejected, "
                  f"{rate:,.0f} rows/s", file=self.stream, flush=True)


def _write_chunk(graph: Runner, data: DataFile, kind: str, records: list[Record],
                 chunk: int, pseudonym: Pseudonymiser, batch_rows: int,
                 done: frozenset[str]) -> None:
    for name, rows in rows_for(kind, records, pseudonym).items():
        for part, start in enumerate(range(0, len(rows), batch_rows)):
            marker = f"{chunk}:{name}:{part}"
            if marker not in done:
                graph.write_many([
                    (name, {"rows": rows[start:start + batch_rows]}),
                    ("ingest/mark_written", {"id": data.sha256, "part": marker,
                                             "complete": False})])
    graph.write("ingest/mark_written", id=data.sha256, part=str(chunk), complete=True)


def ingest_file(graph: Runner, data: DataFile, run_id: str, pseudonym: Pseudonymiser,
                rejects_dir: Path, chunk_size: int, writers: int = 1,
                batch_rows: int = 20_000) -> BatchReport:
    report = BatchReport(file=str(data.path), batch_id=data.sha256, kind=data.kind,
                         status="running")
    found = graph.read("ingest/find_batch", id=data.sha256)
    if found and found[0]["batch"]["status"] == "complete":
        report.status = "skipped"
        return report
    opened = graph.write("ingest/open_batch", id=data.sha256, file=data.path.name,
                         size=data.size, kind=data.kind, chunk_size=chunk_size,
                         batch_rows=batch_rows, run_id=run_id)[0]
    if opened.get("older_layout"):
        report.status = "failed"
        report.error = (f"{data.path.name}: partly written by an earlier version of ingest "
                        "whose chunks this one cannot resume; reset the graph and ingest again")
        _close(graph, report)
        return report
    done = frozenset(map(str, opened["done_parts"]))
    chunk_size, batch_rows = opened["chunk_size"], opened["batch_rows"]
    rejects_dir.mkdir(parents=True, exist_ok=True)
    stem = data.path.name.split(".")[0]
    rejects_path = rejects_dir / f"{stem}-{data.sha256[:12]}.rejects.jsonl"
    report.rejects_file = str(rejects_path)
    progress = _Progress(data.path.name)
    started = time.monotonic()
    seen: set[int] = set()
    latest: datetime | None = None
    records: list[Record] = []
    chunk, in_chunk = 0, 0
    pending: deque[Future[None]] = deque()
    with rejects_path.open("w", encoding="utf-8") as rejects, \
            ThreadPoolExecutor(max_workers=writers) as writer:

        def flush() -> None:
            nonlocal records, chunk, in_chunk
            chunk += 1
            if str(chunk) not in done:
                while len(pending) >= writers:
                    pending.popleft().result()
                pending.append(writer.submit(_write_chunk, graph, data, data.kind, records,
                                             chunk, pseudonym, batch_rows, done))
                report.chunks_written += 1
            else:
                report.chunks_resumed += 1
            records, in_chunk = [], 0

        try:
            for line_no, raw in read_rows(data.path):
                report.read += 1
                in_chunk += 1
                outcome = validate(data.kind, raw)
                if isinstance(outcome, Rejection):
                    report.rejected += 1
                    rejects.write(json.dumps({"source": data.path.name, "line": line_no,
                                              "raw": raw, "field": outcome.field,
                                              "reason": outcome.reason}, default=str) + "\n")
                else:
                    key = hash(getattr(outcome, "event_id", None) or
                               getattr(outcome, "content_id", ""))
                    if key in seen:
                        report.duplicates += 1
                    else:
                        seen.add(key)
                        report.accepted += 1
                        records.append(outcome)
                        ts = getattr(outcome, "ts", None)
                        if ts is not None and (latest is None or ts > latest):
                            latest = ts
                if in_chunk == chunk_size:
                    flush()
                    progress.tick(report)
            if in_chunk:
                flush()
            while pending:
                pending.popleft().result()
        except ContractError as exc:
            report.status, report.error = "failed", str(exc)
        except BaseException as exc:
            report.status, report.error = "failed", f"{type(exc).__name__}: {exc}"
            _close(graph, report)
            raise
    report.seconds = round(time.monotonic() - started, 3)
    report.last_day = latest.date().isoformat() if latest is not None else None
    if report.status == "running":
        report.status = "complete"
    progress.tick(report, force=True)
    _close(graph, report)
    return report


def _close(graph: Runner, report: BatchReport) -> None:
    graph.write("ingest/close_batch", id=report.batch_id, status=report.status,
                read=report.read, accepted=report.accepted, rejected=report.rejected,
                duplicates=report.duplicates, error=report.error, last_day=report.last_day)
