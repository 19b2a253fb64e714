"""Viewing for the stages that read all of it (interests, segments, recommendations), as
columns: `load(graph, views)` returns a `ViewTable`, one row per (device, content) aggregate.

The source is the graph's `WATCHED` relationships (default), or, right after a bulk first
load, the ingest fold's output folder (`views.parquet`), which reads in seconds where the
graph takes minutes at operator scale. Either way the device -> person mapping comes from
the graph (`BELONGS_TO`, written by identity), and the table is canonical, so both sources
give identical results.

    table = views.load(graph, None)                 # from the graph
    table = views.load(graph, Path("fold-output"))  # from <dir>/views.parquet
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from proteus.graph import Runner
from proteus.views import read_graph, read_parquet
from proteus.views.table import ViewTable, build

__all__ = ["ViewTable", "load", "source_name"]


def source_name(views: Path | None) -> str:
    return "graph" if views is None else str(views / read_parquet.FILE)


def load(graph: Runner, views: Path | None, with_last: bool = False,
         progress: Callable[[str], None] | None = read_graph.say) -> ViewTable:
    """Every viewing aggregate with its device's person; `with_last` also reads when each
    was last watched (only the offline evaluation of recommendations needs it)."""
    if views is not None:
        read_parquet.path_of(views)
    owners = read_graph.owners(graph)
    found = read_graph.watched(graph, progress) if views is None else read_parquet.watched(views)
    lengths = found["day_lengths"]
    seconds_per_row = np.bincount(np.repeat(np.arange(len(lengths)), lengths),
                                  weights=found["day_seconds"],
                                  minlength=len(lengths)).astype(np.int64)
    table = build(found["device"], found["content"], seconds_per_row,
                  np.zeros(len(found["day_lengths"]), dtype=np.int64), found["day_lengths"],
                  found["days"], found["day_seconds"], owners)
    if with_last:
        got = (read_graph.last_watched(graph, progress) if views is None
               else read_parquet.last_watched(views))
        other = build(got["device"], got["content"], np.zeros(len(got["last"]), np.int64),
                      got["last"], np.zeros(len(got["last"]), np.int64),
                      np.zeros(0, np.int32), np.zeros(0, np.int64), owners)
        table.last = _aligned(table, other)
    return table


def _aligned(table: ViewTable, other: ViewTable) -> np.ndarray:
    """`other.last` in `table`'s row order (both canonical over the same pairs)."""
    if other.devices != table.devices or other.contents != table.contents or not (
            np.array_equal(other.device, table.device)
            and np.array_equal(other.content, table.content)):
        from proteus.errors import InputError

        raise InputError("viewing changed while it was read; read it again")
    return other.last
