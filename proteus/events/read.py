"""Streaming readers for JSON Lines, CSV and Parquet event files: the reference reading.

Rows come as `(line_no, raw)`: `raw` is the row's fields (a dict), or an `Unreadable` when
the row is not an object of fields: not UTF-8, not JSON, not an object, a key repeated, a CSV
row of the wrong width. The columnar ingest reads the same files the same way
(`proteus.events.sql`); JSON is strict (RFC 8259, plus the `NaN`, `Infinity` and
`-Infinity` literals), a UTF-8 byte order mark before the first row is dropped, and a line
may end in CRLF.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from proteus.events.formats import ContractError, file_format, record_type_for
from proteus.events.models import required_fields
from proteus.events.sql import NOT_OBJECT, NOT_UTF8, REPEATED, UNPARSABLE

BOM = b"\xef\xbb\xbf"
CSV_FIELD_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A row that is not an object of fields: `field` is `line`, or the repeated key."""

    text: str
    field: str
    reason: str

    def __str__(self) -> str:
        return self.text


RawRow = tuple[int, dict[str, Any] | Unreadable | str]

PARQUET_BATCH = 8192
_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def read_rows(path: Path) -> Iterator[RawRow]:
    """Yield (line_no, raw) for every row of a data file, in bounded memory.

    Raises ContractError (one line) for an empty file, a truncated or corrupt gzip stream
    (raised at the point where it is detected, after the rows before it), a CSV header
    missing a required column, or an unreadable Parquet file.
    """
    path = Path(path)
    kind = record_type_for(path)
    fmt, gz = file_format(path)
    rows = _parquet_rows(path, kind) if fmt == "parquet" else _text_rows(path, kind, fmt, gz)
    count = 0
    for row in rows:
        count += 1
        yield row
    if count == 0:
        raise ContractError(f"{path.name}: empty file (no records)")


def _open_binary(path: Path, gz: bool) -> IO[bytes]:
    if gz:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def _text_rows(path: Path, kind: str, fmt: str, gz: bool) -> Iterator[RawRow]:
    line_no = 0
    try:
        with _open_binary(path, gz) as stream:
            if fmt == "jsonl":
                for line_no, row in _jsonl_rows(stream):
                    yield line_no, row
            else:
                for line_no, row in _csv_rows(path, kind, stream):
                    yield line_no, row
    except _GZIP_ERRORS as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ContractError(
            f"{path.name}: truncated or corrupt gzip after line {line_no} "
            f"({reason}); file not fully read"
        ) from exc


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Repeated(key)
        out[key] = value
    return out


_JSON_NAMES = {list: "array", str: "string", bool: "boolean", type(None): "null"}


def parse_line(line: bytes) -> dict[str, Any] | Unreadable:
    """One JSON Lines row: its object, or why it is not one."""
    try:
        text = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return Unreadable(line.decode("utf-8", "backslashreplace").rstrip("\r\n"), "line",
                          NOT_UTF8)
    try:
        obj = json.loads(text, object_pairs_hook=_pairs)
        json.dumps(obj, ensure_ascii=False).encode("utf-8")  # lone surrogates fail here
    except _Repeated as repeated:
        return Unreadable(text, repeated.key, REPEATED)
    except (ValueError, RecursionError, UnicodeEncodeError):
        return Unreadable(text, "line", UNPARSABLE)
    if not isinstance(obj, dict):
        return Unreadable(text, "line", NOT_OBJECT + _JSON_NAMES.get(type(obj), "number"))
    return obj


def _jsonl_rows(stream: IO[bytes]) -> Iterator[RawRow]:
    for line_no, line in enumerate(stream, start=1):
        if line_no == 1 and line.startswith(BOM):
            line = line[len(BOM):]
        if not line.strip():
            continue
        yield line_no, parse_line(line)


def _csv_rows(path: Path, kind: str, stream: IO[bytes]) -> Iterator[RawRow]:
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(min(CSV_FIELD_LIMIT, sys.maxsize))
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")
    try:
        yield from _csv_records(path, kind, text)
    finally:
        text.detach()


def _csv_records(path: Path, kind: str, text: IO[str]) -> Iterator[RawRow]:
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ContractError(f"{path.name}: unreadable CSV header ({exc})") from exc
    if header:
        header[0] = header[0].lstrip("\ufeff")
    if len(set(header)) != len(header):
        raise ContractError(f"{path.name}: CSV header repeats a column")
    missing = [name for name in required_fields(kind) if name not in header]
    if missing:
        raise ContractError(
            f"{path.name}: CSV header misses required column(s): {', '.join(missing)}"
        )
    width = len(header)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, Unreadable(f"csv error: {exc}", "line", UNPARSABLE)
            continue
        if not row:
            continue
        shown = ",".join(row)
        if not _utf8(shown):
            yield reader.line_num, Unreadable(
                shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"),
                "line", NOT_UTF8)
        elif len(row) != width:
            yield reader.line_num, Unreadable(shown, "line", CSV_WIDTH)
        else:
            yield reader.line_num, dict(zip(header, row, strict=True))


CSV_WIDTH = "wrong number of columns"


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parquet_rows(path: Path, kind: str) -> Iterator[RawRow]:
    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise ContractError(f"{path.name}: unreadable parquet ({exc})") from exc
    names = source.schema_arrow.names
    missing = [name for name in required_fields(kind) if name not in names]
    if missing:
        raise ContractError(
            f"{path.name}: parquet schema misses required column(s): {', '.join(missing)}"
        )
    line_no = 0
    try:
        for batch in source.iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                line_no += 1
                yield line_no, row
    except (pa.ArrowException, OSError) as exc:
        raise ContractError(
            f"{path.name}: unreadable parquet after row {line_no} ({exc}); file not fully read"
        ) from exc
