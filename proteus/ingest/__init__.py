"""Ingest: validated, idempotent, pseudonymised bulk loading of traffic files into Neo4j."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any, Literal

from pydantic import BaseModel, Field

from proteus import runs
from proteus.errors import InputError
from proteus.events import ContractError
from proteus.events.checks import Bounds
from proteus.graph import Runner
from proteus.ingest import bulk
from proteus.ingest.batch import BatchReport, Group, ingest_groups, plan
from proteus.ingest.files import DataFile, describe, discover
from proteus.pseudonym import key_from
from proteus.settings import Settings

__all__ = ["BatchReport", "Bulk", "IngestParams", "IngestReport", "already_loaded", "latest_day",
           "run"]


Bulk = Literal["auto", "first", "rebuild", "never"]


class IngestParams(BaseModel):
    paths: list[Path]
    # raw rows folded together, across the files of a record type (~0.8 KB each at peak)
    chunk_size: int = Field(default=4_000_000, ge=2, le=1_000_000_000)
    batch_rows: int = Field(default=20_000, ge=2, le=200_000)  # aggregate rows per transaction
    writers: int = Field(default=1, ge=1, le=16)
    rejects_dir: Path = Path("data/rejects")
    work_dir: Path | None = None  # DuckDB's spill files and bulk import files (default: home)
    # the bulk path (neo4j-admin import, see docs/scale.md): "auto" for a first load of at
    # least `bulk_min_bytes` on the managed server (below that the server's restart costs
    # more than merging), "first" for any first load, "rebuild" replaces the graph's
    # content, "never" always merges
    bulk: Bulk = "auto"
    bulk_min_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    import_files: Path | None = None  # external server: write the import files here
    # plausible event times: not before this day, not more than `future_days` after now
    not_before: date = date(2000, 1, 1)
    future_days: int = Field(default=1, ge=0, le=3650)
    # an event whose id an earlier ingest already holds within this many days of the event
    # is a duplicate (proteus.ingest.ledger); 0 compares within one run only
    duplicate_horizon_days: int = Field(default=7, ge=0, le=3660)
    # the engine that checks and folds: "duckdb" (embedded) or "spark" (docs/spark.md); the
    # Spark engine loads through neo4j-admin import files (a first load or a rebuild)
    engine: Literal["duckdb", "spark"] = "duckdb"

    def bounds(self) -> Bounds:
        return Bounds.around_now(datetime.combine(self.not_before, time.min, UTC),
                                 timedelta(days=self.future_days))


class IngestReport(BaseModel):
    run_id: str
    params: IngestParams
    path: Literal["incremental", "bulk", "import files"] = "incremental"
    folded: str | None = None  # the graph's content as Parquet tables, after a bulk load
    seconds_down: float | None = None  # the server restarting on the new database
    counts: dict[str, int] = {}  # nodes and relationships a bulk load imported
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
        out = [f"ingest run {self.run_id} ({self.path}): {self.read:,} read, "
               f"{self.accepted:,} accepted, {self.rejected:,} rejected, "
               f"{self.duplicates:,} duplicates in {self.seconds:.1f}s "
               f"({self.events_per_s:,.0f} rows/s)"]
        if self.counts:
            out.append("  imported " + ", ".join(f"{k} {v:,}" for k, v in self.counts.items()))
        for b in self.batches:
            detail = b.error or f"{b.accepted:,} accepted, {b.rejected:,} rejected"
            out.append(f"  {b.status:<8} {Path(b.file).name}: {detail}")
        out.extend(f"  error    {e}" for e in self.errors)
        return out


SPARK_INCREMENTAL = ("the Spark engine loads through neo4j-admin import files: a first load, "
                     "--rebuild or --import-files DIR; files added to a loaded graph merge "
                     "on the embedded engine (--engine duckdb)")


def _bulk(graph: Runner, params: IngestParams, settings: Settings,
          files: list[DataFile]) -> bool:
    """Whether this run loads through neo4j-admin import (see `IngestParams.bulk`)."""
    if params.bulk == "never":
        if params.engine == "spark":
            raise InputError(SPARK_INCREMENTAL)
        return False
    if params.bulk == "rebuild" or params.import_files is not None:
        if not settings.managed and params.import_files is None:
            raise InputError(
                "a rebuild imports files into the managed Neo4j's store, which proteus cannot "
                f"do for the external server at {settings.neo4j_uri}; pass --import-files DIR "
                "to write the import files and the neo4j-admin command to run on that server")
        return True
    present = {row["label"] for row in graph.read("db/label_counts") if row["count"]}
    first = not present - {*bulk.KEPT, "Run"}
    if params.bulk == "first":
        if not first:
            raise InputError("the graph already holds data (" + ", ".join(sorted(present))
                             + "); a first load through neo4j-admin import needs a graph "
                             "without it: --rebuild replaces the graph's content")
        if not settings.managed:
            raise InputError(f"the external server at {settings.neo4j_uri} cannot be loaded "
                             "by neo4j-admin from here; pass --import-files DIR")
        return True
    if params.engine == "spark":
        if not first:
            raise InputError(SPARK_INCREMENTAL)
        if not settings.managed:
            raise InputError(f"the external server at {settings.neo4j_uri} cannot be loaded "
                             "by neo4j-admin from here; pass --import-files DIR")
        return True
    return (first and settings.managed
            and sum(f.size for f in files) >= params.bulk_min_bytes)


def _described(path: Path) -> DataFile | str:
    try:
        return describe(path)
    except ContractError as exc:
        return str(exc)


def run(graph: Runner, params: IngestParams, settings: Settings) -> IngestReport:
    key = key_from(settings)
    files, errors = discover(params.paths)
    if not files and not errors:
        raise InputError("no data files found in " + ", ".join(map(str, params.paths)))
    described = []
    with ThreadPoolExecutor(max_workers=2) as pool:  # gzip and sha256 release the GIL
        for found in pool.map(_described, files):
            if isinstance(found, DataFile):
                described.append(found)
            else:
                errors.append(found)
    for error in errors:
        print(f"  skipped: {error}", file=sys.stderr)
    started = monotonic()
    work = params.work_dir or settings.home / "work"
    first_load = _bulk(graph, params, settings, described)
    extra: dict[str, Any] = {}
    with runs.track(graph, "ingest", params, inputs=[d.sha256 for d in described]) as run_:
        groups, batches = plan(graph, described, run_.id, fresh=first_load)
        if first_load:
            batches, extra = _load_bulk(graph, settings, params, groups, batches, run_.id, key,
                                        work, {d.sha256: d for d in described})
        else:
            batches += ingest_groups(graph, groups, run_.id, key, params.rejects_dir,
                                     params.chunk_size, params.writers, params.batch_rows,
                                     work, params.bounds(), params.duplicate_horizon_days)
        order = {d.sha256: k for k, d in enumerate(described)}
        batches.sort(key=lambda b: order[b.batch_id])
        seconds = monotonic() - started
        report = IngestReport(
            run_id=run_.id, params=params, batches=batches, errors=errors,
            read=sum(b.read for b in batches), accepted=sum(b.accepted for b in batches),
            rejected=sum(b.rejected for b in batches),
            duplicates=sum(b.duplicates for b in batches), seconds=round(seconds, 3),
            events_per_s=round(sum(b.read for b in batches if b.status != "skipped")
                               / max(seconds, 1e-9), 1), **extra)
        run_.report = report
        if not report.ok:
            run_.status = "failed"
    return report


def _load_bulk(graph: Runner, settings: Settings, params: IngestParams, groups: list[Group],
               reports: list[BatchReport], run_id: str, key: bytes, work: Path,
               described: dict[str, DataFile]) -> tuple[list[BatchReport], dict[str, Any]]:
    reports, group_records, exported = bulk.fold_for_import(
        groups, reports, run_id, key, params.rejects_dir, work, params.bounds(),
        params.batch_rows, settings, params.engine)
    now = datetime.now(UTC)
    records = [("Run", [graph.read("runs/run_node", id=run_id)[0]["run"]]),
               ("IngestGroup", group_records),
               ("IngestBatch", [bulk.batch_record(r, described[r.batch_id], run_id, now)
                                for r in reports])]
    kept, links = bulk.kept_nodes(graph)  # type: ignore[arg-type]
    folded = work / "folded"
    files = bulk.combine(exported, folded, params.import_files or work / "import", records,
                         kept, links)
    extra: dict[str, Any] = {"counts": files.counts, "folded": str(folded)}
    if params.import_files is not None and not settings.managed:
        print("  import files written to " + str(files.folder) + "; on the server, with it "
              "stopped, run:\n    " + bulk.command_text(files), file=sys.stderr)
        return reports, {**extra, "path": "import files"}
    down = bulk.load(graph, settings, files)  # type: ignore[arg-type]
    return reports, {**extra, "path": "bulk", "seconds_down": round(down, 1)}


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
