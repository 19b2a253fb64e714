"""Recommendations for a device or a person, each item with its explanation path, answered
from the worker's memory per graph version (`proteus.api.served`, `proteus.api.answers`)."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request, Response

from proteus.api import answers
from proteus.api.answers import CACHED, IfNoneMatch
from proteus.api.deps import ServiceKey
from proteus.api.errors import RESPONSES
from proteus.api.routes.common import DeviceId, PersonId
from proteus.api.routing import KeyedRoute
from proteus.api.served import NOT_FOUND, Served
from proteus.errors import GraphUnavailable, NotFound
from proteus.recommend import Recommendations

router = APIRouter(tags=["recommendations"], responses=RESPONSES,
                   route_class=KeyedRoute)

K = Annotated[int, Query(ge=1, le=100, description="how many items")]
UNREACHABLE = "Neo4j is not reachable and this answer is not cached; cached ones still are"
LATE = "Neo4j did not answer within {} s and this answer is not cached; cached ones still are"


async def recommendations(request: Request, kind: str, subject: str, k: int,
                          if_none_match: str | None) -> Response:
    """The answer for the current graph version: 304 when the caller holds it, from memory
    when cached, else read from the graph once, with the misses beside it (concurrent
    callers wait for that read). A read that outlasts `api_graph_deadline_s` answers 503; it
    goes on in its thread and fills the cache for the next caller."""
    served: Served = request.app.state.served
    graph = request.app.state.graph
    seen = await served.version.current(graph, "recommendations")
    version = seen.of("recommendations")
    tag = answers.etag(version, kind, subject, str(k))
    if answers.matches(if_none_match, tag):
        return answers.not_modified(tag, version, seen.reachable)
    body = served.peek_recommendations(seen, kind, subject, k)
    hit = body is not None
    if body is None:
        if not seen.reachable:
            raise GraphUnavailable(UNREACHABLE)
        deadline = request.app.state.settings.api_graph_deadline_s
        with anyio.move_on_after(deadline):
            body = await served.recommendations(graph, seen, kind, subject, k)
        if body is None:
            raise GraphUnavailable(LATE.format(deadline))
    if body == NOT_FOUND:
        raise NotFound(f"no {kind} {subject}")
    return answers.answer(body, tag, version, hit, seen.reachable)


@router.get("/devices/{device_id}/recommendations", response_model=Recommendations,
            responses=CACHED)
async def for_device(device_id: DeviceId, request: Request, _: ServiceKey, k: K = 10,
                     if_none_match: IfNoneMatch = None) -> Response:
    """Unwatched contents for a device: co-viewing neighbours of what it watched, its
    person's interests, popularity for a cold start."""
    return await recommendations(request, "device", device_id, k, if_none_match)


@router.get("/persons/{person_id}/recommendations", response_model=Recommendations,
            responses=CACHED)
async def for_person(person_id: PersonId, request: Request, _: ServiceKey, k: K = 10,
                     if_none_match: IfNoneMatch = None) -> Response:
    """Contents none of the person's devices watched, ranked the same way."""
    return await recommendations(request, "person", person_id, k, if_none_match)
