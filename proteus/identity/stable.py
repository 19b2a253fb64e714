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
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from proteus.identity.components import Partition


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


def assign_ids(groups: Partition, previous: Mapping[str, str], prefix: str) -> list[str]:
    """One id per group (same order), following the rule in the module docstring."""
    claims: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for position, group in enumerate(groups):
        held = Counter(previous[d] for d in group if d in previous)
        if held:
            best = min(held.items(), key=lambda item: (-item[1], item[0]))
            claims[best[0]].append((-best[1], group[0], position))
    ids: list[str | None] = [None] * len(groups)
    for old_id, claimants in claims.items():
        ids[min(claimants)[2]] = old_id
    taken = set(previous.values()) | {i for i in ids if i is not None}
    for position, group in enumerate(groups):
        if ids[position] is None:
            new_id = fresh_id(prefix, group[0], taken)
            taken.add(new_id)
            ids[position] = new_id
    return [i for i in ids if i is not None]


def changes(groups: Partition, ids: list[str], previous: Mapping[str, str]) -> list[Change]:
    """Merges and splits: connected sets of old and new ids that exchanged devices."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    moved: dict[tuple[str, str], list[str]] = defaultdict(list)
    for group, new_id in zip(groups, ids, strict=True):
        for device in group:
            old_id = previous.get(device)
            if old_id is not None:
                moved[(old_id, new_id)].append(device)
                parent[find("o:" + old_id)] = find("n:" + new_id)
    pieces: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pair in moved:
        pieces[find("n:" + pair[1])].append(pair)
    events: list[Change] = []
    for pairs in pieces.values():
        old_ids = tuple(sorted({old for old, _ in pairs}))
        new_ids = tuple(sorted({new for _, new in pairs}))
        if len(old_ids) == 1 and len(new_ids) == 1:
            continue
        kind = "merge" if len(new_ids) == 1 else "split" if len(old_ids) == 1 else "merge_split"
        devices = tuple(sorted(d for pair in pairs for d in moved[pair]))
        events.append(Change(kind, old_ids, new_ids, devices))
    return sorted(events, key=lambda event: (event.old_ids, event.new_ids))
