"""`bench_identity(devices)`: generate, ingest, resolve; quality and engine timings.

`seconds_<engine>` time the components (persons and households) of each engine on the same
eligible edge list; `seconds_rules` the rules, shared by all. The baseline is the reference
engine (networkx), so `ratio_vs_baseline` is its time over the fast engine's; `f1_naive`
scores components over every identifier with no rule at all, on the same data.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from proteus.graph import Graph
from proteus.identity.components import components
from proteus.identity.links import link_from_row
from proteus.identity.quality import load_truth, pair_score
from proteus.identity.report import IdentityParams
from proteus.identity.resolve import resolve
from proteus.identity.rules import load_rules
from proteus.identity.stage import rows_of, run
from proteus.ingest import already_loaded
from proteus.pseudonym import key_from
from proteus.settings import Settings, get_settings


def _load(graph: Graph, settings: Settings, devices: int, data: Path | None, seed: int,
          workdir: Path) -> Path:
    from proteus import generate, ingest
    from proteus.db import manage

    dataset = data or workdir / "dataset"
    if data is None:
        print(f"generating {devices:,} devices into {dataset}", file=sys.stderr)
        generate.run(generate.GenerateParams.model_validate(
            {"out": dataset, "devices": devices, "seed": seed, "quiet": True}))
    files = sorted(dataset.glob("network-*"))
    if data is not None and already_loaded(graph, files):
        print(f"{dataset}: every network file is ingested already; reusing the graph",
              file=sys.stderr)
        return dataset
    manage.reset(graph)
    ingest.run(graph, ingest.IngestParams(paths=files, rejects_dir=workdir / "rejects"),
               settings)
    return dataset


def bench_identity(devices: int, graph: Graph | None = None, settings: Settings | None = None,
                   data: Path | None = None, seed: int = 42) -> dict[str, Any]:
    """Replaces the graph's content with a generated dataset, then measures identity."""
    settings = settings or get_settings()
    own = graph is None
    graph = graph or Graph(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="proteus-bench-identity-") as tmp:
            dataset = _load(graph, settings, devices, data, seed, Path(tmp))
            report = run(graph, IdentityParams(engine="fast", truth=dataset), settings)
            truth = load_truth(dataset)
        ids = [str(row["id"]) for row in rows_of(graph, "identity/devices")]
        links = [link_from_row(row) for row in rows_of(graph, "identity/stream_links")]
        rules = load_rules()
        blocked = rules.blocked_values(key_from(settings))
        timings: dict[str, float] = {}
        rule_seconds: list[float] = []
        partitions = {}
        for engine in ("fast", "reference", "gds"):
            try:
                result = resolve(ids, links, rules, blocked, engine, graph, f"bench-{engine}")
            except Exception as exc:  # GDS may be absent: the bench still reports the others
                print(f"engine {engine} unavailable: {exc}", file=sys.stderr)
                continue
            timings[engine] = result.seconds["persons"] + result.seconds["households"]
            rule_seconds.append(result.seconds["rules"])
            partitions[engine] = result.persons
        naive = components("fast", sorted(ids), [(k.device, k.identifier) for k in links])
    finally:
        if own:
            graph.close()
    quality = report.quality
    assert quality is not None
    same = all(p == partitions["fast"] for p in partitions.values())
    return {
        "devices": report.devices,
        "links": report.links,
        "persons": report.persons.count,
        "households": report.households.count,
        "f1_person": quality.person.f1,
        "f1_person_resolvable": quality.person_resolvable.f1,
        "f1_household": quality.household.f1,
        "f1_naive": pair_score(naive, truth.person).f1,
        "naive_largest_devices": max(len(g) for g in naive),
        "largest_person_devices": report.persons.max,
        "gate_passed": report.gate.passed,
        "engines_agree": same,
        "seconds_fast": round(timings["fast"], 3),
        "seconds_reference": round(timings["reference"], 3),
        "seconds_gds": round(timings["gds"], 3) if "gds" in timings else None,
        "seconds_rules": round(min(rule_seconds), 3),
        "seconds_run": report.seconds.get("total"),
        "ratio_vs_baseline": round(timings["reference"] / max(timings["fast"], 1e-9), 2),
    }
