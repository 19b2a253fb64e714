"""Fold a chunk of traffic into aggregate rows, column-wise.

A chunk can hold millions of events (a week of a network's traffic folds into one chunk),
so the values are kept as Arrow columns, filled block by block, and folded with Arrow's
hash aggregation. The rows are the ones `aggregate.network_rows` / `viewing_rows` give for
the same events (the plain-Python reference; a unit test holds the two together), in a
fixed order: the same events give the same rows, so a resumed chunk cuts the same parts.
Raw identifiers are pseudonymised here, once per distinct value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from proteus.events.quick import NETWORK, VIEWING, day_iso
from proteus.ingest.aggregate import IDENTIFIER_FIELDS, Pseudonymiser, Rows, ip_class

BLOCK = 65_536


class _Columns:
    """Values appended row by row (the quick tuples; the event id is left out, it only
    served the duplicate check), kept as Arrow record batches of `BLOCK` rows."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.block: list[tuple[Any, ...]] = []
        self.batches: list[pa.RecordBatch] = []
        self.count = 0

    def add(self, values: tuple[Any, ...]) -> None:
        self.block.append(values)
        self.count += 1
        if len(self.block) == BLOCK:
            self._seal()

    def _seal(self) -> None:
        if self.block:
            columns = list(zip(*self.block, strict=True))[1:]
            self.batches.append(pa.record_batch(
                [pa.array(c) for c in columns], names=list(self.names[1:])))
            self.block = []

    def table(self) -> pa.Table:
        self._seal()
        table = pa.Table.from_batches(self.batches)
        self.batches = []
        return table

    def __len__(self) -> int:
        return self.count


_ISO: dict[int, str] = {}


def _iso(day: int) -> str:
    name = _ISO.get(day)
    if name is None:
        name = _ISO[day] = day_iso(day)
    return name


def _days(days: list[int], values: list[int]) -> tuple[list[str], list[int]]:
    """Day names and values in day order (the order of the chunk's rows, unless its files
    were out of time order)."""
    if len(days) == 1:
        return [_iso(days[0])], values
    if days != sorted(days):
        days, values = map(list, zip(*sorted(zip(days, values, strict=True)), strict=True))
    return [_iso(d) for d in days], values


def _pairs(table: pa.Table, other: str, value: str | None = None) -> Iterator[tuple[Any, ...]]:
    """Per (device, `other`) pair of the table: (device, other, first, last, count, day
    names, per-day figures, total), where the figures are event counts, or the sums of
    `value` with its total, in day order."""
    daily = [("ts", "min"), ("ts", "max"), ("ts", "count")]
    if value is not None:
        daily.append((value, "sum"))
    figure = "ts_count" if value is None else f"{value}_sum"
    per_day = table.group_by(["device_id", other, "day"], use_threads=False).aggregate(daily)
    pairs = per_day.group_by(["device_id", other], use_threads=False).aggregate(
        [("ts_min", "min"), ("ts_max", "max"), ("ts_count", "sum"), ("day", "list"),
         (figure, "list"), *([(figure, "sum")] if value is not None else [])]).to_pydict()
    totals = pairs.get(f"{figure}_sum") or [None] * len(pairs["device_id"])
    for device, key, first, last, count, days, figures, total in zip(
            pairs["device_id"], pairs[other], pairs["ts_min_min"], pairs["ts_max_max"],
            pairs["ts_count_sum"], pairs["day_list"], pairs[f"{figure}_list"], totals,
            strict=True):
        names, ordered = _days(days, figures)
        yield device, key, first, last, count, names, ordered, total


class NetworkFold(_Columns):
    def __init__(self) -> None:
        super().__init__(NETWORK)

    def rows(self, pseudonym: Pseudonymiser) -> Rows:
        table = self.table()
        if not table.num_rows:
            return {}
        devices = table.group_by("device_id", use_threads=False).aggregate(
            [("ts", "min"), ("ts", "max"), ("device_type", "first")]).to_pydict()
        identifiers, sightings = [], []
        for kind in IDENTIFIER_FIELDS:
            seen = table.filter(pa.compute.is_valid(table[kind]))
            if not seen.num_rows:
                continue
            found = seen.group_by(kind, use_threads=False).aggregate(
                [("ts", "min"), ("ts", "max"), ("network", "first")]).to_pydict()
            names = {raw: pseudonym(kind, raw) for raw in found[kind]}
            for raw, first, last, network in zip(found[kind], found["ts_min"], found["ts_max"],
                                                 found["network_first"], strict=True):
                ip = kind == "ip"
                identifiers.append({"kind": kind, "value": names[raw], "first": first,
                                    "last": last, "network": network if ip else None,
                                    "ip_class": ip_class(raw) if ip else None})
            for device, raw, first, last, count, days, counts, _ in _pairs(seen, kind):
                sightings.append({"device": device, "kind": kind, "value": names[raw],
                                  "first": first, "last": last, "count": count,
                                  "days": days, "day_counts": counts})
        ids = devices["device_id"]
        return {
            "ingest/merge_devices": [
                {"id": k, "first": first, "last": last, "type": kind, "viewed": None}
                for k, first, last, kind in zip(ids, devices["ts_min"], devices["ts_max"],
                                                devices["device_type_first"], strict=True)],
            "ingest/merge_identifiers": identifiers,
            "ingest/merge_sightings": sightings,
            "ingest/device_consent": [{"device": k} for k in ids],
            "identity/person_summary": [{"device": k} for k in ids],
        }


class ViewingFold(_Columns):
    def __init__(self) -> None:
        super().__init__(VIEWING)

    def rows(self, pseudonym: Pseudonymiser) -> Rows:
        table = self.table()
        if not table.num_rows:
            return {}
        devices = table.group_by("device_id", use_threads=False).aggregate(
            [("ts", "min"), ("ts", "max"), ("day", "max")]).to_pydict()
        views = [{"device": device, "content": content, "first": first, "last": last,
                  "count": count, "seconds": seconds, "days": days, "day_seconds": per_day}
                 for device, content, first, last, count, days, per_day, seconds
                 in _pairs(table, "content_id", "seconds")]
        ids = devices["device_id"]
        return {
            "ingest/merge_devices": [
                {"id": k, "first": first, "last": last, "type": None, "viewed": _iso(day)}
                for k, first, last, day in zip(ids, devices["ts_min"], devices["ts_max"],
                                               devices["day_max"], strict=True)],
            "ingest/merge_contents": [{"id": c} for c in dict.fromkeys(v["content"]
                                                                       for v in views)],
            "ingest/merge_views": views,
            "identity/person_summary": [{"device": k} for k in ids],
        }
