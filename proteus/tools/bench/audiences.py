"""`bench_audience`: a generated dataset through every stage, then an audience dry-run and
materialised, timed, with its consent violations counted two ways (must be 0):

- graph: members whose person now has a login, seen with one of its devices, that withdrew
  consent for the audience's purpose;
- truth: members whose person has a device seen with a login the generator's
  `truth/consent.csv` marks `advertising_withdrawn` (advertising audiences only).
"""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from proteus import audiences, edge, identity, ingest, interests, segments, taxonomy
from proteus.audiences.members import withdrawn
from proteus.db import manage
from proteus.errors import InputError
from proteus.graph import Graph, Runner
from proteus.ingest.files import discover
from proteus.ingest.loaded import already_loaded
from proteus.pseudonym import key_from, pseudonymise
from proteus.settings import Settings
from proteus.shipped import rules_dir
from proteus.tools import generate
from proteus.tools.generate import devices_of

DEFAULT_DEFINITION = "audiences/sports-big-screen.yaml"


def _load(graph: Graph, settings: Settings, devices: int, dataset: Path | None, seed: int,
          workdir: Path) -> tuple[Path, dict[str, float]]:
    timings: dict[str, float] = {}
    source = dataset or workdir / "dataset"
    started = time.monotonic()
    if dataset is None:
        print(f"generating {devices:,} devices into {source}", file=sys.stderr)
        generate.run(generate.GenerateParams.model_validate(
            {"out": source, "devices": devices, "seed": seed, "quiet": True}))
    manage.reset(graph)
    steps: list[tuple[str, Any]] = [
        ("ingest", lambda: ingest.run(graph, edge.ingest_params(
            settings, [source], rejects_dir=workdir / "rejects"))),
        ("identity", lambda: identity.run(graph, edge.identity_params(settings,
                                                                      engine="fast"))),
        ("taxonomy", lambda: taxonomy.run(graph, taxonomy.TaxonomyParams())),
        ("interests", lambda: interests.run(graph, interests.InterestsParams())),
        ("segments", lambda: segments.run(graph, segments.SegmentsParams())),
    ]
    for name, step in steps:
        t0 = time.monotonic()
        print(f"{name}...", file=sys.stderr)
        step()
        timings[f"{name}_s"] = round(time.monotonic() - t0, 1)
    timings["load_s"] = round(time.monotonic() - started, 1)
    return source, timings


def corrupted_accounts(dataset: Path) -> set[str]:
    """Accounts with a consent row the generator corrupted on purpose (`truth/malformed.csv`
    names each row's account as generated): ingest rejects such a row, so no system can know
    what it said."""
    with (dataset / "truth" / "malformed.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "subject" not in rows[0]:
        raise InputError(f"{dataset}: truth/malformed.csv has no subject column; generate "
                         "the dataset again with this version")
    return {row["subject"] for row in rows if row["file"].startswith("consent")}


def withdrawn_truth(dataset: Path, settings: Settings) -> tuple[list[str], int]:
    """Login pseudonyms the generator's truth marks as having withdrawn advertising consent,
    leaving out accounts whose consent rows were corrupted on purpose; and how many those are."""
    key = key_from(settings)
    with (dataset / "truth" / "consent.csv").open(encoding="utf-8", newline="") as handle:
        accounts = {row["account"] for row in csv.DictReader(handle)
                    if row["advertising_withdrawn"] == "true"}
    corrupted = corrupted_accounts(dataset) & accounts
    return ([pseudonymise("login", a, key) for a in sorted(accounts - corrupted)],
            len(corrupted))


def consent_violations(graph: Runner, audience: str, settings: Settings,
                       dataset: Path | None) -> tuple[int, int | None, int | None, int | None]:
    """Members violating consent in the graph, members violating it in the truth (None
    without a truth), and how many persons the truth's withdrawn logins reach."""
    version = audiences.get(graph, audience)
    rows = graph.read("audiences/stored_members", id=version.id)
    persons = sorted({p for r in rows for p in r["persons"]})
    now = withdrawn(graph, persons, version.purpose)
    graph_count = sum(1 for r in rows if set(r["persons"]) & now)
    truth_count: int | None = None
    reached: int | None = None
    corrupted: int | None = None
    if dataset is not None and version.purpose == "advertising" \
            and (dataset / "truth" / "consent.csv").is_file():
        logins, corrupted = withdrawn_truth(dataset, settings)
        blocked = {r["person"] for r in graph.read("tools/persons_of_logins",
                                                   logins=logins)}
        truth_count = sum(1 for r in rows if set(r["persons"]) & blocked)
        reached = len(blocked)
    return graph_count, truth_count, reached, corrupted


DRY_RUN_REPEATS = 5  # the dry run is timed again this often; dry_run_ms is their median


def bench_audience(graph: Graph, settings: Settings, devices: int, dataset: Path | None = None,
                   definition: Path | None = None, seed: int = 42, load: bool = True,
                   actor: str = "bench") -> dict[str, Any]:
    """Replaces the graph's content (unless `load` is false), then measures one audience: its
    dry run once cold and DRY_RUN_REPEATS times warm, then its materialisation."""
    with tempfile.TemporaryDirectory(prefix="proteus-bench-audience-") as tmp:
        timings: dict[str, float] = {}
        if load and dataset is not None and already_loaded(
                graph, discover([dataset])[0], ("identity", "interests")):
            print(f"{dataset}: ingested and processed already; measuring on the graph",
                  file=sys.stderr)
            load = False
        if load:
            dataset, timings = _load(graph, settings, devices, dataset, seed, Path(tmp))
        source = definition or rules_dir() / DEFAULT_DEFINITION
        version = audiences.create(graph, source, actor=actor)
        dry = audiences.dry_run(graph, version.id, actor=actor)
        repeats = [audiences.dry_run(graph, version.id, actor=actor).dry_run_ms
                   for _ in range(DRY_RUN_REPEATS)]
        if version.status == "draft":
            audiences.approve(graph, version.id, actor=actor)
        report = audiences.materialise(graph, version.id, actor=actor)
        checked = audiences.verify(graph, version.id)
        in_graph, in_truth, reached, corrupted = consent_violations(graph, version.id,
                                                                    settings, dataset)
    count = graph.read("db/counts")[0]
    return {
        "devices": (devices_of(dataset) if dataset else None) or devices,
        "graph_nodes": count.get("nodes"), "audience": version.id,
        "members": report.members, "dry_run_members": dry.members,
        "persons": report.counts.persons, "households": report.counts.households,
        "member_devices": report.counts.devices, "excluded_consent": report.excluded_consent,
        "dry_run_ms": statistics.median(repeats), "dry_run_first_ms": dry.dry_run_ms,
        "dry_run_repeats_ms": repeats, "select_ms": report.select_ms,
        "explain_ms": report.explain_ms, "write_ms": report.write_ms,
        "materialise_ms": report.materialise_ms,
        "paths": checked["hops"], "paths_missing": checked["missing"],
        "consent_violations": in_graph + (in_truth or 0),
        "consent_violations_graph": in_graph, "consent_violations_truth": in_truth,
        "truth_withdrawn_persons": reached, "truth_corrupted_consent_accounts": corrupted,
        **timings,
    }
