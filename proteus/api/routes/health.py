"""Liveness (the process answers) and readiness (Neo4j answers too)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from proteus.api.deps import GraphDep, SettingsDep
from proteus.api.errors import RESPONSES

router = APIRouter(prefix="/health", tags=["health"])


class Live(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    neo4j: Literal["reachable"] = "reachable"
    uri: str


@router.get("/live", response_model=Live)
async def live() -> Live:
    """The process answers (no Neo4j call): also the static baseline of `bench api`."""
    return Live()


@router.get("/ready", response_model=Ready, responses={503: RESPONSES[503]})
def ready(graph: GraphDep, settings: SettingsDep) -> Ready:
    """Neo4j answers a query; 503 `graph_unavailable` otherwise."""
    graph.read("db/ping")
    return Ready(uri=settings.bolt_uri)
