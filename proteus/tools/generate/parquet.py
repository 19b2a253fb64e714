"""Parquet output for generated event files (one row group per chunk)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from proteus.events.write import arrow_schema
from proteus.tools.generate.columns import Column, Malformed


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def write_parquet(
    path: Path,
    kind: str,
    day: date,
    columns: list[Column],
    malformed: Malformed,
    positions: np.ndarray,
    chunk: int,
) -> None:
    """Write one event file as Parquet, one row group per chunk."""
    schema = arrow_schema(kind, malformed.extra_columns)
    base_us = int(_day_start(day).timestamp()) * 1_000_000
    n_rows = len(columns[0].codes)
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, n_rows, chunk):
            stop = min(start + chunk, n_rows)
            values: dict[str, np.ndarray] = {}
            for col in columns:
                codes = col.codes[start:stop]
                if col.kind == "seq":
                    values[col.name] = np.array(
                        [f"{col.prefix}{n:09d}" for n in codes.tolist()], dtype=object
                    )
                elif col.kind == "ts":
                    values[col.name] = base_us + codes.astype(np.int64) * 1_000_000
                elif col.kind == "int":
                    values[col.name] = codes.astype(np.int64)
                elif col.kind == "bool":
                    values[col.name] = codes.astype(bool)
                else:
                    assert col.table is not None
                    values[col.name] = col.table[codes]
            for extra in malformed.extra_columns:
                values[extra] = np.full(stop - start, None, dtype=object)
            lo, hi = np.searchsorted(positions, [start, stop])
            for pos in positions[lo:hi].tolist():
                assert malformed.parquet_patch is not None
                local = {name: arr[pos - start : pos - start + 1] for name, arr in values.items()}
                malformed.parquet_patch(pos, local)
            arrays = []
            for fld in schema:
                arr = values[fld.name]
                if fld.name == "ts":
                    arrays.append(pa.array(arr, type=pa.int64()).cast(fld.type))
                else:
                    arrays.append(pa.array(arr, type=fld.type))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
