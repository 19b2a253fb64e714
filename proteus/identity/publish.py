"""Writing a run's results: exclusions, persons, households, changes; retiring the old ones;
then the person summaries audiences read.

Everything goes in batches of `UNWIND` rows. Persons and households are published only when
the run passes the quality gate; until the retire step finishes, readers can tell the
current facts by their `run_id`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from proteus.graph import Runner
from proteus.identity.eligibility import Exclusion
from proteus.identity.links import split_key
from proteus.identity.resolve import SOLO_CONFIDENCE, Resolution
from proteus.identity.stable import Change

T = TypeVar("T")
RETIRE = ("identity/retire_belongs", "identity/retire_memberships",
          "identity/retire_persons", "identity/retire_households")


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_exclusions(graph: Runner, run_id: str, version: str,
                     exclusions: Sequence[Exclusion], size: int) -> None:
    rows = []
    for exclusion in exclusions:
        kind, value = split_key(exclusion.identifier)
        rows.append({"kind": kind, "value": value, "rule": exclusion.rule,
                     "scope": exclusion.scope, "detail": exclusion.detail})
    for chunk in batches(rows, size):
        graph.write("identity/write_exclusions", run_id=run_id, version=version, rows=chunk)


def write_persons(graph: Runner, run_id: str, resolution: Resolution, ids: Sequence[str],
                  size: int) -> None:
    rows: list[dict[str, Any]] = []
    held = 0
    for group, person_id in zip(resolution.persons, ids, strict=True):
        members = [{"device": d, "confidence": resolution.confidence.get(d, SOLO_CONFIDENCE)}
                   for d in group]
        rows.append({"id": person_id, "size": len(group), "devices": members})
        held += len(group)
        if held >= size:
            graph.write("identity/write_persons", run_id=run_id, rows=rows)
            rows, held = [], 0
    if rows:
        graph.write("identity/write_persons", run_id=run_id, rows=rows)


def write_households(graph: Runner, run_id: str, resolution: Resolution,
                     person_ids: Sequence[str], household_ids: Sequence[str],
                     size: int) -> None:
    members: list[list[str]] = [[] for _ in household_ids]
    for person_id, where in zip(person_ids, resolution.household_of_person(), strict=True):
        members[where].append(person_id)
    rows = [{"id": household_id, "size": len(persons), "persons": persons}
            for household_id, persons in zip(household_ids, members, strict=True)]
    for chunk in batches(rows, max(1, size // 4)):
        graph.write("identity/write_households", run_id=run_id, rows=chunk)


def write_changes(graph: Runner, run_id: str, level: str,
                  changes: Sequence[tuple[Change, list[str]]], size: int) -> None:
    rows = [{"level": level, "kind": change.kind, "old_ids": list(change.old_ids),
             "new_ids": list(change.new_ids), "devices": list(change.devices), "links": links}
            for change, links in changes]
    for chunk in batches(rows, size):
        graph.write("identity/write_changes", run_id=run_id, rows=chunk)


def retire(graph: Runner, run_id: str, size: int) -> None:
    """Delete relationships and nodes of earlier runs, a batch at a time."""
    for name in RETIRE:
        while True:
            rows = graph.write(name, run_id=run_id, limit=size)
            if not rows or not rows[0].get("deleted"):
                break


def summarise(graph: Runner, resolution: Resolution, size: int) -> None:
    """Write the summary audiences read (identity/person_summary) on every published person,
    once the earlier runs' links are retired."""
    rows = [{"device": device} for group in resolution.persons for device in group]
    for chunk in batches(rows, size):
        graph.write("identity/person_summary", rows=chunk)
