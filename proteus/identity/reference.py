"""The identity rules applied one link at a time: the readable reference.

`decide(links, rules, blocked)` is the same sequence of rules as `eligibility.decide` (see
that module for the rule names), written over `Link` rows with sets and dictionaries. The
`reference` engine runs it; tests hold the column rules to it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from proteus.identity.eligibility import ALL, PERSONS, Exclusion
from proteus.identity.links import Link
from proteus.identity.rules import KindRule, Rules
from proteus.identity.unionfind import UnionFind

Edge = tuple[str, str]


@dataclass
class Decision:
    """Eligible (device, node) edges per purpose, the links behind them, and exclusions."""

    person_edges: list[Edge] = field(default_factory=list)
    household_edges: list[Edge] = field(default_factory=list)
    person_links: list[Link] = field(default_factory=list)
    exclusions: dict[str, Exclusion] = field(default_factory=dict)

    def excluded_by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(e.rule for e in self.exclusions.values()).items()))


def _first_rule(held: list[Link], rule: KindRule | None, blocked: set[tuple[str, str]]
                ) -> tuple[str, str] | None:
    first = held[0]
    devices = {link.device for link in held}
    if rule is None:
        return "kinds", f"kind {first.kind} has no rule"
    if (first.kind, first.value) in blocked:
        return "blocklist", "a generic value"
    prefix = f"kinds.{first.kind}"
    if len(devices) > rule.max_devices:
        return f"{prefix}.max_devices", f"{len(devices)} devices > {rule.max_devices}"
    if rule.max_devices_per_day is not None:
        busiest = max(Counter(day for link in held for day in link.days).values(), default=0)
        if busiest > rule.max_devices_per_day:
            return (f"{prefix}.max_devices_per_day",
                    f"{busiest} devices on one day > {rule.max_devices_per_day}")
    if rule.networks is not None and first.network not in rule.networks:
        return f"{prefix}.networks", f"network {first.network}"
    if rule.ip_classes is not None and first.ip_class not in rule.ip_classes:
        return f"{prefix}.ip_classes", f"address class {first.ip_class}"
    return None


def windowed_edges(key: str, held: list[Link], rule: KindRule) -> list[Edge]:
    """(device, node) edges of one identifier, split into time-window groups if the rule says."""
    usable = [link for link in held if len(link.days) >= rule.min_days]
    if rule.min_shared_days is None:
        return [(link.device, key) for link in usable]
    groups = UnionFind()
    for a, b in combinations(sorted(usable, key=lambda link: link.device), 2):
        if len(set(a.days) & set(b.days)) >= rule.min_shared_days:
            groups.union(a.device, b.device)
    roots = sorted({groups.find(d) for d in groups.members()})
    number = {root: n for n, root in enumerate(roots)}
    return [(d, f"{key}#{number[groups.find(d)]}") for d in sorted(groups.members())]


def decide(links: Iterable[Link], rules: Rules, blocked: set[tuple[str, str]]) -> Decision:
    """Apply the rules to every link; pure, deterministic, independent of input order."""
    by_identifier: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_identifier[link.identifier].append(link)
    keys = sorted(by_identifier)
    kind_of = {key: by_identifier[key][0].kind for key in keys}
    devices_of = {key: {link.device for link in by_identifier[key]} for key in keys}
    decision = Decision()
    excluded = decision.exclusions

    def exclude(key: str, rule: str, detail: str, scope: str = ALL) -> None:
        excluded[key] = Exclusion(key, rule, scope, detail)

    for key in keys:
        found = _first_rule(by_identifier[key], rules.kinds.get(kind_of[key]), blocked)
        if found is not None:
            exclude(key, *found)

    window: dict[str, list[Edge]] = {}
    for key in keys:
        rule = rules.kinds.get(kind_of[key])
        if key not in excluded and rule is not None:
            window[key] = windowed_edges(key, by_identifier[key], rule)

    homes = _home_groups(window, rules)
    for key in keys:
        if key in excluded or kind_of[key] == "ip":
            continue
        groups = {homes.find(d) for d in devices_of[key] if d in homes}
        if len(groups) > rules.generic.max_households:
            exclude(key, "generic.max_households",
                    f"{len(groups)} home-network groups > {rules.generic.max_households}")

    logins_on = _values_by_device(by_identifier, excluded, set(rules.shared.kinds))
    for key in keys:
        if key in excluded or kind_of[key] not in rules.shared.kinds:
            continue
        others = {v for d in devices_of[key] for v in logins_on.get(d, ()) if v != key}
        if len(others) >= rules.shared.min_other_logins:
            exclude(key, "shared.min_other_logins",
                    f"its devices carry {len(others)} other logins", PERSONS)

    anchors_on = _values_by_device(by_identifier, excluded, set(rules.conflict.anchor_kinds))
    for key in keys:
        rule = rules.kinds.get(kind_of[key])
        if key in excluded or rule is None or rule.strength == "strong" or not rule.persons:
            continue
        anchors = {v for d in devices_of[key] for v in anchors_on.get(d, ())}
        if len(anchors) >= 2:
            exclude(key, "conflict.anchor_kinds",
                    f"its devices carry {len(anchors)} distinct logins", PERSONS)

    for key, edges in window.items():
        rule = rules.kinds[kind_of[key]]
        exclusion = excluded.get(key)
        if exclusion is not None and exclusion.scope == ALL:
            continue
        if rule.persons and exclusion is None:
            decision.person_edges.extend(edges)
            linked = {device for device, _ in edges}
            decision.person_links.extend(k for k in by_identifier[key] if k.device in linked)
        if rule.households:
            decision.household_edges.extend(edges)
    return decision


def _home_groups(window: dict[str, list[Edge]], rules: Rules) -> UnionFind:
    """Devices joined by the household-linking IP edges: the households proxy."""
    groups = UnionFind()
    for key, edges in window.items():
        if not key.startswith("ip:"):
            continue
        by_node: dict[str, list[str]] = defaultdict(list)
        for device, node in edges:
            by_node[node].append(device)
        for devices in by_node.values():
            for device in devices:
                groups.union(devices[0], device)
    return groups


def _values_by_device(by_identifier: dict[str, list[Link]], excluded: dict[str, Exclusion],
                      kinds: set[str]) -> dict[str, set[str]]:
    """Surviving identifiers of the given kinds on each device."""
    values: dict[str, set[str]] = defaultdict(set)
    for key, held in by_identifier.items():
        if key in excluded or held[0].kind not in kinds:
            continue
        for link in held:
            values[link.device].add(key)
    return values


def confidences(decision: Decision, rules: Rules) -> dict[str, float]:
    """Per device: the confidence of the strongest kind that links it to another device."""
    degree = Counter(node for _, node in decision.person_edges)
    scale = rules.confidence.model_dump()
    best: dict[str, tuple[int, float]] = {}
    for link in decision.person_links:
        if degree[link.identifier] < 2:
            continue
        rule = rules.kinds[link.kind]
        candidate = (rule.priority, float(scale[rule.strength]))
        if link.device not in best or candidate < best[link.device]:
            best[link.device] = candidate
    return {device: value for device, (_, value) in best.items()}
