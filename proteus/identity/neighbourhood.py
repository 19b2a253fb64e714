"""The evidence a run weighed between some devices, rebuilt from what the run stored.

    found = weigh(graph, ["dev-a", "dev-b"], run_id)
    found.pairs[("dev-a", "dev-b")].levels         # {"login": "shared", "ip": "differ", ...}

The run's Run node holds the rules it used (`rules`, recorded when it opened) and its window
(`report.window`); its EXCLUDED
relationships say which identifiers a rule stopped. The devices' sightings, and every
sighting of the identifiers they carry (the device counts and home addresses the levels
depend on), are read from the graph, trimmed to the run's window and weighed by the
reference rules (`reference.py`): the same levels and scores the run computed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from proteus import runs
from proteus.errors import Conflict, NotFound
from proteus.graph import Row, Runner
from proteus.identity.eligibility import ALL, Exclusion
from proteus.identity.links import Link
from proteus.identity.reference import Pair, weigh_pairs, windowed_edges
from proteus.identity.rules import Rules


@dataclass
class RunRules:
    """The rules and window of the run that produced the current persons."""

    rules: Rules
    version: str
    first: str | None = None
    last: str | None = None
    run_id: str | None = None

    def trim(self, days: list[str] | None) -> tuple[str, ...]:
        return tuple(d for d in days or () if (self.first is None or d >= self.first)
                     and (self.last is None or d <= self.last))


@dataclass
class Weighed:
    """Sightings of the explained devices (rows with edge ids and exclusions), every pair
    among them with its evidence, and the run's rules."""

    run: RunRules
    rows: list[Row]
    pairs: dict[tuple[str, str], Pair] = field(default_factory=dict)
    exclusions: dict[str, Exclusion] = field(default_factory=dict)

    def pair(self, a: str, b: str) -> Pair | None:
        return self.pairs.get((min(a, b), max(a, b)))


def run_rules(graph: Runner, run_id: str | None) -> RunRules:
    """The rules the run recorded and its window. Without a run (devices no identity run
    has resolved), those of the latest complete identity run: the rules that would have
    weighed them. Never the rules file as it reads today."""
    found = graph.read("runs/get_run", id=run_id) if run_id else \
        graph.read("runs/latest_run", stage="identity", status="complete")
    if not found:
        raise NotFound("no identity run has resolved these devices: run `proteus identity`")
    run: dict[str, Any] = found[0]["run"]
    recorded = runs.recorded_rules(run)
    if recorded is None:
        raise Conflict(f"identity run {run['id']} did not record the rules it used: run "
                       f"`proteus identity` again to explain its persons")
    version = str(json.loads(run.get("rule_versions") or "{}").get("identity", "?"))
    window = json.loads(run.get("report") or "{}").get("window") or {}
    return RunRules(Rules.model_validate(recorded), version, window.get("first"),
                    window.get("last"), str(run["id"]))


def _link(row: Row, run: RunRules) -> Link:
    return Link(device=str(row["device"]), kind=str(row["kind"]), value=str(row["value"]),
                days=run.trim(row.get("days")), network=row.get("network"),
                ip_class=row.get("ip_class"), edge_id=row.get("edge_id"))


def weigh(graph: Runner, devices: list[str], run_id: str | None) -> Weighed:
    run = run_rules(graph, run_id)
    rules = run.rules
    rows = graph.read("identity/person_links", devices=devices, run_id=run.run_id)
    exclusions: dict[str, Exclusion] = {}
    nodes: dict[str, str] = {}
    for row in rows:
        key = f"{row['kind']}:{row['value']}"
        if row.get("rule"):
            exclusions[key] = Exclusion(key, str(row["rule"]), str(row.get("scope") or ALL),
                                        str(row.get("detail") or ""))
        rule = rules.kinds.get(str(row["kind"]))
        if rule is None or (key in exclusions and exclusions[key].scope == ALL):
            continue
        if row["kind"] in rules.evidence.weights:
            nodes[key] = str(row["node_id"])
    by_identifier: dict[str, list[Link]] = defaultdict(list)
    for row in graph.read("identity/identifier_sightings", nodes=sorted(set(nodes.values()))):
        link = _link(row, run)
        if link.days:
            by_identifier[link.identifier].append(link)
    kind_of = {key: held[0].kind for key, held in by_identifier.items()}
    together = {key: windowed_edges(key, held, rules.kinds[kind_of[key]])[1]
                for key, held in by_identifier.items()
                if rules.kinds[kind_of[key]].min_shared_days}
    pairs = weigh_pairs(by_identifier, kind_of, exclusions, together, rules)
    wanted = set(devices)
    return Weighed(run=run, rows=rows, exclusions=exclusions,
                   pairs={p: v for p, v in pairs.items() if p[0] in wanted and p[1] in wanted})
