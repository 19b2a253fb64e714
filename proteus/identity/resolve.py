"""From device-identifier links to persons and households: pure, no Neo4j.

    resolution = resolve(devices, links, rules, blocked, engine="fast")

Persons are the components over person-eligible edges; households the components over
person-eligible and household-eligible edges together, so every person falls in exactly
one household.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from proteus.identity.components import Engine, GdsRunner, Partition, components
from proteus.identity.eligibility import Decision, decide
from proteus.identity.links import Link, in_window
from proteus.identity.rules import Rules

SOLO_CONFIDENCE = 1.0


@dataclass
class Resolution:
    devices: list[str]
    persons: Partition
    households: Partition
    decision: Decision
    confidence: dict[str, float]
    links: list[Link] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def household_of_person(self) -> list[int]:
        """For each person (by position), the position of its household."""
        where = {d: n for n, group in enumerate(self.households) for d in group}
        return [where[group[0]] for group in self.persons]


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


def resolve(devices: Sequence[str], links: Iterable[Link], rules: Rules,
            blocked: set[tuple[str, str]], engine: Engine = "fast",
            graph: GdsRunner | None = None, name: str = "identity") -> Resolution:
    started = time.perf_counter()
    known = set(devices)
    held = [link for link in in_window(links, rules.window_days) if link.device in known]
    decision = decide(held, rules, blocked)
    decided = time.perf_counter()
    ordered = sorted(known)
    persons = components(engine, ordered, decision.person_edges, graph, f"{name}-persons")
    clustered = time.perf_counter()
    households = components(engine, ordered,
                            decision.person_edges + decision.household_edges,
                            graph, f"{name}-households")
    done = time.perf_counter()
    return Resolution(
        devices=ordered, persons=persons, households=households, decision=decision,
        confidence=confidences(decision, rules), links=held,
        seconds={"rules": round(decided - started, 3), "persons": round(clustered - decided, 3),
                 "households": round(done - clustered, 3)},
    )
