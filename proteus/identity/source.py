"""Where identity's links come from, read as columns into a `LinkTable`.

    table = read_graph(graph)       # the graph's SEEN_WITH, by blocks of identifiers
    table = read_folder(path)       # the ingest fold's Parquet files (see FOLDER_FILES)

From the graph, one record answers a block of identifiers (a kind and a range of values)
with parallel lists, and one a block of devices; the counts are checked against the
graph's own afterwards, so a block that missed something fails the run instead of
dropping links.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from proteus.errors import InputError
from proteus.graph import Row, Runner
from proteus.identity.eligibility import distinct
from proteus.identity.table import LinkTable

T = TypeVar("T")
TOP = "\U0010ffff"
READERS = 2
FOLDER_FILES = {
    "sightings.parquet": ("device", "kind", "value", "days"),
    "identifiers.parquet": ("kind", "value", "network", "ip_class"),
    "devices.parquet": ("id",),
}


def value_bounds(prefixes: int = 2, start: str = "") -> list[tuple[str, str]]:
    """Ranges covering every string: below the first hex prefix, one per prefix of
    `prefixes` hex digits after `start`, and above the last (values are hex pseudonyms,
    device ids mostly; person ids are `p-` and hex)."""
    cuts = [f"{start}{n:0{prefixes}x}" for n in range(1, 16 ** prefixes)]
    edges = ["", *cuts, TOP]
    return list(itertools.pairwise(edges))


def _blocks(graph: Runner, name: str, bounds: list[Any], convert: Callable[[Row], T]) -> list[T]:
    """`convert` of each block's record, in the order of `bounds`, read through `READERS`
    sessions at once (the server reads one block while the client converts another)."""
    parts = [bounds[n::READERS] for n in range(READERS)]

    def read(part: list[Any]) -> list[T]:
        return [convert(row) for row in graph.stream_plain(name, bounds=part)] if part else []

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        done = list(pool.map(read, parts))
    return [done[n % READERS][n // READERS] for n in range(len(bounds))]


def _strings(values: list[Any]) -> pa.Array:
    """A string column where '' (the queries' stand-in for absent) is null."""
    array = pa.array(values, type=pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _device_block(row: Row) -> pa.Array:
    return pa.array(row["ids"], pa.string())


def _link_block(row: Row) -> dict[str, Any]:
    block: dict[str, Any] = {key: pa.array(row[key], pa.string())
                             for key in ("kinds", "values", "devices", "days")}
    block.update(networks=_strings(row["networks"]), ip_classes=_strings(row["ip_classes"]),
                 degrees=np.array(row["degrees"], dtype=np.int64),
                 day_counts=np.array(row["day_counts"], dtype=np.int64))
    return block


def _joined(arrays: list[pa.Array], kind: pa.DataType) -> pa.Array:
    return pa.concat_arrays(arrays) if arrays else pa.array([], kind)


def read_graph(graph: Runner) -> LinkTable:
    """Devices and links of the graph, by blocks (see the module docstring)."""
    found = _blocks(graph, "identity/device_columns", [list(b) for b in value_bounds()],
                    _device_block)
    device_ids = _joined(found, pa.string())
    kinds = sorted(str(row["kind"]) for row in graph.read("identity/identifier_kinds"))
    blocks = _blocks(graph, "identity/link_columns",
                     [[kind, low, high] for kind in kinds for low, high in value_bounds()],
                     _link_block)
    degrees = np.concatenate([b["degrees"] for b in blocks] or [np.zeros(0, np.int64)])

    def joined(key: str) -> pa.Array:
        return _joined([b[key] for b in blocks], pa.string())

    table = LinkTable.build(
        devices=device_ids.take(pc.sort_indices(device_ids)), kind=joined("kinds"),
        value=joined("values"), network=joined("networks"), ip_class=joined("ip_classes"),
        link_device=joined("devices"), link_ident=np.repeat(np.arange(len(degrees)), degrees),
        day_counts=np.concatenate([b["day_counts"] for b in blocks]
                                  or [np.zeros(0, np.int64)]),
        days=joined("days"))
    (size,) = graph.read("identity/graph_size")
    if (size["devices"], size["links"]) != (table.n_devices, table.n_links):
        raise InputError(f"read {table.n_devices:,} devices and {table.n_links:,} links by "
                         f"blocks but the graph holds {size['devices']:,} and "
                         f"{size['links']:,}: some ids lie outside the blocks' ranges")
    return table


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
    if len(distinct(pairs)) != len(pairs):
        raise InputError(f"{folder / 'sightings.parquet'}: a (device, kind, value) repeats")
    return table
