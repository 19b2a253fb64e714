"""The identity stage: `run(graph, params) -> IdentityReport`.

Reads devices and device-identifier links as columns (from the graph, or from the ingest
fold's Parquet folder with `params.links`), applies the rules, finds persons and households,
keeps ids stable, records exclusions and merge/split events on the Run, and publishes the
result unless the quality gate fails (then the previous persons stay current).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from proteus import runs
from proteus.graph import Runner
from proteus.identity import publish
from proteus.identity.eligibility import distinct
from proteus.identity.report import (
    Assignment,
    CapReport,
    EvidenceReport,
    Gate,
    IdentityParams,
    IdentityReport,
    LinkWindow,
)
from proteus.identity.resolve import Resolution, resolve_table
from proteus.identity.rules import Rules, default_rules_path, load_rules
from proteus.identity.sizes import sizes_stats
from proteus.identity.source import read_folder, read_graph, value_bounds
from proteus.identity.stable import Change, Previous, assign, changes_of
from proteus.identity.table import LinkTable, iso

log = logging.getLogger(__name__)

MAX_CAUSES = 20


def window_warning(window: LinkWindow) -> list[str]:
    """A warning when the window leaves out most of the sighting days."""
    if not window.most_left_out:
        return []
    return [f"the {window.days}-day link window ({window.first} to {window.last}) leaves out "
            f"{window.sighting_days_left_out:,} of {window.sighting_days:,} sighting days and "
            f"{window.links_left_out:,} of {window.links:,} links (data from "
            f"{window.data_first}); raise window_days in the rules to use them"]


def link_window(table: LinkTable, days: int) -> LinkWindow:
    """What the window keeps: its first and last day (the data's latest), and the links and
    sighting days before it that it leaves out."""
    if not len(table.day):
        return LinkWindow(days=days, first=None, last=None, data_first=None,
                          links=table.n_links, links_left_out=0, sighting_days=0,
                          sighting_days_left_out=0)
    last = int(table.day.max())
    start = last - days + 1
    before = table.day < start
    day_link = np.repeat(np.arange(table.n_links), table.day_counts())
    kept = np.bincount(day_link[~before], minlength=table.n_links)
    dropped = int(((kept == 0) & (table.day_counts() > 0)).sum())
    return LinkWindow(days=days, first=iso(start), last=iso(last),
                      data_first=iso(int(table.day.min())), links=table.n_links,
                      links_left_out=dropped, sighting_days=len(table.day),
                      sighting_days_left_out=int(before.sum()))


def evidence_report(resolution: Resolution, rules: Rules) -> EvidenceReport:
    pairs, linked = resolution.decision.pairs, resolution.decision.linked
    e = rules.evidence
    return EvidenceReport(
        prior=e.prior, link_at=e.link_at, support_days=e.support_days,
        established_devices=e.established_devices,
        weights={kind: {level: float(w) for level, w in levels.items()}
                 for kind, levels in e.weights.items()},
        pairs=len(pairs), pairs_linked=int(linked.sum()), levels=pairs.counts(),
        levels_linked=pairs.counts(linked))


def rules_digest(path: Path | None) -> str:
    """sha256 of the rules file's bytes: a change shows even without a version bump."""
    return hashlib.sha256((path or default_rules_path()).read_bytes()).hexdigest()


def gate(resolution: Resolution, rules: Rules) -> Gate:
    limit = rules.gate
    largest = int(np.bincount(resolution.person).max()) if len(resolution.person) else 0
    share = largest / max(resolution.table.n_devices, 1)
    reason = ""
    if largest > limit.max_person_devices:
        reason = f"largest person has {largest} devices > {limit.max_person_devices}"
    elif share > limit.max_person_share and largest > limit.share_above_devices:
        reason = f"largest person holds {share:.2%} of devices > {limit.max_person_share:.2%}"
    return Gate(passed=not reason, max_person_devices=limit.max_person_devices,
                max_person_share=limit.max_person_share, reason=reason)


def previous_partition(graph: Runner, table: LinkTable) -> tuple[Previous, Previous]:
    """The published person and household of each of the table's devices."""
    devices: list[Any] = []
    persons: list[Any] = []
    households: list[Any] = []
    for row in graph.stream_plain("identity/current_partition",
                                  bounds=[list(b) for b in value_bounds(start="p-")]):
        devices.extend(row["devices"])
        persons.extend(row["persons"])
        households.extend(row["households"])
    at = pc.index_in(table.devices, value_set=pa.array(devices, pa.string()))
    rows = at.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)

    def aligned(values: list[Any]) -> Previous:
        ids = sorted({str(v) for v in values if v})
        index = {pid: n for n, pid in enumerate(ids)}
        code = np.array([index.get(v, -1) if v else -1 for v in values] or [-1], np.int64)
        return Previous(np.where(rows >= 0, code[np.maximum(rows, 0)], -1), ids)

    return aligned(persons), aligned(households)


def causes(changes: list[Change], resolution: Resolution, previous: Previous
           ) -> list[list[str]]:
    """For each change, the identifiers behind it: eligible ones joining devices of
    different old ids (`links`), and shared ones that no longer join devices now apart
    (`excluded by <rule>` or `not eligible`)."""
    if not changes:
        return []
    table, held, decision = resolution.table, resolution.decision.held, resolution.decision
    index = {d: n for n, d in enumerate(resolution.device_ids)}
    order = np.argsort(held.device, kind="stable")
    starts = np.searchsorted(held.device[order], np.arange(table.n_devices + 1))
    found: list[list[str]] = []
    for change in changes:
        moved = np.array([index[d] for d in change.devices], dtype=np.int64)
        links = np.concatenate([order[starts[d]:starts[d + 1]] for d in moved.tolist()])
        ident, device = held.ident[links], held.device[links]
        idents = distinct(ident)
        keys = table.keys(idents)
        out: list[tuple[str, str]] = []
        for n in np.argsort(np.array(keys, dtype=object), kind="stable").tolist():
            on = device[ident == idents[n]]
            olds = len({c for c in previous.code[on].tolist() if c >= 0})
            news = len(set(resolution.person[on].tolist()))
            if decision.linking[idents[n]] and olds > 1:
                out.append((keys[n], f"{keys[n]} links"))
            elif not decision.linking[idents[n]] and news > 1:
                excluded = decision.excluded.get(int(idents[n]))
                why = excluded.rule if excluded is not None else "not eligible"
                out.append((keys[n], f"{keys[n]} excluded by {why}"))
        found.append([text for _, text in out[:MAX_CAUSES]])
    return found


def run(graph: Runner, params: IdentityParams) -> IdentityReport:
    started = time.perf_counter()
    rules = load_rules(params.rules)
    blocked = rules.blocked_values(params.key.get_secret_value())
    source = "graph" if params.links is None else f"folder {params.links}"
    with runs.track(graph, "identity", params, rule_versions={"identity": rules.version},
                    rules=rules.model_dump(mode="json")) as run_:
        log.info(f"reading links from the {source}")
        table = read_graph(graph) if params.links is None else read_folder(params.links)
        read = time.perf_counter()
        log.info(f"read {table.n_devices:,} devices, {table.n_links:,} links; applying rules")
        window = link_window(table, rules.window_days)
        for line in window_warning(window):
            log.warning(line)
        resolution = resolve_table(table, rules, blocked, params.engine, graph, run_.id,
                                   params.spark)
        excluded = sorted(resolution.decision.excluded.values(), key=lambda e: e.identifier)
        log.info(f"{int(resolution.person.max()) + 1 if table.n_devices else 0:,} persons; "
            f"writing {len(excluded):,} exclusions")
        written = time.perf_counter()
        publish.write_exclusions(graph, run_.id, rules.version, excluded, params.batch_size)

        previous_person, previous_household = previous_partition(graph, table)
        person_groups = publish.Groups.of(resolution.person)
        household_groups = publish.Groups.of(resolution.household)
        devices = resolution.device_ids
        person_ids = assign(resolution.person,
                            [devices[i] for i in person_groups.order[person_groups.starts]],
                            previous_person, "p")
        household_ids = assign(
            resolution.household,
            [devices[i] for i in household_groups.order[household_groups.starts]],
            previous_household, "h")
        person_changes = changes_of(resolution.person, person_ids, previous_person, devices)
        household_changes = changes_of(resolution.household, household_ids,
                                       previous_household, devices)
        kept_p = len(set(person_ids) & set(previous_person.ids))
        kept_h = len(set(household_ids) & set(previous_household.ids))
        checked = gate(resolution, rules)
        if checked.passed:
            log.info(f"writing {len(person_ids):,} persons and {len(household_ids):,} households")
            publish.write_persons(graph, run_.id, publish.person_rows(
                resolution, person_ids, previous_person), params.batch_size)
            rows = publish.household_rows(resolution, person_ids, household_ids,
                                          previous_person, previous_household)
            publish.write_households(graph, run_.id, rows, params.batch_size)
            log.info("retiring the earlier run's persons and households")
            publish.retire(graph, run_.id,
                           publish.left_persons(resolution, person_ids, previous_person),
                           publish.left_households(rows, previous_person, previous_household),
                           params.batch_size)
            log.info("writing the persons' summaries")
            publish.write_summaries(graph, person_ids, params.batch_size)
            publish.write_changes(
                graph, run_.id, "person",
                list(zip(person_changes, causes(person_changes, resolution, previous_person),
                         strict=True)), params.batch_size)
            publish.write_changes(graph, run_.id, "household",
                                  [(c, []) for c in household_changes], params.batch_size)
        else:
            run_.status = "failed"
        finished = time.perf_counter()
        counts: dict[str, int] = defaultdict(int)
        for change in person_changes:
            counts[f"person_{change.kind}"] += 1
        for change in household_changes:
            counts[f"household_{change.kind}"] += 1
        report = IdentityReport(
            run_id=run_.id, status=run_.status, published=checked.passed, params=params,
            rules_version=rules.version, engine=params.engine, source=source,
            devices=table.n_devices, links=table.n_links,
            person_links=resolution.person_links, household_links=resolution.household_links,
            persons=sizes_stats(np.bincount(resolution.person)),
            households=sizes_stats(np.bincount(resolution.household)),
            excluded_by_rule=resolution.decision.excluded_by_rule(),
            window=window, rules_digest=rules_digest(params.rules),
            rules=rules.model_dump(mode="json"),
            caps={kind: CapReport(cap=cap.cap, source=cap.source, detail=cap.detail())
                  for kind, cap in sorted(resolution.decision.caps.items())},
            evidence=evidence_report(resolution, rules),
            ids_kept=kept_p + kept_h,
            ids_new=len(person_ids) + len(household_ids) - kept_p - kept_h,
            changes=dict(sorted(counts.items())), gate=checked,
            seconds={"read": round(read - started, 3), **resolution.seconds,
                     "write": round(finished - written, 3),
                     "total": round(finished - started, 3)},
        )
        report.keep_assignment(Assignment(resolution.device_ids, resolution.person,
                                          resolution.household))
        log.info("done")
        run_.report = report
    return report
