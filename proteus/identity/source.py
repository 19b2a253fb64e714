"""Where identity's links come from, read as columns into a `LinkTable`.

    table = read_graph(graph)       # the graph's SEEN_WITH, by blocks of identifiers
    table = read_folder(path)       # the ingest fold's Parquet files (see FOLDER_FILES)

From the graph, one record answers a block of identifiers (a kind and a range of values)
with parallel lists, and one a block of devices; the counts are checked against the
graph's own afterwards, so a block that missed something fails the run instead of
dropping links. A runner that cannot stream (the unit tests' recording runner) answers the
row queries `identity/devices` and `identity/stream_links` instead.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from proteus.errors import InputError
from proteus.graph import Row, Runner
from proteus.identity.links import link_from_row
from proteus.identity.table import NO_DAY, LinkTable, ordinals, vocabulary

TOP = "\U0010ffff"
FOLDER_FILES = {
    "sightings.parquet": ("device", "kind", "value", "days"),
    "identifiers.parquet": ("kind", "value", "network", "ip_class"),
    "devices.parquet": ("id", "type", "last_viewed", "withdrawn"),
}


def value_bounds(prefixes: int = 2) -> list[tuple[str, str]]:
    """Ranges covering every string: below the first hex prefix, one per prefix of
    `prefixes` hex digits, and above the last (values are hex pseudonyms, ids mostly)."""
    cuts = [f"{n:0{prefixes}x}" for n in range(1, 16 ** prefixes)]
    edges = ["", *cuts, TOP]
    return list(itertools.pairwise(edges))


def _blocks(graph: Any, name: str, bounds: list[Any]) -> Iterator[Row]:
    yield from graph.stream(name, bounds=bounds)


def _strings(values: list[Any]) -> pa.Array:
    """A string column where '' (the queries' stand-in for absent) is null."""
    array = pa.array(values, type=pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def with_devices(table: LinkTable, ids: pa.Array, types: pa.Array, viewed: pa.Array,
                 withdrawn: pa.Array) -> LinkTable:
    """The device columns of the person summaries, aligned with the table's devices."""
    at = pc.index_in(table.devices, value_set=ids).to_numpy(zero_copy_only=False)
    table.device_type = types.take(pa.array(at))
    days = np.full(len(ids), NO_DAY, dtype=np.int32)
    present = pc.is_valid(viewed).to_numpy(zero_copy_only=False)
    days[present] = ordinals(viewed.filter(pa.array(present)))
    table.device_last_viewed = days[at]
    lists = withdrawn.cast(pa.list_(pa.string())) if len(withdrawn) else pa.array(
        [], pa.list_(pa.string()))
    codes, table.purposes = vocabulary(pc.list_flatten(lists))
    owner = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    bits = np.zeros(len(ids), dtype=np.int64)
    np.bitwise_or.at(bits, owner, np.left_shift(1, codes.astype(np.int64)))
    table.device_withdrawn = bits[at]
    return table


def _rows(graph: Runner) -> LinkTable:
    devices = [str(row["id"]) for row in graph.read("identity/devices")]
    links = [link_from_row(row) for row in graph.read("identity/stream_links")]
    return LinkTable.from_links(devices, links)


def read_graph(graph: Runner, progress: bool = False) -> LinkTable:
    if getattr(graph, "stream", None) is None:
        return _rows(graph)
    started = time.perf_counter()
    ids: list[pa.Array] = []
    types: list[pa.Array] = []
    viewed: list[pa.Array] = []
    withdrawn: list[Any] = []
    for row in _blocks(graph, "identity/device_columns", [list(b) for b in value_bounds()]):
        ids.append(pa.array(row["ids"], pa.string()))
        types.append(_strings(row["types"]))
        viewed.append(_strings(row["last_viewed"]))
        withdrawn.extend(row["withdrawn"])
    device_ids = pa.concat_arrays(ids) if ids else pa.array([], pa.string())
    order = pc.sort_indices(device_ids)
    kinds = sorted(str(row["kind"]) for row in graph.read("identity/identifier_kinds"))
    bounds = [[kind, low, high] for kind in kinds for low, high in value_bounds()]
    columns: dict[str, list[Any]] = {k: [] for k in (
        "kinds", "values", "networks", "ip_classes", "devices", "days")}
    idents: list[np.ndarray] = []
    day_counts: list[np.ndarray] = []
    seen = 0
    for row in _blocks(graph, "identity/link_columns", bounds):
        degrees = np.array(row["degrees"], dtype=np.int64)
        idents.append(np.repeat(np.arange(seen, seen + len(degrees)), degrees))
        seen += len(degrees)
        day_counts.append(np.array(row["day_counts"], dtype=np.int64))
        for key in ("kinds", "values", "devices", "days"):
            columns[key].append(pa.array(row[key], pa.string()))
        for key in ("networks", "ip_classes"):
            columns[key].append(_strings(row[key]))
        if progress and len(idents) % 256 == 0:
            print(f"  [{time.perf_counter() - started:6.1f}s] read "
                  f"{sum(len(i) for i in idents):,} links", file=sys.stderr)

    def joined(key: str) -> pa.Array:
        return pa.concat_arrays(columns[key]) if columns[key] else pa.array([], pa.string())

    table = LinkTable.build(
        devices=device_ids.take(order), kind=joined("kinds"), value=joined("values"),
        network=joined("networks"), ip_class=joined("ip_classes"),
        link_device=joined("devices"),
        link_ident=np.concatenate(idents) if idents else np.zeros(0, np.int64),
        day_counts=np.concatenate(day_counts) if day_counts else np.zeros(0, np.int64),
        days=joined("days"))
    (size,) = graph.read("identity/graph_size")
    if (size["devices"], size["links"]) != (table.n_devices, table.n_links):
        raise InputError(f"read {table.n_devices:,} devices and {table.n_links:,} links by "
                         f"blocks but the graph holds {size['devices']:,} and "
                         f"{size['links']:,}: some ids lie outside the blocks' ranges")
    return with_devices(table, device_ids, pa.concat_arrays(types) if types else
                        pa.array([], pa.string()),
                        pa.concat_arrays(viewed) if viewed else pa.array([], pa.string()),
                        pa.array(withdrawn, pa.list_(pa.string())))


def _parquet(folder: Path, name: str) -> pa.Table:
    path = folder / name
    if not path.is_file():
        raise InputError(f"{folder}: no {name} (expected {', '.join(FOLDER_FILES)})")
    try:
        table = pq.read_table(path, columns=list(FOLDER_FILES[name]))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: cannot read it as Parquet ({exc})") from None
    return table.combine_chunks()


def read_folder(folder: Path) -> LinkTable:
    """The links of an ingest fold's folder: sightings, identifiers and devices."""
    folder = Path(folder)
    sightings = _parquet(folder, "sightings.parquet")
    identifiers = _parquet(folder, "identifiers.parquet")
    devices = _parquet(folder, "devices.parquet")

    def column(table: pa.Table, name: str) -> pa.Array:
        found = table.column(name)
        return found.chunk(0) if found.num_chunks else pa.array([], found.type)

    def key(table: pa.Table) -> pa.Array:
        return pc.binary_join_element_wise(column(table, "kind").cast(pa.string()),
                                           column(table, "value").cast(pa.string()), ":")

    ident = pc.index_in(key(sightings), value_set=key(identifiers))
    if ident.null_count:
        raise InputError(f"{folder / 'sightings.parquet'}: {ident.null_count:,} sightings name "
                         "an identifier missing from identifiers.parquet")
    device_ids = column(devices, "id").cast(pa.string())
    if pc.count_distinct(device_ids).as_py() != len(device_ids):
        raise InputError(f"{folder / 'devices.parquet'}: device ids repeat")
    days = column(sightings, "days").cast(pa.list_(pa.string()))
    table = LinkTable.build(
        devices=device_ids.take(pc.sort_indices(device_ids)),
        kind=column(identifiers, "kind"), value=column(identifiers, "value").cast(pa.string()),
        network=column(identifiers, "network"), ip_class=column(identifiers, "ip_class"),
        link_device=column(sightings, "device").cast(pa.string()),
        link_ident=ident.to_numpy(zero_copy_only=False),
        day_counts=pc.list_value_length(days).fill_null(0).to_numpy(zero_copy_only=False),
        days=pc.list_flatten(days))
    unknown = int((table.link_device < 0).sum())
    if unknown:
        raise InputError(f"{folder / 'sightings.parquet'}: {unknown:,} sightings name a device "
                         "missing from devices.parquet")
    pairs = table.link_device.astype(np.int64) * max(table.n_idents, 1) + table.link_ident
    if len(np.unique(pairs)) != len(pairs):
        raise InputError(f"{folder / 'sightings.parquet'}: a (device, kind, value) repeats")
    return with_devices(table, device_ids, column(devices, "type").cast(pa.string()),
                        column(devices, "last_viewed").cast(pa.string()),
                        column(devices, "withdrawn"))
