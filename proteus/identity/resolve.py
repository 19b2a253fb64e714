"""From device-identifier links to persons and households: pure, no Neo4j (but for GDS).

    resolution = resolve_table(table, rules, blocked, engine="fast")
    resolution = resolve(devices, links, rules, blocked)      # from `Link` rows

Persons are the components over person-eligible edges; households the components over
person-eligible and household-eligible edges together, so every person falls in exactly
one household. Engines:

    fast        the rules on columns (eligibility.py), components by scipy
    gds         the rules on columns, components by Graph Data Science WCC in Neo4j
    reference   the rules one link at a time (reference.py), components by networkx: the
                readable baseline the others are tested against
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from proteus.identity import reference
from proteus.identity.components import (
    Engine,
    GdsRunner,
    Partition,
    canonical_labels,
    gds_labels,
    labels,
    partition_of,
)
from proteus.identity.components import reference as networkx_components
from proteus.identity.eligibility import Decision, decide, held_links
from proteus.identity.links import Link, in_window
from proteus.identity.rules import Rules
from proteus.identity.table import LinkTable

SOLO_CONFIDENCE = 1.0


@dataclass
class Resolution:
    """Per device (in `table.devices` order) its person and household, as canonical labels
    (0, 1, ... in the order of each group's smallest device), and its confidence."""

    table: LinkTable
    decision: Decision
    person: np.ndarray
    household: np.ndarray
    confidence_of: np.ndarray
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def person_links(self) -> int:
        return len(self.decision.person_device)

    @property
    def household_links(self) -> int:
        return len(self.decision.household_device)

    @cached_property
    def device_ids(self) -> list[str]:
        return self.table.device_ids()

    @cached_property
    def persons(self) -> Partition:
        return partition_of(self.device_ids, self.person)

    @cached_property
    def households(self) -> Partition:
        return partition_of(self.device_ids, self.household)

    @property
    def confidence(self) -> dict[str, float]:
        """Devices linked to another device of their person, with their confidence."""
        linked = np.flatnonzero(~np.isnan(self.confidence_of))
        return {self.device_ids[i]: float(self.confidence_of[i]) for i in linked.tolist()}

    def person_confidence(self) -> np.ndarray:
        return np.where(np.isnan(self.confidence_of), SOLO_CONFIDENCE, self.confidence_of)


def confidences(decision: Decision, table: LinkTable, rules: Rules) -> np.ndarray:
    """Per device: the confidence of the strongest kind that links it to another device."""
    scale = rules.confidence.model_dump()
    priority = np.array([rules.kinds[k].priority if k in rules.kinds else 0
                         for k in table.kinds] or [0])
    value = {rules.kinds[k].priority: float(scale[rules.kinds[k].strength])
             for k in table.kinds if k in rules.kinds}
    held = decision.held
    links = decision.confidence_link
    best = np.full(table.n_devices, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, held.device[links], priority[table.ident_kind[held.ident[links]]])
    out = np.full(table.n_devices, np.nan)
    for level, confidence in value.items():
        out[best == level] = confidence
    return out


def _components(engine: Engine, table: LinkTable, n_nodes: int, device: np.ndarray,
                node: np.ndarray, graph: GdsRunner | None, name: str) -> np.ndarray:
    n = table.n_devices
    if engine == "gds":
        if graph is None:
            raise ValueError("the gds engine needs a graph")
        found = gds_labels(graph, name, n + n_nodes, device, n + node)
    else:
        found = labels(n + n_nodes, device, n + node)
    return canonical_labels(found[:n])


def _reference(table: LinkTable, rules: Rules, blocked: set[tuple[str, str]]
               ) -> tuple[Decision, np.ndarray, np.ndarray, np.ndarray]:
    """The per-link rules and networkx, expressed in the table's positions."""
    devices = table.device_ids()
    held = [link for link in in_window(table.links(), rules.window_days)]
    old = reference.decide(held, rules, blocked)
    ident = {key: n for n, key in enumerate(table.keys(np.arange(table.n_idents)))}
    device = {d: n for n, d in enumerate(devices)}
    nodes: dict[str, int] = {}

    def code(node: str) -> int:
        base, _, group = node.partition("#")
        return ident[base] if not group else nodes.setdefault(node, table.n_idents + len(nodes))

    def edges(pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([device[d] for d, _ in pairs], dtype=np.int64),
                np.array([code(n) for _, n in pairs], dtype=np.int64))

    person_device, person_node = edges(old.person_edges)
    household_device, household_node = edges(old.household_edges)
    linking = np.zeros(table.n_idents, dtype=bool)
    linking[[ident[n.partition("#")[0]] for _, n in old.person_edges]] = True
    decision = Decision(
        held=held_links(table, rules.window_days),
        excluded={ident[key]: e for key, e in old.exclusions.items()},
        person_device=person_device, person_node=person_node,
        household_device=household_device, household_node=household_node,
        n_nodes=table.n_idents + len(nodes), linking=linking)
    confidence = np.full(table.n_devices, np.nan)
    for d, value in reference.confidences(old, rules).items():
        confidence[device[d]] = value

    def labelled(groups: Partition) -> np.ndarray:
        found = np.empty(len(devices), dtype=np.int64)
        for n, group in enumerate(groups):
            found[[device[d] for d in group]] = n
        return canonical_labels(found)

    persons = networkx_components(devices, old.person_edges)
    households = networkx_components(devices, old.person_edges + old.household_edges)
    return decision, confidence, labelled(persons), labelled(households)


def resolve_table(table: LinkTable, rules: Rules, blocked: set[tuple[str, str]],
                  engine: Engine = "fast", graph: GdsRunner | None = None,
                  name: str = "identity") -> Resolution:
    started = time.perf_counter()
    if engine == "reference":
        decision, confidence, person, household = _reference(table, rules, blocked)
        decided = clustered = time.perf_counter()
    else:
        decision = decide(table, rules, blocked)
        confidence = confidences(decision, table, rules)
        decided = time.perf_counter()
        person = _components(engine, table, decision.n_nodes, decision.person_device,
                             decision.person_node, graph, f"{name}-persons")
        clustered = time.perf_counter()
        household = _components(
            engine, table, decision.n_nodes,
            np.r_[decision.person_device, decision.household_device],
            np.r_[decision.person_node, decision.household_node], graph, f"{name}-households")
    done = time.perf_counter()
    return Resolution(
        table=table, decision=decision, person=person, household=household,
        confidence_of=confidence,
        seconds={"rules": round(decided - started, 3), "persons": round(clustered - decided, 3),
                 "households": round(done - clustered, 3)})


def resolve(devices: Sequence[str], links: Iterable[Link], rules: Rules,
            blocked: set[tuple[str, str]], engine: Engine = "fast",
            graph: GdsRunner | None = None, name: str = "identity") -> Resolution:
    """`resolve_table` over `Link` rows; links of devices not listed are ignored."""
    return resolve_table(LinkTable.from_links(devices, list(links)), rules, blocked, engine,
                         graph, name)
