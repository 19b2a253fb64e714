"""The HTTP API: `create_app(settings)` builds the FastAPI app, routes under `/v1`.

One `Graph` (one Neo4j driver) per process, opened in the lifespan and closed after; every
route reads through it. The lifespan also polls the graph version (`proteus.api.version`),
which keys what the process serves from memory (`proteus.api.served`): neighbours and
recommendations. OpenAPI at `/openapi.json`, interactive docs at `/docs` (Swagger UI)
and `/redoc`, both served from files shipped with the `fastapi-offline` package, so they work
inside a network with no way out. `/browser` serves Neo4j Browser its Proteus guide and
style (`proteus.api.browser`). Request bodies are limited to `api_max_body_bytes`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

import proteus
from proteus.api import browser, errors
from proteus.api.deps import KeyCache
from proteus.api.routes import (
    audiences,
    contents,
    health,
    identity,
    keys,
    profiles,
    recommend,
    runs,
)
from proteus.api.routes import segments as segment_routes
from proteus.api.routing import BodyLimit
from proteus.api.served import Served
from proteus.graph import Graph
from proteus.settings import Settings

DESCRIPTION = """Explainable audience intelligence on Neo4j.

Every route except `/v1/health/*` needs an API key in `X-API-Key`
(`proteus keys create NAME --role service|analyst|admin`). 401 means no key or an unknown
or revoked one; 403 a key whose role may not call the route (audited); both are decided
before the request body is read. 422 is any invalid input, a body that is not standard JSON
in UTF-8 included; 413 a body over the size limit; 409 a valid request the audience's state
forbids. Errors share one body: `{"error": {"status", "code", "message", "details"}}`.
Ids are pseudonymous."""


def create_app(settings: Settings) -> FastAPI:

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = getattr(app.state, "graph", None) is None
        if owned:
            # a request waits on Neo4j for at most the deadline, then answers 503
            deadline = settings.api_graph_deadline_s
            app.state.graph = Graph(settings, retry_seconds=deadline, connect_seconds=deadline)
        served: Served = app.state.served
        await served.version.start(app.state.graph)
        poller = asyncio.create_task(served.version.poll(app.state.graph))
        try:
            yield
        finally:
            poller.cancel()
            with suppress(asyncio.CancelledError):
                await poller
            served.close()
            if owned:
                app.state.graph.close()
                app.state.graph = None

    app = FastAPIOffline(title="Proteus API", version=proteus.__version__,
                         description=DESCRIPTION, lifespan=lifespan,
                         swagger_ui_parameters={"validatorUrl": None})
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)
    app.state.settings = settings
    app.state.graph = None
    app.state.key_cache = KeyCache(settings.api_key_cache_s)
    app.state.served = Served(settings)
    errors.install(app)
    v1 = APIRouter(prefix="/v1")
    # The high-rate routes first: a request is matched against the routes in this order.
    for module in (contents, recommend, health, profiles, identity, segment_routes,
                   audiences, runs, keys):
        v1.include_router(module.router)
    app.include_router(v1)
    app.mount("/browser", browser.app(settings))
    return app


def from_environment() -> FastAPI:
    """The app for the process's own settings: uvicorn's factory in each worker."""
    from proteus.settings import get_settings

    return create_app(get_settings())
