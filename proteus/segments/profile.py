"""What a community segment is: top interests by lift, device mix, and a name from them."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel

from proteus.graph import Runner
from proteus.views.read_graph import in_blocks


class TopInterest(BaseModel):
    id: str
    name: str
    tier: int
    lift: float
    coverage: float  # share of members with this interest in their profile


class SegmentProfile(BaseModel):
    id: str
    name: str
    size: int
    top_interests: list[TopInterest]
    device_mix: dict[str, int]
    continued_from: str | None = None
    gained: int = 0
    lost: int = 0


def profiles(graph: Runner, persons: list[str], labels: np.ndarray, ids: list[str],
             top: int = 5, min_coverage: float = 0.25
             ) -> dict[str, tuple[list[TopInterest], dict[str, int]]]:
    """Per segment (`labels[p]` is person p's position in `ids`, -1 outside every segment):
    interests ranked by lift of the members' mean score over everyone's mean, among
    interests at least `min_coverage` of the members hold; and device type counts."""
    meta = graph.read_plain("segments/interest_names")
    names_row = meta[0] if meta else {"ids": [], "names": [], "tiers": []}
    i_index = {iid: n for n, iid in enumerate(names_row["ids"])}
    n_s, n_i = len(ids), max(len(i_index), 1)
    members = [persons[p] for p in np.flatnonzero(labels >= 0).tolist()]
    label_of = dict(zip(members, labels[labels >= 0].tolist(), strict=True))
    seg_parts, int_parts, score_parts = [], [], []
    for block, row in in_blocks(graph, "segments/interest_scores", members, "persons", None):
        block_labels = np.fromiter(map(label_of.__getitem__, block), dtype=np.int64,
                                   count=len(block))
        seg_parts.append(block_labels[np.asarray(row["person"], dtype=np.int64)])
        int_parts.append(np.fromiter(map(i_index.__getitem__, row["interest"]),
                                     dtype=np.int64, count=len(row["interest"])))
        score_parts.append(np.asarray(row["score"], dtype=np.float64))
    seg = np.concatenate(seg_parts) if seg_parts else np.zeros(0, dtype=np.int64)
    interest = np.concatenate(int_parts) if int_parts else np.zeros(0, dtype=np.int64)
    value = np.concatenate(score_parts) if score_parts else np.zeros(0)
    sums = np.bincount(seg * n_i + interest, weights=value, minlength=n_s * n_i).reshape(
        n_s, n_i)
    counts = np.bincount(seg * n_i + interest, minlength=n_s * n_i).reshape(n_s, n_i)
    everyone = len(members)
    overall = sums.sum(axis=0)
    sizes = np.bincount(labels[labels >= 0], minlength=n_s)
    devices: dict[int, Counter[str]] = defaultdict(Counter)
    found = graph.read_plain("segments/person_devices")
    if found and found[0]["persons"]:
        where = pc.index_in(pa.array(found[0]["persons"], pa.string()),
                            value_set=pa.array(members, pa.string()))
        position = where.fill_null(-1).to_numpy(zero_copy_only=False)
        inside = position >= 0
        seg_of = labels[labels >= 0][position[inside]]
        encoded = pa.array(found[0]["types"], pa.string()).filter(
            pa.array(inside)).dictionary_encode()
        kinds = encoded.dictionary.to_pylist()
        kind = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        table = np.bincount(seg_of * len(kinds) + kind, minlength=n_s * len(kinds))
        for k, c in zip(*np.nonzero(table.reshape(n_s, len(kinds))), strict=True):
            devices[int(k)][kinds[c]] = int(table[k * len(kinds) + c])
    out: dict[str, tuple[list[TopInterest], dict[str, int]]] = {}
    for k, seg_id in enumerate(ids):
        size = int(sizes[k])
        ranked = []
        for i in np.flatnonzero(counts[k]).tolist():
            coverage = counts[k, i] / size
            if coverage < min_coverage or overall[i] <= 0:
                continue
            lift = (sums[k, i] / size) / (overall[i] / everyone)
            ranked.append(TopInterest(id=names_row["ids"][i], name=names_row["names"][i],
                                      tier=names_row["tiers"][i], lift=round(float(lift), 3),
                                      coverage=round(float(coverage), 3)))
        ranked.sort(key=lambda t: (-t.lift, t.id))
        out[seg_id] = (ranked[:top], dict(sorted(devices[k].items())))
    return out


def name_for(top: list[TopInterest], taken: set[str]) -> str:
    """'Horror / Golf' from the two strongest interests below tier 1 (tier-1 ones only when
    fewer are left); numbered when already taken."""
    specific = [t for t in top if t.tier > 1]
    chosen = (specific + [t for t in top if t.tier <= 1])[:2]
    base = " / ".join(t.name for t in chosen) or "Mixed viewing"
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    taken.add(name)
    return name
