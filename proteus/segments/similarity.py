"""The person-person similarity graph: TF-IDF co-viewing vectors, their taste embedding,
cosine, k nearest neighbours.

Persons are rows in id order, so the same viewing gives the same edges. Each person keeps
its k most similar others (cosine > 0); an edge kept by either end is kept once, weighted
by the cosine.

Similarity is measured in the persons' taste embedding: the TF-IDF vectors projected on
their leading singular directions (a seeded truncated SVD, as latent semantic analysis does
for documents), then L2-normalised. A taste community is a direction many persons share;
which of the hundreds of persons in it tie at a cosine of 0.4 over 3,000 sparse columns is
decided by chance overlaps of single titles. The embedding keeps the first and drops the
second, and it makes the neighbour search a dense one that libraries do fast (faiss).

How many directions: more than the tastes a catalog has, which the data shows. The singular
values of the viewing matrix fall in two groups, the shared tastes above and the noise of
single titles below, and the largest ratio between consecutive values (the spectral gap)
marks where the first group ends (`tastes`, measured on a seeded sample of persons). With
exactly that many directions the members of one taste become indistinguishable and their
neighbour lists arbitrary, so the embedding keeps a third again as many (`HEADROOM`), and
at least `AT_LEAST_DIMENSIONS`: 24 tastes in 32 directions is the configuration measured
at a million devices (docs/scale.md). A segments param can fix the count instead. Catalogs
with no more contents than that are used as they are.

Two ways to find the neighbours in the embedding:

    exact        every pair (faiss flat inner product, both cores); its cost grows with
                 the square of the persons
    approximate  an inverted file (faiss IVF: k-means cells, each person compared with the
                 persons of its `PROBES` nearest cells), trained on a seeded sample:
                 deterministic
    auto         exact up to EXACT_UP_TO persons, approximate above (the default)

`recall` measures a graph against the exact neighbours of a seeded sample of persons.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import faiss
import igraph as ig
import numpy as np
from scipy.sparse import csr_matrix, diags
from sklearn.decomposition import TruncatedSVD

from proteus.views.per_person import Views

Method = Literal["auto", "exact", "approximate"]
METHODS: tuple[Method, ...] = ("auto", "exact", "approximate")
EXACT_UP_TO = 50_000
MOST_DIMENSIONS = 256
AT_LEAST_DIMENSIONS = 32
HEADROOM = 4 / 3
SPECTRUM_SAMPLE = 20_000
PROBES = 8
TRAIN_PER_CELL = 40


@dataclass
class SimilarityGraph:
    persons: list[str]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    neighbours: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    tastes: int = 0  # taste directions the spectral gap found (0: dimensions were fixed)
    gap: float = 0.0  # the ratio at that gap

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

    @cached_property
    def strength(self) -> list[float]:
        """Each node's strength, a self-loop counted at both ends: the node weights of the
        modularity's null model (igraph's Leiden leaves self-loops out of the strengths it
        takes by default, which only a graph with self-loops, an aggregate, notices)."""
        return list(self.igraph.strength(weights="weight", loops=True))


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


def tastes(x: csr_matrix, seed: int = 42) -> tuple[int, float]:
    """The taste directions of `x`: the count of leading singular values (of a seeded sample
    of rows) before the largest ratio between consecutive ones, and that ratio."""
    n, columns = x.shape
    rows = np.sort(np.random.default_rng(seed).choice(n, size=min(n, SPECTRUM_SAMPLE),
                                                      replace=False))
    most = min(MOST_DIMENSIONS, columns - 1, len(rows) - 1)
    if most < 3:
        return max(1, min(n, columns)), 0.0
    values = TruncatedSVD(most, algorithm="randomized", n_iter=4,
                          random_state=seed).fit(x[rows]).singular_values_
    ratios = values[:-1] / np.maximum(values[1:], 1e-12)
    at = int(np.argmax(ratios[1:])) + 1  # a single direction is no segmentation
    return at + 1, round(float(ratios[at]), 3)


def embed(x: csr_matrix, dimensions: int, seed: int = 42) -> np.ndarray:
    """The rows of `x` on its leading singular directions, L2-normalised, as float32."""
    n, columns = x.shape
    if columns <= dimensions or n <= dimensions:
        y = x.toarray()
    else:
        y = TruncatedSVD(dimensions, algorithm="randomized", n_iter=4,
                         random_state=seed).fit_transform(x)
    y = np.ascontiguousarray(y, dtype=np.float32)
    y /= np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)
    return y


def _searched(index: faiss.Index, queries: np.ndarray, k: int, exclude: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """The k best rows of `index` for each query, not the row `exclude[q]` itself, with a
    positive cosine, best first, ties by lower row: (rows, cosines), -1 / 0 where fewer."""
    sims, ids = index.search(queries, k + 1)
    ids = ids.astype(np.int64)
    sims = sims.astype(np.float64)
    gone = (ids < 0) | (ids == exclude[:, None]) | (sims <= 0)
    ids = np.where(gone, -1, ids)
    sims = np.where(gone, 0.0, sims)
    rows = np.repeat(np.arange(len(ids)), ids.shape[1])
    order = np.lexsort((np.where(gone, np.iinfo(np.int64).max, ids).ravel(), -sims.ravel(),
                        gone.ravel(), rows))
    ids = ids.ravel()[order].reshape(ids.shape)[:, :k]
    sims = sims.ravel()[order].reshape(sims.shape)[:, :k]
    return ids, sims


def exact_neighbours(queries: np.ndarray, y: np.ndarray, k: int,
                     exclude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar rows of the embedding `y` to each query row (not the row
    `exclude[q]` itself): (indices, cosines), -1 / 0 where fewer have a positive cosine."""
    index = faiss.IndexFlatIP(y.shape[1])
    index.add(y)
    return _searched(index, queries, k, exclude)


def _approximate(y: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    n, dimensions = y.shape
    cells = max(1, int(2 * np.sqrt(n)))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimensions), dimensions, cells,
                               faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = seed
    sample = np.random.default_rng(seed).choice(n, size=min(n, TRAIN_PER_CELL * cells),
                                                replace=False)
    index.train(y[np.sort(sample)])
    index.add(y)
    index.nprobe = min(PROBES, cells)
    return _searched(index, y, k, np.arange(n))


def chosen(method: Method, persons: int) -> Method:
    if method == "auto":
        return "exact" if persons <= EXACT_UP_TO else "approximate"
    return method


def knn(persons: list[str], x: csr_matrix, k: int, method: Method = "auto",
        seed: int = 42, fixed_dimensions: int | None = None) -> SimilarityGraph:
    """Each person's k nearest others in the taste embedding, whose dimensions are
    `fixed_dimensions` or else the spectral gap's (see the module)."""
    n = x.shape[0]
    kk = min(k, n - 1)
    if fixed_dimensions is None:
        found, gap = tastes(x, seed)
        dims = min(MOST_DIMENSIONS, max(AT_LEAST_DIMENSIONS, math.ceil(HEADROOM * found)))
    else:
        found, dims, gap = 0, fixed_dimensions, 0.0
    y = embed(x, dims, seed)
    if kk <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return SimilarityGraph(persons, empty, empty, np.zeros(0),
                               np.zeros((n, 0), dtype=np.int64), y, found, gap)
    faiss.omp_set_num_threads(_threads())
    if chosen(method, n) == "exact" or n <= 4 * (kk + 1):
        ids, sims = exact_neighbours(y, y, kk, np.arange(n))
    else:
        ids, sims = _approximate(y, kk, seed)
    rows = np.repeat(np.arange(n), ids.shape[1])
    cols, w = ids.ravel(), sims.ravel()
    keep = (cols >= 0) & (w > 0)
    a, b, w = rows[keep], cols[keep], w[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * max(n, 1) + hi
    keys, first = np.unique(key, return_index=True)
    return SimilarityGraph(persons, keys // max(n, 1), keys % max(n, 1), w[first], ids, y,
                           found, gap)


def recall(sim: SimilarityGraph, k: int, sample: int = 1000, seed: int = 42) -> float:
    """Share of the exact k nearest neighbours (in the embedding) of a seeded sample of
    persons that the graph's neighbour lists hold (a neighbour tied with the exact k-th
    counts as found)."""
    y = sim.vectors
    n = len(y)
    kk = min(k, n - 1)
    if kk <= 0 or sim.neighbours.size == 0:
        return 1.0
    chosen = np.sort(np.random.default_rng(seed).choice(n, size=min(sample, n), replace=False))
    truth, truth_sims = exact_neighbours(y[chosen], y, kk, chosen)
    found = sim.neighbours[chosen]
    hits = 0
    wanted = 0
    for q in range(len(chosen)):
        want = truth_sims[q][truth[q] >= 0]
        if not len(want):
            continue
        got = found[q][found[q] >= 0]
        cos = y[got] @ y[chosen[q]] if len(got) else np.zeros(0)
        hits += min(int((cos >= want[-1] - 1e-6).sum()), len(want))
        wanted += len(want)
    return round(hits / wanted, 4) if wanted else 1.0
