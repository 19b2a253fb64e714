"""What routes receive: settings, the graph, and the calling key's principal.

    @router.get("/x")
    def x(graph: GraphDep, who: Annotated[Principal, Depends(role("analyst"))]) -> ...

One `Graph` per process lives on `app.state.graph`, opened in the app's lifespan. Verified
keys are remembered for `api_key_cache_s` seconds in `app.state.key_cache`.

The dependencies are coroutines: FastAPI runs a plain function dependency in its thread pool,
and a hop there and back for every dependency of every request cost more than the request's
own work. Only a key missing from the cache goes to the graph, in the pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from proteus import keys
from proteus.api.errors import Forbidden, Unauthorized
from proteus.graph import Runner
from proteus.keys import Principal, Role
from proteus.settings import Settings

__all__ = ["AdminKey", "AnalystKey", "GraphDep", "KeyCache", "Principal", "ServiceKey",
           "SettingsDep", "get_graph", "get_settings", "role"]

_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False,
                       description="An API key from `proteus keys create NAME --role R`.")


class KeyCache:
    """Verified keys by hash, each trusted until its expiry (monotonic seconds)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.known: dict[str, tuple[float, Principal]] = {}

    def get(self, digest: str) -> Principal | None:
        found = self.known.get(digest)
        if found is None or found[0] < time.monotonic():
            self.known.pop(digest, None)
            return None
        return found[1]

    def put(self, digest: str, principal: Principal) -> None:
        if self.seconds > 0:
            if len(self.known) > 10_000:
                self.known.clear()
            self.known[digest] = (time.monotonic() + self.seconds, principal)

    def forget(self, key_id: str) -> None:
        for digest, (_, principal) in list(self.known.items()):
            if principal.key_id == key_id:
                self.known.pop(digest, None)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_graph(request: Request) -> Runner:
    graph: Runner = request.app.state.graph
    return graph


SettingsDep = Annotated[Settings, Depends(get_settings)]
GraphDep = Annotated[Runner, Depends(get_graph)]


async def principal(request: Request, graph: GraphDep,
                    key: Annotated[str | None, Security(_HEADER)] = None) -> Principal:
    if not key:
        raise Unauthorized("missing API key: send it in the X-API-Key header")
    cache: KeyCache = request.app.state.key_cache
    digest = keys.hash_key(key)
    found = cache.get(digest)
    if found is None:
        found = await run_in_threadpool(keys.authenticate, graph, key)
        if found is None:
            raise Unauthorized("unknown or revoked API key")
        cache.put(digest, found)
    return found


def role(needed: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting keys whose role is `needed` or above; 403 otherwise."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if not who.allows(needed):
            raise Forbidden(f"role {who.role} may not do this; it needs {needed} or above")
        return who

    return check


ServiceKey = Annotated[Principal, Depends(role("service"))]
AnalystKey = Annotated[Principal, Depends(role("analyst"))]
AdminKey = Annotated[Principal, Depends(role("admin"))]
