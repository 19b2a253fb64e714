"""Ingest: validated, idempotent, pseudonymised bulk loading of traffic files into Neo4j."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic

from pydantic import BaseModel, Field

from proteus import runs
from proteus.errors import InputError
from proteus.events import ContractError
from proteus.events.checks import Bounds
from proteus.graph import Runner
from proteus.ingest.batch import BatchReport, ingest_groups, plan
from proteus.ingest.files import describe, discover
from proteus.pseudonym import key_from
from proteus.settings import Settings

__all__ = ["BatchReport", "IngestParams", "IngestReport", "already_loaded", "latest_day", "run"]


class IngestParams(BaseModel):
    paths: list[Path]
    # raw rows folded together, across the files of a record type (~0.8 KB each at peak)
    chunk_size: int = Field(default=4_000_000, ge=2, le=1_000_000_000)
    batch_rows: int = Field(default=20_000, ge=2, le=200_000)  # aggregate rows per transaction
    writers: int = Field(default=1, ge=1, le=16)
    rejects_dir: Path = Path("data/rejects")
    work_dir: Path | None = None  # DuckDB's files while folding (default: under rejects_dir)
    # plausible event times: not before this day, not more than `future_days` after now
    not_before: date = date(2000, 1, 1)
    future_days: int = Field(default=1, ge=0, le=3650)

    def bounds(self) -> Bounds:
        return Bounds.around_now(datetime.combine(self.not_before, time.min, UTC),
                                 timedelta(days=self.future_days))


class IngestReport(BaseModel):
    run_id: str
    params: IngestParams
    batches: list[BatchReport]
    errors: list[str]
    read: int
    accepted: int
    rejected: int
    duplicates: int
    seconds: float
    events_per_s: float

    @property
    def ok(self) -> bool:
        return not self.errors and all(b.status != "failed" for b in self.batches)

    def lines(self) -> list[str]:
        out = [f"ingest run {self.run_id}: {self.read:,} read, {self.accepted:,} accepted, "
               f"{self.rejected:,} rejected, {self.duplicates:,} duplicates in "
               f"{self.seconds:.1f}s ({self.events_per_s:,.0f} rows/s)"]
        for b in self.batches:
            detail = b.error or f"{b.accepted:,} accepted, {b.rejected:,} rejected"
            out.append(f"  {b.status:<8} {Path(b.file).name}: {detail}")
        out.extend(f"  error    {e}" for e in self.errors)
        return out


def run(graph: Runner, params: IngestParams, settings: Settings) -> IngestReport:
    key = key_from(settings)
    files, errors = discover(params.paths)
    if not files and not errors:
        raise InputError("no data files found in " + ", ".join(map(str, params.paths)))
    described = []
    for path in files:
        try:
            described.append(describe(path))
        except ContractError as exc:
            errors.append(str(exc))
    for error in errors:
        print(f"  skipped: {error}", file=sys.stderr)
    started = monotonic()
    batches: list[BatchReport] = []
    with runs.track(graph, "ingest", params, inputs=[d.sha256 for d in described]) as run_:
        groups, batches = plan(graph, described, run_.id)
        batches += ingest_groups(graph, groups, run_.id, key, params.rejects_dir,
                                 params.chunk_size, params.writers, params.batch_rows,
                                 params.work_dir, params.bounds())
        order = {d.sha256: k for k, d in enumerate(described)}
        batches.sort(key=lambda b: order[b.batch_id])
        seconds = monotonic() - started
        report = IngestReport(
            run_id=run_.id, params=params, batches=batches, errors=errors,
            read=sum(b.read for b in batches), accepted=sum(b.accepted for b in batches),
            rejected=sum(b.rejected for b in batches),
            duplicates=sum(b.duplicates for b in batches), seconds=round(seconds, 3),
            events_per_s=round(sum(b.read for b in batches if b.status != "skipped")
                               / max(seconds, 1e-9), 1))
        run_.report = report
        if not report.ok:
            run_.status = "failed"
    return report


def already_loaded(graph: Runner, files: list[Path], stages: tuple[str, ...] = ()) -> bool:
    """Whether every file is a complete IngestBatch of this graph (same sha256) and each of
    `stages` has a complete run, so that a benchmark given a dataset the graph already holds
    (e.g. after `proteus run`) measures on it instead of loading it again."""
    if not files:
        return False
    for path in files:
        found = graph.read("ingest/find_batch", id=describe(path).sha256)
        if not found or found[0]["batch"]["status"] != "complete":
            return False
    return all(graph.read("runs/latest_run", stage=stage, status="complete")
               for stage in stages)


def latest_day(graph: Runner) -> date | None:
    """The latest viewing day the graph holds (None before any viewing): recency in segment
    rules and audience definitions counts back from it."""
    rows = graph.read("ingest/latest_day")
    return date.fromisoformat(rows[0]["day"]) if rows and rows[0].get("day") else None
