"""The person-person similarity graph: TF-IDF co-viewing vectors, cosine, k nearest neighbours.

Persons are rows in id order, so the same viewing gives the same edges. Each person keeps
its k most similar others (cosine > 0); an edge kept by either end is kept once, weighted
by the cosine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, diags

from proteus.interests.scoring import Views

CHUNK = 512


@dataclass
class SimilarityGraph:
    persons: list[str]
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray

    @property
    def edges(self) -> int:
        return len(self.weight)


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


def knn(persons: list[str], x: csr_matrix, k: int) -> SimilarityGraph:
    n = x.shape[0]
    xt = x.T.tocsr()
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    wts: list[np.ndarray] = []
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        sims = (x[start:stop] @ xt).toarray()
        sims[np.arange(stop - start), np.arange(start, stop)] = 0.0
        kk = min(k, n - 1)
        if kk <= 0:
            break
        cols = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        vals = np.take_along_axis(sims, cols, axis=1)
        rows = np.repeat(np.arange(start, stop), kk)
        keep = vals.ravel() > 0
        src.append(rows[keep])
        dst.append(cols.ravel()[keep])
        wts.append(vals.ravel()[keep])
    a = np.concatenate(src) if src else np.zeros(0, dtype=np.int64)
    b = np.concatenate(dst) if dst else np.zeros(0, dtype=np.int64)
    w = np.concatenate(wts) if wts else np.zeros(0)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * max(n, 1) + hi
    keys, first = np.unique(key, return_index=True)
    return SimilarityGraph(persons, keys // max(n, 1), keys % max(n, 1), w[first])
