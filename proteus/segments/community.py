"""Community segments: similarity graph, resolution sweep, partition, stable ids.

The sweep runs the fast engine once at every resolution (with `seed`). Criterion: among
resolutions whose partitions agree across seeds (mean pairwise NMI over `sweep_seeds` seeds
>= `min_stability`), the one with the highest modularity at resolution 1; if none is that
stable, the most stable one. Stability costs `sweep_seeds - 1` more runs, so it is measured
in the order the criterion prefers (highest modularity first) until a resolution passes:
the choice is the one measuring every resolution would give, and the points not needed
report no stability. The chosen resolution is then run once by the requested engine with
`seed` (the fast engine continues from the sweep's partition at that resolution).

igraph holds the interpreter while it partitions, so on large graphs the sweep's runs go to
`WORKERS` forked processes, which inherit the graph instead of receiving a copy.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import re
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, PositiveFloat

from proteus.graph import Runner
from proteus.segments.compare import ari, match, nmi
from proteus.segments.partition import Engine, fast, modularity, partition
from proteus.segments.similarity import Method, SimilarityGraph

_NUMBERED = re.compile(r"^community-(\d+)$")


class CommunityParams(BaseModel):
    k: int = Field(default=15, ge=1, le=500, description="neighbours per person")
    knn: Method = Field(default="auto", description="how neighbours are found")
    dimensions: int | None = Field(default=None, ge=2, le=1024, description="taste "
                                   "directions of the embedding; none: the spectral gap's")
    recall_sample: int = Field(default=1000, ge=0, description="persons whose exact "
                                                               "neighbours measure the recall")
    resolutions: list[PositiveFloat] = Field(default=[0.25, 0.5, 1.0, 2.0, 4.0, 8.0], min_length=1)
    resolution: float | None = Field(default=None, gt=0, description="skip choosing")
    engine: Engine = "fast"
    seed: int = Field(default=42, ge=0)
    sweep_seeds: int = Field(default=3, ge=1, le=10)
    min_stability: float = Field(default=0.9, ge=0, le=1)
    min_size: int = Field(default=5, ge=1)
    half_life_days: float = Field(default=7.0, gt=0)
    views: Path | None = Field(default=None, description="read viewing from this fold output "
                                                         "folder instead of the graph")


class SweepPoint(BaseModel):
    resolution: float
    communities: int
    modularity: float
    stability: float | None = Field(default=None, description="not measured when a "
                                                                 "preferred resolution passed")
    chosen: bool = False


class Stability(BaseModel):
    previous_run: str | None
    common_persons: int
    nmi: float
    ari: float
    continued: int
    new: int
    dropped: int


# Leiden passes per sweep run. Iterating to convergence at every resolution and seed cost
# minutes per run on 100k persons (18 runs); two passes rank the resolutions the same way,
# and the chosen one is then partitioned to convergence.
SWEEP_ITERATIONS = 2


WORKERS = 2
PARALLEL_FROM_EDGES = 200_000  # below this a run takes less than starting a process
_SHARED: list[SimilarityGraph] = []  # the graph the forked workers partition


def _sweep_run(job: tuple[float, int]) -> np.ndarray:
    resolution, seed = job
    return fast(_SHARED[0], resolution, seed, SWEEP_ITERATIONS)


def _runs(sim: SimilarityGraph, jobs: list[tuple[float, int]]) -> list[np.ndarray]:
    """Sweep runs (resolution, seed), in order."""
    if (len(jobs) < 2 or WORKERS < 2 or sim.edges < PARALLEL_FROM_EDGES
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [fast(sim, r, seed, SWEEP_ITERATIONS) for r, seed in jobs]
    _ = sim.igraph  # built before the fork, so each worker inherits it
    _SHARED[:] = [sim]
    try:
        with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_sweep_run, jobs))
    finally:
        _SHARED.clear()


def _preference(point: SweepPoint) -> tuple[float, float]:
    return point.modularity, -abs(math.log(point.resolution))


def sweep(sim: SimilarityGraph, params: CommunityParams) -> tuple[float, list[SweepPoint]]:
    chosen, points, _ = _sweep(sim, params)
    return chosen, points


def _sweep(sim: SimilarityGraph, params: CommunityParams
           ) -> tuple[float, list[SweepPoint], dict[float, np.ndarray]]:
    """The chosen resolution, the points, and the first run at every resolution."""
    first = dict(zip(params.resolutions,
                     _runs(sim, [(r, params.seed) for r in params.resolutions]), strict=True))
    points = [SweepPoint(resolution=r, communities=int(labels.max(initial=-1)) + 1,
                         modularity=round(modularity(sim, labels), 4))
              for r, labels in first.items()]

    def measured(point: SweepPoint) -> float:
        runs = [first[point.resolution], *_runs(
            sim, [(point.resolution, params.seed + i) for i in range(1, params.sweep_seeds)])]
        pairs = list(itertools.combinations(runs, 2))
        point.stability = round(float(np.mean([nmi(a, b) for a, b in pairs])), 4) \
            if pairs else 1.0
        return point.stability

    chosen = params.resolution
    if chosen is None:
        for point in sorted(points, key=_preference, reverse=True):
            if measured(point) >= params.min_stability:
                chosen = point.resolution
                break
        else:
            chosen = max(points, key=lambda p: (p.stability or 0.0,
                                                -abs(math.log(p.resolution)))).resolution
    for p in points:
        p.chosen = p.resolution == chosen
    return chosen, points, first


def assign_ids(groups: list[list[str]], previous: dict[str, set[str]]
               ) -> tuple[list[str], dict[str, str]]:
    """Segment ids: a group continuing a previous segment keeps its id, others get the next
    free `community-N`. Returns ids in group order and new id -> previous id."""
    provisional = {f"new-{i}": set(g) for i, g in enumerate(groups)}
    continued = match(provisional, previous)
    numbers = [int(m.group(1)) for k in previous if (m := _NUMBERED.match(k))]
    next_number = max(numbers, default=0) + 1
    ids: list[str] = []
    for i in range(len(groups)):
        old = continued.get(f"new-{i}")
        if old is None:
            old, next_number = f"community-{next_number}", next_number + 1
        ids.append(old)
    return ids, {ids[i]: continued[f"new-{i}"] for i in range(len(groups))
                 if f"new-{i}" in continued}


def stability(new: dict[str, set[str]], previous: dict[str, set[str]], previous_run: str | None,
              continued: dict[str, str]) -> Stability:
    old_of = {p: seg for seg, members in previous.items() for p in members}
    new_of = {p: seg for seg, members in new.items() for p in members}
    common = sorted(set(old_of) & set(new_of))
    a = [old_of[p] for p in common]
    b = [new_of[p] for p in common]
    index = {s: i for i, s in enumerate(sorted(set(a) | set(b)))}
    la, lb = [index[x] for x in a], [index[x] for x in b]
    return Stability(previous_run=previous_run, common_persons=len(common),
                     nmi=round(nmi(la, lb), 4) if common else 0.0,
                     ari=round(ari(la, lb), 4) if common else 0.0,
                     continued=len(continued), new=len(new) - len(continued),
                     dropped=len(previous) - len(continued))


def communities(graph: Runner, sim: SimilarityGraph, params: CommunityParams,
                name: str) -> tuple[np.ndarray, float, list[SweepPoint], dict[str, float]]:
    """Labels per similarity-graph node at the chosen resolution, the sweep and timings."""
    t0 = time.monotonic()
    chosen, points, first = _sweep(sim, params)
    t1 = time.monotonic()
    labels = partition(params.engine, sim, chosen, params.seed, graph, name,
                       initial=first.get(chosen))
    t2 = time.monotonic()
    return labels, chosen, points, {"sweep": round(t1 - t0, 3), "partition": round(t2 - t1, 3)}

