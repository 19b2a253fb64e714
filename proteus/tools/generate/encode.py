"""Fast column-wise writers for generated event files, with malformed rows spliced in."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np

from proteus.events.write import columns_for, csv_quote, encode_csv, encode_json, open_output
from proteus.tools.generate.columns import Column, Malformed
from proteus.tools.generate.parquet import write_parquet

SECONDS_PER_DAY = 86400


@lru_cache(maxsize=4)
def ts_strings(day: date) -> list[str]:
    """ISO 8601 text for every second of a day."""
    stamp = day.isoformat()
    return [
        f"{stamp}T{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60) for s in range(60)
    ]


def _text_fragment(value: Any, kind: str, safe: bool, fmt: str, lead: str, name: str) -> str:
    if fmt == "csv":
        if value is None:
            return lead
        if kind == "bool":
            return lead + ("true" if value else "false")
        text = str(value)
        return lead + (text if safe else csv_quote(text))
    if value is None:
        return ""
    if kind in ("int",):
        return f'{lead}"{name}":{value}'
    if kind == "bool":
        return f'{lead}"{name}":{"true" if value else "false"}'
    if safe:
        return f'{lead}"{name}":"{value}"'
    return f'{lead}"{name}":{json.dumps(value, ensure_ascii=False)}'


def fragments(
    values: Sequence[Any], kind: str, safe: bool, fmt: str, lead: str, name: str
) -> list[str]:
    """Encoded text of each value as it appears in a row (with its separator and key)."""
    if kind == "str" and safe:
        if fmt == "csv":
            return [lead if v is None else f"{lead}{v}" for v in values]
        pre = f'{lead}"{name}":"'
        return ["" if v is None else f'{pre}{v}"' for v in values]
    return [_text_fragment(v, kind, safe, fmt, lead, name) for v in values]


@lru_cache(maxsize=8)
def _ts_table(day: date, fmt: str, lead: str, name: str) -> np.ndarray:
    return np.array(fragments(ts_strings(day), "str", True, fmt, lead, name), dtype=object)


class FragmentCache:
    """Keeps encoded tables that are reused across files (same table object)."""

    def __init__(self) -> None:
        self.entries: dict[tuple[int, str, str, str], tuple[object, np.ndarray]] = {}

    def get(
        self, table: object, key: tuple[str, str, str], build: Callable[[], np.ndarray]
    ) -> np.ndarray:
        full = (id(table), *key)
        hit = self.entries.get(full)
        if hit is not None and hit[0] is table:
            return hit[1]
        value = build()
        self.entries[full] = (table, value)
        return value


def _builder(table: np.ndarray, col: Column, fmt: str, lead: str) -> Callable[[], np.ndarray]:
    def build() -> np.ndarray:
        frags = fragments(table.tolist(), col.kind, col.safe, fmt, lead, col.name)
        return np.array(frags, dtype=object)

    return build


class TextEncoder:
    """Turns columns into JSON Lines or CSV text, chunk by chunk."""

    def __init__(
        self,
        fmt: str,
        day: date,
        columns: list[Column],
        n_extra: int,
        cache: FragmentCache | None = None,
    ) -> None:
        self.fmt = fmt
        self.tables: list[np.ndarray | None] = []
        self.columns = columns
        cache = cache or FragmentCache()
        for i, col in enumerate(columns):
            lead = ("{" if fmt == "jsonl" else "") if i == 0 else ","
            if col.kind == "seq":
                self.tables.append(None)
                continue
            if col.kind == "ts":
                self.tables.append(_ts_table(day, fmt, lead, col.name))
                continue
            if col.kind == "int":
                values: Sequence[Any] = range(int(col.codes.max(initial=0)) + 1)
            elif col.kind == "bool":
                values = [False, True]
            else:
                assert col.table is not None
                table = col.table
                build = _builder(table, col, fmt, lead)
                key = (col.name, fmt, lead)
                self.tables.append(cache.get(table, key, build) if col.reuse else build())
                continue
            frags = fragments(values, col.kind, col.safe, fmt, lead, col.name)
            self.tables.append(np.array(frags, dtype=object))
        self.tail = ("}" if fmt == "jsonl" else "," * n_extra) + "\n"

    def lines(self, start: int, stop: int) -> np.ndarray:
        """Fragments of rows start..stop as a (rows, columns + 1) object array; a row's
        text is the concatenation of its cells."""
        cells = np.empty((stop - start, len(self.columns) + 1), dtype=object)
        for i, (col, table) in enumerate(zip(self.columns, self.tables, strict=True)):
            if table is None:
                lead = ("{" if self.fmt == "jsonl" else "") if i == 0 else ","
                if self.fmt == "jsonl":
                    pre, end = f'{lead}"{col.name}":"{col.prefix}', '"'
                else:
                    pre, end = lead + col.prefix, ""
                cells[:, i] = [f"{pre}{n:09d}{end}" for n in col.codes[start:stop].tolist()]
            else:
                cells[:, i] = table[col.codes[start:stop]]
        cells[:, -1] = self.tail
        return cells


class BackgroundWriter:
    """Writes byte chunks from a thread, so compression overlaps with encoding."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            data = self.queue.get()
            if data is None:
                return
            if self.error is None:
                try:
                    self.out.write(data)
                except BaseException as exc:  # re-raised in the caller's thread
                    self.error = exc

    def write(self, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(data)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def raw_row(columns: list[Column], pos: int, day: date) -> dict[str, Any]:
    """The row at a position as plain values (used to build malformed rows)."""
    row: dict[str, Any] = {}
    for col in columns:
        code = int(col.codes[pos])
        if col.kind == "seq":
            row[col.name] = f"{col.prefix}{code:09d}"
        elif col.kind == "ts":
            h, rem = divmod(code, 3600)
            row[col.name] = f"{day.isoformat()}T{h:02d}:{rem // 60:02d}:{rem % 60:02d}Z"
        elif col.kind == "int":
            row[col.name] = code
        elif col.kind == "bool":
            row[col.name] = bool(code)
        else:
            assert col.table is not None
            row[col.name] = col.table[code]
    return row


def write_event_file(
    path: Path,
    kind: str,
    fmt: str,
    day: date,
    columns: list[Column],
    malformed: Malformed,
    chunk: int,
    gzip_level: int,
    cache: FragmentCache | None = None,
) -> int:
    """Write one event file; return the row count. Malformed rows replace generated rows."""
    n_rows = len(columns[0].codes)
    positions = np.sort(malformed.positions)
    if fmt == "parquet":
        write_parquet(path, kind, day, columns, malformed, positions, chunk)
        return n_rows
    names = columns_for(kind, malformed.extra_columns)
    encoder = TextEncoder(fmt, day, columns, len(names) - len(columns), cache)
    with open_output(path, gzip_level) as out:
        writer = BackgroundWriter(out)
        try:
            if fmt == "csv":
                writer.write((",".join(names) + "\n").encode())
            for start in range(0, n_rows, chunk):
                stop = min(start + chunk, n_rows)
                cells = encoder.lines(start, stop)
                lo, hi = np.searchsorted(positions, [start, stop])
                for pos in positions[lo:hi].tolist():
                    bad = malformed.corrupt(pos, raw_row(columns, pos, day))
                    if isinstance(bad, str):
                        text = bad
                    elif fmt == "jsonl":
                        text = encode_json(kind, bad)
                    else:
                        text = encode_csv(names, bad)
                    cells[pos - start, :] = ""
                    cells[pos - start, 0] = text + "\n"
                writer.write("".join(cells.ravel().tolist()).encode("utf-8"))
                del cells
        finally:
            writer.close()
    return n_rows
