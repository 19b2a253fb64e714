"""A content's co-viewing neighbours, from the worker's in-memory index of the latest
recommend build (`proteus.recommend.index`): no Neo4j read per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from proteus.api import answers
from proteus.api.answers import CACHED, IfNoneMatch
from proteus.api.deps import ServiceKey
from proteus.api.errors import RESPONSES
from proteus.api.routes.common import ID_PATTERN
from proteus.api.routes.recommend import UNREACHABLE
from proteus.api.routing import KeyedRoute
from proteus.api.served import Served
from proteus.errors import GraphUnavailable, NotFound
from proteus.recommend.index import ContentNeighbours

router = APIRouter(prefix="/contents", tags=["contents"], responses=RESPONSES,
                   route_class=KeyedRoute)

ContentId = Annotated[str, Path(pattern=ID_PATTERN, description="a content id")]
K = Annotated[int, Query(ge=1, le=200, description="how many neighbours (a build keeps "
                                                    "`top_k`, 20 by default)")]


@router.get("/{content_id}/neighbours", response_model=ContentNeighbours, responses=CACHED)
async def neighbours(content_id: ContentId, request: Request, _: ServiceKey, k: K = 10,
                     if_none_match: IfNoneMatch = None) -> Response:
    """The content's top-k `SIMILAR` neighbours with score, rank and co-viewers, best
    first, and the run id of the build that computed them."""
    served: Served = request.app.state.served
    graph = request.app.state.graph
    seen = await served.version.current(graph, "neighbours")
    version = seen.of("neighbours")
    tag = answers.etag(version, "content", content_id, str(k))
    index = served.peek_index(seen)
    hit = index is not None
    if index is None:
        if not seen.reachable:
            raise GraphUnavailable(UNREACHABLE)
        index = await run_in_threadpool(served.neighbour_index, graph, seen)
    body = index.body(content_id, k)
    if body is None:
        raise NotFound(f"no content {content_id}")
    if answers.matches(if_none_match, tag):
        return answers.not_modified(tag, version, seen.reachable)
    return answers.answer(body, tag, version, hit, seen.reachable)
