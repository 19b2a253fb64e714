"""Viewing from the fold's output: `<dir>/views.parquet`, one row per (device, content) with
device, content (strings), first, last (epoch seconds), count, seconds, days (ISO dates,
ascending) and day_seconds (per day, same order)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from proteus.errors import InputError

FILE = "views.parquet"
COLUMNS = ("device", "content", "days", "day_seconds")


def path_of(folder: Path) -> Path:
    path = folder / FILE
    if not path.is_file():
        raise InputError(f"views: {path} does not exist (expected the fold's {FILE} in "
                         f"{folder})")
    return path


def _read(folder: Path, columns: tuple[str, ...]) -> pa.Table:
    path = path_of(folder)
    try:
        names = pq.read_schema(path).names
        missing = [c for c in columns if c not in names]
        if missing:
            raise InputError(f"views: {path} lacks column(s) {', '.join(missing)}")
        return pq.read_table(path, columns=list(columns))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"views: {path} cannot be read ({exc})") from None


def _flat(column: pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def watched(folder: Path) -> dict[str, Any]:
    """The same columns as `read_graph.watched`."""
    table = _read(folder, COLUMNS)
    days, seconds = _flat(table["days"]), _flat(table["day_seconds"])
    lengths = np.diff(days.offsets.to_numpy()).astype(np.int64)
    if not np.array_equal(lengths, np.diff(seconds.offsets.to_numpy())):
        raise InputError(f"views: {folder / FILE}: days and day_seconds differ in length")
    try:
        numbers = days.flatten().cast(pa.date32()).cast(pa.int32())
    except pa.ArrowInvalid as exc:
        raise InputError(f"views: {folder / FILE}: days: {exc}") from None
    return {"device": _flat(table["device"]).cast(pa.string()),
            "content": _flat(table["content"]).cast(pa.string()),
            "day_lengths": lengths,
            "days": numbers.to_numpy(zero_copy_only=False),
            "day_seconds": seconds.flatten().to_numpy(zero_copy_only=False).astype(np.int64)}


def last_watched(folder: Path) -> dict[str, Any]:
    table = _read(folder, ("device", "content", "last"))
    return {"device": _flat(table["device"]).cast(pa.string()),
            "content": _flat(table["content"]).cast(pa.string()),
            "last": _flat(table["last"]).to_numpy(zero_copy_only=False).astype(np.int64)}
