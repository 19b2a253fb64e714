"""Ground truth of a generated dataset (`<dataset>/truth/`): who is who and which taste
community each person belongs to. Benchmarks and tests use it in place of identity."""

from __future__ import annotations

import csv
from pathlib import Path

from proteus.conditions.summary import WRITER as SUMMARY_WRITER
from proteus.graph import Runner

BATCH = 10_000


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as src:
        return list(csv.DictReader(src))


def communities(dataset: Path) -> dict[str, int]:
    """person id -> latent taste community."""
    return {r["person_id"]: int(r["community"])
            for r in _read(dataset / "truth" / "persons.csv")}


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
        graph.write("segments/truth_identity", rows=block, run_id=run_id)
        graph.write(SUMMARY_WRITER, rows=[{"device": row["device"]} for row in block])
    return int(graph.write("segments/person_sizes")[0]["persons"])
