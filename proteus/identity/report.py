"""Parameters and the per-run quality report of the identity stage."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from proteus.identity.components import Engine
from proteus.identity.quality import PairScore, SizeStats


class IdentityParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: Engine = "fast"
    rules: Path | None = Field(default=None, description="rules file; default rules/identity.yaml")
    truth: Path | None = Field(default=None, description="a generated dataset to score")
    links: Path | None = Field(
        default=None, description="a folder of the ingest fold's Parquet files (sightings, "
        "identifiers, devices) to read the links from; default: the graph")
    batch_size: int = Field(default=10_000, ge=100, le=100_000)
    quiet: bool = Field(default=False, description="no progress lines on stderr")


class Quality(BaseModel):
    """Pairwise scores against the truth, over all devices and over resolvable ones."""

    person: PairScore
    person_resolvable: PairScore
    household: PairScore
    household_resolvable: PairScore


class Gate(BaseModel):
    passed: bool
    max_person_devices: int
    max_person_share: float
    reason: str = ""


class IdentityReport(BaseModel):
    run_id: str
    status: str
    published: bool
    params: IdentityParams
    rules_version: str
    engine: Engine
    source: str = "graph"
    devices: int
    links: int
    person_links: int
    household_links: int
    persons: SizeStats
    households: SizeStats
    excluded_by_rule: dict[str, int]
    ids_kept: int = 0
    ids_new: int = 0
    changes: dict[str, int] = Field(default_factory=dict)
    gate: Gate
    quality: Quality | None = None
    seconds: dict[str, float] = Field(default_factory=dict)

    def lines(self) -> list[str]:
        p, h = self.persons, self.households
        out = [
            f"identity run {self.run_id}: {self.status}"
            f"{'' if self.published else ' (not published)'}, rules v{self.rules_version}, "
            f"engine {self.engine}",
            f"  {self.devices:,} devices, {self.links:,} links "
            f"({self.person_links:,} link persons, {self.household_links:,} households)",
            f"  persons    {p.count:,}  size p50 {p.p50:g} p99 {p.p99:g} max {p.max} "
            f"(largest {p.largest_share:.2%} of devices)",
            f"  households {h.count:,}  size p50 {h.p50:g} p99 {h.p99:g} max {h.max}",
            f"  ids kept {self.ids_kept:,}, new {self.ids_new:,}, changes "
            + (", ".join(f"{k} {v}" for k, v in sorted(self.changes.items())) or "none"),
            "  excluded identifiers: "
            + (", ".join(f"{k} {v}" for k, v in self.excluded_by_rule.items()) or "none"),
            f"  gate {'passed' if self.gate.passed else 'FAILED: ' + self.gate.reason}",
        ]
        if self.quality is not None:
            q = self.quality
            out.append(f"  F1 person {q.person.f1:.4f} (resolvable {q.person_resolvable.f1:.4f}),"
                       f" household {q.household.f1:.4f}")
        out.append("  seconds " + ", ".join(f"{k} {v:g}" for k, v in self.seconds.items()))
        return out
