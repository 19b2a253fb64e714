"""What the graph holds from earlier ingests: whether given files are loaded."""

from __future__ import annotations

from pathlib import Path

from proteus.graph import Runner
from proteus.ingest.files import describe


def already_loaded(graph: Runner, files: list[Path], stages: tuple[str, ...] = ()) -> bool:
    """Whether every file is a complete IngestBatch of this graph (same sha256) and each of
    `stages` has a complete run, so that a benchmark given a dataset the graph already holds
    (e.g. after `proteus run`) measures on it instead of loading it again."""
    if not files:
        return False
    for path in files:
        found = graph.read("ingest/find_batch", id=describe(path).sha256)
        if not found or found[0]["batch"]["status"] != "complete":
            return False
    return all(graph.read("runs/latest_run", stage=stage, status="complete")
               for stage in stages)
