"""Comparing two partitions: NMI, ARI (scikit-learn's), and which segment continues which."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

Labels = Sequence[int] | np.ndarray


def nmi(a: Labels, b: Labels) -> float:
    """Normalised mutual information, arithmetic mean normalisation (1.0 = same partition)."""
    if len(a) == 0:
        return 1.0
    return float(normalized_mutual_info_score(np.asarray(a), np.asarray(b)))


def ari(a: Labels, b: Labels) -> float:
    """Adjusted Rand index (1.0 = same partition, about 0 = chance)."""
    if len(a) < 2:
        return 1.0
    return float(adjusted_rand_score(np.asarray(a), np.asarray(b)))


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
