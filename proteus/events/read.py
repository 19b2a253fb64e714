"""Streaming readers for JSON Lines, CSV and Parquet event files."""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from proteus.events.formats import ContractError, file_format, record_type_for
from proteus.events.models import required_fields

RawRow = tuple[int, dict[str, Any] | str]

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


def _jsonl_rows(stream: IO[bytes]) -> Iterator[RawRow]:
    for line_no, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except ValueError:
            yield line_no, line.decode("utf-8", "replace").rstrip("\r\n")
            continue
        if isinstance(obj, dict):
            yield line_no, obj
        else:
            yield line_no, line.decode("utf-8", "replace").rstrip("\r\n")


def _csv_rows(path: Path, kind: str, stream: IO[bytes]) -> Iterator[RawRow]:
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
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
            yield reader.line_num, f"csv error: {exc}"
            continue
        if not row:
            continue
        if len(row) != width:
            yield reader.line_num, ",".join(row)
            continue
        yield reader.line_num, dict(zip(header, row, strict=True))


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
