"""Check, deduplicate and fold the rows of one group of files in DuckDB, by columns.

`Fold.load` reads the group's files into the table `checked` (every row, accepted with typed
values or rejected with the field and reason: `proteus.events.sql`); `Fold.fold` finds the
events whose id was already seen in the group (counted as duplicates, never folded twice)
and folds the rest per chunk (`ord // chunk_size`, so a resumed group cuts the same chunks)
into one table per ingest query, with exactly the rows the plain-Python reference
(`proteus.ingest.aggregate`) gives. Identifiers are pseudonymised here, once per distinct
value, with the same keyed HMAC as `proteus.pseudonym` written in SQL. `Fold.rows` hands a
chunk's rows to the writers in a fixed order, a batch at a time.

Catalog files are small and their records hold lists; they are checked and folded by the
reference path (`validate`, `aggregate.catalog_rows`).
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from proteus.events import ContractError, Rejection, read_rows, validate
from proteus.events.checks import Bounds
from proteus.events.dialect import DUCKDB
from proteus.events.models import field_names
from proteus.events.sql import check, normalise_jsonl
from proteus.ingest.aggregate import Rows, catalog_rows
from proteus.ingest.files import Url
from proteus.ingest.foldsql import Step, duplicates, fold_steps, ok
from proteus.ingest.scan import FileScan, Scanner

Row = dict[str, Any]

# The queries a chunk of each record type writes, in the order they must run, with the
# folded table each reads from and the columns that order its rows.
QUERIES: dict[str, list[tuple[str, str, str]]] = {
    "network": [("ingest/merge_devices", "f_devices", "id"),
                ("ingest/merge_identifiers", "f_identifiers", "kind, value"),
                ("ingest/merge_sightings", "f_sightings", "device, kind, value"),
                ("identity/person_summary", "f_device_list", "device")],
    "viewing": [("ingest/merge_devices", "f_devices", "id"),
                ("ingest/merge_contents", "f_contents", "id"),
                ("ingest/merge_views", "f_views", "device, content"),
                ("identity/person_summary", "f_device_list", "device")],
    "consent": [("ingest/merge_consent", "f_consent", "account, purpose"),
                ("identity/person_summary", "f_logins", "login")],
}


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer pads of HMAC-SHA256 for `key` (RFC 2104)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


# checked like every field, but folded into nothing: not kept in `checked` (memory)
UNFOLDED = {"network": ("user_agent",)}


def folded_columns(kind: str) -> list[str]:
    """The checked fields the fold reads."""
    return [f for f in field_names(kind) if f not in UNFOLDED.get(kind, ())]

CATALOG_SCHEMA = pa.schema([("id", pa.string()), ("title", pa.string()), ("kind", pa.string()),
                            ("genres", pa.list_(pa.string())),
                            ("iab_ids", pa.list_(pa.string()))])


class Folding(Protocol):
    """What the ingest paths ask of a group's fold, on either engine (`Fold`, or
    `proteus.ingest.sparkfold.SparkFold`)."""

    def load(self, files: list[Path | Url]) -> list[FileScan]: ...
    def fold(self, earlier: Sequence[Path] = (), horizon_days: int = 0) -> list[int]: ...
    def keep_ids(self, path: Path) -> None: ...
    def counts(self) -> dict[int, FileCounts]: ...
    def rejects(self, file: int) -> Iterator[tuple[int, str, str, str]]: ...
    def export(self, folder: Path) -> list[Path]: ...


@dataclass
class FileCounts:
    read: int = 0
    rejected: int = 0
    duplicates: int = 0
    last_day: str | None = None

    @property
    def accepted(self) -> int:
        return self.read - self.rejected - self.duplicates


def default_memory() -> str:
    """A quarter of the machine's memory (at least 1 GB): the rest is Neo4j's and the
    operating system's (the page cache that reads the event files)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, total // 4 // 2**30)}GB"


def connect(spill: Path, memory_limit: str | None = None,
            threads: int = 2) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to `spill` past `memory_limit` (default
    `default_memory()`) and prints nothing."""
    memory_limit = memory_limit or default_memory()
    con = duckdb.connect(":memory:", config={
        "memory_limit": memory_limit, "threads": threads,
        "temp_directory": str(spill), "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")
    return con


class Fold:
    """One group's rows in a DuckDB database of its own, in memory up to `memory_limit` and
    spilled to `work_dir` beyond it."""

    def __init__(self, kind: str, work_dir: Path, name: str, key: bytes, bounds: Bounds,
                 chunk_size: int, memory_limit: str | None = None, threads: int = 2,
                 say: Callable[[str], None] | None = None, keep_all: bool = False) -> None:
        self.kind, self.chunk_size, self.bounds = kind, chunk_size, bounds
        self.keep_all = keep_all  # keep the checked values of fields no fold reads
        self.say = say or (lambda line: None)
        self.spill = work_dir / f"{name}.spill"
        shutil.rmtree(self.spill, ignore_errors=True)
        self.con = connect(self.spill, memory_limit, threads)
        self.ipad, self.opad = hmac_pads(key)
        self.scans: list[FileScan] = []
        self.catalog: list[Any] = []
        self.duplicate_catalog: dict[int, int] = {}
        self.owner = True

    def cursor(self) -> Fold:
        """The same fold on a cursor of its own, for another thread."""
        other = copy.copy(self)
        other.con, other.owner = self.con.cursor(), False
        return other

    def close(self) -> None:
        self.con.close()
        if self.owner:
            shutil.rmtree(self.spill, ignore_errors=True)

    def __enter__(self) -> Fold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # reading ------------------------------------------------------------------------------

    def load(self, files: list[Path | Url]) -> list[FileScan]:
        """Read and check every file into `checked`; a file that cannot be read whole has
        its `error` set (its rows stay out of the fold: the group fails). A URL's file (the
        catalog's, on the Spark engine) is copied here through Spark's filesystems first."""
        local = [self._fetched(f) if isinstance(f, Url) else f for f in files]
        if self.kind == "catalog":
            self.scans = self._load_catalog(local)
            return self.scans
        low, high = self.bounds.seconds()
        too_early, too_late = self.bounds.reasons()
        scanner = Scanner(self.con, self.kind, check(self.kind, normalise_jsonl(self.kind)),
                          check(self.kind), {"earliest": low, "latest": high,
                                             "too_early": too_early, "too_late": too_late},
                          self.say, () if self.keep_all else UNFOLDED.get(self.kind, ()))
        self.scans = scanner.scan(local)
        return self.scans

    def _fetched(self, url: Url) -> Path:
        from proteus.ingest.lake import fetch
        from proteus.spark.session import SparkSetup, start

        folder = self.spill / "fetched"
        folder.mkdir(parents=True, exist_ok=True)
        return fetch(start(SparkSetup()), url, folder)

    def _load_catalog(self, files: list[Path]) -> list[FileScan]:
        scans = [FileScan(k, path) for k, path in enumerate(files)]
        rejects: list[tuple[int, int, str, str, str]] = []
        seen: set[str] = set()
        for scan in scans:
            try:
                for line_no, raw in read_rows(scan.path):
                    scan.read += 1
                    outcome = validate("catalog", raw, self.bounds)
                    if isinstance(outcome, Rejection):
                        rejects.append((scan.index, line_no, _shown(raw), outcome.field,
                                        outcome.reason))
                    elif outcome.content_id in seen:  # type: ignore[attr-defined]
                        self.duplicate_catalog[scan.index] = \
                            self.duplicate_catalog.get(scan.index, 0) + 1
                    else:
                        seen.add(outcome.content_id)  # type: ignore[attr-defined]
                        self.catalog.append(outcome)
            except ContractError as exc:
                scan.error = str(exc)
        self.con.execute("CREATE TABLE checked (ord BIGINT, file INT, line BIGINT, "
                         "field VARCHAR, reason VARCHAR, raw VARCHAR)")
        if rejects:
            self.con.executemany("INSERT INTO checked VALUES (NULL, ?, ?, ?, ?, ?)",
                                 [(f, ln, fld, why, raw) for f, ln, raw, fld, why in rejects])
        return scans

    def counts(self) -> dict[int, FileCounts]:
        """Per file index: rows read, rejected, duplicates and the latest accepted day."""
        out = {scan.index: FileCounts(read=scan.read) for scan in self.scans}
        for file, rejected in self.con.execute(
                "SELECT file, count(*) FROM checked WHERE field IS NOT NULL GROUP BY file"
        ).fetchall():
            out[file].rejected = rejected
        if self.kind == "catalog":
            for file, duplicates in self.duplicate_catalog.items():
                out[file].duplicates = duplicates
            return out
        for file, duplicates in self.con.execute(
                "SELECT file, count(*) FROM duplicates GROUP BY file").fetchall():
            out[file].duplicates = duplicates
        for file, day in self.con.execute(
                "SELECT file, CAST(max(day) AS VARCHAR) FROM ok GROUP BY file").fetchall():
            out[file].last_day = day
        return out

    def rejects(self, file: int) -> Iterator[tuple[int, str, str, str]]:
        """(line, raw, field, reason) of a file's rejected rows, in line order."""
        result = self.con.execute(
            "SELECT line, raw, field, reason FROM checked WHERE field IS NOT NULL AND file = $f "
            "ORDER BY line", {"f": file})
        while batch := result.fetchmany(10_000):
            yield from batch

    # folding ------------------------------------------------------------------------------

    def fold(self, earlier: Sequence[Path] = (), horizon_days: int = 0) -> list[int]:
        """Fold the accepted rows per chunk into the tables `QUERIES` names; return the
        chunk numbers that hold rows (every chunk the group's rows span). An event is a
        duplicate when an earlier row of the group has its id, or when one of the `earlier`
        ledger files (`proteus.ingest.ledger`) holds its id within `horizon_days` of its
        day."""
        if self.kind == "catalog":
            return [1] if self.catalog else []
        earlier_ids = bool(earlier) and horizon_days > 0
        params: dict[str, Any] = {}
        if earlier_ids:
            self.say(f"{self.kind}: looking for events ingested before")
            files = ", ".join(f"'{_quoted(p)}'" for p in earlier)  # a view takes no parameter
            self.con.execute(f"CREATE VIEW ledger AS SELECT event_id, day "
                             f"FROM read_parquet([{files}])")
            params["horizon"] = horizon_days
        self._run(duplicates(DUCKDB, earlier_ids), params)
        if earlier_ids:
            self.con.execute("DROP TABLE duplicates; ALTER TABLE duplicates_all "
                             "RENAME TO duplicates")
        self._run([ok(folded_columns(self.kind), self.chunk_size)], {})
        self.say(f"{self.kind}: duplicates found, folding")
        self._run(fold_steps(self.kind, DUCKDB), {"ipad": self.ipad, "opad": self.opad})
        self.say(f"{self.kind}: folded")
        [(top,)] = self.con.execute("SELECT max(ord) FROM checked").fetchall()
        last = int(top) // self.chunk_size + 1 if top is not None else 0
        return list(range(1, last + 1))

    def keep_ids(self, path: Path) -> None:
        """Write the ids and days of the folded events to the ledger file `path`."""
        if self.kind == "catalog":
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        self.con.execute(f"COPY (SELECT event_id, day FROM ok) TO '{_quoted(partial)}' "
                         "(FORMAT parquet)")
        partial.replace(path)

    def _run(self, steps: list[Step], params: dict[str, Any]) -> None:
        """Make each step's relation, in order, dropping those no later step reads."""
        for step in steps:
            used = {k: v for k, v in params.items() if f"${k}" in step.sql}
            what = "VIEW" if step.view else "TABLE"
            self.con.execute(f"CREATE {what} {step.name} AS {step.sql}", used)
            for name in step.drop:
                self.con.execute(f"DROP TABLE {name}")

    # handing rows to the writers ----------------------------------------------------------

    def queries(self) -> list[str]:
        return [name for name, _, _ in QUERIES[self.kind]] if self.kind != "catalog" \
            else ["ingest/merge_catalog"]

    def rows(self, chunk: int, query: str, batch: int) -> Iterator[list[Row]]:
        """A chunk's rows of one query, `batch` at a time, in a fixed order."""
        if self.kind == "catalog":
            rows = catalog_rows(self.catalog)["ingest/merge_catalog"]
            for start in range(0, len(rows), batch):
                yield rows[start:start + batch]
            return
        table, order = next((t, o) for n, t, o in QUERIES[self.kind] if n == query)
        reader = self.con.sql(
            f"SELECT * EXCLUDE (chunk) FROM {table} WHERE chunk = $chunk ORDER BY {order}",
            params={"chunk": chunk}).to_arrow_reader(batch)
        pending: list[Row] = []
        for record_batch in reader:
            pending.extend(record_batch.to_pylist())
            while len(pending) >= batch:
                yield pending[:batch]
                pending = pending[batch:]
        if pending:
            yield pending

    def export(self, folder: Path) -> list[Path]:
        """Write the folded tables (every chunk) as Parquet files `<kind>_<table>.parquet`."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        if self.kind == "catalog":
            path = folder / "catalog_items.parquet"
            rows = catalog_rows(self.catalog)["ingest/merge_catalog"]
            pq.write_table(pa.Table.from_pylist(rows, schema=CATALOG_SCHEMA), path)
            return [path]
        for table in dict.fromkeys(t for _, t, _ in QUERIES[self.kind]):
            path = folder / f"{self.kind}_{table[2:]}.parquet"
            self.con.execute(f"COPY (SELECT * EXCLUDE (chunk) FROM {table}) TO '{_quoted(path)}' "
                             "(FORMAT parquet)")
            written.append(path)
        return written

    def all_rows(self, chunk: int) -> Rows:
        """Every row of a chunk, per query (for tests and small groups)."""
        return {query: [row for part in self.rows(chunk, query, 1 << 30) for row in part]
                for query in self.queries()}


def _quoted(path: Path) -> str:
    """A path as a SQL string literal's content (COPY takes no parameter for its target)."""
    return str(path).replace("'", "''")


def _shown(raw: Any) -> str:
    return raw.text if hasattr(raw, "text") else str(raw)

