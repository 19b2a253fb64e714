"""The taxonomy stage's params and report."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from proteus.sensitive import DEFAULT_POLICY


class TaxonomyParams(BaseModel):
    dir: Path | None = None
    policy: Path = DEFAULT_POLICY


class TaxonomyCounts(BaseModel):
    taxonomy: str
    categories: int
    tier1: int
    sensitive: int
    links: int
    removed: int = 0


class TaxonomyReport(BaseModel):
    run_id: str
    params: TaxonomyParams
    source: str
    policy_version: str
    taxonomies: list[TaxonomyCounts]
    genre_mappings: int
    contents_tagged: int
    tags: int
    unknown_iab_ids: int
    seconds: float

    def lines(self) -> list[str]:
        out = [f"taxonomy run {self.run_id}: {self.source} (policy {self.policy_version}), "
               f"{self.seconds:.1f}s"]
        for t in self.taxonomies:
            out.append(f"  {t.taxonomy}: {t.categories} categories, {t.tier1} tier 1, "
                       f"{t.sensitive} sensitive, {t.links} parent links")
        out.append(f"  content: {self.contents_tagged} tagged with {self.tags} tags "
                   f"({self.genre_mappings} CTV genre mappings, "
                   f"{self.unknown_iab_ids} unknown iab ids)")
        return out
