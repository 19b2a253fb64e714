"""Interest scores from viewing, as pure functions over arrays (no Neo4j).

For a person p and an interest i:

    weight(p, i)  = sum over contents c tagged with i or a descendant of i (each c once),
                    over every day d that p watched c: seconds(d) * 0.5 ** (age(d) / half_life)
    score(p, i)   = weight(p, i) / total(p)         total = the same sum over all content
    lift(p, i)    = score(p, i) / (sum_p weight(p, i) / sum_p total(p))

`age(d)` is whole days between d and the reference day (the latest day in the data).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
from scipy.sparse import csr_matrix

from proteus.views.per_person import Views


def decay(days: Sequence[str], seconds: Sequence[int], reference: date,
          half_life: float) -> float:
    """Decayed seconds of one viewing aggregate."""
    return float(sum(s * 0.5 ** ((reference - date.fromisoformat(d)).days / half_life)
                     for d, s in zip(days, seconds, strict=True)))


class Decayer:
    """`decay` with the per-day factor cached (a dataset has few distinct days)."""

    def __init__(self, reference: date, half_life: float) -> None:
        self.reference, self.half_life = reference, half_life
        self.factor = cache(self._factor)

    def _factor(self, day: str) -> float:
        return float(0.5 ** ((self.reference - date.fromisoformat(day)).days / self.half_life))

    def __call__(self, days: Sequence[str], seconds: Sequence[int]) -> float:
        factor = self.factor
        return sum((s * factor(d) for d, s in zip(days, seconds, strict=True)), 0.0)


def ancestors(parents: dict[str, str | None]) -> dict[str, list[str]]:
    """Each interest with itself and every ancestor, nearest first."""
    out: dict[str, list[str]] = {}
    for node in parents:
        chain: list[str] = []
        seen: set[str] = set()
        cur: str | None = node
        while cur is not None and cur not in seen:
            chain.append(cur)
            seen.add(cur)
            cur = parents.get(cur)
        out[node] = chain
    return out


@dataclass
class Scores:
    """One row per (person, interest) with any evidence."""

    persons: list[str]
    interests: list[str]
    person: np.ndarray
    interest: np.ndarray
    weight: np.ndarray
    score: np.ndarray
    lift: np.ndarray
    evidence: np.ndarray
    last: np.ndarray
    total: np.ndarray  # per person


def score(views: Views, tags: Iterable[tuple[str, str]],
          parents: dict[str, str | None]) -> Scores:
    """Decayed weights rolled up the tiers, shares and lift against the population."""
    closure = ancestors(parents)
    interests = sorted(parents)
    i_index = {iid: k for k, iid in enumerate(interests)}
    c_index = {cid: k for k, cid in enumerate(views.contents)}
    pairs: set[tuple[int, int]] = set()
    for content, interest in tags:
        if content in c_index and interest in closure:
            pairs.update((c_index[content], i_index[a]) for a in closure[interest])
    n_c, n_i = len(views.contents), len(interests)
    rows = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    tagged = csr_matrix((np.ones(len(rows)), (rows[:, 0], rows[:, 1])), shape=(n_c, n_i))
    counts = np.diff(tagged.indptr)[views.content]
    starts = tagged.indptr[views.content]
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    interest = tagged.indices[np.repeat(starts, counts) + offsets].astype(np.int64)
    person = np.repeat(views.person, counts)
    key = person * max(n_i, 1) + interest
    keys, inverse = np.unique(key, return_inverse=True)
    weight = np.bincount(inverse, weights=np.repeat(views.weight, counts), minlength=len(keys))
    evidence = np.bincount(inverse, minlength=len(keys))
    last = np.zeros(len(keys), dtype=np.int64)
    np.maximum.at(last, inverse, np.repeat(views.last, counts))
    total = np.bincount(views.person, weights=views.weight, minlength=len(views.persons))
    k_person, k_interest = keys // max(n_i, 1), keys % max(n_i, 1)
    share = weight / np.maximum(total[k_person], 1e-12)
    population = np.bincount(k_interest, weights=weight, minlength=n_i) / max(total.sum(), 1e-12)
    lift = share / np.maximum(population[k_interest], 1e-12)
    return Scores(views.persons, interests, k_person, k_interest, weight, share, lift,
                  evidence, last, total)


def select(scores: Scores, top_k: int, min_evidence: int, excluded: set[str]) -> np.ndarray:
    """Row positions kept: enough evidence, not excluded, the top k by score per person
    (ties broken by interest id)."""
    allowed = np.array([iid not in excluded for iid in scores.interests], dtype=bool)
    keep = (scores.evidence >= min_evidence) & allowed[scores.interest]
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((scores.interest[idx], -scores.score[idx], scores.person[idx]))]
    person = scores.person[order]
    first = np.searchsorted(person, person, side="left")
    rank = np.arange(len(order)) - first
    return np.sort(order[rank < top_k])
