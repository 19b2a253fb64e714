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
    names, matrix = _matrix(histories)
    if not names:
        return {}
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    co = (matrix.T @ matrix).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    out: dict[str, list[Neighbour]] = {}
    for a in range(co.shape[0]):
        start, end = co.indptr[a], co.indptr[a + 1]
        targets = co.indices[start:end]
        shared = co.data[start:end]
        keep = shared >= min_co_viewers
        targets, shared = targets[keep], shared[keep]
        if not len(targets):
            continue
        score = shared / np.sqrt(counts[a] * counts[targets]) * shared / (shared + shrink)
        order = np.lexsort((targets, -score))[:top_k]
        out[names[a]] = [Neighbour(names[int(targets[i])], round(float(score[i]), 6), rank,
                                   int(shared[i]))
                         for rank, i in enumerate(order, start=1)]
    return out


def popularity(histories: Mapping[str, Iterable[str]]) -> list[tuple[str, int]]:
    """(content, distinct viewers), most viewed first (ties by id)."""
    viewers: dict[str, int] = {}
    for contents in histories.values():
        for content in set(contents):
            viewers[content] = viewers.get(content, 0) + 1
    return sorted(viewers.items(), key=lambda item: (-item[1], item[0]))
