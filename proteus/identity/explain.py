"""Explanations as data: why two devices are (or are not) one person, and what a device is.

A linking path is an ordered list of steps, each one real `SEEN_WITH` relationship (its
element id, the nodes at both ends, first/last seen, count, the rule and version that let
it link, the weight it carries and a generated sentence). With `redact=True` identifier
values are replaced by their kind.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from typing import Any

from pydantic import BaseModel

from proteus.errors import NotFound
from proteus.graph import Row, Runner
from proteus.identity.rules import Rules, load_rules

HIDDEN = "•••"


class Step(BaseModel):
    position: int
    edge_id: str
    source: str
    target: str
    identifier: str
    identifier_node: str
    kind: str
    first_seen: str | None
    last_seen: str | None
    count: int
    days: int
    rule: str
    rule_version: str
    weight: float
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
    steps: list[Step]
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
    evidence: list[Step]
    sentence: str


def _name(row: Row, redact: bool) -> str:
    return f"{row['kind']}:{HIDDEN if redact else row['value']}"


def _version(graph: Runner, run_id: str | None) -> str:
    if run_id is None:
        return "?"
    rows = graph.read("identity/run_rules", run_id=run_id)
    if not rows or not rows[0].get("rule_versions"):
        return "?"
    return str(json.loads(rows[0]["rule_versions"]).get("identity", "?"))


def links_persons(row: Row, rules: Rules) -> tuple[bool, str, str]:
    """(links persons?, rule, detail) of one sighting under the run's exclusions and rules."""
    kind_rule = rules.kinds.get(row["kind"])
    if row.get("rule"):
        return False, str(row["rule"]), str(row.get("detail") or "")
    if kind_rule is None:
        return False, "kinds", f"kind {row['kind']} has no rule"
    if not kind_rule.persons:
        return False, f"kinds.{row['kind']}.persons", f"{row['kind']} links households only"
    days = len(row.get("days") or ())
    if days < kind_rule.min_days:
        return False, f"kinds.{row['kind']}.min_days", f"seen on {days} days"
    return True, f"kinds.{row['kind']}.persons", f"{kind_rule.strength} identifier"


def _step(position: int, row: Row, source: str, target: str, rules: Rules, version: str,
          redact: bool) -> Step:
    name = _name(row, redact)
    kind_rule = rules.kinds[row["kind"]]
    weight = float(rules.confidence.model_dump()[kind_rule.strength])
    days = len(row.get("days") or ())
    device = row["device"]
    sentence = (f"device {device} was seen with {name} {row.get('count') or 0} times on {days} "
                f"days ({row.get('first_seen')} to {row.get('last_seen')}); "
                f"a {kind_rule.strength} {row['kind']} links persons (rules v{version})")
    return Step(position=position, edge_id=str(row["edge_id"]), source=source, target=target,
                identifier=name, identifier_node=str(row["node_id"]), kind=row["kind"],
                first_seen=row.get("first_seen"), last_seen=row.get("last_seen"),
                count=int(row.get("count") or 0), days=days,
                rule=f"kinds.{row['kind']}.persons", rule_version=version, weight=weight,
                sentence=sentence)


def _path(rows: list[Row], a: str, b: str, rules: Rules) -> list[tuple[Row, bool]] | None:
    """Shortest device-identifier-device path over person-linking sightings, strongest kinds
    first; each item is (sighting, walked from device to identifier)."""
    by_node: dict[str, list[Row]] = defaultdict(list)
    by_device: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if links_persons(row, rules)[0]:
            by_node[row["node_id"]].append(row)
            by_device[row["device"]].append(row)

    def order(row: Row) -> tuple[int, str]:
        return rules.kinds[row["kind"]].priority, str(row["node_id"])

    came: dict[str, tuple[str, Row, Row] | None] = {a: None}
    queue = deque([a])
    while queue:
        device = queue.popleft()
        if device == b:
            break
        for out in sorted(by_device[device], key=order):
            for back in sorted(by_node[out["node_id"]], key=lambda r: str(r["device"])):
                if back["device"] not in came:
                    came[back["device"]] = (device, out, back)
                    queue.append(back["device"])
    if b not in came:
        return None
    hops: list[tuple[Row, bool]] = []
    node = b
    while came[node] is not None:
        previous, out, back = came[node]  # type: ignore[misc]
        hops[:0] = [(out, True), (back, False)]
        node = previous
    return hops


def explain_pair(graph: Runner, device_a: str, device_b: str, redact: bool = False,
                 rules: Rules | None = None) -> PairExplanation:
    rules = rules or load_rules()
    found_a = graph.read("identity/device_person", device=device_a)
    found_b = graph.read("identity/device_person", device=device_b)
    for device, found in ((device_a, found_a), (device_b, found_b)):
        if not found:
            raise NotFound(f"no device {device}")
    person_a, person_b = found_a[0].get("person"), found_b[0].get("person")
    run_id = found_a[0].get("run_id") or found_b[0].get("run_id")
    version = _version(graph, run_id)
    linked = person_a is not None and person_a == person_b
    devices = [r["device"] for r in graph.read("identity/person_devices", person=person_a)] \
        if linked else [device_a, device_b]
    rows = graph.read("identity/person_links", devices=devices, run_id=run_id)
    steps: list[Step] = []
    if linked:
        hops = _path(rows, device_a, device_b, rules) or []
        for position, (row, outward) in enumerate(hops, start=1):
            ident = _name(row, redact)
            source, target = (row["device"], ident) if outward else (ident, row["device"])
            steps.append(_step(position, row, source, target, rules, version, redact))
    shared = _shared(rows, device_a, device_b, rules, version, redact)
    if linked:
        kinds = " and ".join(dict.fromkeys(s.kind for s in steps)) or "no"
        sentence = (f"{device_a} and {device_b} are person {person_a}: linked through "
                    f"{len(steps) // 2} identifier(s) ({kinds})")
    elif shared:
        sentence = (f"{device_a} and {device_b} are not linked: they share {len(shared)} "
                    f"identifier(s), none of which may link persons")
    else:
        sentence = f"{device_a} and {device_b} are not linked and share no identifier"
    return PairExplanation(device_a=device_a, device_b=device_b, linked=linked,
                           person=person_a if linked else None, run_id=run_id, steps=steps,
                           shared=[] if linked else shared, sentence=sentence)


def _shared(rows: list[Row], a: str, b: str, rules: Rules, version: str,
            redact: bool) -> list[Shared]:
    by_node: dict[str, dict[str, Row]] = defaultdict(dict)
    for row in rows:
        if row["device"] in (a, b):
            by_node[row["node_id"]][row["device"]] = row
    out: list[Shared] = []
    for node, pair in sorted(by_node.items()):
        if len(pair) < 2:
            continue
        row = pair[a]
        ok, rule, detail = links_persons(row, rules)
        if ok:
            ok, rule, detail = links_persons(pair[b], rules)
        name = _name(row, redact)
        sentence = (f"{name} is shared but does not link persons: {rule} ({detail}), "
                    f"rules v{version}") if not ok else f"{name} links persons"
        out.append(Shared(identifier=name, identifier_node=node, kind=row["kind"],
                          edge_ids=[str(pair[a]["edge_id"]), str(pair[b]["edge_id"])],
                          rule=rule, rule_version=version, detail=detail, sentence=sentence))
    return out


def explain_device(graph: Runner, device: str, redact: bool = False,
                   rules: Rules | None = None) -> DeviceExplanation:
    rules = rules or load_rules()
    found = graph.read("identity/device_person", device=device)
    if not found:
        raise NotFound(f"no device {device}")
    info: dict[str, Any] = found[0]
    run_id = info.get("run_id")
    version = _version(graph, run_id)
    members = [r["device"] for r in graph.read("identity/person_devices",
                                                person=info.get("person"))] or [device]
    rows = graph.read("identity/person_links", devices=members, run_id=run_id)
    linking = [r for r in rows if links_persons(r, rules)[0]]
    degree: dict[str, int] = defaultdict(int)
    for row in linking:
        degree[row["node_id"]] += 1
    evidence = [r for r in linking if r["device"] == device and degree[r["node_id"]] > 1]
    evidence.sort(key=lambda r: (rules.kinds[r["kind"]].priority, str(r["node_id"])))
    steps = [_step(n, r, device, _name(r, redact), rules, version, redact)
             for n, r in enumerate(evidence, start=1)]
    sentence = (f"device {device} belongs to person {info.get('person')} "
                f"({len(members)} devices) in household {info.get('household')}; "
                f"{len(steps)} identifier(s) link it to the person's other devices")
    return DeviceExplanation(
        device=device, type=info.get("type"), person=info.get("person"),
        person_size=info.get("person_size"), confidence=info.get("confidence"),
        household=info.get("household"), household_size=info.get("household_size"),
        run_id=run_id, devices=members, evidence=steps, sentence=sentence)
