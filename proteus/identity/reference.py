"""The identity rules applied one link at a time, and the evidence one pair at a time: the
readable reference.

`decide(links, rules, blocked)` is the same sequence of rules as `eligibility.decide` (see
that module for the rule names) and the same weighing of pairs as `evidence.py`, written
over `Link` rows with sets and dictionaries. The `reference` engine runs it; tests hold the
column engine to it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from proteus.identity.components import grouped
from proteus.identity.eligibility import ALL, PERSONS, Cap, Exclusion
from proteus.identity.links import Link
from proteus.identity.rules import LEVELS, KindRule, Rules

Edge = tuple[str, str]


@dataclass
class Pair:
    """Two devices that share a person-linking identifier: the level per compared kind, the
    identifiers they share and the score."""

    levels: dict[str, str]
    identifiers: set[str]
    score: float


@dataclass
class Decision:
    """Candidate pairs with their evidence, household edges, exclusions and caps."""

    pairs: dict[tuple[str, str], Pair] = field(default_factory=dict)
    household_edges: list[Edge] = field(default_factory=list)
    exclusions: dict[str, Exclusion] = field(default_factory=dict)
    caps: dict[str, Cap] = field(default_factory=dict)
    person_links: int = 0

    def excluded_by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(e.rule for e in self.exclusions.values()).items()))


def _caps(by_identifier: dict[str, list[Link]], excluded: dict[str, Exclusion],
          rules: Rules) -> dict[str, Cap]:
    """The cap per kind: from the devices per identifier of the open identifiers with 2 or
    more devices (a quantile, within the kind's bounds), or the fixed number."""
    caps: dict[str, Cap] = {}
    kinds = {held[0].kind for held in by_identifier.values()}
    for kind in sorted(kinds):
        rule = rules.kinds.get(kind)
        if rule is None:
            continue
        if rule.max_devices_bound is None:
            caps[kind] = Cap(kind, rule.max_devices, "fixed")
            continue
        sizes = [len({link.device for link in held}) for key, held in by_identifier.items()
                 if held[0].kind == kind and key not in excluded]
        multi = [size for size in sizes if size >= 2]
        found = float(np.quantile(multi, rules.caps.quantile, method="inverted_cdf")) \
            if multi else None
        cap = rule.max_devices if found is None else int(
            min(max(np.ceil(found), rule.max_devices), rule.max_devices_bound))
        caps[kind] = Cap(kind, cap, "data", rules.caps.quantile, found, rule.max_devices,
                         rule.max_devices_bound, len(multi))
    return caps


def _first_rule(held: list[Link], rule: KindRule, cap: int) -> tuple[str, str] | None:
    first = held[0]
    devices = {link.device for link in held}
    prefix = f"kinds.{first.kind}"
    if len(devices) > cap:
        return f"{prefix}.max_devices", f"{len(devices)} devices > {cap}"
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


def windowed_edges(key: str, held: list[Link], rule: KindRule
                   ) -> tuple[list[Edge], list[tuple[str, str]]]:
    """(device, node) edges of one identifier, split into time-window groups if the rule
    says; and the device pairs seen with it on `min_shared_days` of the same days."""
    usable = [link for link in held if len(link.days) >= rule.min_days]
    if rule.min_shared_days is None:
        return [(link.device, key) for link in usable], []
    together = [(a.device, b.device)
                for a, b in combinations(sorted(usable, key=lambda link: link.device), 2)
                if len(set(a.days) & set(b.days)) >= rule.min_shared_days]
    return [(d, f"{key}#{n}") for d, n in grouped(together).items()], together


def decide(links: Iterable[Link], rules: Rules, blocked: set[tuple[str, str]]) -> Decision:
    """Apply the rules to every link and weigh every candidate pair; pure, deterministic,
    independent of input order."""
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
        if kind_of[key] not in rules.kinds:
            exclude(key, "kinds", f"kind {kind_of[key]} has no rule")
        elif (kind_of[key], key.partition(":")[2]) in blocked:
            exclude(key, "blocklist", "a generic value")
    decision.caps = _caps(by_identifier, excluded, rules)
    for key in keys:
        if key not in excluded:
            found = _first_rule(by_identifier[key], rules.kinds[kind_of[key]],
                                decision.caps[kind_of[key]].cap)
            if found is not None:
                exclude(key, *found)

    window: dict[str, list[Edge]] = {}
    together: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        if key not in excluded:
            window[key], together[key] = windowed_edges(key, by_identifier[key],
                                                        rules.kinds[kind_of[key]])

    homes = _home_groups(window, rules)
    for key in keys:
        if key in excluded or kind_of[key] == "ip":
            continue
        groups = {homes[d] for d in devices_of[key] if d in homes}
        if len(groups) > rules.generic.max_households:
            exclude(key, "generic.max_households",
                    f"{len(groups)} home-network groups > {rules.generic.max_households}")

    support = rules.evidence.support_days
    shared_kinds = set(rules.shared.kinds)
    supported_on: dict[str, set[str]] = defaultdict(set)
    for key, held in by_identifier.items():
        if key in excluded or kind_of[key] not in shared_kinds:
            continue
        for link in held:
            if len(link.days) >= support or len(devices_of[key]) >= 2:
                supported_on[link.device].add(key)
    for key in keys:
        if key in excluded or kind_of[key] not in shared_kinds:
            continue
        others = {v for d in devices_of[key] for v in supported_on.get(d, ()) if v != key}
        if len(others) >= rules.shared.min_other_logins:
            exclude(key, "shared.min_other_logins",
                    f"its devices carry {len(others)} other logins", PERSONS)

    for key, edges in window.items():
        exclusion = excluded.get(key)
        if rules.kinds[kind_of[key]].households and (exclusion is None
                                                      or exclusion.scope != ALL):
            decision.household_edges.extend(edges)
    decision.pairs = weigh_pairs(by_identifier, kind_of, excluded, together, rules)
    decision.person_links = sum(
        1 for key, held in by_identifier.items() if _links_persons(key, kind_of, excluded, rules)
        for link in held if len(link.days) >= rules.kinds[kind_of[key]].min_days)
    return decision


def _links_persons(key: str, kind_of: dict[str, str], excluded: dict[str, Exclusion],
                   rules: Rules) -> bool:
    rule = rules.kinds.get(kind_of[key])
    return rule is not None and rule.persons and key not in excluded


def weigh_pairs(by_identifier: dict[str, list[Link]], kind_of: dict[str, str],
           excluded: dict[str, Exclusion], together: dict[str, list[tuple[str, str]]],
           rules: Rules) -> dict[tuple[str, str], Pair]:
    """Every two devices sharing a person-linking identifier of a compared kind, weighed."""
    compared = rules.compared()
    evidence = rules.evidence
    person: dict[str, list[Link]] = {}
    for key, held in by_identifier.items():
        if _links_persons(key, kind_of, excluded, rules) and kind_of[key] in compared:
            rule = rules.kinds[kind_of[key]]
            person[key] = [link for link in held if len(link.days) >= rule.min_days]
    degree = {key: len({link.device for link in held}) for key, held in person.items()}
    carries: dict[tuple[str, str], int] = defaultdict(int)  # (device, kind) -> 1 or 2
    for key, held in person.items():
        for link in held:
            if len(link.days) >= evidence.support_days:
                grade = 2 if degree[key] >= evidence.established_devices else 1
                slot = (link.device, kind_of[key])
                carries[slot] = max(carries[slot], grade)
    home: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for key, pairs in together.items():
        kind = kind_of[key]
        if kind in compared and rules.kinds[kind].households and (
                key not in excluded or excluded[key].scope != ALL):
            for a, b in pairs:
                home[(a, kind)].add((min(a, b), max(a, b)))
                home[(b, kind)].add((min(a, b), max(a, b)))
    shared: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    behind: dict[tuple[str, str], set[str]] = defaultdict(set)
    order = list(LEVELS)
    for key, held in person.items():
        for x, y in combinations(sorted(held, key=lambda link: link.device), 2):
            pair = (x.device, y.device)
            supported = min(len(x.days), len(y.days)) >= evidence.support_days
            level = "shared" if supported else "shared_once"
            kind = kind_of[key]
            if order.index(level) > order.index(shared[pair].get(kind, "none")):
                shared[pair][kind] = level
            behind[pair].add(key)
    out: dict[tuple[str, str], Pair] = {}
    for (a, b), found in shared.items():
        levels: dict[str, str] = {}
        for kind in compared:
            if rules.kinds[kind].min_shared_days and (a, b) in home[(a, kind)]:
                levels[kind] = "shared"
            elif kind in found:
                levels[kind] = found[kind]
            elif rules.kinds[kind].min_shared_days:
                levels[kind] = "differ" if home[(a, kind)] and home[(b, kind)] else "none"
            else:
                both = min(carries[(a, kind)], carries[(b, kind)])
                levels[kind] = ("none", "differ", "differ_established")[both]
        score = evidence.prior + sum(rules.weight(kind, level) for kind, level in levels.items())
        out[(a, b)] = Pair(levels, behind[(a, b)], score)
    return out


def _home_groups(window: dict[str, list[Edge]], rules: Rules) -> dict[str, int]:
    """Devices joined by the household-linking IP edges (the households proxy): each
    device on such an edge and the number of its group."""
    joined: list[tuple[str, str]] = []
    for key, edges in window.items():
        if not key.startswith("ip:"):
            continue
        by_node: dict[str, list[str]] = defaultdict(list)
        for device, node in edges:
            by_node[node].append(device)
        joined += [(devices[0], device) for devices in by_node.values() for device in devices]
    return grouped(joined)
