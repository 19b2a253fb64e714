"""The ingest stage's params and report.

Besides what a caller chooses, the params carry what the stage needs from the environment,
filled at the edge (`proteus.edge.ingest_params`): the pseudonym key, the work folder, the
server a bulk load goes to and where the Spark engine runs. The key, the server and the
Spark setup are left out of the params a run records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretBytes,
    SecretStr,
    field_validator,
    model_validator,
)

from proteus.errors import InputError
from proteus.events.checks import Bounds
from proteus.graph import Graph
from proteus.ingest.batch import BatchReport
from proteus.ingest.files import is_url
from proteus.spark.session import SparkSetup

Bulk = Literal["auto", "first", "rebuild", "never"]


class Server(BaseModel):
    """The server the graph lives on, as a bulk load sees it: the managed one, which
    `import_database(graph, neo4j-admin arguments)` imports into a new store and restarts on
    (returning the seconds it was down), or an external one, for which proteus can only write
    the import files. The Spark engine's connector writes to it with `user`, `password` and
    `database` from its Spark tasks."""

    model_config = ConfigDict(frozen=True)

    uri: str
    import_database: Callable[[Graph, list[str]], float] | None = None
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    database: str = "neo4j"

    @property
    def managed(self) -> bool:
        return self.import_database is not None


class IngestParams(BaseModel):
    paths: list[Path | str]  # local files and folders; URLs (s3a://...) as text, Spark only
    # raw rows folded together, across the files of a record type: folded in DuckDB, which
    # spills past its memory limit, so one chunk can hold a day of a million devices (a
    # device's sightings of a day become one row to write, not one per chunk)
    chunk_size: int = Field(default=64_000_000, ge=2, le=1_000_000_000)
    batch_rows: int = Field(default=20_000, ge=2, le=200_000)  # aggregate rows per transaction
    writers: int = Field(default=1, ge=1, le=16)
    rejects_dir: Path = Path("data/rejects")
    work_dir: Path  # DuckDB's spill files and bulk import files
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
    # Spark engine loads a first load or a rebuild through neo4j-admin import files and
    # merges into a loaded graph through the Neo4j Connector for Apache Spark
    engine: Literal["duckdb", "spark"] = "duckdb"
    # Spark partitions the connector writes at once (default: the Spark session's default
    # parallelism); a resumed group keeps its own
    partitions: int | None = Field(default=None, ge=1, le=64)
    key: SecretBytes = Field(exclude=True, description="the pseudonym key")
    server: Server = Field(exclude=True)
    spark: SparkSetup | None = Field(default=None, exclude=True,
                                     description="where the spark engine runs; default: local")

    @field_validator("paths", mode="before")
    @classmethod
    def _urls_as_text(cls, paths: list[Path | str]) -> list[Path | str]:
        return [p if isinstance(p, str) and is_url(p) else Path(p) for p in paths]

    @model_validator(mode="after")
    def _urls_on_spark(self) -> IngestParams:
        """URLs are read through Spark's filesystems: refused (one line, an InputError that
        pydantic passes on) before anything starts on the embedded engine."""
        urls = [p for p in self.paths if isinstance(p, str)]
        if urls and self.engine != "spark":
            raise InputError(f"{urls[0]}: files named by URL are read through Spark's "
                             "filesystems; ingest them with --engine spark")
        return self

    def bounds(self) -> Bounds:
        return Bounds.around_now(datetime.combine(self.not_before, time.min, UTC),
                                 timedelta(days=self.future_days))


class IngestReport(BaseModel):
    run_id: str
    params: IngestParams
    # incremental: merged from this process; connector: merged by Spark through the connector
    path: Literal["incremental", "connector", "bulk", "import files"] = "incremental"
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
