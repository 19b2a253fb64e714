"""Explanations as data: why two devices are (or are not) one person, and what a device is.

Two devices are one person through a chain of linked pairs (`hops`). Each hop is a
waterfall: the prior, then one evidence item per compared kind (its level, the identifiers
behind it, the weight in bits it adds), the score and the probability it stands for. The
same path as `steps`: real `SEEN_WITH` relationships (element id, both ends, first/last seen,
count, the evidence weight they carry and a sentence). Everything is rebuilt from what the
run stored (its rules, window and exclusions; see `neighbourhood.py`). With `redact=True`
identifier values are replaced by their kind. The model is `proteus.explain`'s.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from pydantic import BaseModel

from proteus import explain
from proteus.errors import NotFound
from proteus.explain import shown
from proteus.graph import Row, Runner
from proteus.identity.evidence import probability
from proteus.identity.neighbourhood import Weighed, weigh
from proteus.identity.reference import Pair

SAYS = {
    "shared": "both devices saw {ids} on {days} days or more",
    "shared_once": "they share {ids}, but one of them saw it on fewer than {days} days",
    "differ_established": "each carries its own {kind}, also seen with other devices ({ids})",
    "differ": "each carries a different {kind} ({ids})",
}
HOME = {
    "shared": "both were seen on the home address {ids} on {days} or more of the same days",
    "differ": "each was seen on a home address with other devices, never with the other",
}


class SightingStep(explain.Step):
    """One `SEEN_WITH` relationship on the path between two devices of a person."""

    edge_id: str
    source: str
    target: str
    identifier: str
    identifier_node: str
    first_seen: str | None
    last_seen: str | None
    count: int
    days: int
    rule_version: str


class EvidenceItem(explain.Evidence):
    """One compared kind's level for a pair and the weight (bits) it adds."""

    level: str
    identifiers: list[str]
    edge_ids: list[str]
    rule: str


class PairHop(BaseModel):
    """One candidate pair weighed: prior + items = score; linked when score >= link_at."""

    device_a: str
    device_b: str
    prior: float
    items: list[EvidenceItem]
    score: float
    probability: float
    link_at: float
    linked: bool
    rule_version: str
    sentence: str


class Shared(BaseModel):
    """An identifier both devices were seen with, and why it does not link them."""

    identifier: str
    identifier_node: str
    kind: str
    edge_ids: list[str]
    rule: str
    rule_version: str
    detail: str
    sentence: str


class PairExplanation(BaseModel):
    device_a: str
    device_b: str
    linked: bool
    person: str | None
    run_id: str | None
    hops: list[PairHop]
    steps: list[SightingStep]
    shared: list[Shared]
    sentence: str


class DeviceExplanation(BaseModel):
    device: str
    type: str | None
    person: str | None
    person_size: int | None
    confidence: float | None
    household: str | None
    household_size: int | None
    run_id: str | None
    devices: list[str]
    links: list[PairHop]
    evidence: list[SightingStep]
    sentence: str


def _name(row: Row, redact: bool) -> str:
    return shown(str(row["kind"]), row["value"], redact)


def _rows_by_key(found: Weighed) -> dict[tuple[str, str], Row]:
    return {(str(r["device"]), f"{r['kind']}:{r['value']}"): r for r in found.rows}


def _supported(found: Weighed, device: str, kind: str) -> list[Row]:
    days = found.run.rules.evidence.support_days
    return [r for (d, key), r in sorted(_rows_by_key(found).items())
            if d == device and r["kind"] == kind and key not in found.exclusions
            and len(found.run.trim(r.get("days"))) >= days]


def hop(found: Weighed, a: str, b: str, pair: Pair, redact: bool) -> PairHop:
    rules, rows = found.run.rules, _rows_by_key(found)
    items = []
    for kind, level in pair.levels.items():
        if level == "none":
            continue
        if level.startswith("shared"):
            keys = sorted(k for k in pair.identifiers if k.startswith(f"{kind}:"))
            if not keys:  # a home address shared on enough of the same days
                keys = sorted(k for (d, k), _ in rows.items() if d == a and (b, k) in rows
                              and k.startswith(f"{kind}:") and k not in found.exclusions)
            seen = [rows[(d, k)] for k in keys for d in (a, b) if (d, k) in rows]
        else:
            seen = _supported(found, a, kind) + _supported(found, b, kind)
        names = sorted({_name(r, redact) for r in seen})
        weight = rules.weight(kind, level)
        text = (HOME if rules.kinds[kind].min_shared_days else SAYS)[level].format(
            ids=", ".join(names) or kind, kind=kind,
            days=rules.kinds[kind].min_shared_days or rules.evidence.support_days)
        items.append(EvidenceItem(
            kind=kind, level=level, weight=weight, identifiers=names,
            edge_ids=sorted(str(r["edge_id"]) for r in seen),
            rule=f"evidence.weights.{kind}.{level}", sentence=f"{text}: {weight:+g} bits"))
    prior, link_at = rules.evidence.prior, rules.evidence.link_at
    linked = pair.score >= link_at
    chance = float(probability(np.array([pair.score]))[0])
    sentence = (f"{a} and {b}: prior {prior:+g} "
                + " ".join(f"{i.weight:+g} ({i.kind} {i.level})" for i in items)
                + f" = {pair.score:+g} bits (p {chance:.4f}), "
                + ("linked" if linked else "not linked") + f": link at {link_at:g}")
    return PairHop(device_a=a, device_b=b, prior=prior, items=items, score=pair.score,
                   probability=round(chance, 6), link_at=link_at, linked=linked,
                   rule_version=found.run.version, sentence=sentence)


def _steps(found: Weighed, hops: list[PairHop], redact: bool) -> list[SightingStep]:
    """Per hop, the strongest shared identifier as two SEEN_WITH steps."""
    rules, rows = found.run.rules, _rows_by_key(found)
    out: list[SightingStep] = []
    for h in hops:
        shared = [i for i in h.items if i.level.startswith("shared") and i.weight > 0]
        if not shared:
            continue
        best = max(shared, key=lambda i: (i.weight, -rules.kinds[i.kind].priority))
        keys = sorted(k for (d, k) in rows if d == h.device_a and (h.device_b, k) in rows
                      and k.startswith(f"{best.kind}:") and k not in found.exclusions)
        if not keys:
            continue
        for device, outward in ((h.device_a, True), (h.device_b, False)):
            row = rows[(device, keys[0])]
            name = _name(row, redact)
            days = len(found.run.trim(row.get("days")))
            out.append(SightingStep(
                position=len(out) + 1, edge_id=str(row["edge_id"]),
                source=device if outward else name, target=name if outward else device,
                identifier=name, identifier_node=str(row["node_id"]), kind=str(row["kind"]),
                first_seen=row.get("first_seen"), last_seen=row.get("last_seen"),
                count=int(row.get("count") or 0), days=days, rule=best.rule,
                rule_version=found.run.version, weight=best.weight,
                sentence=f"device {device} was seen with {name} {row.get('count') or 0} times "
                         f"on {days} days ({row.get('first_seen')} to {row.get('last_seen')});"
                         f" {best.sentence} (rules v{found.run.version})"))
    return out


def _path(found: Weighed, a: str, b: str) -> list[tuple[str, str, Pair]]:
    """The fewest linked pairs from a to b, stronger pairs first."""
    rules = found.run.rules
    edges: dict[str, list[tuple[float, str, Pair]]] = {}
    for (x, y), pair in found.pairs.items():
        if pair.score >= rules.evidence.link_at:
            edges.setdefault(x, []).append((pair.score, y, pair))
            edges.setdefault(y, []).append((pair.score, x, pair))
    came: dict[str, tuple[str, Pair] | None] = {a: None}
    queue = deque([a])
    while queue and b not in came:
        device = queue.popleft()
        for _, other, pair in sorted(edges.get(device, []), key=lambda e: (-e[0], e[1])):
            if other not in came:
                came[other] = (device, pair)
                queue.append(other)
    if b not in came:
        return []
    path: list[tuple[str, str, Pair]] = []
    node = b
    while (step := came[node]) is not None:
        path.insert(0, (step[0], node, step[1]))
        node = step[0]
    return path


def _shared(found: Weighed, a: str, b: str, redact: bool) -> list[Shared]:
    rules, rows = found.run.rules, _rows_by_key(found)
    pair = found.pair(a, b)
    out: list[Shared] = []
    for (device, key), row in sorted(rows.items(), key=lambda item: item[0][1]):
        if device != a or (b, key) not in rows:
            continue
        kind = str(row["kind"])
        rule = rules.kinds.get(kind)
        excluded = found.exclusions.get(key)
        if excluded is not None and (excluded.scope == "all" or rule is None or
                                     not rule.min_shared_days):
            why, detail = excluded.rule, excluded.detail
        elif rule is None:
            why, detail = "kinds", f"kind {kind} has no rule"
        elif not rule.persons:
            why, detail = f"kinds.{kind}.persons", f"{kind} does not link persons; " + (
                f"it weighs {rules.weight(kind, pair.levels.get(kind, 'none')):+g} bits"
                if pair is not None else "it only weighs with another shared identifier")
        elif pair is not None:
            why = "evidence.link_at"
            detail = (f"the pair scores {pair.score:+g} bits < {rules.evidence.link_at:g}")
        else:
            why, detail = f"kinds.{kind}.min_days", "not seen on enough days"
        name = _name(row, redact)
        out.append(Shared(identifier=name, identifier_node=str(row["node_id"]), kind=kind,
                          edge_ids=[str(row["edge_id"]), str(rows[(b, key)]["edge_id"])],
                          rule=why, rule_version=found.run.version, detail=detail,
                          sentence=f"{name} is shared but does not link them: {why} "
                                   f"({detail}), rules v{found.run.version}"))
    return out


def _device_of(graph: Runner, device: str) -> dict[str, Any]:
    found = graph.read("identity/device_person", device=device)
    if not found:
        raise NotFound(f"no device {device}")
    return found[0]


def explain_pair(graph: Runner, device_a: str, device_b: str,
                 redact: bool = False) -> PairExplanation:
    """Why two devices are one person, or not, by the rules of the run behind them."""
    found_a, found_b = _device_of(graph, device_a), _device_of(graph, device_b)
    person_a, person_b = found_a.get("person"), found_b.get("person")
    run_id = found_a.get("run_id") or found_b.get("run_id")
    linked = person_a is not None and person_a == person_b
    devices = [r["device"] for r in graph.read("identity/person_devices", person=person_a)] \
        if linked else [device_a, device_b]
    found = weigh(graph, sorted(set(devices) | {device_a, device_b}), run_id)
    path = _path(found, device_a, device_b) if linked else []
    hops = [hop(found, x, y, pair, redact) for x, y, pair in path]
    direct = found.pair(device_a, device_b)
    if not linked and direct is not None:
        hops = [hop(found, device_a, device_b, direct, redact)]
    steps = _steps(found, hops, redact) if linked else []
    shared = [] if linked else _shared(found, device_a, device_b, redact)
    if linked:
        kinds = " and ".join(dict.fromkeys(s.kind for s in steps)) or "no"
        sentence = (f"{device_a} and {device_b} are person {person_a}: linked through "
                    f"{len(hops)} pair(s) of devices ({kinds})")
    elif shared:
        sentence = (f"{device_a} and {device_b} are not linked: they share {len(shared)} "
                    f"identifier(s)" + (f", and their evidence scores {direct.score:+g} bits "
                                        f"< {found.run.rules.evidence.link_at:g}"
                                        if direct is not None else
                                        ", none of which may link persons"))
    else:
        sentence = f"{device_a} and {device_b} are not linked and share no identifier"
    return PairExplanation(device_a=device_a, device_b=device_b, linked=linked,
                           person=person_a if linked else None, run_id=found.run.run_id,
                           hops=hops, steps=steps, shared=shared, sentence=sentence)


def explain_device(graph: Runner, device: str, redact: bool = False) -> DeviceExplanation:
    """A device's person and household, and the linked pairs that tie it to the person's
    other devices, by the rules of the run that made the person."""
    info = _device_of(graph, device)
    run_id = info.get("run_id")
    members = [r["device"] for r in graph.read("identity/person_devices",
                                                person=info.get("person"))] or [device]
    found = weigh(graph, members, run_id)
    link_at = found.run.rules.evidence.link_at
    links = [hop(found, a, b, pair, redact) for (a, b), pair in sorted(found.pairs.items())
             if device in (a, b) and pair.score >= link_at]
    steps = [s for s in _steps(found, links, redact) if device in (s.source, s.target)]
    for position, step in enumerate(steps, start=1):
        step.position = position
    sentence = (f"device {device} belongs to person {info.get('person')} "
                f"({len(members)} devices) in household {info.get('household')}; "
                f"{len(links)} linked pair(s) tie it to the person's other devices")
    return DeviceExplanation(
        device=device, type=info.get("type"), person=info.get("person"),
        person_size=info.get("person_size"), confidence=info.get("confidence"),
        household=info.get("household"), household_size=info.get("household_size"),
        run_id=found.run.run_id, devices=members, links=links, evidence=steps,
        sentence=sentence)
