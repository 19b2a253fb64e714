"""The interests stage's params and report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field

from proteus.interest_ids import CONTENT


class InterestsParams(BaseModel):
    half_life_days: float = Field(default=7.0, gt=0, le=3650)
    top_k: int = Field(default=25, ge=1, le=1000)
    min_evidence: int = Field(default=2, ge=1, description="distinct contents behind a score")
    include_sensitive: bool = False
    taxonomy: str = CONTENT
    reference_day: date | None = Field(
        default=None, description="decay is relative to this day; default the latest day seen")
    views: Path | None = Field(
        default=None, description="read viewing from this fold output folder (views.parquet) "
                                  "instead of the graph")


class InterestsReport(BaseModel):
    run_id: str
    params: InterestsParams
    source: str
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
    seconds_clear: float
    seconds_write: float
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"interests run {self.run_id}: {self.relationships:,} INTERESTED_IN for "
            f"{self.persons_with_profile:,}/{self.persons:,} persons from {self.view_rows:,} "
            f"viewing rows in {self.seconds:.1f}s (read {self.seconds_stream:.1f}s, "
            f"score {self.seconds_score:.1f}s, write {self.seconds_write:.1f}s of which "
            f"clearing the previous run's {self.seconds_clear:.1f}s)",
            f"  viewing from {self.source}",
            f"  reference day {self.reference_day}, half-life {self.params.half_life_days} d, "
            f"top {self.params.top_k}, min evidence {self.params.min_evidence}, "
            f"{self.dropped_sensitive:,} sensitive scores left out",
            f"  {self.tagged_contents:,} of {self.contents:,} contents carry a "
            f"{self.params.taxonomy} tag",
            *(f"  WARNING: {warning}" for warning in self.warnings),
        ]
