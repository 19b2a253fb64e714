"""Segments and their members, with cursor pagination."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from proteus.api import pagination
from proteus.api.deps import AnalystKey, GraphDep
from proteus.api.errors import RESPONSES
from proteus.api.pagination import CursorQuery, LimitQuery, Page
from proteus.api.routes.common import SegmentId
from proteus.api.routing import KeyedRoute
from proteus.errors import NotFound

router = APIRouter(prefix="/segments", tags=["segments"], responses=RESPONSES,
                   route_class=KeyedRoute)


class SegmentSummary(BaseModel):
    id: str
    name: str | None = None
    kind: str | None = None
    version: str | int | None = None
    size: int | None = None
    run_id: str | None = None


class Segment(BaseModel):
    id: str
    members: int
    properties: dict[str, Any]


class Member(BaseModel):
    person: str
    size: int | None = None
    household: str | None = None


@router.get("", response_model=Page[SegmentSummary])
def segments(graph: GraphDep, _: AnalystKey, cursor: CursorQuery = None,
             limit: LimitQuery = 100) -> Page[SegmentSummary]:
    """Every segment, by id."""
    after = pagination.decode(cursor)["after"]
    rows = graph.read("api/segments_page", after=after, limit=limit + 1)
    items = [SegmentSummary.model_validate(r) for r in rows]
    last = {"after": items[limit - 1].id} if len(items) > limit else None
    return pagination.page(items, limit, last)


@router.get("/{segment_id}", response_model=Segment)
def segment(segment_id: SegmentId, graph: GraphDep, _: AnalystKey) -> Segment:
    """One segment: every stored property (rule, version, profile) and its member count."""
    rows = graph.read("api/segment", segment=segment_id)
    if not rows:
        raise NotFound(f"no segment {segment_id}")
    props = {k: v if isinstance(v, str | int | float | bool | list | type(None)) else str(v)
             for k, v in rows[0]["segment"].items()}
    return Segment(id=segment_id, members=rows[0]["members"], properties=props)


@router.get("/{segment_id}/members", response_model=Page[Member])
def members(segment_id: SegmentId, graph: GraphDep, _: AnalystKey,
            cursor: CursorQuery = None, limit: LimitQuery = 100) -> Page[Member]:
    """Persons in a segment, by person id."""
    after = pagination.decode(cursor)["after"]
    if not graph.read("api/segment", segment=segment_id):
        raise NotFound(f"no segment {segment_id}")
    rows = graph.read("api/segment_members", segment=segment_id, after=after, limit=limit + 1)
    items = [Member.model_validate(r) for r in rows]
    last = {"after": items[limit - 1].person} if len(items) > limit else None
    return pagination.page(items, limit, last)
