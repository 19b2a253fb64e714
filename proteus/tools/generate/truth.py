"""Ground truth beside the data (OUT/truth/) and the profile shares measured from it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

TRUTH_DIR = "truth"
CGNAT_FLOOR = 500


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Plain CSV with a header row and `\\n` line ends."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as src:
        return list(csv.DictReader(src))


def profile_shares(out: Path) -> dict[str, float | int]:
    """Shares the default profile must meet, measured from the truth of a generated dataset."""
    truth = Path(out) / TRUTH_DIR
    devices = _read(truth / "devices.csv")
    persons = _read(truth / "persons.csv")
    households = _read(truth / "households.csv")
    summary = json.loads((truth / "summary.json").read_text())
    n_dev = len(devices)
    per_person: dict[str, int] = {}
    for d in devices:
        if d["person_id"]:
            per_person[d["person_id"]] = per_person.get(d["person_id"], 0) + 1
    multi_dev = sum(1 for p in persons if per_person.get(p["person_id"], 0) >= 2)
    cgnat = sum(1 for d in devices if int(d["cgnat_peers"]) >= CGNAT_FLOOR)
    multi_hh = [h for h in households if int(h["persons"]) >= 2]
    family = sum(1 for h in multi_hh if h["family_login"])
    no_strong = sum(1 for d in devices if d["resolvable"] == "false")
    sizes: dict[str, int] = {}
    for p in persons:
        sizes[p["community"]] = sizes.get(p["community"], 0) + 1
    watched = [p for p in persons if int(p["watch_seconds"]) > 0]
    off = np.array([int(p["off_community_seconds"]) / int(p["watch_seconds"]) for p in watched])
    views = np.array([int(p["views"]) for p in persons])
    return {
        "devices": n_dev,
        "persons": len(persons),
        "households": len(households),
        "persons_with_2plus_devices": multi_dev / max(len(persons), 1),
        "devices_behind_cgnat_500": cgnat / max(n_dev, 1),
        "multi_person_households_sharing_login": family / max(len(multi_hh), 1),
        "junk_identifier_values": summary["junk_values"] / max(summary["identifier_values"], 1),
        "devices_without_strong_id": no_strong / max(n_dev, 1),
        "communities": len(sizes),
        "community_size_ratio": max(sizes.values()) / max(min(sizes.values()), 1),
        "min_off_community_watch_share": float(off.min()) if len(off) else 0.0,
        "mean_off_community_watch_share": float(off.mean()) if len(off) else 0.0,
        "max_off_community_watch_share": float(off.max()) if len(off) else 0.0,
        "persons_without_views": len(persons) - len(watched),
        "viewing_events_per_person": float(views.mean()) if len(views) else 0.0,
    }


FLOORS: dict[str, tuple[str, float]] = {
    "persons_with_2plus_devices": (">=", 0.60),
    "devices_behind_cgnat_500": (">=", 0.30),
    "multi_person_households_sharing_login": (">=", 0.20),
    "junk_identifier_values": (">=", 0.01),
    "devices_without_strong_id": (">=", 0.05),
    "communities": (">=", 20),
    "community_size_ratio": (">=", 5.0),
    "min_off_community_watch_share": (">=", 0.30),
    "mean_off_community_watch_share": ("<=", 0.40),
    "viewing_events_per_person": (">=", 20.0),
}


def check_floors(shares: dict[str, float | int]) -> list[str]:
    """Names of floors that the shares miss (empty when all are met)."""
    missed = []
    for name, (op, bound) in FLOORS.items():
        value = shares[name]
        ok = value >= bound if op == ">=" else value <= bound
        if not ok:
            missed.append(f"{name}={value:.4g} (want {op} {bound})")
    return missed
