"""Viewing as columns: one row per (device, content) aggregate, as numpy arrays.

Both sources (the graph's `WATCHED` relationships and the fold's `views.parquet`) produce the
same canonical table: devices, contents and persons sorted by id, rows sorted by (device,
content), each row's days ascending. The same viewing therefore gives the same arrays, and
every stage that reads them gives the same results, whichever source it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from proteus.errors import InputError

EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()


@dataclass
class ViewTable:
    """`device`, `content`, `seconds`, `last` per row; the row's days are
    `day[day_start[r]:day_start[r + 1]]` (days since 1970-01-01) with `day_seconds`."""

    devices: list[str]
    contents: list[str]
    persons: list[str]
    device_person: np.ndarray  # per device: index into persons, -1 without a person
    device: np.ndarray         # int32 per row
    content: np.ndarray        # int32 per row
    seconds: np.ndarray        # int64 per row
    last: np.ndarray           # int64 per row, epoch seconds of the latest view
    day_start: np.ndarray      # int64, rows + 1 offsets into day / day_seconds
    day: np.ndarray            # int32 per (row, day), days since 1970-01-01
    day_seconds: np.ndarray    # int64 per (row, day)

    @property
    def rows(self) -> int:
        return len(self.device)

    @property
    def person(self) -> np.ndarray:
        """Per row: the person of its device, -1 without one."""
        return self.device_person[self.device]

    def day_row(self) -> np.ndarray:
        """Per (row, day): its row."""
        return np.repeat(np.arange(self.rows, dtype=np.int64), np.diff(self.day_start))


def _sorted(names: pa.Array) -> tuple[list[str], np.ndarray]:
    """Distinct names sorted, and each input's position among them."""
    encoded = pc.dictionary_encode(names)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    dictionary = encoded.dictionary
    order = pc.sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return pc.take(dictionary, pa.array(order)).to_pylist(), rank[indices]


def build(device_ids: pa.Array, content_ids: pa.Array, seconds: np.ndarray, last: np.ndarray,
          day_lengths: np.ndarray, day: np.ndarray, day_seconds: np.ndarray,
          owners: tuple[pa.Array, pa.Array]) -> ViewTable:
    """The canonical table from rows in any order: `device_ids`, `content_ids` one string per
    row; `day` and `day_seconds` flat with `day_lengths` per row; `owners` the (device,
    person) pairs of `BELONGS_TO`. A (device, content) pair given twice is refused: both
    sources hold one aggregate per pair."""
    devices, device = _sorted(device_ids)
    contents, content = _sorted(content_ids)
    lengths = np.asarray(day_lengths, dtype=np.int64)
    # one int64 key per row: sorting it orders rows as (device, content) in a fraction of
    # the time of a two-key lexsort, and unique keys (checked next) leave one order
    key = device.astype(np.int64) * max(len(contents), 1) + content
    order = np.argsort(key)
    key = key[order]
    device, content = device[order], content[order]
    if len(order) > 1:
        same = key[1:] == key[:-1]
        if same.any():
            raise InputError(f"viewing holds {int(same.sum()):,} (device, content) pairs "
                             "more than once; a source holds one aggregate per pair")
    starts = np.cumsum(lengths) - lengths
    lengths = lengths[order]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    gather = np.repeat(starts[order] - offsets[:-1], lengths) + np.arange(int(offsets[-1]))
    days = np.asarray(day, dtype=np.int32)[gather]
    values = np.asarray(day_seconds, dtype=np.int64)[gather]
    row = np.repeat(np.arange(len(order)), lengths)
    # both sources list a row's days in order already; sort (stably) only when one does not
    if not ((days[1:] >= days[:-1]) | (row[1:] != row[:-1])).all():
        by_day = np.lexsort((days, row))
        days, values = days[by_day], values[by_day]
    persons, device_person = _owners(pa.array(devices, pa.string()), owners)
    return ViewTable(
        devices=devices, contents=contents, persons=persons, device_person=device_person,
        device=device, content=content, seconds=np.asarray(seconds, dtype=np.int64)[order],
        last=np.asarray(last, dtype=np.int64)[order], day_start=offsets,
        day=days, day_seconds=values)


def _owners(devices: pa.Array, owners: tuple[pa.Array, pa.Array]) -> tuple[list[str],
                                                                            np.ndarray]:
    """Persons of the devices that watched (sorted), and each device's position among them
    (-1 without a person). A device in several persons goes with the smallest id."""
    owned, person_ids = owners
    if len(owned):
        order = pc.sort_indices(pa.table({"d": owned, "p": person_ids}),
                                sort_keys=[("d", "ascending"), ("p", "ascending")])
        owned, person_ids = pc.take(owned, order), pc.take(person_ids, order)
    where = pc.index_in(devices, value_set=owned).to_numpy(zero_copy_only=False)
    found = ~np.isnan(where.astype(np.float64))
    position = np.where(found, where, 0).astype(np.int64)
    chosen = pc.take(person_ids, pa.array(position[found])) if len(owned) else pa.array(
        [], pa.string())
    persons, rank = _sorted(chosen) if len(chosen) else ([], np.zeros(0, dtype=np.int32))
    device_person = np.full(len(devices), -1, dtype=np.int32)
    device_person[found] = rank
    return persons, device_person
