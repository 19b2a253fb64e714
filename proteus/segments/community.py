"""Community segments: similarity graph, resolution sweep, partition, stable ids.

The sweep partitions the persons once, at the finest resolution of the sweep, and every
resolution on the graph of those communities (`partition.aggregate`): a community at a
coarser resolution is a union of finer ones, and on their aggregate graph, where each
community keeps its members' strength and its internal weight as a self-loop, the
modularity of such a union is exactly that of the persons; multilevel Leiden goes up its
levels the same way. The aggregate has a node per community (hundreds at a million
persons), so every resolution costs milliseconds and the sweep costs the runs on the
persons at the finest resolution, one per seed.

For each resolution (with `seed`): communities and modularity at resolution 1. Criterion:
among resolutions whose partitions agree across seeds (mean pairwise NMI over `sweep_seeds`
seeds >= `min_stability`), the one with the highest modularity at resolution 1; if none is
that stable, the most stable one. Each seed partitions the persons at the finest resolution
itself and its own aggregate at every resolution, so the chance a seed brings in at either
level shows in the stability (with one aggregate for all seeds the finest resolution would
always look stable). Stability is measured in the order the criterion prefers (highest
modularity first) until a resolution passes: the choice is the one measuring every
resolution would give, and the points not needed report no stability. The chosen resolution
is then run once by the requested engine with `seed` (the fast engine: a sweep run on the
persons at that resolution, continued to convergence).

igraph holds the interpreter while it partitions, so on large graphs the runs on the persons
go to `WORKERS` forked processes, which inherit the graph instead of receiving a copy.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, PositiveFloat

from proteus.graph import Runner
from proteus.segments.compare import ari, match, nmi
from proteus.segments.partition import Engine, aggregate, canonical, fast, modularity, partition
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


class SweepGraph(BaseModel):
    """Where the sweep ran: the aggregate graph of the communities `seeds` runs on the persons
    found at `resolution` (the finest of the sweep); nodes and edges are those of `seed`'s."""
    resolution: float
    seeds: int
    nodes: int
    edges: int


class Stability(BaseModel):
    previous_run: str | None
    common_persons: int
    nmi: float
    ari: float
    continued: int
    new: int
    dropped: int


# Leiden passes of a sweep run on the persons (at the finest resolution). Iterating to
# convergence cost minutes per run on 100k persons; two passes rank the resolutions the
# same way, and the chosen one is then partitioned to convergence. Runs on the aggregate
# graph go to convergence: they cost milliseconds.
SWEEP_ITERATIONS = 2


WORKERS = 2
PARALLEL_FROM_EDGES = 200_000  # below this a run takes less than starting a process
_SHARED: list[SimilarityGraph] = []  # the graph the forked workers partition


def _sweep_run(job: tuple[float, int]) -> np.ndarray:
    resolution, seed = job
    return fast(_SHARED[0], resolution, seed, SWEEP_ITERATIONS)


class _Later:
    """A run on the persons made when its result is first asked for (no worker: a run not
    needed in the end costs nothing)."""

    def __init__(self, sim: SimilarityGraph, resolution: float, seed: int) -> None:
        self._job: tuple[SimilarityGraph, float, int] | None = (sim, resolution, seed)
        self._labels = np.zeros(0, dtype=np.int64)

    def result(self) -> np.ndarray:
        if self._job is not None:
            sim, resolution, seed = self._job
            self._labels, self._job = fast(sim, resolution, seed, SWEEP_ITERATIONS), None
        return self._labels


@contextmanager
def _persons_runs(sim: SimilarityGraph
                  ) -> Iterator[Callable[[float, int], Future[np.ndarray] | _Later]]:
    """`run(resolution, seed)`: a sweep run on the persons, on `WORKERS` forked processes
    for large graphs (started at once, in order), else here when its result is asked for."""
    if (WORKERS < 2 or sim.edges < PARALLEL_FROM_EDGES
            or "fork" not in multiprocessing.get_all_start_methods()):
        yield lambda resolution, seed: _Later(sim, resolution, seed)
        return
    _ = sim.igraph, sim.strength  # built before the fork, so each worker inherits them
    _SHARED[:] = [sim]
    try:
        with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
            yield lambda resolution, seed: pool.submit(_sweep_run, (resolution, seed))
            # leaving cancels the runs nobody asked for (a guess the criterion did not take)
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _SHARED.clear()


def _preference(point: SweepPoint) -> tuple[float, float]:
    return point.modularity, -abs(math.log(point.resolution))


def sweep(sim: SimilarityGraph, params: CommunityParams) -> tuple[float, list[SweepPoint]]:
    chosen, points, _, _ = _sweep(sim, params)
    return chosen, points


def _sweep(sim: SimilarityGraph, params: CommunityParams
           ) -> tuple[float, list[SweepPoint], np.ndarray | None, SweepGraph]:
    """The chosen resolution, the points, the fast engine's start at the chosen resolution
    (a sweep run on the persons there with `seed`; None for the other engines), and the
    graph the sweep ran on.

    On two workers the runs on the persons fill both: the first two seeds at the finest
    resolution, then the other seeds and the start at the resolution the criterion
    prefers before stability (known from the first seed's aggregate), which is the chosen
    one unless it proves unstable (then the chosen one runs after)."""
    finest = max(params.resolutions)
    seeds = [params.seed + i for i in range(params.sweep_seeds if params.resolution is None
                                            else 1)]
    with _persons_runs(sim) as run:
        pending = [run(finest, seed) for seed in seeds[:WORKERS]]
        fine = [pending[0].result()]
        coarse = [aggregate(sim, fine[0])]

        def at(resolution: float, i: int) -> np.ndarray:
            """Seed i's labels per aggregate node at `resolution`."""
            return fast(coarse[i], resolution, seeds[i])

        first = {r: at(r, 0) for r in params.resolutions}
        points = [SweepPoint(resolution=r, communities=int(labels.max(initial=-1)) + 1,
                             modularity=round(modularity(coarse[0], labels), 4))
                  for r, labels in first.items()]
        guess = params.resolution or max(points, key=_preference).resolution
        start = {guess: run(guess, params.seed)} if params.engine == "fast" else {}
        pending += [run(finest, seed) for seed in seeds[WORKERS:]]
        fine += [p.result() for p in pending[1:]]
        coarse += [aggregate(sim, labels) for labels in fine[1:]]

        def measured(point: SweepPoint) -> float:
            r = point.resolution
            runs = [canonical(labels[fine[i]]) for i, labels in
                    enumerate([first[r], *(at(r, i) for i in range(1, len(seeds)))])]
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
        if start and chosen not in start:
            start[chosen] = run(chosen, params.seed)
        begin = start[chosen].result() if start else None
    for p in points:
        p.chosen = p.resolution == chosen
    graph = SweepGraph(resolution=finest, seeds=len(seeds), nodes=len(coarse[0].persons),
                       edges=coarse[0].edges)
    return chosen, points, begin, graph


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


def communities(graph: Runner, sim: SimilarityGraph, params: CommunityParams, name: str
                ) -> tuple[np.ndarray, float, list[SweepPoint], SweepGraph, dict[str, float]]:
    """Labels per similarity-graph node at the chosen resolution, the sweep, the graph it
    ran on, and timings."""
    t0 = time.monotonic()
    chosen, points, start, swept = _sweep(sim, params)
    t1 = time.monotonic()
    labels = partition(params.engine, sim, chosen, params.seed, graph, name, initial=start)
    t2 = time.monotonic()
    return labels, chosen, points, swept, {"sweep": round(t1 - t0, 3),
                                           "partition": round(t2 - t1, 3)}

