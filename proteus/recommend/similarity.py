"""Item-item neighbours from co-viewing, and popularity, over viewer histories.

A viewer is a person (or a device without one); the viewer-content matrix is binary. The
similarity of two contents is the cosine of their viewer sets damped by how many viewers
they share:

    sim(a, b) = co(a, b) / sqrt(n(a) * n(b)) * co(a, b) / (co(a, b) + shrink)

so a pair seen together by two viewers does not outrank one seen together by fifty. Each
content keeps its `top_k` best neighbours with at least `min_co_viewers` shared viewers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Neighbour:
    target: str
    score: float
    rank: int
    co_viewers: int


def _matrix(histories: Mapping[str, Iterable[str]]) -> tuple[list[str], sparse.csr_matrix]:
    items: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, contents in enumerate(histories.values()):
        for content in set(contents):
            rows.append(row)
            cols.append(items.setdefault(content, len(items)))
    data = np.ones(len(rows), dtype=np.float64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(histories), len(items)))
    return list(items), matrix


def neighbours(histories: Mapping[str, Iterable[str]], top_k: int, shrink: float,
               min_co_viewers: int) -> dict[str, list[Neighbour]]:
    """Each content's best `top_k` neighbours, best first."""
    return neighbours_of(*_matrix(histories), top_k, shrink, min_co_viewers)


def neighbours_of(names: list[str], matrix: sparse.csr_matrix, top_k: int, shrink: float,
                  min_co_viewers: int) -> dict[str, list[Neighbour]]:
    """`neighbours` of a binary viewer x content matrix whose columns are `names`."""
    if not names:
        return {}
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    co = (matrix.T @ matrix).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    rows = np.repeat(np.arange(co.shape[0]), np.diff(co.indptr))
    targets, shared = co.indices.astype(np.int64), co.data
    keep = shared >= min_co_viewers
    rows, targets, shared = rows[keep], targets[keep], shared[keep]
    score = shared / np.sqrt(counts[rows] * counts[targets]) * shared / (shared + shrink)
    order = np.lexsort((targets, -score, rows))
    rows, targets, shared, score = rows[order], targets[order], shared[order], score[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    take = rank < top_k
    out: dict[str, list[Neighbour]] = {}
    for a, b, value, n, r in zip(rows[take].tolist(), targets[take].tolist(),
                                 np.round(score[take], 6).tolist(), shared[take].tolist(),
                                 (rank[take] + 1).tolist(), strict=True):
        out.setdefault(names[a], []).append(Neighbour(names[b], value, r, int(n)))
    return out


def popularity(histories: Mapping[str, Iterable[str]]) -> list[tuple[str, int]]:
    """(content, distinct viewers), most viewed first (ties by id)."""
    return popularity_of(*_matrix(histories))


def popularity_of(names: list[str], matrix: sparse.csr_matrix) -> list[tuple[str, int]]:
    """`popularity` of a binary viewer x content matrix whose columns are `names`."""
    viewers = np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.int64)
    seen = [(names[c], int(viewers[c])) for c in np.flatnonzero(viewers).tolist()]
    return sorted(seen, key=lambda item: (-item[1], item[0]))
