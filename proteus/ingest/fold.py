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
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from proteus.events import ContractError, Rejection, read_rows, validate
from proteus.events.checks import Bounds
from proteus.events.sql import check, normalise_jsonl
from proteus.ingest.aggregate import IDENTIFIER_FIELDS, Rows, catalog_rows, ip_class_sql
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


# `proteus.pseudonym.pseudonymise` in SQL: HMAC-SHA256 over `kind:value`, 128 bits, hex.
PSEUDONYM_SQL = ("substr(sha256($opad || unhex(sha256($ipad || encode({kind} || ':' || {raw})))),"
                 " 1, 32)")


# checked like every field, but folded into nothing: not kept in `checked` (memory)
UNFOLDED = {"network": ("user_agent",)}

CATALOG_SCHEMA = pa.schema([("id", pa.string()), ("title", pa.string()), ("kind", pa.string()),
                            ("genres", pa.list_(pa.string())),
                            ("iab_ids", pa.list_(pa.string()))])


@dataclass
class FileCounts:
    read: int = 0
    rejected: int = 0
    duplicates: int = 0
    last_day: str | None = None

    @property
    def accepted(self) -> int:
        return self.read - self.rejected - self.duplicates


# Per-day lists in day order: each group's (day, value) pairs gathered unordered and sorted
# within the group (a handful of days), not an ordered aggregate, which sorts all its input.
_PER_DAY = "list_sort(list(struct_pack(d := day, v := {value}))) AS per_day"
_DAY_LISTS = ("list_transform(per_day, lambda x: CAST(x.d AS VARCHAR)) AS days, "
              "list_transform(per_day, lambda x: x.v) AS {value}")


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

    def load(self, files: list[Path]) -> list[FileScan]:
        """Read and check every file into `checked`; a file that cannot be read whole has
        its `error` set (its rows stay out of the fold: the group fails)."""
        if self.kind == "catalog":
            self.scans = self._load_catalog(files)
            return self.scans
        low, high = self.bounds.seconds()
        too_early, too_late = self.bounds.reasons()
        scanner = Scanner(self.con, self.kind, check(self.kind, normalise_jsonl(self.kind)),
                          check(self.kind), {"earliest": low, "latest": high,
                                             "too_early": too_early, "too_late": too_late},
                          self.say, () if self.keep_all else UNFOLDED.get(self.kind, ()))
        self.scans = scanner.scan(files)
        return self.scans

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
        self.con.execute("""
CREATE TABLE duplicates AS
WITH candidates AS (
  SELECT hash(event_id) AS h FROM checked WHERE field IS NULL GROUP BY h HAVING count(*) > 1
)
SELECT ord, file FROM checked
WHERE field IS NULL AND hash(event_id) IN (SELECT h FROM candidates)
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ord) > 1""")
        if earlier and horizon_days > 0:
            self.say(f"{self.kind}: looking for events ingested before")
            self.con.execute("""
INSERT INTO duplicates
SELECT c.ord, c.file FROM checked c
WHERE c.field IS NULL
  AND NOT EXISTS (SELECT 1 FROM duplicates d WHERE d.ord = c.ord)
  AND EXISTS (SELECT 1 FROM read_parquet($files) l
              WHERE l.event_id = c.event_id AND abs(l.day - c.day) <= $horizon)""",
                             {"files": [str(p) for p in earlier], "horizon": horizon_days})
        self.con.execute(f"""
CREATE VIEW ok AS
SELECT * EXCLUDE (field, reason, raw), (ord // {int(self.chunk_size)}) + 1 AS chunk
FROM checked WHERE field IS NULL AND ord NOT IN (SELECT ord FROM duplicates)""")
        self.say(f"{self.kind}: duplicates found, folding")
        getattr(self, f"_fold_{self.kind}")()
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

    def _pseudonyms(self, table: str) -> None:
        """`pseudonyms(kind, raw, value)` for every distinct identifier of `table`."""
        value = PSEUDONYM_SQL.format(kind="kind", raw="raw")
        self.con.execute(f"CREATE TABLE pseudonyms AS SELECT kind, raw, {value} AS value "
                         f"FROM (SELECT DISTINCT kind, raw FROM {table})",
                         {"ipad": self.ipad, "opad": self.opad})

    def _fold_network(self) -> None:
        con = self.con
        con.execute("""
CREATE TABLE f_devices AS
SELECT chunk, device_id AS id, min(ts) AS first, max(ts) AS last,
       arg_min(device_type, ord) AS type, NULL::VARCHAR AS viewed
FROM ok GROUP BY chunk, device_id""")
        con.execute("CREATE TABLE f_device_list AS SELECT chunk, id AS device FROM f_devices")
        # one pass over the rows: every identifier a row carries, per device and day
        fields = ", ".join(IDENTIFIER_FIELDS)  # column names from a fixed list
        con.execute(f"""
CREATE TABLE daily AS
SELECT chunk, device_id AS device, kind, raw, day, min(ts) AS first, max(ts) AS last,
       count(*) AS n, min(ord) AS first_ord, arg_min(network, ord) AS network
FROM (UNPIVOT (SELECT chunk, ord, device_id, ts, day, network, {fields} FROM ok)
      ON {fields} INTO NAME kind VALUE raw)
GROUP BY chunk, device_id, kind, raw, day""")
        con.execute("""
CREATE TABLE seen AS
SELECT chunk, kind, raw, min(first) AS first, max(last) AS last,
       arg_min(network, first_ord) AS network
FROM daily GROUP BY chunk, kind, raw""")
        con.execute(f"""
CREATE TABLE sighted AS
SELECT chunk, device, kind, raw, first, last, count, {_DAY_LISTS.format(value="day_counts")}
FROM (SELECT chunk, device, kind, raw, min(first) AS first, max(last) AS last,
             CAST(sum(n) AS BIGINT) AS count, {_PER_DAY.format(value="n")}
      FROM daily GROUP BY chunk, device, kind, raw)""")
        con.execute("DROP TABLE daily")
        self._pseudonyms("seen")
        con.execute(f"""
CREATE TABLE f_identifiers AS
SELECT s.chunk, s.kind, p.value, s.first, s.last,
       CASE WHEN s.kind = 'ip' THEN s.network END AS network,
       CASE WHEN s.kind = 'ip' THEN {ip_class_sql('s.raw')} END AS ip_class
FROM seen s JOIN pseudonyms p USING (kind, raw)""")
        con.execute("""
CREATE TABLE f_sightings AS
SELECT s.chunk, s.device, s.kind, p.value, s.first, s.last, s.count, s.days, s.day_counts
FROM sighted s JOIN pseudonyms p USING (kind, raw)""")
        con.execute("DROP TABLE seen; DROP TABLE sighted")

    def _fold_viewing(self) -> None:
        con = self.con
        con.execute("""
CREATE TABLE f_devices AS
SELECT chunk, device_id AS id, min(ts) AS first, max(ts) AS last, NULL::VARCHAR AS type,
       CAST(max(day) AS VARCHAR) AS viewed
FROM ok GROUP BY chunk, device_id""")
        con.execute("CREATE TABLE f_device_list AS SELECT chunk, id AS device FROM f_devices")
        con.execute("CREATE TABLE f_contents AS SELECT DISTINCT chunk, content_id AS id FROM ok")
        con.execute(f"""
CREATE TABLE f_views AS
SELECT chunk, device, content, first, last, count, seconds,
       {_DAY_LISTS.format(value="day_seconds")}
FROM (SELECT chunk, device_id AS device, content_id AS content, min(first) AS first,
             max(last) AS last, CAST(sum(n) AS BIGINT) AS count,
             CAST(sum(s) AS BIGINT) AS seconds, {_PER_DAY.format(value="s")}
      FROM (SELECT chunk, device_id, content_id, day, min(ts) AS first, max(ts) AS last,
                   count(*) AS n, CAST(sum(seconds) AS BIGINT) AS s
            FROM ok GROUP BY chunk, device_id, content_id, day)
      GROUP BY chunk, device_id, content_id)""")

    def _fold_consent(self) -> None:
        con = self.con
        con.execute("""
CREATE TABLE latest AS
SELECT chunk, account, purpose, granted, ts FROM ok
QUALIFY row_number() OVER (PARTITION BY chunk, account, purpose ORDER BY ts DESC, ord) = 1""")
        con.execute("CREATE TABLE accounts AS SELECT DISTINCT 'login' AS kind, account AS raw "
                    "FROM latest")
        self._pseudonyms("accounts")
        con.execute("""
CREATE TABLE f_consent AS
SELECT l.chunk, p.value AS account, l.purpose, l.granted, l.ts AS at
FROM latest l JOIN pseudonyms p ON p.kind = 'login' AND p.raw = l.account""")
        con.execute("CREATE TABLE f_logins AS SELECT DISTINCT chunk, account AS login "
                    "FROM f_consent")

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

