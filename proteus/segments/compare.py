"""Comparing two partitions: NMI, ARI, and which segment continues which."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Labels = Sequence[int] | np.ndarray


def _contingency(a: Labels, b: Labels) -> np.ndarray:
    _, ia = np.unique(np.asarray(a), return_inverse=True)
    _, ib = np.unique(np.asarray(b), return_inverse=True)
    table = np.zeros((ia.max(initial=-1) + 1, ib.max(initial=-1) + 1), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)
    return table


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def nmi(a: Labels, b: Labels) -> float:
    """Normalised mutual information, arithmetic mean normalisation (1.0 = same partition)."""
    if len(a) == 0:
        return 1.0
    table = _contingency(a, b)
    n = table.sum()
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    nz = table > 0
    outer = np.outer(rows, cols)[nz]
    mi = float((table[nz] / n * np.log(table[nz] * n / outer)).sum())
    h = (_entropy(rows) + _entropy(cols)) / 2
    return 1.0 if h == 0 else max(0.0, min(1.0, mi / h))


def ari(a: Labels, b: Labels) -> float:
    """Adjusted Rand index (1.0 = same partition, about 0 = chance)."""
    if len(a) < 2:
        return 1.0
    table = _contingency(a, b)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * cols / pairs(np.array([table.sum()]))
    top = (rows + cols) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def match(new: dict[str, set[str]], old: dict[str, set[str]],
          min_jaccard: float = 0.5) -> dict[str, str]:
    """new segment -> old segment it continues: mutual best overlap with Jaccard >= the floor."""
    def best(src: dict[str, set[str]], dst: dict[str, set[str]]) -> dict[str, tuple[str, float]]:
        out: dict[str, tuple[str, float]] = {}
        for key in sorted(src):
            members = src[key]
            scored = [(len(members & dst[k]) / len(members | dst[k]), k)
                      for k in sorted(dst) if members & dst[k]]
            if scored:
                j, k = max(scored, key=lambda x: (x[0], [-ord(ch) for ch in x[1]]))
                out[key] = (k, j)
        return out

    forward, backward = best(new, old), best(old, new)
    return {n: o for n, (o, j) in forward.items()
            if j >= min_jaccard and backward.get(o, ("", 0.0))[0] == n}
