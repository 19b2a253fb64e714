"""The identity stage: `run(graph, params, settings) -> IdentityReport`.

Reads the device-identifier edge list, applies the rules, finds persons and households,
keeps ids stable, records exclusions and merge/split events on the Run, and publishes the
result unless the quality gate fails (then the previous persons stay current).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from proteus import runs
from proteus.graph import Row, Runner
from proteus.identity import publish
from proteus.identity.components import Partition
from proteus.identity.links import link_from_row
from proteus.identity.quality import Truth, load_truth, pair_score, size_stats
from proteus.identity.report import Gate, IdentityParams, IdentityReport, Quality
from proteus.identity.resolve import Resolution, resolve
from proteus.identity.rules import Rules, load_rules
from proteus.identity.stable import Change, assign_ids, changes
from proteus.pseudonym import key_from
from proteus.settings import Settings

MAX_CAUSES = 20


def rows_of(graph: Runner, name: str, **params: Any) -> Iterator[Row]:
    """Stream when the runner can (a real Graph), else read."""
    stream = getattr(graph, "stream", None)
    return iter(stream(name, **params) if stream is not None else graph.read(name, **params))


def quality(resolution: Resolution, truth: Truth) -> Quality:
    return Quality(
        person=pair_score(resolution.persons, truth.person),
        person_resolvable=pair_score(resolution.persons, truth.person, truth.resolvable),
        household=pair_score(resolution.households, truth.household),
        household_resolvable=pair_score(resolution.households, truth.household,
                                        truth.resolvable),
    )


def gate(resolution: Resolution, rules: Rules) -> Gate:
    limit = rules.gate
    largest = max((len(group) for group in resolution.persons), default=0)
    share = largest / max(len(resolution.devices), 1)
    reason = ""
    if largest > limit.max_person_devices:
        reason = f"largest person has {largest} devices > {limit.max_person_devices}"
    elif share > limit.max_person_share and largest > limit.share_above_devices:
        reason = f"largest person holds {share:.2%} of devices > {limit.max_person_share:.2%}"
    return Gate(passed=not reason, max_person_devices=limit.max_person_devices,
                max_person_share=limit.max_person_share, reason=reason)


def causes(change: Change, resolution: Resolution, previous: Mapping[str, str],
           current: Mapping[str, str]) -> list[str]:
    """The identifiers behind a change: eligible ones joining devices of different old ids
    (`links`), and shared ones that no longer join devices now apart (`excluded by <rule>`
    or `not eligible`)."""
    moved = set(change.devices)
    devices_of: dict[str, set[str]] = defaultdict(set)
    for link in resolution.links:
        if link.device in moved:
            devices_of[link.identifier].add(link.device)
    eligible = {node.partition("#")[0] for _, node in resolution.decision.person_edges}
    excluded = resolution.decision.exclusions
    found: list[str] = []
    for key, devices in sorted(devices_of.items()):
        olds = {previous.get(d) for d in devices} - {None}
        news = {current.get(d) for d in devices} - {None}
        if key in eligible and len(olds) > 1:
            found.append(f"{key} links")
        elif key not in eligible and len(news) > 1:
            why = excluded[key].rule if key in excluded else "not eligible"
            found.append(f"{key} excluded by {why}")
    return found[:MAX_CAUSES]


def _ids(groups: Partition, previous: Mapping[str, str], prefix: str
         ) -> tuple[list[str], list[Change], int]:
    ids = assign_ids(groups, previous, prefix)
    kept = len(set(ids) & set(previous.values()))
    return ids, changes(groups, ids, previous), kept


def run(graph: Runner, params: IdentityParams, settings: Settings) -> IdentityReport:
    started = time.perf_counter()
    rules = load_rules(params.rules)
    blocked = rules.blocked_values(key_from(settings))
    truth = load_truth(params.truth) if params.truth is not None else None
    with runs.track(graph, "identity", params, rule_versions={"identity": rules.version}) as run_:
        devices = [str(row["id"]) for row in rows_of(graph, "identity/devices")]
        links = [link_from_row(row) for row in rows_of(graph, "identity/stream_links")]
        read = time.perf_counter()
        resolution = resolve(devices, links, rules, blocked, params.engine, graph, run_.id)
        exclusions = [resolution.decision.exclusions[k]
                      for k in sorted(resolution.decision.exclusions)]
        publish.write_exclusions(graph, run_.id, rules.version, exclusions, params.batch_size)

        previous_person: dict[str, str] = {}
        previous_household: dict[str, str] = {}
        for row in rows_of(graph, "identity/current_persons"):
            previous_person[row["device"]] = row["person"]
            if row.get("household"):
                previous_household[row["device"]] = row["household"]
        person_ids, person_changes, kept_p = _ids(resolution.persons, previous_person, "p")
        household_ids, household_changes, kept_h = _ids(
            resolution.households, previous_household, "h")
        person_of = {d: pid for group, pid in zip(resolution.persons, person_ids, strict=True)
                     for d in group}
        checked = gate(resolution, rules)
        if checked.passed:
            publish.write_persons(graph, run_.id, resolution, person_ids, params.batch_size)
            publish.write_households(graph, run_.id, resolution, person_ids, household_ids,
                                     params.batch_size)
            publish.retire(graph, run_.id, params.batch_size)
            publish.summarise(graph, resolution, params.batch_size)
            publish.write_changes(
                graph, run_.id, "person",
                [(c, causes(c, resolution, previous_person, person_of)) for c in person_changes],
                params.batch_size)
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
            rules_version=rules.version, engine=params.engine, devices=len(devices),
            links=len(links), person_links=len(resolution.decision.person_edges),
            household_links=len(resolution.decision.household_edges),
            persons=size_stats(resolution.persons),
            households=size_stats(resolution.households),
            excluded_by_rule=resolution.decision.excluded_by_rule(),
            ids_kept=kept_p + kept_h,
            ids_new=len(person_ids) + len(household_ids) - kept_p - kept_h,
            changes=dict(sorted(counts.items())), gate=checked,
            quality=quality(resolution, truth) if truth is not None else None,
            seconds={"read": round(read - started, 3), **resolution.seconds,
                     "write": round(finished - read - sum(resolution.seconds.values()), 3),
                     "total": round(finished - started, 3)},
        )
        run_.report = report
    return report
