"""The ground truth of a generated dataset (`<dataset>/truth/`, or any truth CSV) and the
scores against it. The stages never read a truth: the callers that hold one (the command
line, the main job, the benchmarks) score a stage's result here and attach the figures.

- identity: pairwise precision, recall and F1 of the run's persons and households
  (`score_identity`, recorded on the identity Run's report as `quality`);
- who is who and which taste community each person belongs to (`communities`,
  `device_communities`, `write_identity`: persons and households as generated, for
  benchmarks and tests that measure a later stage alone).

Two devices form a true pair when the truth puts them in the same person (household); a
predicted pair when the partition does. Devices without a truth label (bots) are their own
truth group. Scores restricted to a subset (the resolvable devices) drop every other device
from both sides.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path

from pydantic import BaseModel

from proteus import runs
from proteus.conditions.summary import WRITER as SUMMARY_WRITER
from proteus.errors import InputError
from proteus.graph import Runner
from proteus.identity.components import Partition, partition_of
from proteus.identity.report import Assignment, IdentityReport, PairScore, Quality

BATCH = 10_000


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_score(groups: Partition, truth: Mapping[str, str],
               only: Collection[str] | None = None) -> PairScore:
    """Pairwise scores; `truth` maps device -> true group (missing devices stand alone)."""
    keep = set(only) if only is not None else None
    cells: Counter[tuple[int, str]] = Counter()
    predicted = 0
    for number, group in enumerate(groups):
        members = [d for d in group if keep is None or d in keep]
        predicted += _pairs(len(members))
        for device in members:
            cells[(number, truth.get(device, "\0" + device))] += 1
    true_sizes: Counter[str] = Counter()
    for (_, label), n in cells.items():
        true_sizes[label] += n
    both = sum(_pairs(n) for n in cells.values())
    actual = sum(_pairs(n) for n in true_sizes.values())
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision=round(precision, 6), recall=round(recall, 6), f1=round(f1, 6),
                     true_pairs=actual, predicted_pairs=predicted)


class Truth(BaseModel):
    """Device -> true person and household, which devices carry a strong identifier, and the
    file it was read from."""

    person: dict[str, str]
    household: dict[str, str]
    resolvable: set[str]
    source: str = ""


REQUIRED = ("device_id", "person_id")
OPTIONAL = ("household_id", "resolvable")


def load_truth(path: Path) -> Truth:
    """A truth CSV: a generated dataset's `truth/devices.csv` (given the dataset, its `truth/`
    or the file), or any CSV with the columns `device_id` and `person_id` (required) and
    `household_id`, `resolvable` (`true`/`false`) (optional); other columns are ignored."""
    source = Path(path)
    for candidate in (source / "truth" / "devices.csv", source / "devices.csv", source):
        if candidate.is_file():
            source = candidate
            break
    else:
        raise InputError(f"{path}: no truth devices.csv found")
    person: dict[str, str] = {}
    household: dict[str, str] = {}
    resolvable: set[str] = set()
    try:
        with open(source, encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
            if missing:
                raise InputError(f"{source}: the truth needs the column(s) "
                                 f"{', '.join(missing)} (it has: "
                                 f"{', '.join(reader.fieldnames or ()) or 'no header'})")
            for row in reader:
                device = row["device_id"]
                if not device:
                    continue
                if row.get("person_id"):
                    person[device] = row["person_id"]
                if row.get("household_id"):
                    household[device] = row["household_id"]
                if (row.get("resolvable") or "").strip().lower() == "true":
                    resolvable.add(device)
    except UnicodeDecodeError:
        raise InputError(f"{source}: the truth is not UTF-8 text") from None
    except csv.Error as exc:
        raise InputError(f"{source}: not a readable CSV ({exc})") from None
    return Truth(person=person, household=household, resolvable=resolvable,
                 source=str(source))


def identity_quality(assignment: Assignment, truth: Truth) -> Quality:
    """Scores of an identity run's persons and households against the truth; those with
    nothing to measure (no household in the truth, no resolvable device among the run's)
    are None and print as `n/a`."""
    persons = partition_of(assignment.devices, assignment.person)
    households = partition_of(assignment.devices, assignment.household)
    resolvable = truth.resolvable & set(assignment.devices)
    has_households = bool(truth.household)
    return Quality(
        truth=truth.source or None,
        person=pair_score(persons, truth.person),
        person_resolvable=pair_score(persons, truth.person, resolvable) if resolvable else None,
        household=pair_score(households, truth.household) if has_households else None,
        household_resolvable=pair_score(households, truth.household, resolvable)
        if has_households and resolvable else None,
    )


def score_identity(graph: Runner, report: IdentityReport, truth: Truth) -> IdentityReport:
    """Scores the identity run `report` came from against `truth` and records the scores on
    its Run, as the report's `quality`. The report must come straight from `identity.run`
    (it holds the run's assignment, handed over once)."""
    assignment = report.take_assignment()
    if assignment is None:
        raise InputError(f"identity run {report.run_id}: its report holds no assignment to "
                         "score (it was scored already, or read back from the graph)")
    report.quality = identity_quality(assignment, truth)
    runs.record_report(graph, report.run_id, report)
    return report


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as src:
        return list(csv.DictReader(src))


def communities(dataset: Path) -> dict[str, int]:
    """person id -> latent taste community."""
    return {r["person_id"]: int(r["community"])
            for r in _read(dataset / "truth" / "persons.csv")}


def device_communities(dataset: Path) -> dict[str, int]:
    """device id -> its true person's taste community (devices of no person left out)."""
    community = communities(dataset)
    return {r["device_id"]: community[r["person_id"]]
            for r in _read(dataset / "truth" / "devices.csv") if r["person_id"] in community}


def write_identity(graph: Runner, dataset: Path, run_id: str = "truth") -> int:
    """Persons and households from the truth files, for devices already in the graph, with
    their summaries."""
    sizes = {r["household_id"]: int(r["persons"])
             for r in _read(dataset / "truth" / "households.csv")}
    rows = [{"device": r["device_id"], "person": r["person_id"], "household": r["household_id"],
             "household_size": sizes.get(r["household_id"], 1)}
            for r in _read(dataset / "truth" / "devices.csv")
            if r["person_id"] and r["is_bot"] != "true"]
    for start in range(0, len(rows), BATCH):
        block = rows[start:start + BATCH]
        graph.write("tools/truth_identity", rows=block, run_id=run_id)
        graph.write(SUMMARY_WRITER, rows=[{"device": row["device"]} for row in block])
    return int(graph.write("tools/person_sizes")[0]["persons"])
