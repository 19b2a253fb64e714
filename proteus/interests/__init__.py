"""Interests: per-person interest profiles from viewing, decayed, rolled up and lifted.

`run(graph, params)` streams (person, content) viewing, scores it in Python (see
`proteus.interests.scoring` for the formulas), and replaces every
`(:Person)-[:INTERESTED_IN]->(:Interest)` in batches. `evidence(graph, person, interest)`
recovers the viewing behind one stored score.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from proteus import runs
from proteus.errors import InputError
from proteus.graph import Runner
from proteus.interests.evidence import Evidence, EvidenceItem, evidence
from proteus.interests.scoring import Decayer, collect_views, per_relationship, score, select
from proteus.taxonomy import CONTENT, TAXONOMIES

__all__ = ["Evidence", "EvidenceItem", "InterestsParams", "InterestsReport", "evidence", "run"]

WRITE_BATCH = 10_000
CLEAR_BATCH = 50_000
MOSTLY_UNTAGGED = 0.5  # warn when fewer than this share of the catalog carries a tag


class InterestsParams(BaseModel):
    half_life_days: float = Field(default=7.0, gt=0, le=3650)
    top_k: int = Field(default=25, ge=1, le=1000)
    min_evidence: int = Field(default=2, ge=1, description="distinct contents behind a score")
    include_sensitive: bool = False
    taxonomy: str = CONTENT
    reference_day: date | None = Field(
        default=None, description="decay is relative to this day; default the latest day seen")


class InterestsReport(BaseModel):
    run_id: str
    params: InterestsParams
    reference_day: date | None
    persons: int
    persons_with_profile: int
    view_rows: int
    interests_scored: int
    relationships: int
    dropped_sensitive: int
    contents: int = 0
    tagged_contents: int = 0
    warnings: list[str] = Field(default_factory=list)
    seconds_stream: float
    seconds_score: float
    seconds_write: float
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"interests run {self.run_id}: {self.relationships:,} INTERESTED_IN for "
            f"{self.persons_with_profile:,}/{self.persons:,} persons from {self.view_rows:,} "
            f"viewing rows in {self.seconds:.1f}s (stream {self.seconds_stream:.1f}s, "
            f"score {self.seconds_score:.1f}s, write {self.seconds_write:.1f}s)",
            f"  reference day {self.reference_day}, half-life {self.params.half_life_days} d, "
            f"top {self.params.top_k}, min evidence {self.params.min_evidence}, "
            f"{self.dropped_sensitive:,} sensitive scores left out",
            f"  {self.tagged_contents:,} of {self.contents:,} contents carry a "
            f"{self.params.taxonomy} tag",
            *(f"  WARNING: {warning}" for warning in self.warnings),
        ]


def tag_warnings(contents: int, tagged: int, taxonomy: str) -> list[str]:
    """Why the profiles will be empty or thin: no content, or most content, without tags."""
    if contents and not tagged:
        return [f"no content carries a {taxonomy} tag: no interest can be scored (load a "
                "catalog with iab_ids, or tag the content)"]
    if contents and tagged < MOSTLY_UNTAGGED * contents:
        return [f"only {tagged:,} of {contents:,} contents ({tagged / contents:.0%}) carry a "
                f"{taxonomy} tag: viewing of the others adds to no interest"]
    return []


def _stream(graph: Runner, name: str, **params: Any) -> Any:
    stream = getattr(graph, "stream", None)
    return stream(name, **params) if stream else graph.read(name, **params)


def run(graph: Runner, params: InterestsParams) -> InterestsReport:
    if params.taxonomy not in TAXONOMIES:
        raise InputError(f"taxonomy: unknown taxonomy {params.taxonomy!r}")
    started = time.monotonic()
    hierarchy = graph.read("interests/hierarchy", taxonomy=params.taxonomy)
    if not hierarchy:
        raise InputError(f"no {params.taxonomy} interests in the graph: run `proteus taxonomy "
                         "load` first")
    parents = {r["id"]: r["parent"] for r in hierarchy}
    sensitive = {r["id"] for r in hierarchy if r["sensitive"]}
    tags = [(r["content"], r["interest"])
            for r in graph.read("interests/content_tags", taxonomy=params.taxonomy)]
    counted = graph.read("interests/content_count")
    contents = int(counted[0]["contents"]) if counted else 0
    tagged = len({content for content, _ in tags})
    warnings = tag_warnings(contents, tagged, params.taxonomy)
    for warning in warnings:
        print(f"interests: WARNING: {warning}", file=sys.stderr)
    rows = list(per_relationship(_stream(graph, "interests/person_views")))
    reference = params.reference_day or max(
        (date.fromisoformat(d) for r in rows for d in r[2][-1:]), default=None)
    seconds_stream = time.monotonic() - started
    with runs.track(graph, "interests", params) as run_:
        t0 = time.monotonic()
        scores = None
        kept: list[dict[str, Any]] = []
        dropped = 0
        if reference is not None:
            views = collect_views(rows, Decayer(reference, params.half_life_days))
            scores = score(views, tags, parents)
            excluded = set() if params.include_sensitive else sensitive
            chosen = select(scores, params.top_k, params.min_evidence, excluded)
            dropped = int(sum(scores.interests[i] in sensitive for i in scores.interest.tolist()))
            kept = [{"person": scores.persons[p], "interest": scores.interests[i],
                     "score": s, "lift": lf, "weight": w, "evidence_count": e,
                     "last_seen": date.fromordinal(d).isoformat()}
                    for p, i, s, lf, w, e, d in zip(
                        scores.person[chosen].tolist(), scores.interest[chosen].tolist(),
                        scores.score[chosen].tolist(), scores.lift[chosen].tolist(),
                        scores.weight[chosen].tolist(), scores.evidence[chosen].tolist(),
                        scores.last[chosen].tolist(), strict=True)]
        seconds_score = time.monotonic() - t0
        t0 = time.monotonic()
        while graph.write("interests/clear_profiles", limit=CLEAR_BATCH)[0]["deleted"]:
            pass
        for start in range(0, len(kept), WRITE_BATCH):
            graph.write("interests/write_profiles", rows=kept[start:start + WRITE_BATCH],
                        run_id=run_.id)
        seconds_write = time.monotonic() - t0
        report = InterestsReport(
            run_id=run_.id, params=params, reference_day=reference,
            persons=len({r[0] for r in rows}),
            persons_with_profile=len({k["person"] for k in kept}), view_rows=len(rows),
            interests_scored=len(set(scores.interest.tolist())) if scores else 0,
            relationships=len(kept), dropped_sensitive=dropped, contents=contents,
            tagged_contents=tagged, warnings=warnings,
            seconds_stream=round(seconds_stream, 3), seconds_score=round(seconds_score, 3),
            seconds_write=round(seconds_write, 3),
            seconds=round(time.monotonic() - started, 3))
        run_.report = report
    return report
