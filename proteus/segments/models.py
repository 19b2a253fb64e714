"""The segments stage's params (`SegmentsParams`, the community finder's) and report."""

from __future__ import annotations

from pydantic import BaseModel

from proteus.segments.community import CommunityParams, Stability, SweepGraph, SweepPoint
from proteus.segments.profile import SegmentProfile

SegmentsParams = CommunityParams


class SegmentsReport(BaseModel):
    run_id: str
    params: SegmentsParams
    source: str
    persons: int
    edges: int
    knn: str
    knn_recall: float
    dimensions: int
    tastes: int
    spectral_gap: float
    engine: str
    resolution: float
    criterion: str
    sweep: list[SweepPoint]
    sweep_graph: SweepGraph
    modularity: float
    communities: int
    segments: list[SegmentProfile]
    unsegmented: int
    stability: Stability
    timings: dict[str, float]
    seconds: float

    def lines(self) -> list[str]:
        chosen_by = (f"{self.tastes} tastes, spectral gap {self.spectral_gap}" if self.tastes
                     else "fixed")
        out = [f"segments run {self.run_id}: {len(self.segments)} community segments over "
               f"{self.persons:,} persons ({self.edges:,} similarity edges), engine "
               f"{self.engine}, resolution {self.resolution}, modularity {self.modularity:.3f}, "
               f"{self.seconds:.1f}s",
               f"  viewing from {self.source}; taste embedding of {self.dimensions} "
               f"dimensions ({chosen_by}); {self.knn} kNN, recall "
               f"{self.knn_recall:.3f} against the exact neighbours of "
               f"{min(self.params.recall_sample, self.persons):,} persons",
               "  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in self.timings.items()),
               f"  resolution sweep (fast engine) on the aggregate graph of the "
               f"{self.sweep_graph.nodes:,} communities at resolution "
               f"{self.sweep_graph.resolution} ({self.sweep_graph.edges:,} edges; each of "
               f"{self.sweep_graph.seeds} seeds its own): resolution, communities, "
               "modularity, stability across seeds"]
        for p in self.sweep:
            stable = "-" if p.stability is None else f"{p.stability:.4f}"
            out.append(f"  {'*' if p.chosen else ' '} {p.resolution:<6} {p.communities:>5} "
                       f"{p.modularity:>8.4f} {stable:>8}")
        out.append(f"  chosen by: {self.criterion}")
        s = self.stability
        out.append(f"  vs previous run {s.previous_run}: NMI {s.nmi}, ARI {s.ari} over "
                   f"{s.common_persons:,} persons; {s.continued} continued, {s.new} new, "
                   f"{s.dropped} dropped")
        for seg in self.segments:
            out.append(f"  {seg.id:<14} {seg.size:>6}  {seg.name}"
                       + (f"  (+{seg.gained}/-{seg.lost})" if seg.continued_from else "  (new)"))
        return out
