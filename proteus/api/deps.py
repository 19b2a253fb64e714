"""What routes receive: settings, the graph, and the calling key's principal.

    @router.get("/x")
    def x(graph: GraphDep, who: Annotated[Principal, Depends(role("analyst"))]) -> ...

One `Graph` per process lives on `app.state.graph`, opened in the app's lifespan (a graph set
there before, as tests do, is used and left open). Verified keys are remembered for
`api_key_cache_s` seconds in `app.state.key_cache`; while Neo4j is unreachable a process goes
on accepting the keys it verified before (nothing can be revoked then either).

Routes under `proteus.api.routing.KeyedRoute` check the key and the role before anything else,
the body included, and leave the principal on `request.state`; the dependencies below then
only read it. A refused role is audited either way.

The dependencies are coroutines: FastAPI runs a plain function dependency in its thread pool,
and a hop there and back for every dependency of every request cost more than the request's
own work. Only a key missing from the cache goes to the graph, in the pool.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Annotated

from cachetools import LRUCache, TTLCache
from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyHeader

from proteus import keys
from proteus.api import audit
from proteus.api.errors import Forbidden, Unauthorized
from proteus.api.version import GraphVersion
from proteus.errors import GraphUnavailable
from proteus.graph import Runner
from proteus.keys import ROLES, Principal, Role
from proteus.settings import Settings

__all__ = ["AdminKey", "AnalystKey", "GraphDep", "KeyCache", "Principal", "RoleCheck",
           "ServiceKey", "SettingsDep", "admit", "get_graph", "get_settings", "needed_role",
           "role"]

KEY_HEADER = "X-API-Key"
_HEADER = APIKeyHeader(name=KEY_HEADER, auto_error=False,
                       description="An API key from `proteus keys create NAME --role R`.")


class KeyCache:
    """Verified keys by hash: trusted for `seconds` (a TTL cache), and remembered beyond that
    (an LRU cache) only to go on answering while Neo4j is unreachable, when no key can be
    checked, nor revoked."""

    def __init__(self, seconds: float, size: int = 10_000) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._fresh: TTLCache[str, Principal] = TTLCache(maxsize=size, ttl=max(seconds, 1e-9))
        self._known: LRUCache[str, Principal] = LRUCache(maxsize=size)

    def get(self, digest: str) -> Principal | None:
        with self._lock:
            return self._fresh.get(digest)

    def last_known(self, digest: str) -> Principal | None:
        with self._lock:
            return self._known.get(digest)

    def put(self, digest: str, principal: Principal) -> None:
        with self._lock:
            if self.seconds > 0:
                self._fresh[digest] = principal
            self._known[digest] = principal

    def forget(self, key_id: str) -> None:
        with self._lock:
            for cache in (self._fresh, self._known):
                for digest in [d for d, p in cache.items() if p.key_id == key_id]:
                    cache.pop(digest, None)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_graph(request: Request) -> Runner:
    graph: Runner = request.app.state.graph
    return graph


SettingsDep = Annotated[Settings, Depends(get_settings)]
GraphDep = Annotated[Runner, Depends(get_graph)]


async def _authenticate(request: Request, key: str | None) -> Principal:
    if not key:
        raise Unauthorized("missing API key: send it in the X-API-Key header")
    cache: KeyCache = request.app.state.key_cache
    digest = keys.hash_key(key)
    found = cache.get(digest)
    if found is not None:
        return found
    version: GraphVersion = request.app.state.served.version
    try:
        if not version.reachable:
            raise GraphUnavailable("Neo4j is not reachable: no key can be checked")
        found = await run_in_threadpool(keys.authenticate, request.app.state.graph, key)
    except GraphUnavailable:
        version.lost()
        found = cache.last_known(digest)
        if found is None:
            raise
        return found
    if found is None:
        raise Unauthorized("unknown or revoked API key")
    cache.put(digest, found)
    return found


async def _refuse(request: Request, who: Principal, needed: Role) -> None:
    refused = Forbidden(f"role {who.role} may not do this; it needs {needed} or above")
    await audit.refusal(request, who, refused.code, str(refused))
    raise refused


async def admit(request: Request, needed: Role | None) -> Principal:
    """The caller's principal, once per request: 401 without a valid key, 403 (audited) when
    its role is below `needed`."""
    found: Principal | None = getattr(request.state, "principal", None)
    if found is None:
        found = await _authenticate(request, request.headers.get(KEY_HEADER))
        request.state.principal = found
    if needed is not None and not found.allows(needed):
        await _refuse(request, found, needed)
    return found


class RoleCheck:
    """A dependency admitting keys whose role is `needed` or above; 403 otherwise. It reads
    the key itself (`Security`, which also documents the scheme in the OpenAPI), so a route
    solves one dependency for its caller, not a chain: the high-rate routes feel each one."""

    def __init__(self, needed: Role) -> None:
        self.needed: Role = needed

    async def __call__(self, request: Request,
                       key: Annotated[str | None, Security(_HEADER)] = None) -> Principal:
        who: Principal | None = getattr(request.state, "principal", None)
        if who is None:
            who = await _authenticate(request, key)
            request.state.principal = who
        if not who.allows(self.needed):
            await _refuse(request, who, self.needed)
        return who


def role(needed: Role) -> RoleCheck:
    return RoleCheck(needed)


def needed_role(dependant: Dependant) -> Role | None:
    """The highest role any `RoleCheck` among a route's dependencies asks for."""

    def checks(d: Dependant) -> Iterable[Role]:
        for sub in d.dependencies:
            if isinstance(sub.call, RoleCheck):
                yield sub.call.needed
            yield from checks(sub)

    found: list[Role] = list(checks(dependant))
    if not found:
        return None
    highest: Role = max(found, key=lambda r: ROLES[r])
    return highest


ServiceKey = Annotated[Principal, Depends(role("service"))]
AnalystKey = Annotated[Principal, Depends(role("analyst"))]
AdminKey = Annotated[Principal, Depends(role("admin"))]
