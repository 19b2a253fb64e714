"""The person-person similarity graph: TF-IDF co-viewing vectors, cosine, k nearest neighbours.

Persons are rows in id order, so the same viewing gives the same edges. Each person keeps
its k most similar others (cosine > 0); an edge kept by either end is kept once, weighted
by the cosine.

Two ways to find the neighbours:

    exact        every pair through a sparse top-k product (sparse_dot_topn, both cores);
                 its cost grows with the square of the persons (about 15 s for 40,000
                 persons, 40 min for 390,000 on two cores)
    approximate  nearest-neighbour descent on the sparse vectors (pynndescent), seeded;
                 about n log n
    auto         exact up to EXACT_UP_TO persons, approximate above (the default)

`recall` measures a graph against the exact neighbours of a seeded sample of persons.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import igraph as ig
import numpy as np
from scipy.sparse import csr_matrix, diags

from proteus.interests.scoring import Views

Method = Literal["auto", "exact", "approximate"]
METHODS: tuple[Method, ...] = ("auto", "exact", "approximate")
EXACT_UP_TO = 100_000


@dataclass
class SimilarityGraph:
    persons: list[str]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    neighbours: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))

    @property
    def edges(self) -> int:
        return len(self.weight)

    @cached_property
    def igraph(self) -> ig.Graph:
        """The graph as igraph, built once (it costs seconds at a million edges)."""
        g = ig.Graph(n=len(self.persons))
        g.add_edges(np.column_stack([self.source, self.target]))
        g.es["weight"] = self.weight
        return g


def features(views: Views) -> tuple[list[str], csr_matrix]:
    """Rows = persons sorted by id, columns = contents sorted by id, L2-normalised TF-IDF of
    log-scaled decayed minutes."""
    p_order = np.argsort(np.array(views.persons, dtype=object), kind="stable")
    c_order = np.argsort(np.array(views.contents, dtype=object), kind="stable")
    p_rank = np.empty(len(p_order), dtype=np.int64)
    p_rank[p_order] = np.arange(len(p_order))
    c_rank = np.empty(len(c_order), dtype=np.int64)
    c_rank[c_order] = np.arange(len(c_order))
    n_p, n_c = len(views.persons), len(views.contents)
    tf = np.log1p(views.weight / 60.0)
    x = csr_matrix((tf, (p_rank[views.person], c_rank[views.content])), shape=(n_p, n_c))
    x.sum_duplicates()
    df = np.bincount(x.indices, minlength=n_c)
    idf = np.log((1 + n_p) / (1 + df)) + 1.0
    x = x @ diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = diags(1.0 / np.maximum(norms, 1e-12)) @ x
    persons = [views.persons[i] for i in p_order.tolist()]
    return persons, csr_matrix(x, dtype=np.float64)


def _threads() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def exact_neighbours(queries: csr_matrix, x: csr_matrix, k: int,
                     exclude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar rows of `x` to each query row (not the row `exclude[q]` itself):
    (indices, cosines), -1 / 0 where fewer have a positive cosine. Ties by lower index."""
    import sparse_dot_topn as sdt

    found = sdt.sp_matmul_topn(queries.astype(np.float64), x.T.tocsr().astype(np.float64),
                               top_n=k + 1, n_threads=_threads())
    found = csr_matrix(found)
    rows = np.repeat(np.arange(found.shape[0]), np.diff(found.indptr))
    keep = (found.indices != exclude[rows]) & (found.data > 0)
    rows, cols, vals = rows[keep], found.indices[keep].astype(np.int64), found.data[keep]
    order = np.lexsort((cols, -vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.searchsorted(rows, rows, side="left")
    rank = np.arange(len(rows)) - first
    take = rank < k
    out = np.full((found.shape[0], k), -1, dtype=np.int64)
    sims = np.zeros((found.shape[0], k))
    out[rows[take], rank[take]] = cols[take]
    sims[rows[take], rank[take]] = vals[take]
    return out, sims


def _approximate(x: csr_matrix, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from pynndescent import NNDescent

    n = x.shape[0]
    index = NNDescent(x.astype(np.float32), metric="cosine", n_neighbors=min(k + 1, n),
                      random_state=seed, n_jobs=_threads(), low_memory=True)
    ids, distances = index.neighbor_graph
    ids = np.asarray(ids, dtype=np.int64)
    sims = 1.0 - np.asarray(distances, dtype=np.float64)
    self_hit = ids == np.arange(n)[:, None]
    ids = np.where(self_hit | (sims <= 0), -1, ids)
    order = np.argsort(ids < 0, axis=1, kind="stable")  # found first, best first
    ids, sims = np.take_along_axis(ids, order, 1)[:, :k], np.take_along_axis(sims, order, 1)[:, :k]
    # cosines again in float64 from the vectors, so both methods weigh edges alike
    rows = np.repeat(np.arange(n), ids.shape[1])
    cols = ids.ravel()
    ok = cols >= 0
    exact = np.zeros(len(cols))
    exact[ok] = np.asarray(x[rows[ok]].multiply(x[cols[ok]]).sum(axis=1)).ravel()
    return ids, np.where(ids >= 0, exact.reshape(ids.shape), 0.0)


def chosen(method: Method, persons: int) -> Method:
    if method == "auto":
        return "exact" if persons <= EXACT_UP_TO else "approximate"
    return method


def knn(persons: list[str], x: csr_matrix, k: int, method: Method = "auto",
        seed: int = 42) -> SimilarityGraph:
    n = x.shape[0]
    kk = min(k, n - 1)
    if kk <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return SimilarityGraph(persons, empty, empty, np.zeros(0),
                               np.zeros((n, 0), dtype=np.int64))
    if chosen(method, n) == "exact" or n <= 4 * (kk + 1):
        ids, sims = exact_neighbours(x, x, kk, np.arange(n))
    else:
        ids, sims = _approximate(x, kk, seed)
    rows = np.repeat(np.arange(n), ids.shape[1])
    cols, w = ids.ravel(), sims.ravel()
    keep = (cols >= 0) & (w > 0)
    a, b, w = rows[keep], cols[keep], w[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * max(n, 1) + hi
    keys, first = np.unique(key, return_index=True)
    return SimilarityGraph(persons, keys // max(n, 1), keys % max(n, 1), w[first], ids)


def recall(x: csr_matrix, sim: SimilarityGraph, k: int, sample: int = 1000,
           seed: int = 42) -> float:
    """Share of the exact k nearest neighbours of a seeded sample of persons that the graph's
    neighbour lists hold (a neighbour tied with the exact k-th counts as found)."""
    n = x.shape[0]
    kk = min(k, n - 1)
    if kk <= 0 or sim.neighbours.size == 0:
        return 1.0
    chosen = np.sort(np.random.default_rng(seed).choice(n, size=min(sample, n), replace=False))
    truth, truth_sims = exact_neighbours(x[chosen], x, kk, chosen)
    found = sim.neighbours[chosen]
    hits = 0
    wanted = 0
    for q in range(len(chosen)):
        want = truth_sims[q][truth[q] >= 0]
        if not len(want):
            continue
        kth = want[-1]
        got = found[q][found[q] >= 0]
        cos = np.asarray(x[got] @ x[chosen[q]].T.toarray()).ravel() if len(got) else np.zeros(0)
        hits += min(int((cos >= kth - 1e-9).sum()), len(want))
        wanted += len(want)
    return round(hits / wanted, 4) if wanted else 1.0
