"""Writing a run's results: exclusions, persons, households, changes; then retiring what
earlier runs wrote, and last the summaries of the persons written.

Rows are built from columns. A person's summary (device types, last viewing day, withdrawn
purposes, household) is written by its one writer, `identity/person_summary`, from the
graph once the persons and households are in place. A person or household keeping its id
keeps its node, and a device (person) that was already in it keeps its relationship,
updated to this run; every other relationship is created. Batches of `UNWIND` rows go
through `WRITERS` connections at once: a person's devices belong to it alone, so two
batches never write the same person or device. Persons and households are published only
when the run passes the quality gate; until the retire step finishes, readers can tell the
current facts by their `run_id`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from proteus.conditions.summary import WRITER as SUMMARY_WRITER
from proteus.errors import InputError
from proteus.graph import Runner
from proteus.identity.eligibility import Exclusion, distinct
from proteus.identity.links import split_key
from proteus.identity.resolve import Resolution
from proteus.identity.stable import Change, Previous

T = TypeVar("T")
WRITERS = 2


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_all(graph: Runner, name: str, chunks: list[dict[str, Any]],
              writers: int = WRITERS) -> int:
    """Run `name` once per chunk of params, `writers` at a time; the rows written."""
    if writers < 2 or len(chunks) < 2:
        return sum(int(r.get("written") or 0) for c in chunks for r in graph.write(name, **c))
    with ThreadPoolExecutor(max_workers=writers) as pool:
        answers = list(pool.map(lambda params: graph.write(name, **params), chunks))
    return sum(int(r.get("written") or 0) for rows in answers for r in rows)


def write_exclusions(graph: Runner, run_id: str, version: str,
                     exclusions: Sequence[Exclusion], size: int) -> None:
    rows = []
    for exclusion in exclusions:
        kind, value = split_key(exclusion.identifier)
        rows.append({"kind": kind, "value": value, "rule": exclusion.rule,
                     "scope": exclusion.scope, "detail": exclusion.detail})
    write_all(graph, "identity/write_exclusions",
              [{"run_id": run_id, "version": version, "rows": chunk}
               for chunk in batches(rows, size)])


@dataclass
class Groups:
    """Devices ordered by group (`order`), and where each group starts in that order."""

    order: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, found: np.ndarray) -> Groups:
        order = np.argsort(found, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(found[order]) != 0]) if len(order) \
            else np.zeros(0, np.int64)
        return cls(order, starts)

    def split(self, values: list[Any]) -> list[list[Any]]:
        cuts = [*self.starts.tolist(), len(self.order)]
        return [values[a:b] for a, b in itertools.pairwise(cuts)]


def person_rows(resolution: Resolution, person_ids: list[str],
                previous: Previous) -> list[dict[str, Any]]:
    """One row per person: its devices, their confidence and whether each keeps its
    BELONGS_TO."""
    groups = Groups.of(resolution.person)
    order = groups.order
    devices = resolution.device_ids
    known = {pid: n for n, pid in enumerate(previous.ids)}
    claimed = np.array([known.get(pid, -2) for pid in person_ids] or [0], dtype=np.int64)
    kept = (previous.code == claimed[resolution.person])[order].tolist()
    rows = []
    for n, (members, confidence, keeps) in enumerate(zip(
            groups.split([devices[i] for i in order.tolist()]),
            groups.split(resolution.person_confidence()[order].tolist()),
            groups.split(kept), strict=True)):
        together = list(zip(members, confidence, keeps, strict=True))
        rows.append({"id": person_ids[n], "size": len(members),
                     "stay": {d: c for d, c, k in together if k},
                     "join": [{"device": d, "confidence": c} for d, c, k in together if not k]})
    return rows


def household_rows(resolution: Resolution, person_ids: list[str], household_ids: list[str],
                   previous_person: Previous, previous_household: Previous
                   ) -> list[dict[str, Any]]:
    """One row per household: its persons and whether each keeps its membership."""
    had = np.flatnonzero(previous_person.code >= 0)
    width = len(previous_household.ids) + 1
    pairs = distinct(previous_person.code[had] * width + previous_household.code[had] + 1)
    before = {previous_person.ids[p]: previous_household.ids[h - 1] if h else None
              for p, h in zip((pairs // width).tolist(), (pairs % width).tolist(), strict=True)}
    groups = Groups.of(resolution.person)
    of_person = resolution.household[groups.order[groups.starts]].tolist()
    members: list[list[str]] = [[] for _ in household_ids]
    for person_id, where in zip(person_ids, of_person, strict=True):
        members[where].append(person_id)
    return [{"id": household_id, "size": len(persons),
             "stay": [p for p in persons if before.get(p) == household_id],
             "join": [p for p in persons if before.get(p) != household_id]}
            for household_id, persons in zip(household_ids, members, strict=True)]


def _by_size(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """Consecutive rows holding about `size` members (their `size`) each."""
    out: list[list[dict[str, Any]]] = [[]]
    held = 0
    for row in rows:
        if held >= size:
            out.append([])
            held = 0
        out[-1].append(row)
        held += row["size"]
    return [chunk for chunk in out if chunk]


def write_persons(graph: Runner, run_id: str, rows: list[dict[str, Any]], size: int) -> None:
    expected = sum(row["size"] for row in rows)
    written = write_all(graph, "identity/write_persons",
                        [{"run_id": run_id, "rows": chunk}
                         for chunk in _by_size(rows, size)])
    if written and written != expected:
        raise InputError(f"wrote {written:,} of {expected:,} devices' persons: the others "
                         "are not in the graph (links read from a folder of another graph?)")


def write_summaries(graph: Runner, person_ids: list[str], size: int) -> None:
    """The summary of every published person, by its one writer (once the persons, their
    households and what they lost are written)."""
    write_all(graph, SUMMARY_WRITER, [{"rows": [{"person": p} for p in chunk]}
                                      for chunk in batches(person_ids, size)])


def write_households(graph: Runner, run_id: str, rows: list[dict[str, Any]],
                     size: int) -> None:
    write_all(graph, "identity/write_households",
              [{"run_id": run_id, "rows": chunk}
               for chunk in _by_size(rows, max(1, size // 2))])


def write_changes(graph: Runner, run_id: str, level: str,
                  changes: Sequence[tuple[Change, list[str]]], size: int) -> None:
    rows = [{"level": level, "kind": change.kind, "old_ids": list(change.old_ids),
             "new_ids": list(change.new_ids), "devices": list(change.devices), "links": links}
            for change, links in changes]
    for chunk in batches(rows, size):
        graph.write("identity/write_changes", run_id=run_id, rows=chunk)


def left_persons(resolution: Resolution, person_ids: list[str], previous: Previous
                 ) -> list[str]:
    """Persons keeping their id that some of their earlier devices left."""
    held = np.flatnonzero(previous.code >= 0)
    known = {pid: n for n, pid in enumerate(previous.ids)}
    claimed = np.array([known.get(pid, -1) for pid in person_ids] or [-1], dtype=np.int64)
    code = previous.code[held]
    stayed = code == claimed[resolution.person[held]]
    size = max(len(previous.ids), 1)
    left = np.bincount(code, minlength=size) > np.bincount(code[stayed], minlength=size)
    kept = np.zeros(size, dtype=bool)
    kept[claimed[claimed >= 0]] = True
    return [previous.ids[c] for c in np.flatnonzero(left & kept).tolist()]


def left_households(rows: list[dict[str, Any]], previous_person: Previous,
                    previous_household: Previous) -> list[str]:
    """Households keeping their id that some of their earlier persons left."""
    had = np.flatnonzero((previous_person.code >= 0) & (previous_household.code >= 0))
    width = len(previous_household.ids)
    pairs = distinct(previous_person.code[had] * width + previous_household.code[had])
    members = np.bincount(pairs % width, minlength=width) if width else np.zeros(0, np.int64)
    known = {hid: n for n, hid in enumerate(previous_household.ids)}
    return [row["id"] for row in rows
            if row["id"] in known and len(row["stay"]) < members[known[row["id"]]]]


def retire(graph: Runner, run_id: str, persons: list[str], households: list[str],
           size: int) -> None:
    """Delete what earlier runs wrote: the relationships the given persons and households
    (which keep their ids) lost, then every Person and Household node of another run, with
    its relationships."""
    write_all(graph, "identity/retire_belongs",
              [{"run_id": run_id, "ids": chunk} for chunk in batches(persons, size)])
    write_all(graph, "identity/retire_memberships",
              [{"run_id": run_id, "ids": chunk} for chunk in batches(households, size)])
    for name in ("identity/retire_persons", "identity/retire_households"):
        while True:
            rows = graph.write(name, run_id=run_id, limit=size)
            if not rows or not rows[0].get("deleted"):
                break
