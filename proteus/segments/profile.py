"""What a community segment is: top interests by lift, device mix, and a name from them."""

from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import BaseModel

from proteus.graph import Runner


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


def profiles(graph: Runner, groups: dict[str, list[str]], top: int = 5,
             min_coverage: float = 0.25) -> dict[str, tuple[list[TopInterest], dict[str, int]]]:
    """Per segment: interests ranked by lift of the members' mean score over everyone's mean,
    among interests at least `min_coverage` of the members hold; and device type counts."""
    member_of = {p: seg for seg, members in groups.items() for p in members}
    everyone = len(member_of)
    names: dict[str, str] = {}
    seg_sum: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seg_count: dict[str, Counter[str]] = defaultdict(Counter)
    all_sum: dict[str, float] = defaultdict(float)
    tiers: dict[str, int] = {}
    for row in graph.read("segments/person_interests"):
        seg = member_of.get(row["person"])
        if seg is None:
            continue
        for iid, name, tier, value in zip(row["interests"], row["names"], row["tiers"],
                                          row["scores"], strict=True):
            names[iid], tiers[iid] = name, tier
            seg_sum[seg][iid] += value
            seg_count[seg][iid] += 1
            all_sum[iid] += value
    devices: dict[str, Counter[str]] = defaultdict(Counter)
    for row in graph.read("segments/person_devices"):
        seg = member_of.get(row["person"])
        if seg is not None:
            devices[seg].update(row["types"])
    out: dict[str, tuple[list[TopInterest], dict[str, int]]] = {}
    for seg, members in groups.items():
        size = len(members)
        ranked = []
        for iid, total in seg_sum[seg].items():
            coverage = seg_count[seg][iid] / size
            if coverage < min_coverage or all_sum[iid] <= 0:
                continue
            lift = (total / size) / (all_sum[iid] / everyone)
            ranked.append(TopInterest(id=iid, name=names[iid], tier=tiers[iid],
                                      lift=round(lift, 3), coverage=round(coverage, 3)))
        ranked.sort(key=lambda t: (-t.lift, t.id))
        out[seg] = (ranked[:top], dict(sorted(devices[seg].items())))
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
