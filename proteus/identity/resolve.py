"""From device-identifier links to persons and households: pure, no Neo4j (but for GDS).

    resolution = resolve_table(table, rules, blocked, engine="fast")
    resolution = resolve(devices, links, rules, blocked)      # from `Link` rows

Persons are the components over the candidate pairs whose evidence links them (see
`evidence.py`); households the components over those pairs and the household-eligible
(device, identifier) edges together, so every person falls in exactly one household.
Engines:

    fast        the rules and evidence on columns (eligibility.py, evidence.py),
                components by scipy
    gds         the same columns, components by Graph Data Science WCC in Neo4j
    reference   the rules one link at a time and the evidence one pair at a time
                (reference.py), components by networkx: the readable baseline the others
                are tested against
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
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
    spark_components,
)
from proteus.identity.eligibility import Decision, decide, held_links
from proteus.identity.evidence import Comparisons, probability
from proteus.identity.links import Link, in_window
from proteus.identity.rules import LEVELS, Rules
from proteus.identity.table import LinkTable
from proteus.spark.session import SparkSetup

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
        return self.decision.person_links

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


def confidences(decision: Decision, n_devices: int) -> np.ndarray:
    """Per device: the probability of the strongest pair that links it to another device
    (NaN for a device no pair links)."""
    pairs = decision.pairs
    linked = np.flatnonzero(decision.linked)
    best = np.full(n_devices, -np.inf)
    np.maximum.at(best, pairs.a[linked], pairs.score[linked])
    np.maximum.at(best, pairs.b[linked], pairs.score[linked])
    out = np.full(n_devices, np.nan)
    found = np.isfinite(best)
    out[found] = np.round(probability(best[found]), 6)
    return out


def _components(engine: Engine, n: int, n_nodes: int, sources: np.ndarray,
                targets: np.ndarray, graph: GdsRunner | None, name: str,
                spark: SparkSetup | None) -> np.ndarray:
    """Components of the n devices (0..n-1) and n_nodes other nodes (n..) over the edges."""
    if engine == "gds":
        if graph is None:
            raise ValueError("the gds engine needs a graph")
        found = gds_labels(graph, name, n + n_nodes, sources, targets)
    elif engine == "reference":
        network: nx.Graph[int] = nx.Graph()
        network.add_nodes_from(range(n + n_nodes))
        network.add_edges_from(zip(sources.tolist(), targets.tolist(), strict=True))
        found = np.empty(n + n_nodes, dtype=np.int64)
        for number, members in enumerate(nx.connected_components(network)):
            found[list(members)] = number
    elif engine == "spark":
        found = spark_components(n + n_nodes, sources, targets, spark)
    else:
        found = labels(n + n_nodes, sources, targets)
    return canonical_labels(found[:n])


def _reference(table: LinkTable, rules: Rules, blocked: set[tuple[str, str]]) -> Decision:
    """The per-link rules and per-pair evidence, expressed in the table's positions."""
    devices = table.device_ids()
    held = list(in_window(table.links(), rules.window_days))
    old = reference.decide(held, rules, blocked)
    ident = {key: n for n, key in enumerate(table.keys(np.arange(table.n_idents)))}
    device = {d: n for n, d in enumerate(devices)}
    nodes: dict[str, int] = {}

    def code(node: str) -> int:
        base, _, group = node.partition("#")
        return ident[base] if not group else nodes.setdefault(node, table.n_idents + len(nodes))

    household_device = np.array([device[d] for d, _ in old.household_edges], dtype=np.int64)
    household_node = np.array([code(n) for _, n in old.household_edges], dtype=np.int64)
    kinds = tuple(rules.compared())
    found = sorted((device[a], device[b], pair) for (a, b), pair in old.pairs.items())
    behind = [(n, ident[key]) for n, (_, _, p) in enumerate(found) for key in sorted(p.identifiers)]
    pairs = Comparisons(
        kinds=kinds, a=np.array([a for a, _, _ in found], dtype=np.int64),
        b=np.array([b for _, b, _ in found], dtype=np.int64),
        level=np.array([[LEVELS.index(p.levels[k]) for k in kinds] for _, _, p in found],
                       dtype=np.int8).reshape(len(found), len(kinds)),
        score=np.array([p.score for _, _, p in found], dtype=float),
        shared_pair=np.array([n for n, _ in behind], dtype=np.int64),
        shared_ident=np.array([i for _, i in behind], dtype=np.int64))
    linked = pairs.score >= rules.evidence.link_at
    linking = pairs.identifiers_of(linked, table.n_idents)
    return Decision(
        held=held_links(table, rules.window_days),
        excluded={ident[key]: e for key, e in old.exclusions.items()}, pairs=pairs,
        linked=linked, household_device=household_device, household_node=household_node,
        n_nodes=table.n_idents + len(nodes), linking=linking, person_links=old.person_links,
        caps=old.caps)


def resolve_table(table: LinkTable, rules: Rules, blocked: set[tuple[str, str]],
                  engine: Engine = "fast", graph: GdsRunner | None = None,
                  name: str = "identity", spark: SparkSetup | None = None) -> Resolution:
    started = time.perf_counter()
    decision = _reference(table, rules, blocked) if engine == "reference" else \
        decide(table, rules, blocked)
    confidence = confidences(decision, table.n_devices)
    decided = time.perf_counter()
    pairs, n = decision.pairs, table.n_devices
    a, b = pairs.a[decision.linked], pairs.b[decision.linked]
    person = _components(engine, n, 0, a, b, graph, f"{name}-persons", spark)
    clustered = time.perf_counter()
    household = _components(engine, n, decision.n_nodes,
                            np.r_[a, decision.household_device],
                            np.r_[b, n + decision.household_node], graph,
                            f"{name}-households", spark)
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
