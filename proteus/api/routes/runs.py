"""Runs: parameters, rule versions, quality report and lineage of every stage run."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from proteus import report
from proteus.api import pagination
from proteus.api.deps import AnalystKey, GraphDep
from proteus.api.errors import RESPONSES
from proteus.api.pagination import CursorQuery, LimitQuery, Page
from proteus.api.routes.common import RunId
from proteus.api.routing import KeyedRoute
from proteus.errors import NotFound

router = APIRouter(prefix="/runs", tags=["runs"], responses=RESPONSES,
                   route_class=KeyedRoute)

UPSTREAM: dict[str, list[str]] = {
    "identity": ["ingest"],
    "taxonomy": [],
    "interests": ["ingest", "identity", "taxonomy"],
    "segments": ["identity", "interests"],
    "audiences": ["identity", "interests", "segments"],
    "recommend": ["ingest", "identity", "interests"],
}

Stage = Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$", description="one stage only")]


class RunSummary(BaseModel):
    id: str
    stage: str | None = None
    status: str | None = None
    started: str | None = None
    finished: str | None = None
    code_version: str | None = None


class Lineage(BaseModel):
    batches: list[dict[str, Any]]
    upstream: list[dict[str, Any]]


class Run(RunSummary):
    params: Any = None
    rule_versions: Any = None
    inputs: list[str] = []
    report: Any = None
    lineage: Lineage


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@router.get("", response_model=Page[RunSummary])
def runs(graph: GraphDep, _: AnalystKey, stage: Stage = None, cursor: CursorQuery = None,
         limit: LimitQuery = 50) -> Page[RunSummary]:
    """Runs, newest first."""
    before = pagination.decode(cursor, ("started", "id"))
    rows = graph.read("api/runs_page", stage=stage or "", before_started=before["started"],
                      before_id=before["id"], limit=limit + 1)
    items = [RunSummary.model_validate(r) for r in rows]
    last = ({"started": items[limit - 1].started or "", "id": items[limit - 1].id}
            if len(items) > limit else None)
    return pagination.page(items, limit, last)


@router.get("/{run_id}", response_model=Run)
def run(run_id: RunId, graph: GraphDep, _: AnalystKey) -> Run:
    """One run: parameters, rule versions, inputs, code version, report and lineage."""
    rows = graph.read("runs/get_run", id=run_id)
    if not rows:
        raise NotFound(f"no run {run_id}")
    found = rows[0]["run"]
    lineage = graph.read("api/run_lineage", id=run_id,
                         upstream=UPSTREAM.get(str(found.get("stage")), []))
    return Run(id=run_id, stage=found.get("stage"), status=found.get("status"),
               started=found.get("started"), finished=found.get("finished"),
               code_version=found.get("code_version"), params=_json(found.get("params")),
               rule_versions=_json(found.get("rule_versions")),
               inputs=list(found.get("inputs") or []), report=_json(found.get("report")),
               lineage=Lineage.model_validate(lineage[0] if lineage else
                                              {"batches": [], "upstream": []}))


@router.get("/{run_id}/report", response_model=None,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}},
                             "description": "one self-contained HTML page"}})
def run_report(run_id: RunId, graph: GraphDep, _: AnalystKey) -> HTMLResponse:
    """The run's HTML report: its figures, charts (inline SVG) and tables, a page that works
    with no network. Analyst and admin keys."""
    return HTMLResponse(report.render(report.build(graph, [run_id])))
