"""Parameters, reports and the recommendation records the API and the CLI render."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from proteus.explain import Evidence


class RecommendParams(BaseModel):
    """How neighbours are computed at pipeline time."""

    top_k: int = Field(default=20, ge=1, le=200, description="neighbours kept per content")
    shrink: float = Field(default=10.0, ge=0, description="damping of pairs few viewers share")
    min_co_viewers: int = Field(default=2, ge=1, description="shared viewers for a neighbour")
    views: Path | None = Field(default=None, description="read viewing from this fold output "
                                                         "folder instead of the graph")


class BlendParams(BaseModel):
    """How a request ranks candidates (the same code serves and is evaluated)."""

    seeds: int = Field(default=10, ge=1, le=200,
                       description="watched contents used as seeds, best recency-decayed "
                                   "watch time first")
    half_life_days: float = Field(default=3.0, gt=0, le=365,
                                  description="days after which a day's watch time counts "
                                              "half as a seed")
    interests: int = Field(default=10, ge=0, le=100, description="top interests used")
    per_interest: int = Field(default=10, ge=0, le=100, description="contents per interest")
    neighbour_weight: float = Field(default=1.0, ge=0)
    interest_weight: float = Field(default=0.3, ge=0)
    popularity_weight: float = Field(default=0.05, ge=0)


class RecommendReport(BaseModel):
    run_id: str
    params: RecommendParams
    source: str
    viewers: int
    contents: int
    contents_with_neighbours: int
    relationships: int
    popular: int
    seconds_read: float
    seconds_compute: float
    seconds_write: float
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"recommend run {self.run_id}: {self.relationships:,} SIMILAR for "
            f"{self.contents_with_neighbours:,}/{self.contents:,} contents from "
            f"{self.viewers:,} viewers in {self.seconds:.1f}s (read {self.seconds_read:.1f}s, "
            f"compute {self.seconds_compute:.1f}s, write {self.seconds_write:.1f}s)",
            f"  top {self.params.top_k}, shrink {self.params.shrink}, "
            f"min co-viewers {self.params.min_co_viewers}; {self.popular:,} contents ranked "
            f"by popularity; viewing from {self.source}",
        ]


StepKind = Literal["watched", "similar", "interested_in", "tagged", "popular"]


class PathStep(Evidence):
    """One hop of a recommendation's path: a real node or relationship and what it added."""

    kind: StepKind
    source: str
    target: str
    relationship: str | None
    properties: dict[str, float | int | str | None]


class Recommendation(BaseModel):
    content: str
    title: str | None
    score: float
    sources: list[Literal["neighbours", "interests", "popularity"]]
    path: list[PathStep]
    sentence: str


class Recommendations(BaseModel):
    subject: str
    kind: Literal["device", "person"]
    person: str | None
    cold_start: bool
    watched: int
    items: list[Recommendation]
