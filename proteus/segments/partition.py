"""Modularity communities of the similarity graph by three engines, each seeded.

    reference   python-louvain (Louvain), the readable baseline
    fast        igraph Leiden with the modularity objective, client-side
    gds         Graph Data Science Leiden inside Neo4j on the same edge list (concurrency 1)

Every engine returns one label per node (node = row of the similarity graph); labels are
canonical: communities numbered by size, largest first, ties by their smallest node.
"""

from __future__ import annotations

import random
from typing import Literal

import igraph as ig
import networkx as nx
import numpy as np
from community import community_louvain

from proteus.graph import Runner
from proteus.segments.similarity import SimilarityGraph

Engine = Literal["reference", "fast", "gds"]
ENGINES: tuple[Engine, ...] = ("reference", "fast", "gds")


def canonical(labels: np.ndarray) -> np.ndarray:
    """Relabel: 0 = largest community, ties by smallest member."""
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0:
        return labels
    _, inverse = np.unique(labels, return_inverse=True)
    sizes = np.bincount(inverse)
    smallest = np.full(len(sizes), len(labels), dtype=np.int64)
    np.minimum.at(smallest, inverse, np.arange(len(labels)))
    order = np.lexsort((smallest, -sizes))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[inverse]


def modularity(sim: SimilarityGraph, labels: np.ndarray, resolution: float = 1.0) -> float:
    if sim.edges == 0:
        return 0.0
    return float(sim.igraph.modularity(labels.tolist(), weights="weight",
                                       resolution=resolution))


def aggregate(sim: SimilarityGraph, labels: np.ndarray) -> SimilarityGraph:
    """The graph of the communities `labels` (numbered from 0): one node per community, the
    weights of the edges between two communities summed, and each community's internal
    weight as a self-loop, so every node keeps its members' strength. The modularity of a
    partition of these nodes, at any resolution, is that of the persons partitioned with
    their communities; it is how multilevel Leiden and Louvain go up a level."""
    n = int(labels.max(initial=-1)) + 1
    a, b = labels[sim.source], labels[sim.target]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys, inverse = np.unique(lo * max(n, 1) + hi, return_inverse=True)
    return SimilarityGraph([str(c) for c in range(n)], keys // max(n, 1), keys % max(n, 1),
                           np.bincount(inverse, weights=sim.weight, minlength=len(keys)))


def reference(sim: SimilarityGraph, resolution: float, seed: int) -> np.ndarray:
    g = nx.Graph()
    g.add_nodes_from(range(len(sim.persons)))
    g.add_weighted_edges_from(zip(sim.source.tolist(), sim.target.tolist(),
                                  sim.weight.tolist(), strict=True))
    found = community_louvain.best_partition(g, weight="weight", resolution=resolution,
                                             random_state=seed)
    return canonical(np.array([found[i] for i in range(len(sim.persons))]))


# A pass of Leiden that raises modularity by less than this ends the partition (networkx's
# Louvain stops a level at 1e-7): at a million persons the last passes before no node moves
# cost a minute and change the modularity in the sixth decimal.
TOLERANCE = 1e-6


def _leiden(sim: SimilarityGraph, resolution: float, seed: int, iterations: int,
            initial: np.ndarray | None) -> np.ndarray:
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = sim.igraph.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution,
            node_weights=sim.strength, n_iterations=iterations,
            initial_membership=None if initial is None else initial.tolist())
    finally:
        ig.set_random_number_generator(random)
    return canonical(np.array(found.membership))


def fast(sim: SimilarityGraph, resolution: float, seed: int, iterations: int = -1,
         initial: np.ndarray | None = None) -> np.ndarray:
    """Leiden from each node alone or from `initial` labels: `iterations` passes, or (-1)
    passes until one moves no node or raises the modularity at this resolution by less than
    `TOLERANCE`."""
    if iterations >= 0 or sim.edges == 0:
        return _leiden(sim, resolution, seed, iterations, initial)
    labels = _leiden(sim, resolution, seed, 1, initial)
    quality = modularity(sim, labels, resolution)
    while True:
        again = _leiden(sim, resolution, seed, 1, labels)
        gain = modularity(sim, again, resolution) - quality
        if np.array_equal(again, labels) or gain < TOLERANCE:
            return again if gain > 0 else labels
        labels, quality = again, quality + gain


def gds(graph: Runner, sim: SimilarityGraph, resolution: float, seed: int,
        name: str) -> np.ndarray:
    """Leiden in GDS on the same edges, projected from a parameter list (no edges written)."""
    edges = [{"a": sim.persons[a], "b": sim.persons[b], "w": w}
             for a, b, w in zip(sim.source.tolist(), sim.target.tolist(), sim.weight.tolist(),
                                strict=True)]
    graph.write("segments/gds_drop", graph_name=name)
    try:
        graph.write("segments/gds_project", graph_name=name, edges=edges)
        rows = graph.write("segments/gds_leiden", graph_name=name, gamma=resolution, seed=seed)
    finally:
        graph.write("segments/gds_drop", graph_name=name)
    index = {p: i for i, p in enumerate(sim.persons)}
    labels = np.arange(len(sim.persons), dtype=np.int64) + 1_000_000_000
    for row in rows:
        labels[index[row["person"]]] = int(row["community"])
    return canonical(labels)


def partition(engine: Engine, sim: SimilarityGraph, resolution: float, seed: int,
              graph: Runner | None = None, name: str = "proteus-segments",
              initial: np.ndarray | None = None) -> np.ndarray:
    """Labels by `engine`; the fast engine continues from `initial` labels when given (the
    sweep's passes at this resolution), the others start afresh."""
    if engine == "reference":
        return reference(sim, resolution, seed)
    if engine == "fast":
        return fast(sim, resolution, seed, initial=initial)
    if graph is None:
        raise ValueError("the gds engine needs a graph")
    return gds(graph, sim, resolution, seed, name)
