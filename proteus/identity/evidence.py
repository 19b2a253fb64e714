"""Evidence between two devices, weighed: the pairs that may be one person, as columns.

Candidate pairs are the devices that share an identifier allowed to link persons (after the
identifier rules of `eligibility.py`). For every candidate pair and every compared kind
(`evidence.weights` in the rules) the pair gets one level:

    shared              both devices saw one identifier of the kind on `support_days` days or
                        more (a time-windowed kind, the IP: the same home address on
                        `min_shared_days` of the same days)
    shared_once         they share one, but one device saw it on fewer days
    differ_established  they share none; each carries a supported one (seen on
                        `support_days` days) that is also seen with `established_devices`
                        devices or more
    differ              they share none; each carries a supported one (a time-windowed kind:
                        each was seen on a home address together with another device)
    none                anything else

A pair's score is `prior` plus the weight of each kind's level (bits, from the rules file);
it links persons when the score reaches `link_at`. Every step is a function of whole
columns; `reference.py` computes the same levels one pair at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from proteus.identity.rules import LEVELS, Rules

NONE, DIFFER, DIFFER_ESTABLISHED, SHARED_ONCE, SHARED = range(len(LEVELS))


@dataclass
class Comparisons:
    """Candidate pairs (device positions, a < b, sorted), their level per compared kind and
    their score (bits); `shared_pair`/`shared_ident` list every identifier a pair shares."""

    kinds: tuple[str, ...]
    a: np.ndarray
    b: np.ndarray
    level: np.ndarray
    score: np.ndarray
    shared_pair: np.ndarray
    shared_ident: np.ndarray

    def __len__(self) -> int:
        return len(self.a)

    @classmethod
    def empty(cls, kinds: tuple[str, ...]) -> Comparisons:
        none = np.zeros(0, np.int64)
        return cls(kinds, none, none, np.zeros((0, len(kinds)), np.int8), np.zeros(0), none,
                   none)

    def identifiers_of(self, pairs: np.ndarray, n_idents: int) -> np.ndarray:
        """Per identifier: shared by one of the given pairs (a mask over pairs)."""
        found = np.zeros(n_idents, dtype=bool)
        found[self.shared_ident[pairs[self.shared_pair]]] = True
        return found

    def counts(self, linked: np.ndarray | None = None) -> dict[str, dict[str, int]]:
        """Pairs per kind and level (of the linked pairs when given)."""
        level = self.level if linked is None else self.level[linked]
        out: dict[str, dict[str, int]] = {}
        for column, kind in enumerate(self.kinds):
            found = np.bincount(level[:, column], minlength=len(LEVELS))
            out[kind] = {LEVELS[n]: int(c) for n, c in enumerate(found.tolist()) if n and c}
        return out


def weights(rules: Rules, kinds: tuple[str, ...]) -> np.ndarray:
    """(kinds, levels) table of bits."""
    return np.array([[rules.weight(kind, level) for level in LEVELS] for kind in kinds]
                    or np.zeros((0, len(LEVELS))))


def probability(score: np.ndarray) -> np.ndarray:
    """A score in bits as the probability it stands for (2^score : 1 odds)."""
    return 1.0 / (1.0 + np.exp2(-np.clip(score, -60, 60)))


def pair_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Ordered (low, high) device pairs as one int64 each."""
    return np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)


@dataclass
class Sightings:
    """What the comparison reads, per held link: device, identifier, days in the window,
    whether it may link persons (`person`) and its compared-kind column (-1: not compared);
    per identifier its person-eligible device count. `window_a`/`window_b` are the devices
    that saw one time-windowed identifier (that may link households) on enough of the same
    days, `window_column` that identifier's compared-kind column."""

    device: np.ndarray
    ident: np.ndarray
    days: np.ndarray
    person: np.ndarray
    column: np.ndarray
    degree: np.ndarray
    window_a: np.ndarray
    window_b: np.ndarray
    window_column: np.ndarray


def group_pairs(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j, of every two rows of a sorted column that hold one value."""
    n = len(group)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], n]
    after = np.repeat(ends, ends - starts) - np.arange(n) - 1
    first = np.repeat(np.arange(n), after)
    offset = np.arange(int(after.sum())) - np.repeat(np.cumsum(after) - after, after)
    return first, first + 1 + offset


def _shared(seen: Sightings, n: int, support: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pair key, column, level, identifier) of every identifier two devices share."""
    links = np.flatnonzero(seen.person & (seen.column >= 0))
    links = links[seen.degree[seen.ident[links]] >= 2]
    order = links[np.argsort(seen.ident[links], kind="stable")]
    first, second = group_pairs(seen.ident[order])
    left, right = order[first], order[second]
    supported = (seen.days[left] >= support) & (seen.days[right] >= support)
    return (pair_keys(seen.device[left], seen.device[right], n), seen.column[left],
            np.where(supported, SHARED, SHARED_ONCE).astype(np.int8),
            seen.ident[left].astype(np.int64))


def compare(seen: Sightings, n: int, kinds: tuple[str, ...], rules: Rules) -> Comparisons:
    """Every candidate pair with its level per compared kind and its score."""
    columns = len(kinds)
    key, column, level, ident = _shared(seen, n, rules.evidence.support_days)
    keys = np.unique(key)
    if not len(keys):
        return Comparisons.empty(kinds)
    a, b = keys // n, keys % n
    row = np.searchsorted(keys, key)
    levels = np.zeros((len(keys), columns), np.int8)
    np.maximum.at(levels, (row, column), level)
    if len(seen.window_a):
        together = np.searchsorted(keys, pair_keys(seen.window_a, seen.window_b, n))
        found = together < len(keys)
        found[found] = keys[together[found]] == pair_keys(seen.window_a, seen.window_b,
                                                          n)[found]
        levels[together[found], seen.window_column[found]] = SHARED
    timed = {int(c) for c in np.unique(seen.window_column).tolist()}
    carried = _carries(seen, n, columns, rules.evidence.support_days,
                       rules.evidence.established_devices)
    for position in range(columns):
        if position in timed or rules.kinds[kinds[position]].min_shared_days:
            flags = np.zeros(n, np.int8)
            mine = seen.window_column == position
            flags[seen.window_a[mine]] = 1
            flags[seen.window_b[mine]] = 1
        else:
            flags = carried[:, position]
        both = np.minimum(flags[a], flags[b])
        empty = levels[:, position] == NONE
        levels[empty & (both == 1), position] = DIFFER
        levels[empty & (both == 2), position] = DIFFER_ESTABLISHED
    score = rules.evidence.prior + weights(rules, kinds)[np.arange(columns), levels].sum(axis=1)
    return Comparisons(kinds, a, b, levels, score, row, ident)


def _carries(seen: Sightings, n: int, columns: int, support: int, established: int
             ) -> np.ndarray:
    """Per device and compared kind: 2 when it carries a supported identifier of the kind
    that is established (seen with `established` devices or more), 1 when only supported
    ones, else 0."""
    flags = np.zeros((n, max(columns, 1)), np.int8)
    supported = np.flatnonzero(seen.person & (seen.column >= 0) & (seen.days >= support))
    device, column = seen.device[supported], seen.column[supported]
    flags[device, column] = 1
    wide = seen.degree[seen.ident[supported]] >= established
    flags[device[wide], column[wide]] = 2
    return flags
