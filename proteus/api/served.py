"""What an API worker answers from memory, each entry keyed by the graph version it is exact
for (`proteus.api.version`): the neighbour index (one per recommend build), the catalog,
each subject's viewing row and each rendered recommendation answer.

    seen = await served.version.current(graph, "recommendations")
    served.peek_recommendations(seen, "device", "d1", 10)   # bytes when cached, else None
    served.recommendations(graph, seen, "device", "d1", 10) # in a thread: reads on a miss

The index and the catalog are loaded as soon as the worker sees a new version (at start
too, before it accepts requests). The caches are `cachetools` LRU caches, filled through
`cachetools.cached` with a condition: concurrent misses of one key wait for the first instead
of each reading Neo4j, so a subject is read from the graph at most once per version while it
stays cached (rows: up to `api_cache_subjects`; answers: up to `api_cache_mb` MB). When a
scope's version changes its entries are dropped. An unknown subject is remembered too
(`NOT_FOUND`): it stays unknown until the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from threading import Condition
from typing import Any

from cachetools import LRUCache, cached

from proteus.api.version import GraphVersion, Observed
from proteus.errors import GraphUnavailable
from proteus.graph import Row, Runner
from proteus.recommend import serve
from proteus.recommend.catalog import Catalog, load_catalog
from proteus.recommend.index import NeighbourIndex, load_index
from proteus.recommend.models import BlendParams
from proteus.settings import Settings

__all__ = ["NOT_FOUND", "Served"]

log = logging.getLogger("proteus.api")

NOT_FOUND = b""
ENTRY_OVERHEAD = 200  # bytes an answer costs beyond its body (key, links)


def _size(body: bytes) -> int:
    return len(body) + ENTRY_OVERHEAD


class _Cache:
    """A cachetools cache with the condition its loader waits on."""

    def __init__(self, cache: LRUCache[Any, Any], key: Callable[..., Any],
                 load: Callable[..., Any]) -> None:
        self.cache = cache
        self.condition = Condition()
        self.load = cached(cache, key=key, condition=self.condition)(load)

    def peek(self, key: Any) -> Any:
        with self.condition:
            return self.cache.get(key)

    def clear(self) -> None:
        with self.condition:
            self.cache.clear()


class Served:
    """One worker's answers per graph version (see the module)."""

    def __init__(self, settings: Settings, params: BlendParams | None = None) -> None:
        self.params = params or BlendParams()
        self.version = GraphVersion(settings.api_version_poll_s, on_change=self._changed)
        self._index = _Cache(LRUCache(maxsize=2), lambda graph, version: version,
                             lambda graph, version: load_index(graph))
        self._catalog = _Cache(LRUCache(maxsize=2), lambda graph, version: version,
                               lambda graph, version: load_catalog(graph))
        self._rows = _Cache(LRUCache(maxsize=settings.api_cache_subjects),
                            lambda graph, version, kind, subject: (version, kind, subject),
                            self._read_row)
        self._answers = _Cache(LRUCache(maxsize=settings.api_cache_mb * 1024 * 1024,
                                        getsizeof=_size),
                               lambda graph, version, nb, kind, subject, k:
                               (version, kind, subject, k),
                               self._render)

    def close(self) -> None:
        self.version.close()

    def _changed(self, graph: Runner, before: Observed | None, seen: Observed) -> None:
        """Drop what a changed scope held, and load the new index and catalog at once (in
        the poller's thread) rather than in the first requests that need them."""
        scopes = {"neighbours": (self._index,),
                  "recommendations": (self._catalog, self._rows, self._answers)}
        for scope, caches in scopes.items():
            if before is None or before.of(scope) != seen.of(scope):
                for cache in caches:
                    cache.clear()
        try:
            self._index.load(graph, seen.of("neighbours"))
            self._catalog.load(graph, seen.of("recommendations"))
        except Exception as exc:  # the requests that need them will try again
            log.warning("could not load the neighbour index or the catalog: %s", exc)

    def _lost(self) -> None:
        self.version.lost()

    def peek_index(self, seen: Observed) -> NeighbourIndex | None:
        found: NeighbourIndex | None = self._index.peek(seen.of("neighbours"))
        return found

    def neighbour_index(self, graph: Runner, seen: Observed) -> NeighbourIndex:
        """The index of the observed recommend build, loaded on first use (in a thread)."""
        try:
            found: NeighbourIndex = self._index.load(graph, seen.of("neighbours"))
        except GraphUnavailable:
            self._lost()
            raise
        return found

    def peek_recommendations(self, seen: Observed, kind: str, subject: str,
                             k: int) -> bytes | None:
        found: bytes | None = self._answers.peek((seen.of("recommendations"), kind, subject, k))
        return found

    def recommendations(self, graph: Runner, seen: Observed, kind: str, subject: str,
                        k: int) -> bytes:
        """The JSON answer, or `NOT_FOUND`; read from the graph on a miss (in a thread)."""
        try:
            body: bytes = self._answers.load(graph, seen.of("recommendations"),
                                             seen.of("neighbours"), kind, subject, k)
        except GraphUnavailable:
            self._lost()
            raise
        return body

    def _read_row(self, graph: Runner, version: str, kind: str, subject: str) -> Row | None:
        return serve.viewing(graph, kind, subject, self.params, neighbours=False)

    def _render(self, graph: Runner, version: str, nb_version: str, kind: str, subject: str,
                k: int) -> bytes:
        row = self._rows.load(graph, version, kind, subject)
        if row is None:
            return NOT_FOUND
        catalog: Catalog = self._catalog.load(graph, version)
        index: NeighbourIndex = self._index.load(graph, nb_version)
        found = serve.from_row(serve.attach(row, index), catalog, kind, subject, k, self.params)
        return found.__pydantic_serializer__.to_json(found)
