"""The main job: bring the database up, then run every stage in order on generated data.

The orchestrator only wires stages; each stage owns its work and returns its own report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from proteus import (
    audiences,
    edge,
    identity,
    ingest,
    interests,
    keys,
    recommend,
    report,
    segments,
    taxonomy,
)
from proteus.audiences import DryRun, MaterialiseReport
from proteus.db import manage
from proteus.graph import Graph
from proteus.identity import PairExplanation
from proteus.settings import Settings
from proteus.shipped import rules_dir
from proteus.tools import generate, truth

R = TypeVar("R")

log = logging.getLogger(__name__)


class PipelineParams(BaseModel):
    devices: int = 10_000
    days: int = 7
    seed: int = 42
    data_dir: Path = Path("data/generated")
    rejects_dir: Path | None = None  # default: PROTEUS_HOME/rejects
    audience: Path = Field(  # shipped with the package: found from any working directory
        default_factory=lambda: rules_dir() / "audiences" / "sports-big-screen.yaml")
    actor: str = "pipeline"
    report: Path | None = None  # the HTML report; default PROTEUS_HOME/reports/run-<time>.html
    # what checks and folds the events and finds identity's components (docs/spark.md): on
    # "spark" the week loads through import files, a first load or, on a graph holding
    # data, a rebuild (every stage after it runs again anyway)
    engine: Literal["duckdb", "spark"] = "duckdb"


class AudienceSummary(BaseModel):
    """The sample audience: its dry run, and the materialised version when large enough."""

    dry_run: DryRun
    materialised: MaterialiseReport | None
    refused: str | None

    def lines(self) -> list[str]:
        d = self.dry_run
        out = [f"audience {d.name}: {d.members:,} members ({d.counts.persons:,} persons, "
               f"{d.counts.households:,} households, {d.counts.devices:,} devices), "
               f"{d.excluded_consent:,} persons left out for withdrawn {d.purpose} consent"]
        if self.materialised is not None:
            m = self.materialised
            out.append(f"  materialised {m.audience} ({m.status}) in run {m.run_id}")
        if self.refused:
            out.append(f"  not materialised: {self.refused}")
        if d.sample:
            out.append(f"  why is {d.sample[0].member} in it: {d.sample[0].sentence}")
            out.extend(f"    {step.sentence}" for step in d.sample[0].steps)
        return out


class PipelineReport(BaseModel):
    params: PipelineParams
    database: manage.DbStatus
    generate: generate.GenerateReport
    ingest: ingest.IngestReport
    taxonomy: taxonomy.TaxonomyReport
    identity: identity.IdentityReport
    interests: interests.InterestsReport
    segments: segments.SegmentsReport
    recommend: recommend.RecommendReport
    audience: AudienceSummary
    sample: PairExplanation | None
    html: Path
    seconds: dict[str, float]

    def lines(self) -> list[str]:
        out: list[str] = ["", "== Proteus run report =="]
        for stage in (self.ingest, self.taxonomy, self.identity, self.interests, self.segments,
                      self.recommend, self.audience):
            out.extend(stage.lines())
        if self.sample is not None:
            out.append(f"sample explanation: {self.sample.sentence}")
            out.extend(f"  {step.sentence}" for step in self.sample.steps)
        out.append("stage seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items()))
        out.append(f"HTML report: {self.html}")
        out.extend(["", *self.database.lines()])
        return out


def _stage(name: str, seconds: dict[str, float], work: Callable[[], R]) -> R:
    log.info("stage %s", name)
    started = time.monotonic()
    result = work()
    seconds[name] = round(time.monotonic() - started, 1)
    return result


def _sample(graph: Graph) -> PairExplanation | None:
    rows = graph.read("pipeline/sample_pair")
    if not rows or rows[0]["device_b"] is None:
        return None
    return identity.explain_pair(graph, rows[0]["device_a"], rows[0]["device_b"], redact=True)


def _audience(graph: Graph, params: PipelineParams) -> AudienceSummary:
    version = audiences.create(graph, params.audience, params.actor)
    dry = audiences.dry_run(graph, version.id, params.actor, sample=1, redact=True,
                            with_funnel=True)
    if not dry.materialisable:
        return AudienceSummary(dry_run=dry, materialised=None,
                               refused=f"{dry.members} members, fewer than k={dry.min_size}")
    if version.status == "draft":
        audiences.approve(graph, version.id, params.actor)
    report = audiences.materialise(graph, version.id, params.actor)
    return AudienceSummary(dry_run=dry, materialised=report, refused=None)


def _identity(graph: Graph, settings: Settings, params: PipelineParams,
              folded: Path | None) -> identity.IdentityReport:
    """The identity stage, scored against the generated dataset's truth."""
    report = identity.run(graph, edge.identity_params(
        settings, links=folded, engine="spark" if params.engine == "spark" else "fast"))
    return truth.score_identity(graph, report, truth.load_truth(params.data_dir))


def demo_key(settings: Settings) -> keys.CreatedKey:
    """A fresh admin key for trying the API after the main job (shown once)."""
    with Graph(settings) as graph:
        return keys.create_key(graph, "demo", "admin")


def run(settings: Settings, params: PipelineParams) -> PipelineReport:
    seconds: dict[str, float] = {}
    started, graph = _stage("database", seconds, lambda: manage.up(settings))
    with graph:
        log.info("Neo4j %s at %s", "started" if started else "reused", settings.bolt_uri)
        generated = _stage("generate", seconds, lambda: generate.run(generate.GenerateParams(
            out=params.data_dir, devices=params.devices, days=params.days, seed=params.seed)))
        on_spark: dict[str, Any] = {"engine": "spark", "bulk": "rebuild"} \
            if params.engine == "spark" else {}
        ingested = _stage("ingest", seconds, lambda: ingest.run(graph, edge.ingest_params(
            settings, [params.data_dir], rejects_dir=params.rejects_dir, **on_spark)))
        loaded = _stage("taxonomy", seconds,
                        lambda: taxonomy.run(graph, taxonomy.TaxonomyParams()))
        # right after a bulk load the fold's tables are the graph's content: read them there
        folded = Path(ingested.folded) if ingested.path == "bulk" and ingested.folded else None
        resolved = _stage("identity", seconds,
                          lambda: _identity(graph, settings, params, folded))
        scored = _stage("interests", seconds, lambda: interests.run(
            graph, interests.InterestsParams(views=folded)))
        segmented = _stage("segments", seconds, lambda: segments.run(
            graph, segments.SegmentsParams(seed=params.seed, views=folded)))
        neighbours = _stage("recommend", seconds, lambda: recommend.run(
            graph, recommend.RecommendParams(views=folded)))
        audience = _stage("audience", seconds, lambda: _audience(graph, params))
        run_ids = [ingested.run_id, loaded.run_id, resolved.run_id, scored.run_id,
                   segmented.run_id, neighbours.run_id]
        if audience.materialised is not None:
            run_ids.append(audience.materialised.run_id)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        html = _stage("report", seconds, lambda: report.write(
            graph, params.report or settings.home / "reports" / f"run-{stamp}.html", run_ids,
            dry_run=audience.dry_run if audience.materialised is None else None,
            refused=audience.refused))
        return PipelineReport(
            params=params, database=manage.status(graph, settings), generate=generated,
            ingest=ingested, taxonomy=loaded, identity=resolved, interests=scored,
            segments=segmented, recommend=neighbours, audience=audience,
            sample=_sample(graph), html=html, seconds=seconds)
