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
    co = (matrix.T @ matrix).toarray()  # contents x contents: a catalog is thousands
    np.fill_diagonal(co, 0)
    co[co < min_co_viewers] = 0
    score = co / np.sqrt(np.maximum(np.outer(counts, counts), 1)) * co / (co + shrink + 1e-300)
    kk = min(top_k, len(names) - 1)
    out: dict[str, list[Neighbour]] = {}
    if kk <= 0:
        return out
    best = np.argpartition(-score, kk - 1, axis=1)[:, :kk] if kk < len(names) - 1 else (
        np.tile(np.arange(len(names)), (len(names), 1)))
    rows = np.repeat(np.arange(len(names)), best.shape[1])
    targets = best.ravel()
    # the k-th place may be tied: take every target at least as good, then order and cut
    kth = score[rows, targets].reshape(best.shape).min(axis=1)
    rows, targets = np.nonzero((score >= kth[:, None]) & (co > 0))
    value = score[rows, targets]
    order = np.lexsort((targets, -value, rows))
    rows, targets, value = rows[order], targets[order], value[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    take = rank < top_k
    rows, targets = rows[take], targets[take]
    for a, b, v, n, r in zip(rows.tolist(), targets.tolist(), np.round(value[take], 6).tolist(),
                             co[rows, targets].tolist(), (rank[take] + 1).tolist(), strict=True):
        out.setdefault(names[a], []).append(Neighbour(names[b], v, r, int(n)))
    return out


def popularity(histories: Mapping[str, Iterable[str]]) -> list[tuple[str, int]]:
    """(content, distinct viewers), most viewed first (ties by id)."""
    return popularity_of(*_matrix(histories))


def popularity_of(names: list[str], matrix: sparse.csr_matrix) -> list[tuple[str, int]]:
    """`popularity` of a binary viewer x content matrix whose columns are `names`."""
    viewers = np.asarray((matrix > 0).sum(axis=0)).ravel().astype(np.int64)
    seen = [(names[c], int(viewers[c])) for c in np.flatnonzero(viewers).tolist()]
    return sorted(seen, key=lambda item: (-item[1], item[0]))
