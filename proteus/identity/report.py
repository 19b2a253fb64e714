"""Parameters and the per-run quality report of the identity stage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretBytes

from proteus.identity.components import Engine
from proteus.identity.sizes import SizeStats
from proteus.spark.session import SparkSetup


class IdentityParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: Engine = "fast"
    rules: Path | None = Field(default=None, description="rules file; default rules/identity.yaml")
    links: Path | None = Field(
        default=None, description="a folder of the ingest fold's Parquet files (sightings, "
        "identifiers, devices) to read the links from; default: the graph")
    batch_size: int = Field(default=10_000, ge=100, le=100_000)
    key: SecretBytes = Field(exclude=True, description="the pseudonym key, for the rules' "
                             "blocked identifier values")
    spark: SparkSetup | None = Field(default=None, exclude=True, description="where the "
                                     "spark engine runs; default: local")


class PairScore(BaseModel):
    """Pairwise precision, recall and F1 of a partition against a truth."""

    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


class Quality(BaseModel):
    """Pairwise scores against a truth, over all devices and over resolvable ones. A score
    with nothing to measure is None (no household in the truth, no resolvable device). The
    stage never measures them: a caller holding a truth attaches them to the run's report
    (`proteus.tools.truth.score_identity`)."""

    truth: str | None = Field(default=None, description="the truth file scored against")
    person: PairScore
    person_resolvable: PairScore | None
    household: PairScore | None
    household_resolvable: PairScore | None


class LinkWindow(BaseModel):
    """The days that counted: the last `days` days of the data, ending on its latest day."""

    days: int
    first: str | None
    last: str | None
    data_first: str | None
    links: int
    links_left_out: int
    sighting_days: int
    sighting_days_left_out: int

    @property
    def most_left_out(self) -> bool:
        return self.sighting_days_left_out * 2 > self.sighting_days


class CapReport(BaseModel):
    cap: int
    source: str
    detail: str


class EvidenceReport(BaseModel):
    """The weighing of candidate pairs: parameters, and pairs per kind and level."""

    prior: float
    link_at: float
    support_days: int
    established_devices: int
    weights: dict[str, dict[str, float]]
    pairs: int
    pairs_linked: int
    levels: dict[str, dict[str, int]]
    levels_linked: dict[str, dict[str, int]]


class Gate(BaseModel):
    passed: bool
    max_person_devices: int
    max_person_share: float
    reason: str = ""


@dataclass(frozen=True)
class Assignment:
    """Each device's person and household label (in `devices` order) as the run found them,
    published or not. Kept in memory with the report, never stored."""

    devices: list[str]
    person: np.ndarray
    household: np.ndarray


class IdentityReport(BaseModel):
    run_id: str
    status: str
    published: bool
    params: IdentityParams
    rules_version: str
    rules_digest: str = ""
    rules: dict[str, Any] = Field(default_factory=dict)
    engine: Engine
    source: str = "graph"
    devices: int
    links: int
    person_links: int
    household_links: int
    persons: SizeStats
    households: SizeStats
    excluded_by_rule: dict[str, int]
    window: LinkWindow | None = None
    caps: dict[str, CapReport] = Field(default_factory=dict)
    evidence: EvidenceReport | None = None
    ids_kept: int = 0
    ids_new: int = 0
    changes: dict[str, int] = Field(default_factory=dict)
    gate: Gate
    quality: Quality | None = None
    seconds: dict[str, float] = Field(default_factory=dict)
    _assignment: Assignment | None = PrivateAttr(default=None)

    def keep_assignment(self, assignment: Assignment) -> None:
        self._assignment = assignment

    def take_assignment(self) -> Assignment | None:
        """The run's assignment, handed over once (for scoring it against a truth); the
        report lets go of it."""
        assignment, self._assignment = self._assignment, None
        return assignment

    def lines(self) -> list[str]:
        p, h = self.persons, self.households
        out = [
            f"identity run {self.run_id}: {self.status}"
            f"{'' if self.published else ' (not published)'}, rules v{self.rules_version}, "
            f"engine {self.engine}",
            f"  {self.devices:,} devices, {self.links:,} links "
            f"({self.person_links:,} link persons, {self.household_links:,} households)",
        ]
        if self.window is not None:
            out.extend(self.window_lines())
        if self.evidence is not None:
            e = self.evidence
            out.append(f"  pairs      {e.pairs:,} candidate pairs, {e.pairs_linked:,} linked "
                       f"(score = {e.prior:g} + evidence >= {e.link_at:g} bits)")
        if self.caps:
            out.append("  caps       " + ", ".join(
                f"{kind} {cap.detail}" for kind, cap in self.caps.items()
                if cap.source == "data"))
        out += [
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
            out.append(f"  F1 person {f1(q.person)} (resolvable {f1(q.person_resolvable)}),"
                       f" household {f1(q.household)}")
        out.append("  seconds " + ", ".join(f"{k} {v:g}" for k, v in self.seconds.items()))
        return out

    def window_lines(self) -> list[str]:
        w = self.window
        if w is None or w.first is None:
            return ["  window     no sighting has a day"]
        out = [f"  window     last {w.days} days of the data: {w.first} to {w.last}; left out "
               f"{w.links_left_out:,} of {w.links:,} links and {w.sighting_days_left_out:,} of "
               f"{w.sighting_days:,} sighting days (data from {w.data_first})"]
        if w.most_left_out:
            out.append(f"  WARNING: the {w.days}-day window leaves out most of the data "
                       f"({w.sighting_days_left_out:,} of {w.sighting_days:,} sighting days "
                       f"before {w.first}); raise window_days in the rules to use them")
        return out


def f1(score: PairScore | None) -> str:
    """An F1 for a report line: `n/a` when there was nothing to measure."""
    return "n/a" if score is None else f"{score.f1:.4f}"
