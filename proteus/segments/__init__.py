"""Segments: community segments found in the person similarity graph, and rule segments.

`run(graph, params)` builds the k-nearest-neighbour co-viewing graph of persons, sweeps the
modularity resolution, partitions with the chosen engine, profiles and names each community,
measures stability against the previous run, and replaces the community `Segment` nodes.
Rule segments are in `proteus.segments.rules`.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from pydantic import BaseModel

from proteus import runs, views
from proteus.graph import Runner
from proteus.interests.scoring import collect_views, reference_day
from proteus.segments.community import (
    CommunityParams,
    Stability,
    SweepPoint,
    assign_ids,
    communities,
    stability,
)
from proteus.segments.partition import modularity
from proteus.segments.profile import SegmentProfile, name_for, profiles
from proteus.segments.similarity import SimilarityGraph, features, knn

__all__ = ["SegmentProfile", "SegmentsParams", "SegmentsReport", "Stability", "SweepPoint",
           "run", "similarity_graph"]

SegmentsParams = CommunityParams
VERSION = "1"
BATCH = 10_000


class SegmentsReport(BaseModel):
    run_id: str
    params: SegmentsParams
    persons: int
    edges: int
    engine: str
    resolution: float
    criterion: str
    sweep: list[SweepPoint]
    modularity: float
    communities: int
    segments: list[SegmentProfile]
    unsegmented: int
    stability: Stability
    timings: dict[str, float]
    seconds: float

    def lines(self) -> list[str]:
        out = [f"segments run {self.run_id}: {len(self.segments)} community segments over "
               f"{self.persons:,} persons ({self.edges:,} similarity edges), engine "
               f"{self.engine}, resolution {self.resolution}, modularity {self.modularity:.3f}, "
               f"{self.seconds:.1f}s",
               "  resolution sweep (fast engine): resolution, communities, modularity, "
               "stability across seeds"]
        for p in self.sweep:
            out.append(f"  {'*' if p.chosen else ' '} {p.resolution:<6} {p.communities:>5} "
                       f"{p.modularity:>8.4f} {p.stability:>8.4f}")
        out.append(f"  chosen by: {self.criterion}")
        s = self.stability
        out.append(f"  vs previous run {s.previous_run}: NMI {s.nmi}, ARI {s.ari} over "
                   f"{s.common_persons:,} persons; {s.continued} continued, {s.new} new, "
                   f"{s.dropped} dropped")
        for seg in self.segments:
            out.append(f"  {seg.id:<14} {seg.size:>6}  {seg.name}"
                       + (f"  (+{seg.gained}/-{seg.lost})" if seg.continued_from else "  (new)"))
        return out


def similarity_graph(graph: Runner, params: SegmentsParams) -> SimilarityGraph:
    """The kNN co-viewing graph of every person with viewing."""
    table = views.load(graph, params.views)
    reference = reference_day(table) or date.today()
    persons, x = features(collect_views(table, reference, params.half_life_days))
    return knn(persons, x, params.k)


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


def run(graph: Runner, params: SegmentsParams) -> SegmentsReport:
    started = time.monotonic()
    timings: dict[str, float] = {}
    sim = similarity_graph(graph, params)
    timings["similarity"] = round(time.monotonic() - started, 3)
    previous_rows = graph.read("segments/community_members")
    previous = {r["segment"]: set(r["persons"]) for r in previous_rows}
    previous_run = previous_rows[0]["run_id"] if previous_rows else None
    with runs.track(graph, "segments", params, rule_versions={"segments": VERSION}) as run_:
        labels, resolution, points, steps = communities(graph, sim, params, f"segments-{run_.id}")
        timings.update(steps)
        t0 = time.monotonic()
        groups = [[sim.persons[i] for i in range(len(labels)) if labels[i] == c]
                  for c in range(int(labels.max(initial=-1)) + 1)]
        kept = [g for g in groups if len(g) >= params.min_size]
        ids, continued = assign_ids(kept, previous)
        by_id = dict(zip(ids, kept, strict=True))
        described = profiles(graph, by_id)
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
        graph.write("segments/clear_communities")
        graph.write("segments/write_communities", rows=_rows(segs, params, resolution, q),
                    run_id=run_.id)
        members_rows = [{"person": p, "segment": s} for s, g in by_id.items() for p in g]
        for start in range(0, len(members_rows), BATCH):
            graph.write("segments/write_members", rows=members_rows[start:start + BATCH],
                        run_id=run_.id)
        timings["write"] = round(time.monotonic() - t0, 3)
        report = SegmentsReport(
            run_id=run_.id, params=params, persons=len(sim.persons), edges=sim.edges,
            engine=params.engine, resolution=resolution,
            criterion=("fixed by params" if params.resolution is not None else
                       f"highest modularity (resolution 1) among resolutions with seed "
                       f"stability (mean pairwise NMI over {params.sweep_seeds} seeds) >= "
                       f"{params.min_stability}; else the most stable"),
            sweep=points, modularity=q, communities=len(groups), segments=segs,
            unsegmented=len(sim.persons) - sum(len(g) for g in kept),
            stability=stability({k: set(v) for k, v in by_id.items()}, previous,
                                previous_run, continued),
            timings=timings, seconds=round(time.monotonic() - started, 3))
        run_.report = report
    return report
