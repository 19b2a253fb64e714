"""`bench_identity(devices, profile=...)`: generate, ingest, resolve; quality against the
truth and against plain components, and per-phase timings.

The stage runs once as `proteus identity run` would (engine fast, from the graph or from a
Parquet folder with `links`); `seconds_read`, `seconds_rules`, `seconds_persons`,
`seconds_households` and `seconds_write` are its phases, `precision`, `recall` and `f1` its
person scores. In the same run, on the same links: `f1_components` (with
`precision_components`, `recall_components`) scores plain connected components over the
identifiers of the kinds that link persons, blocklisted junk values dropped and no other
rule (what anyone would write in an afternoon); `f1_naive` components over every
identifier with nothing dropped; `seconds_read_rows` reads the links as the row query
`identity/stream_links` into `Link` rows (the read before columns), and `seconds_<engine>`
times each engine's rules and components. The timing baseline is the reference engine
(per-link rules, per-pair evidence, networkx), so `ratio_vs_baseline` is its time over the
fast engine's.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from proteus import edge, ingest
from proteus.db import manage
from proteus.errors import InputError
from proteus.graph import Graph
from proteus.identity.components import labels, partition_of
from proteus.identity.eligibility import blocked_mask
from proteus.identity.links import link_from_row
from proteus.identity.report import PairScore
from proteus.identity.resolve import resolve_table
from proteus.identity.rules import Rules, load_rules
from proteus.identity.source import read_folder, read_graph
from proteus.identity.stage import run
from proteus.identity.table import LinkTable
from proteus.ingest.loaded import already_loaded
from proteus.pseudonym import key_from
from proteus.settings import Settings, get_settings
from proteus.tools import generate
from proteus.tools.truth import load_truth, pair_score, score_identity


def _load(graph: Graph, settings: Settings, devices: int, data: Path | None, seed: int,
          workdir: Path, profile: str) -> Path:
    dataset = data or workdir / "dataset"
    if data is None:
        print(f"generating {devices:,} devices ({profile} profile) into {dataset}",
              file=sys.stderr)
        generate.run(generate.GenerateParams.model_validate(
            {"out": dataset, "devices": devices, "seed": seed, "quiet": True,
             "profile": profile}))
    files = sorted(dataset.glob("network-*"))
    if data is not None and already_loaded(graph, files):
        print(f"{dataset}: every network file is ingested already; reusing the graph",
              file=sys.stderr)
        return dataset
    manage.reset(graph)
    ingest.run(graph, edge.ingest_params(settings, files, rejects_dir=workdir / "rejects"))
    return dataset


def score_or_none(score: PairScore | None) -> float | None:
    return None if score is None else score.f1


def _read_rows(graph: Graph) -> tuple[float, int]:
    started = time.perf_counter()
    devices = [str(row["id"]) for row in graph.stream("identity/devices")]
    links = [link_from_row(row) for row in graph.stream("identity/stream_links")]
    del devices
    return time.perf_counter() - started, len(links)


def profile_of(dataset: Path) -> str:
    """The generator profile a dataset was made with (its manifest; default without one)."""
    try:
        manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "default"
    return str(manifest.get("params", {}).get("profile") or "default")


def plain_components(table: LinkTable, rules: Rules, blocked: set[tuple[str, str]]
                     ) -> np.ndarray:
    """Per device, its component over the identifiers of the kinds that link persons, the
    blocklisted values dropped, no other rule."""
    kinds = [n for n, kind in enumerate(table.kinds)
             if kind in rules.kinds and rules.kinds[kind].persons]
    keep_ident = np.isin(table.ident_kind, kinds) & ~blocked_mask(table, blocked)
    keep = (table.link_device >= 0) & keep_ident[table.link_ident]
    n = table.n_devices
    return labels(n + table.n_idents, table.link_device[keep].astype(np.int64),
                  n + table.link_ident[keep].astype(np.int64))[:n]


def bench_identity(devices: int, graph: Graph | None = None, settings: Settings | None = None,
                   data: Path | None = None, seed: int = 42, links: Path | None = None,
                   profile: str | None = None) -> dict[str, Any]:
    """Replaces the graph's content with a generated dataset, then measures identity."""
    settings = settings or get_settings()
    if data is not None and profile is not None and profile != profile_of(data):
        raise InputError(f"{data} was generated with the {profile_of(data)} profile, not "
                         f"{profile}: drop --profile or generate another dataset")
    profile = profile_of(data) if data is not None else (profile or "default")
    own = graph is None
    graph = graph or Graph(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="proteus-bench-identity-") as tmp:
            dataset = _load(graph, settings, devices, data, seed, Path(tmp), profile)
            truth = load_truth(dataset)
            report = score_identity(graph, run(graph, edge.identity_params(
                settings, engine="fast", links=links)), truth)
        started = time.perf_counter()
        table = read_graph(graph) if links is None else read_folder(links)
        read_again = time.perf_counter() - started
        read_rows, rows = _read_rows(graph)
        rules = load_rules()
        blocked = rules.blocked_values(key_from(settings))
        timings: dict[str, float] = {}
        partitions = {}
        for engine in ("fast", "reference", "gds"):
            try:
                result = resolve_table(table, rules, blocked, engine, graph, f"bench-{engine}")
            except Exception as exc:  # GDS may be absent: the bench still reports the others
                print(f"engine {engine} unavailable: {exc}", file=sys.stderr)
                continue
            timings[engine] = sum(result.seconds.values())
            partitions[engine] = (result.person.tolist(), result.household.tolist())
        n = table.n_devices
        known = table.link_device >= 0
        naive = labels(n + table.n_idents, table.link_device[known].astype(np.int64),
                       n + table.link_ident[known].astype(np.int64))[:n]
        naive_groups = partition_of(table.device_ids(), naive)
        plain = pair_score(partition_of(table.device_ids(), plain_components(
            table, rules, blocked)), truth.person)
    finally:
        if own:
            graph.close()
    quality = report.quality
    assert quality is not None
    same = all(p == partitions["fast"] for p in partitions.values())
    seconds = report.seconds
    person = quality.person
    return {
        "profile": profile,
        "devices": report.devices,
        "links": report.links,
        "source": report.source,
        "persons": report.persons.count,
        "households": report.households.count,
        "precision": person.precision,
        "recall": person.recall,
        "f1": person.f1,
        "precision_components": plain.precision,
        "recall_components": plain.recall,
        "f1_components": plain.f1,
        "f1_person": person.f1,
        "f1_person_resolvable": score_or_none(quality.person_resolvable),
        "f1_household": score_or_none(quality.household),
        "f1_naive": pair_score(naive_groups, truth.person).f1,
        "pairs": report.evidence.pairs if report.evidence else None,
        "pairs_linked": report.evidence.pairs_linked if report.evidence else None,
        "caps": {kind: cap.cap for kind, cap in report.caps.items()},
        "naive_largest_devices": int(np.bincount(naive).max()) if n else 0,
        "largest_person_devices": report.persons.max,
        "gate_passed": report.gate.passed,
        "engines_agree": same,
        "seconds_read": seconds.get("read"),
        "seconds_rules": seconds.get("rules"),
        "seconds_persons": seconds.get("persons"),
        "seconds_households": seconds.get("households"),
        "seconds_write": seconds.get("write"),
        "seconds_run": seconds.get("total"),
        "seconds_read_columns": round(read_again, 3),
        "seconds_read_rows": round(read_rows, 3),
        "links_per_s_columns": round(table.n_links / max(read_again, 1e-9)),
        "links_per_s_rows": round(rows / max(read_rows, 1e-9)),
        "seconds_fast": round(timings["fast"], 3),
        "seconds_reference": round(timings["reference"], 3),
        "seconds_gds": round(timings["gds"], 3) if "gds" in timings else None,
        "ratio_vs_baseline": round(timings["reference"] / max(timings["fast"], 1e-9), 2),
    }
