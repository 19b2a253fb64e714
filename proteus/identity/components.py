"""Connected components of devices over eligible links, by three interchangeable engines.

    reference   networkx, the readable baseline
    fast        scipy.sparse.csgraph on integer ids, client-side
    gds         Graph Data Science WCC inside Neo4j, on the same edge list
    spark       large-star / small-star on Spark DataFrames (`proteus.spark.components`),
                for link sets too large for one process

Input: device ids and (device, node) edges, a node being an identifier or one of its
time-window groups. Every engine returns the same canonical partition: groups of device ids,
each sorted, groups ordered by their smallest device. Devices without an eligible link are
singletons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, Protocol

import networkx as nx
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from proteus.graph import Row
from proteus.spark.session import SparkSetup

Engine = Literal["reference", "fast", "gds", "spark"]
Partition = list[list[str]]
Edge = tuple[str, str]


class GdsRunner(Protocol):
    def write(self, name: str, **params: object) -> list[Row]: ...


def canonical(groups: Iterable[Iterable[str]]) -> Partition:
    return sorted((sorted(group) for group in groups), key=lambda group: group[0])


def _indexed(devices: Sequence[str], edges: Iterable[Edge]) -> tuple[int, np.ndarray, np.ndarray]:
    """Devices are 0..n-1, other nodes follow; returns (node count, sources, targets)."""
    index = {device: i for i, device in enumerate(devices)}
    identifiers: dict[str, int] = {}
    sources: list[int] = []
    targets: list[int] = []
    for device, node in edges:
        source = index.get(device)
        if source is None:
            continue
        target = identifiers.setdefault(node, len(devices) + len(identifiers))
        sources.append(source)
        targets.append(target)
    return (len(devices) + len(identifiers), np.array(sources, dtype=np.int64),
            np.array(targets, dtype=np.int64))


def _groups(devices: Sequence[str], labels: np.ndarray) -> Partition:
    groups: dict[int, list[str]] = {}
    for device, label in zip(devices, labels[: len(devices)].tolist(), strict=True):
        groups.setdefault(label, []).append(device)
    return canonical(groups.values())


def reference(devices: Sequence[str], edges: Iterable[Edge]) -> Partition:
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(f"d:{device}" for device in devices)
    known = set(devices)
    graph.add_edges_from((f"d:{device}", f"i:{node}") for device, node in edges if device in known)
    return canonical(
        [node[2:] for node in component if node.startswith("d:")]
        for component in nx.connected_components(graph)
        if any(node.startswith("d:") for node in component)
    )


def fast(devices: Sequence[str], edges: Iterable[Edge]) -> Partition:
    return _groups(devices, labels(*_indexed(devices, edges)))


def gds_labels(graph: GdsRunner, name: str, size: int, sources: np.ndarray,
               targets: np.ndarray) -> np.ndarray:
    """WCC in Neo4j over integer edges, projected then dropped; a label per node."""
    found = np.arange(size, dtype=np.int64)
    if not len(sources):
        return found
    edges = np.stack([sources, targets], axis=1).tolist()
    graph.write("identity/gds_drop", graph_name=name)
    try:
        graph.write("identity/gds_project", graph_name=name, edges=edges)
        for row in graph.write("identity/gds_wcc", graph_name=name):
            found[int(row["node"])] = int(row["component"]) + size
    finally:
        graph.write("identity/gds_drop", graph_name=name)
    return found


def gds(graph: GdsRunner, name: str, devices: Sequence[str], edges: Iterable[Edge]) -> Partition:
    """WCC in Neo4j over the same edge list, projected from integer ids then dropped."""
    size, sources, targets = _indexed(devices, edges)
    return _groups(devices, gds_labels(graph, name, size, sources, targets))


def components(engine: Engine, devices: Sequence[str], edges: Iterable[Edge],
               graph: GdsRunner | None = None, name: str = "identity",
               spark: SparkSetup | None = None) -> Partition:
    if engine == "reference":
        return reference(devices, edges)
    if engine == "fast":
        return fast(devices, edges)
    if engine == "spark":
        size, sources, targets = _indexed(devices, edges)
        return _groups(devices, spark_components(size, sources, targets, spark))
    if graph is None:
        raise ValueError("the gds engine needs a graph")
    return gds(graph, name, devices, edges)


def spark_components(size: int, sources: np.ndarray, targets: np.ndarray,
                     spark: SparkSetup | None = None) -> np.ndarray:
    """`labels` on the Spark engine, in the process's session for `spark` (default: local)."""
    from proteus.spark.components import spark_labels
    from proteus.spark.session import start

    setup = spark or SparkSetup()
    return spark_labels(start(setup), size, sources, targets, setup.work.resolve())


def labels(size: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The component of each of `size` nodes over integer edges (scipy)."""
    matrix = coo_matrix((np.ones(len(sources), dtype=np.int8), (sources, targets)),
                        shape=(size, size))
    return connected_components(matrix, directed=False)[1].astype(np.int64)


def grouped(pairs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Every key named in `pairs`, numbered by its connected component (scipy), groups in
    the order of their smallest key; a pair (k, k) names a key on its own."""
    keys = sorted({key for pair in pairs for key in pair})
    index = {key: n for n, key in enumerate(keys)}
    sources = np.array([index[a] for a, _ in pairs], dtype=np.int64)
    targets = np.array([index[b] for _, b in pairs], dtype=np.int64)
    found = canonical_labels(labels(len(keys), sources, targets))
    return dict(zip(keys, found.tolist(), strict=True))


def canonical_labels(found: np.ndarray) -> np.ndarray:
    """Labels renumbered 0, 1, ... in the order of each group's first member, so that equal
    partitions of the same (sorted) devices have equal labels."""
    if not len(found):
        return found.astype(np.int64)
    _, first, inverse = np.unique(found, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.reshape(-1)]


def partition_of(devices: Sequence[str], found: np.ndarray) -> Partition:
    """Canonical groups of device ids from per-device labels (devices sorted)."""
    order = np.argsort(found, kind="stable")
    bounds = np.flatnonzero(np.diff(found[order])) + 1
    groups = [[devices[i] for i in part.tolist()] for part in np.split(order, bounds)]
    return canonical(g for g in groups if g)
