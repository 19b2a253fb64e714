"""Stable ids across runs, and the merge and split events between two partitions.

The rule, applied to persons and households alike:

1. A new group claims the previous id holding most of its devices (ties: smallest id).
2. An id claimed by several groups (a split) stays with the group holding most of its
   devices (ties: the group with the smallest device id); the others lose the claim.
3. A group without an id gets `<prefix>-` + sha256(its smallest device id)[:16], with
   `:1`, `:2`... appended to the hashed text while that id is taken or was used before.

Re-running on an unchanged partition therefore changes no id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from proteus.identity.components import Partition, labels
from proteus.identity.eligibility import distinct


@dataclass(frozen=True)
class Change:
    """Devices moved between ids: `merge` (several old ids into one group), `split`
    (one old id into several groups) or `merge_split` (both at once)."""

    kind: str
    old_ids: tuple[str, ...]
    new_ids: tuple[str, ...]
    devices: tuple[str, ...]


def fresh_id(prefix: str, device: str, taken: set[str]) -> str:
    attempt = 0
    while True:
        text = device if attempt == 0 else f"{device}:{attempt}"
        candidate = f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
        if candidate not in taken:
            return candidate
        attempt += 1


@dataclass
class Previous:
    """The published partition, per device (in a table's device order): a code into `ids`
    (sorted), -1 for a device that had none."""

    code: np.ndarray
    ids: list[str]

    @classmethod
    def of(cls, devices: list[str], previous: Mapping[str, str]) -> Previous:
        ids = sorted(set(previous.values()))
        position = {pid: n for n, pid in enumerate(ids)}
        code = np.array([position.get(previous.get(d, ""), -1) if d in previous else -1
                         for d in devices], dtype=np.int64)
        return cls(code, ids)


def assign(group: np.ndarray, first: list[str], previous: Previous, prefix: str) -> list[str]:
    """One id per group, for canonical labels `group` (per device) whose smallest devices
    are `first`, following the rule in the module docstring."""
    held = previous.code >= 0
    pairs, count = np.unique(group[held] * max(len(previous.ids), 1) + previous.code[held],
                             return_counts=True)
    width = max(len(previous.ids), 1)
    claimant, old = pairs // width, pairs % width
    # each group's best old id: most devices, then the smallest id (codes follow id order)
    order = np.lexsort((old, -count, claimant))
    best = order[np.r_[True, claimant[order][1:] != claimant[order][:-1]]] if len(order) \
        else order
    claimant, old, count = claimant[best], old[best], count[best]
    # each claimed id stays with the group holding most of its devices, then the first group
    order = np.lexsort((claimant, -count, old))
    wins = order[np.r_[True, old[order][1:] != old[order][:-1]]] if len(order) else order
    ids: list[str | None] = [None] * len(first)
    for winner, won in zip(claimant[wins].tolist(), old[wins].tolist(), strict=True):
        ids[winner] = previous.ids[won]
    taken = set(previous.ids) | {i for i in ids if i is not None}
    for position, found in enumerate(ids):
        if found is None:
            new_id = fresh_id(prefix, first[position], taken)
            taken.add(new_id)
            ids[position] = new_id
    return [i for i in ids if i is not None]


def changes_of(group: np.ndarray, ids: list[str], previous: Previous,
               devices: list[str]) -> list[Change]:
    """Merges and splits: connected sets of old and new ids that exchanged devices."""
    held = np.flatnonzero(previous.code >= 0)
    if not len(held):
        return []
    old, new = previous.code[held], group[held]
    n_old = len(previous.ids)
    found = labels(n_old + len(ids), old, n_old + new)
    piece = found[old]
    olds = np.bincount(distinct(piece * n_old + old) // max(n_old, 1), minlength=len(found))
    width = max(len(ids), 1)
    news = np.bincount(distinct(piece * width + new) // width, minlength=len(found))
    events: list[Change] = []
    for label in np.flatnonzero((olds > 1) | (news > 1)).tolist():
        members = held[piece == label]
        old_ids = tuple(sorted({previous.ids[c] for c in previous.code[members].tolist()}))
        new_ids = tuple(sorted({ids[c] for c in group[members].tolist()}))
        if len(old_ids) == 1 and len(new_ids) == 1:
            continue
        kind = "merge" if len(new_ids) == 1 else "split" if len(old_ids) == 1 else "merge_split"
        events.append(Change(kind, old_ids, new_ids,
                             tuple(sorted(devices[d] for d in members.tolist()))))
    return sorted(events, key=lambda event: (event.old_ids, event.new_ids))


def _arrays(groups: Partition) -> tuple[list[str], np.ndarray]:
    devices = sorted(d for group in groups for d in group)
    where = {d: n for n, group in enumerate(groups) for d in group}
    return devices, np.array([where[d] for d in devices], dtype=np.int64)


def assign_ids(groups: Partition, previous: Mapping[str, str], prefix: str) -> list[str]:
    """One id per group (same order), following the rule in the module docstring."""
    devices, group = _arrays(groups)
    return assign(group, [g[0] for g in groups], Previous.of(devices, previous), prefix)


def changes(groups: Partition, ids: list[str], previous: Mapping[str, str]) -> list[Change]:
    """Merges and splits: connected sets of old and new ids that exchanged devices."""
    devices, group = _arrays(groups)
    return changes_of(group, ids, Previous.of(devices, previous), devices)
