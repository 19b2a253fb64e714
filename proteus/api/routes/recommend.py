"""Recommendations for a device or a person, each item with its explanation path."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from proteus import recommend
from proteus.api.deps import GraphDep, ServiceKey
from proteus.api.errors import RESPONSES
from proteus.api.routes.common import DeviceId, PersonId, json_response
from proteus.api.routing import KeyedRoute
from proteus.recommend import Recommendations
from proteus.recommend.catalog import Catalog, CatalogCache

router = APIRouter(tags=["recommendations"], responses=RESPONSES,
                   route_class=KeyedRoute)

K = Annotated[int, Query(ge=1, le=100, description="how many items")]


async def _catalog(request: Request, graph: GraphDep) -> Catalog:
    cache: CatalogCache = request.app.state.catalog
    catalog = cache.fresh()
    if catalog is None:
        catalog = await run_in_threadpool(cache.get, graph)
    return catalog


CatalogDep = Annotated[Catalog, Depends(_catalog)]


@router.get("/devices/{device_id}/recommendations", response_model=Recommendations)
def for_device(device_id: DeviceId, graph: GraphDep, _: ServiceKey, catalog: CatalogDep,
               k: K = 10) -> Response:
    """Unwatched contents for a device: co-viewing neighbours of what it watched, its
    person's interests, popularity for a cold start."""
    return json_response(recommend.for_device(graph, device_id, k, catalog=catalog))


@router.get("/persons/{person_id}/recommendations", response_model=Recommendations)
def for_person(person_id: PersonId, graph: GraphDep, _: ServiceKey, catalog: CatalogDep,
               k: K = 10) -> Response:
    """Contents none of the person's devices watched, ranked the same way."""
    return json_response(recommend.for_person(graph, person_id, k, catalog=catalog))
