"""Streaming writers for JSON Lines, CSV and Parquet event files (deterministic bytes)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from proteus.events.formats import file_format
from proteus.events.models import LIST_FIELDS, field_names

PARQUET_ROW_GROUP = 65536
GZIP_LEVEL = 6

_ARROW_TYPES: dict[str, pa.DataType] = {
    "ts": pa.timestamp("us", tz="UTC"),
    "seconds": pa.int64(),
    "granted": pa.bool_(),
    "iab_ids": pa.list_(pa.string()),
    "genres": pa.list_(pa.string()),
}


def columns_for(kind: str, extra_columns: Sequence[str] = ()) -> list[str]:
    """Column order used by the writers: contract fields, then extra columns."""
    return field_names(kind) + [name for name in extra_columns if name not in field_names(kind)]


def arrow_schema(kind: str, extra_columns: Sequence[str] = ()) -> pa.Schema:
    """Parquet schema of a record type; extra columns are strings."""
    names = columns_for(kind, extra_columns)
    return pa.schema([pa.field(name, _ARROW_TYPES.get(name, pa.string())) for name in names])


def format_ts(value: datetime) -> str:
    """ISO 8601 UTC with a `Z` suffix."""
    value = value.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_ts(value)
    return value


def encode_json(kind: str, row: dict[str, Any]) -> str:
    """One JSON line (without newline); null values are left out, contract fields first."""
    order = field_names(kind)
    obj = {name: _plain(row[name]) for name in order if row.get(name) is not None}
    for key, value in row.items():
        if key not in obj and key not in order and value is not None:
            obj[key] = _plain(value)
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def csv_quote(value: str) -> str:
    """Quote a CSV value when needed (same rule as csv.QUOTE_MINIMAL)."""
    if any(ch in value for ch in ',"\r\n') or value[:1].isspace() or value[-1:].isspace():
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_value(value: Any) -> str:
    """Text form of one CSV cell: empty for null, `|`-joined lists, lowercase booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_ts(value)
    if isinstance(value, list | tuple):
        return csv_quote("|".join(str(v) for v in value))
    return csv_quote(str(value))


def encode_csv(columns: Sequence[str], row: dict[str, Any]) -> str:
    """One CSV line (without newline) in the given column order."""
    return ",".join(csv_value(row.get(name)) for name in columns)


@contextmanager
def open_output(path: Path, gzip_level: int = GZIP_LEVEL) -> Iterator[IO[bytes]]:
    """Binary output; `.gz` names are gzipped with no name and a zero mtime in the header."""
    path = Path(path)
    with open(path, "wb") as raw:
        if path.name.endswith(".gz"):
            with gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=gzip_level
            ) as zipped:
                yield cast(IO[bytes], zipped)
        else:
            yield raw


def _arrow_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "ts" and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if name in ("iab_ids", "genres") and isinstance(value, str):
        return [part for part in value.split("|") if part]
    return value


def rows_to_table(kind: str, rows: Sequence[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Build an Arrow table from row dicts following the schema."""
    arrays = [
        pa.array([_arrow_value(f.name, row.get(f.name)) for row in rows], type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_rows(
    path: Path,
    kind: str,
    rows: Iterable[dict[str, Any]],
    extra_columns: Sequence[str] = (),
) -> int:
    """Write rows of one record type to a file whose format follows its name; return the count.

    Streams: memory is bounded by one Parquet row group. List fields are arrays in JSON,
    `|`-joined in CSV. `extra_columns` adds columns beyond the contract (CSV and Parquet).
    """
    path = Path(path)
    fmt, _ = file_format(path)
    if kind not in LIST_FIELDS:
        raise ValueError(f"unknown record type {kind!r}")
    if fmt == "parquet":
        return _write_parquet(path, kind, rows, extra_columns)
    count = 0
    columns = columns_for(kind, extra_columns)
    with open_output(path) as out:
        if fmt == "csv":
            out.write((",".join(columns) + "\n").encode())
        for row in rows:
            line = encode_json(kind, row) if fmt == "jsonl" else encode_csv(columns, row)
            out.write((line + "\n").encode("utf-8"))
            count += 1
    return count


def _write_parquet(
    path: Path, kind: str, rows: Iterable[dict[str, Any]], extra_columns: Sequence[str]
) -> int:
    schema = arrow_schema(kind, extra_columns)
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(path, schema) as writer:
        for row in rows:
            batch.append(row)
            if len(batch) >= PARQUET_ROW_GROUP:
                writer.write_table(rows_to_table(kind, batch, schema))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(rows_to_table(kind, batch, schema))
            count += len(batch)
    return count
