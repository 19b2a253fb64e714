"""The community segments stage: `run(graph, params) -> SegmentsReport`.

Reads viewing as columns (`proteus.views`), builds the approximate k-nearest-neighbour
co-viewing graph of persons (and measures its recall), sweeps the modularity resolution,
partitions with the chosen engine, profiles and names each community, measures stability
against the previous run, and replaces the community `Segment` nodes.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import numpy as np

from proteus import runs, views
from proteus.errors import Conflict
from proteus.graph import Runner
from proteus.segments.community import assign_ids, communities, stability
from proteus.segments.models import SegmentsParams, SegmentsReport
from proteus.segments.partition import modularity
from proteus.segments.profile import SegmentProfile, name_for, profiles
from proteus.segments.similarity import SimilarityGraph, chosen, features, knn, recall
from proteus.views.per_person import collect_views, reference_day

VERSION = "1"
BATCH = 20_000  # memberships per transaction
WRITERS = 2
CLEAR_BATCH = 100_000


def similarity_graph(graph: Runner, params: SegmentsParams,
                     timings: dict[str, float] | None = None) -> SimilarityGraph:
    """The kNN co-viewing graph of every person with viewing (their embedding in
    `vectors`)."""
    timings = {} if timings is None else timings
    t0 = time.monotonic()
    table = views.load(graph, params.views)
    t1 = time.monotonic()
    reference = reference_day(table) or date.today()
    persons, x = features(collect_views(table, reference, params.half_life_days))
    del table
    t2 = time.monotonic()
    sim = knn(persons, x, params.k, params.knn, params.seed, params.dimensions)
    timings.update({"read": round(t1 - t0, 3), "features": round(t2 - t1, 3),
                    "knn": round(time.monotonic() - t2, 3)})
    return sim


def _rows(segs: list[SegmentProfile], params: SegmentsParams, resolution: float,
          q: float) -> list[dict[str, Any]]:
    return [{"id": s.id, "name": s.name, "size": s.size, "engine": params.engine,
             "resolution": resolution, "seed": params.seed, "modularity": q,
             "top_interests": [t.id for t in s.top_interests],
             "top_interest_names": [t.name for t in s.top_interests],
             "top_lifts": [t.lift for t in s.top_interests],
             "device_types": list(s.device_mix), "device_counts": list(s.device_mix.values()),
             "continued_from": s.continued_from, "gained": s.gained, "lost": s.lost,
             "version": VERSION} for s in segs]


def _groups(labels: np.ndarray, persons: list[str]) -> list[list[str]]:
    """Members of each community, in label order."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(int(labels.max(initial=-1)) + 2))
    names = np.array(persons, dtype=object)[order]
    return [names[a:b].tolist() for a, b in itertools.pairwise(bounds.tolist())]


def _write_members(graph: Runner, by_id: dict[str, list[str]], run_id: str) -> int:
    ids = list(by_id)
    persons = [p for g in by_id.values() for p in g]
    segment = np.repeat(np.arange(len(ids)), [len(g) for g in by_id.values()]).tolist()
    blocks = [{"segments": ids, "persons": persons[s:s + BATCH],
               "segment": segment[s:s + BATCH], "run_id": run_id}
              for s in range(0, len(persons), BATCH)]
    with ThreadPoolExecutor(WRITERS) as pool:
        written = sum(rows[0]["written"] for rows in pool.map(
            lambda block: graph.write("segments/write_members", **block), blocks))
    if written != len(persons):
        raise Conflict(f"wrote {written:,} of {len(persons):,} segment memberships: persons "
                       "were removed while the run wrote; run it again")
    return written


def run(graph: Runner, params: SegmentsParams) -> SegmentsReport:
    started = time.monotonic()
    timings: dict[str, float] = {}
    sim = similarity_graph(graph, params, timings)
    t0 = time.monotonic()
    knn_recall = recall(sim, params.k, params.recall_sample, params.seed)
    timings["recall"] = round(time.monotonic() - t0, 3)
    previous_rows = graph.read("segments/community_members")
    previous = {r["segment"]: set(r["persons"]) for r in previous_rows}
    previous_run = previous_rows[0]["run_id"] if previous_rows else None
    with runs.track(graph, "segments", params, rule_versions={"segments": VERSION},
                    inputs=[views.source_name(params.views)]) as run_:
        labels, resolution, points, swept, steps = communities(graph, sim, params,
                                                               f"segments-{run_.id}")
        timings.update(steps)
        t0 = time.monotonic()
        groups = _groups(labels, sim.persons)
        kept_labels = [c for c, g in enumerate(groups) if len(g) >= params.min_size]
        kept = [groups[c] for c in kept_labels]
        ids, continued = assign_ids(kept, previous)
        by_id = dict(zip(ids, kept, strict=True))
        position = np.full(len(groups) + 1, -1, dtype=np.int64)
        position[kept_labels] = np.arange(len(kept_labels))
        described = profiles(graph, sim.persons, position[labels], ids)
        taken: set[str] = set()
        segs = []
        for seg_id in ids:
            members = set(by_id[seg_id])
            old = previous.get(continued.get(seg_id, ""), set())
            top, mix = described[seg_id]
            segs.append(SegmentProfile(
                id=seg_id, name=name_for(top, taken), size=len(members), top_interests=top,
                device_mix=mix, continued_from=continued.get(seg_id),
                gained=len(members - old) if seg_id in continued else len(members),
                lost=len(old - members)))
        timings["profile"] = round(time.monotonic() - t0, 3)
        t0 = time.monotonic()
        q = round(modularity(sim, labels), 4)
        while graph.write("segments/clear_members", limit=CLEAR_BATCH)[0]["deleted"]:
            pass
        graph.write("segments/clear_communities")
        graph.write("segments/write_communities", rows=_rows(segs, params, resolution, q),
                    run_id=run_.id)
        _write_members(graph, by_id, run_.id)
        timings["write"] = round(time.monotonic() - t0, 3)
        report = SegmentsReport(
            run_id=run_.id, params=params, source=views.source_name(params.views),
            persons=len(sim.persons), edges=sim.edges,
            knn=chosen(params.knn, len(sim.persons)), knn_recall=knn_recall,
            dimensions=int(sim.vectors.shape[1]), tastes=sim.tastes, spectral_gap=sim.gap,
            engine=params.engine, resolution=resolution,
            criterion=("fixed by params" if params.resolution is not None else
                       f"highest modularity (resolution 1) among resolutions with seed "
                       f"stability (mean pairwise NMI over {params.sweep_seeds} seeds) >= "
                       f"{params.min_stability}; else the most stable"),
            sweep=points, sweep_graph=swept, modularity=q, communities=len(groups), segments=segs,
            unsegmented=len(sim.persons) - sum(len(g) for g in kept),
            stability=stability({k: set(v) for k, v in by_id.items()}, previous,
                                previous_run, continued),
            timings=timings, seconds=round(time.monotonic() - started, 3))
        run_.report = report
    return report
