"""Viewing from the graph: `WATCHED` in blocks of devices, each block one record of parallel
lists (see `cypher/views/watched.cypher`), two blocks in flight so the server reads the next
while this process decodes the last."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa

from proteus.graph import Runner

BLOCK = 20_000  # devices per read
IN_FLIGHT = 2


log = logging.getLogger(__name__)


def say(message: str) -> None:
    log.info(message)


def owners(graph: Runner) -> tuple[pa.Array, pa.Array]:
    """(device, person) of every `BELONGS_TO`."""
    rows = graph.read_plain("views/owners")
    row = rows[0] if rows else {"devices": [], "persons": []}
    return pa.array(row["devices"], pa.string()), pa.array(row["persons"], pa.string())


def in_blocks(graph: Runner, name: str, ids: list[str], param: str,
              progress: Callable[[str], None] | None = say
              ) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """(ids of the block, the query's one record) for every block of `ids`, in order; the
    query takes the block as `$<param>`."""
    cuts = [ids[s:s + BLOCK] for s in range(0, len(ids), BLOCK)]
    started, last = time.monotonic(), 0.0
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        pending = [pool.submit(graph.read_plain, name, **{param: cut})
                   for cut in cuts[:IN_FLIGHT]]
        for n, cut in enumerate(cuts):
            found = pending[n].result()
            if n + IN_FLIGHT < len(cuts):
                pending.append(pool.submit(graph.read_plain, name,
                                           **{param: cuts[n + IN_FLIGHT]}))
            yield cut, found[0]
            now = time.monotonic()
            if progress and (now - last >= 5 or n + 1 == len(cuts)):
                last = now
                progress(f"{name}: {min((n + 1) * BLOCK, len(ids)):,} of {len(ids):,} "
                         f"{param} in {now - started:.1f}s")


def blocks(graph: Runner, name: str, progress: Callable[[str], None] | None = say
           ) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """`in_blocks` over every device, in id order."""
    rows = graph.read_plain("views/devices")
    devices = sorted(rows[0]["devices"]) if rows else []
    yield from in_blocks(graph, name, devices, "devices", progress)


def _columns(graph: Runner, name: str, fields: tuple[str, ...],
             progress: Callable[[str], None] | None) -> dict[str, Any]:
    """The blocks' columns concatenated; device ids as one Arrow string array."""
    parts: dict[str, list[Any]] = {f: [] for f in ("device", "content", *fields)}
    for cut, row in blocks(graph, name, progress):
        ids = pa.array(cut, pa.string())
        parts["device"].append(ids.take(pa.array(row["device"], pa.int64())))
        parts["content"].append(pa.array(row["content"], pa.string()))
        for f in fields:
            parts[f].append(np.asarray(row[f], dtype=np.int64))
    out: dict[str, Any] = {
        "device": pa.concat_arrays(parts["device"]) if parts["device"] else pa.array(
            [], pa.string()),
        "content": pa.concat_arrays(parts["content"]) if parts["content"] else pa.array(
            [], pa.string())}
    for f in fields:
        out[f] = np.concatenate(parts[f]) if parts[f] else np.zeros(0, dtype=np.int64)
    return out


def watched(graph: Runner, progress: Callable[[str], None] | None = say) -> dict[str, Any]:
    """device, content, day_lengths, days (days since epoch), day_seconds for every WATCHED."""
    parts: dict[str, list[Any]] = {"device": [], "content": [], "day_lengths": [],
                                   "days": [], "day_seconds": []}
    for cut, row in blocks(graph, "views/watched", progress):
        ids = pa.array(cut, pa.string())
        parts["device"].append(ids.take(pa.array(row["device"], pa.int64())))
        parts["content"].append(pa.array(row["content"], pa.string()))
        parts["day_lengths"].append(np.asarray(row["day_lengths"], dtype=np.int64))
        parts["days"].append(pa.array(row["days"], pa.string()))
        parts["day_seconds"].append(np.asarray(row["day_seconds"], dtype=np.int64))
    if not parts["device"]:
        empty = pa.array([], pa.string())
        return {"device": empty, "content": empty, "day_lengths": np.zeros(0, np.int64),
                "days": np.zeros(0, np.int32), "day_seconds": np.zeros(0, np.int64)}
    return {"device": pa.concat_arrays(parts["device"]),
            "content": pa.concat_arrays(parts["content"]),
            "day_lengths": np.concatenate(parts["day_lengths"]),
            "days": day_numbers(pa.concat_arrays(parts["days"])),
            "day_seconds": np.concatenate(parts["day_seconds"])}


def last_watched(graph: Runner, progress: Callable[[str], None] | None = say
                 ) -> dict[str, Any]:
    """device, content, last (epoch seconds) for every WATCHED."""
    return _columns(graph, "views/watched_last", ("last",), progress)


def day_numbers(days: pa.Array) -> np.ndarray:
    """ISO dates -> days since 1970-01-01 (int32)."""
    return days.cast(pa.date32()).cast(pa.int32()).to_numpy(zero_copy_only=False)
