"""Pairwise precision, recall and F1 of a partition against the truth, and size statistics.

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

import numpy as np
from pydantic import BaseModel

from proteus.errors import InputError
from proteus.identity.components import Partition


class PairScore(BaseModel):
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


class SizeStats(BaseModel):
    count: int
    p50: float
    p99: float
    max: int
    largest_share: float


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


def size_stats(groups: Partition) -> SizeStats:
    return sizes_stats(np.array([len(group) for group in groups], dtype=np.int64))


def sizes_stats(sizes: np.ndarray) -> SizeStats:
    """Count, median, p99, max and the largest's share, from the groups' sizes."""
    count = len(sizes)
    sizes = sizes if count else np.zeros(1, dtype=np.int64)
    total = int(sizes.sum())
    return SizeStats(
        count=count,
        p50=float(np.percentile(sizes, 50)),
        p99=float(np.percentile(sizes, 99)),
        max=int(sizes.max()),
        largest_share=round(int(sizes.max()) / total, 6) if total else 0.0,
    )


class Truth(BaseModel):
    """Device -> true person and household, and which devices carry a strong identifier."""

    person: dict[str, str]
    household: dict[str, str]
    resolvable: set[str]


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
    return Truth(person=person, household=household, resolvable=resolvable)
