"""Read event files into DuckDB as rows of the contract's normalised shape, in bounded blocks.

JSON Lines (plain or gzip) is cut into lines with numpy, never line by line in Python: a
block of decompressed bytes becomes one Arrow column of raw lines with their numbers, and
DuckDB parses and checks them (`proteus.events.sql`). Files are decompressed on a thread
pool while DuckDB works on the previous block, so both cores stay busy. CSV and Parquet rows
come through the reference readers (`proteus.events.read`) and are put into the same shape
by `normalise_row`. Every row gets `ord`, its place among all rows of the group's files in
reading order, which cuts chunks the same way on every run.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

import duckdb
import numpy as np
import pyarrow as pa

from proteus.events import ContractError, field_names, file_format, read_rows
from proteus.events.read import BOM, Unreadable

BLOCK_BYTES = 64 * 1024 * 1024
ROW_BLOCK = 200_000
_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[list(b" \t\r\n\x0b\x0c")] = True
_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, OSError)


@dataclass
class FileScan:
    """What scanning found in one file: rows read (blank lines are not rows)."""

    index: int
    path: Path
    read: int = 0
    error: str | None = None


def _open(path: Path, gz: bool) -> IO[bytes]:
    return cast(IO[bytes], gzip.open(path, "rb") if gz else open(path, "rb"))


def _blocks(path: Path, gz: bool) -> Iterator[tuple[bytes, int]]:
    """(bytes ending at a line end, line number of its first line) of a JSON Lines file."""
    line = 1
    rest = b""
    first = True
    with _open(path, gz) as stream:
        while True:
            data = stream.read(BLOCK_BYTES)
            if not data:
                break
            data = rest + data
            if first:
                first = False
                if data.startswith(BOM):
                    data = data[len(BOM):]
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            block, rest = data[:cut], data[cut:]
            yield block, line
            line += block.count(b"\n")
    if rest:
        yield rest + b"\n", line


def _lines(block: bytes, first_line: int) -> pa.Table:
    """The lines of a block (each with its line end) with their numbers and whether they
    are blank (whitespace only, as `bytes.strip()` sees it); no Python work per line."""
    buffer = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(buffer == 10)
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    # a blank line starts with whitespace; the few that do are looked at one by one
    blank = _WHITESPACE[buffer[starts]]
    for k in np.flatnonzero(blank).tolist():
        blank[k] = not block[starts[k]:ends[k] + 1].strip()
    offsets = np.append(starts, len(block)).astype(np.int64)
    values = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(starts), [None, pa.py_buffer(offsets), pa.py_buffer(block)])
    numbers = np.arange(first_line, first_line + len(ends), dtype=np.int64)
    return pa.table({"line": numbers, "blank": blank, "bytes": values})


class Scanner:
    """Loads the files of one group, in order, into the DuckDB table `checked`: `jsonl` is
    the SQL that checks a block of raw lines (`lines`), `rows` the SQL that checks a block
    of normalised rows (`normalised`), both run with `params`. The `drop` columns are
    checked but not kept."""

    def __init__(self, con: duckdb.DuckDBPyConnection, kind: str, jsonl: str, rows: str,
                 params: dict[str, Any], say: Callable[[str], None] | None = None,
                 drop: tuple[str, ...] = ()) -> None:
        self.con, self.kind = con, kind
        if drop:
            kept = f"SELECT * EXCLUDE ({', '.join(drop)}) FROM ({{}})"
            jsonl, rows = kept.format(jsonl), kept.format(rows)
        self.say = say or (lambda line: None)
        self.fields = field_names(kind)
        self.jsonl, self.rows, self.params = jsonl, rows, params
        self.ord = 0
        self.con.execute("DROP TABLE IF EXISTS checked")
        self.created = False

    def _insert(self, select: str, name: str, table: pa.Table) -> None:
        self.con.register(name, table)
        try:
            self._insert_registered(select)
        finally:
            self.con.unregister(name)

    def _insert_registered(self, select: str) -> None:
        if self.created:
            self.con.execute(f"INSERT INTO checked {select}", self.params)
        else:
            self.con.execute(f"CREATE TABLE checked AS {select}", self.params)
            self.created = True

    def scan(self, files: list[Path]) -> list[FileScan]:
        scans = [FileScan(k, path) for k, path in enumerate(files)]
        with ThreadPoolExecutor(max_workers=1) as pool:
            for scan in scans:
                try:
                    fmt, gz = file_format(scan.path)
                    if fmt == "jsonl":
                        self._scan_jsonl(scan, gz, pool)
                    else:
                        self._scan_rows(scan)
                except ContractError as exc:
                    scan.error = str(exc)
                except _GZIP_ERRORS as exc:
                    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    scan.error = (f"{scan.path.name}: truncated or corrupt gzip ({reason}); "
                                  "file not fully read")
                if scan.error is None and scan.read == 0:
                    scan.error = f"{scan.path.name}: empty file (no records)"
        if not self.created:
            self._insert(self.rows, "normalised", self._schema().empty_table())
        return scans

    def _scan_jsonl(self, scan: FileScan, gz: bool, pool: ThreadPoolExecutor) -> None:
        blocks = _blocks(scan.path, gz)
        pending = pool.submit(next, blocks, None)
        while True:
            item = pending.result()
            if item is None:
                return
            pending = pool.submit(next, blocks, None)
            block = _lines(*item)
            keep = ~block["blank"].to_numpy()
            count = int(keep.sum())
            ords = np.where(keep, self.ord + np.cumsum(keep) - 1, -1)
            lines = block.append_column("ord", pa.array(ords)).append_column(
                "file", pa.array(np.full(len(keep), scan.index, dtype=np.int32)))
            self._insert(self.jsonl, "lines", lines)
            self.ord += count
            scan.read += count
            self.say(f"{scan.path.name}: {scan.read:,} rows read")

    def _scan_rows(self, scan: FileScan) -> None:
        block: list[dict[str, Any]] = []
        for line_no, raw in read_rows(scan.path):
            block.append(normalise_row(self.fields, self.ord + len(block), scan.index,
                                       line_no, raw))
            if len(block) == ROW_BLOCK:
                self._flush(block, scan)
                block = []
        self._flush(block, scan)

    def _flush(self, block: list[dict[str, Any]], scan: FileScan) -> None:
        if not block:
            return
        self._insert(self.rows, "normalised", pa.Table.from_pylist(block, schema=self._schema()))
        self.ord += len(block)
        scan.read += len(block)

    def _schema(self) -> pa.Schema:
        columns = [("ord", pa.int64()), ("file", pa.int32()), ("line", pa.int64()),
                   ("raw", pa.string()), ("problem_field", pa.string()),
                   ("problem_reason", pa.string()), ("extra", pa.string())]
        for f in self.fields:
            columns += [(f"{f}_t", pa.string()), (f, pa.string())]
        return pa.schema(columns)


def _tag(value: Any) -> tuple[str | None, str | None]:
    """(type, text) of a Python value the way the SQL engine sees the same JSON value."""
    if value is None or value == "":
        return None, None
    if type(value) is str:
        return "string", value
    if type(value) is bool:
        return "boolean", "true" if value else "false"
    if type(value) is int:
        return "integer", str(value)
    if type(value) is float:
        return "number", repr(value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return "timestamp", value.isoformat()
        return "string", value.isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(value, list):
        return "array", str(value)
    return "object", str(value)


def normalise_row(fields: list[str], ord_: int, file: int, line_no: int,
                  raw: dict[str, Any] | Unreadable | str) -> dict[str, Any]:
    """One CSV or Parquet row in the normalised shape."""
    row: dict[str, Any] = {"ord": ord_, "file": file, "line": line_no, "raw": None,
                           "problem_field": None, "problem_reason": None, "extra": None}
    if isinstance(raw, Unreadable):
        row.update(raw=raw.text, problem_field=raw.field, problem_reason=raw.reason)
        return row
    if not isinstance(raw, dict):
        row.update(raw=str(raw), problem_field="line", problem_reason="unparsable line")
        return row
    row["raw"] = _raw_text(raw)
    for f in fields:
        row[f"{f}_t"], row[f] = _tag(raw.get(f))
    for key, value in raw.items():
        if key not in fields and value is not None and value != "":
            row["extra"] = str(key)
            break
    return row


def _raw_text(raw: dict[str, Any]) -> str:
    return json.dumps(raw, default=str, ensure_ascii=False)
