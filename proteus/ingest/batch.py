"""Ingest one file as one IngestBatch: validate every row, write chunks exactly once.

A file is read in chunks of `chunk_size` raw rows. Each chunk's aggregates and its number in
the batch's `done_chunks` are written in one transaction, so a run killed at any point
resumes with the chunks not yet written and the graph ends as a clean run leaves it.
`writers` transactions run at once (parsing goes on meanwhile); the aggregates are sums, so
the order in which chunks commit does not change the result. One writer is the default:
chunks of network traffic share hot identifiers (CGNAT IPs, family logins), and concurrent
transactions on them deadlock and retry whole chunks more often than they gain.
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
from typing import Any, TextIO

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
                 chunk: int, pseudonym: Pseudonymiser) -> None:
    steps: list[tuple[str, dict[str, Any]]] = [
        (name, {"rows": rows}) for name, rows in rows_for(kind, records, pseudonym).items()
        if rows]
    steps.append(("ingest/chunk_done", {"id": data.sha256, "chunk": chunk}))
    graph.write_many(steps)


def ingest_file(graph: Runner, data: DataFile, run_id: str, pseudonym: Pseudonymiser,
                rejects_dir: Path, chunk_size: int, writers: int = 1) -> BatchReport:
    report = BatchReport(file=str(data.path), batch_id=data.sha256, kind=data.kind,
                         status="running")
    found = graph.read("ingest/find_batch", id=data.sha256)
    if found and found[0]["batch"]["status"] == "complete":
        report.status = "skipped"
        return report
    opened = graph.write("ingest/open_batch", id=data.sha256, file=data.path.name,
                         size=data.size, kind=data.kind, chunk_size=chunk_size, run_id=run_id)[0]
    done, chunk_size = set(opened["done_chunks"]), opened["chunk_size"]
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
            if chunk not in done:
                while len(pending) >= writers:
                    pending.popleft().result()
                pending.append(writer.submit(_write_chunk, graph, data, data.kind, records,
                                             chunk, pseudonym))
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
