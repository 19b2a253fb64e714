"""What an API worker answers from memory, each entry keyed by the graph version it is exact
for (`proteus.api.version`): the neighbour index (one per recommend build), the catalog,
each subject's viewing row and each rendered recommendation answer.

    seen = await served.version.current(graph, "recommendations")
    served.peek_recommendations(seen, "device", "d1", 10)         # bytes when cached, else None
    await served.recommendations(graph, seen, "device", "d1", 10) # reads the graph on a miss

The index and the catalog are loaded as soon as the worker sees a new version (at start
too, before it accepts requests), through `cachetools.cached` with a condition. Misses go
through `proteus.api.batches`: concurrent misses of one key wait for one read, and misses of
different subjects that arrive together are read together, so a subject is read from the
graph at most once per version while it stays cached (rows: up to `api_cache_subjects`;
answers: up to `api_cache_mb` MB, both `cachetools` LRU caches). When a scope's version
changes its entries are dropped. An unknown subject is remembered too (`NOT_FOUND`): it
stays unknown until the next run.

What is kept stays out of the garbage collector's walk, which stalls every request of the
worker while it runs (150 ms over 20,000 subjects' rows as Python objects): answers are
bytes, rows are kept pickled, and the index and catalog are frozen (`gc.freeze`) once
loaded, after one full collection per version.
"""

from __future__ import annotations

import gc
import logging
import pickle
from collections.abc import Callable
from threading import Condition, Lock
from typing import Any

from cachetools import LRUCache, cached

from proteus.api.batches import Batches
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


# an answer's key: the recommendations' version, the neighbours' version, kind, subject, k
Key = tuple[str, str, str, str, int]


class Served:
    """One worker's answers per graph version (see the module)."""

    def __init__(self, settings: Settings, params: BlendParams | None = None) -> None:
        self.params = params or BlendParams()
        self.version = GraphVersion(settings.api_version_poll_s, on_change=self._changed)
        self._index = _Cache(LRUCache(maxsize=2), lambda graph, version: version,
                             lambda graph, version: load_index(graph))
        self._catalog = _Cache(LRUCache(maxsize=2), lambda graph, version: version,
                               lambda graph, version: load_catalog(graph))
        self._lock = Lock()
        self._rows: LRUCache[tuple[str, str, str], bytes] = LRUCache(
            maxsize=settings.api_cache_subjects)
        self._answers: LRUCache[Key, bytes] = LRUCache(
            maxsize=settings.api_cache_mb * 1024 * 1024, getsizeof=_size)
        self._graph: Runner | None = None  # the app's graph, as the requests pass it
        self.misses: Batches[Key, bytes] = Batches(self._answer_many)

    def close(self) -> None:
        self.version.close()

    def _changed(self, graph: Runner, before: Observed | None, seen: Observed) -> None:
        """Drop what a changed scope held, and load the new index and catalog at once (in
        the poller's thread) rather than in the first requests that need them."""
        if before is None or before.of("neighbours") != seen.of("neighbours"):
            self._index.clear()
        if before is None or before.of("recommendations") != seen.of("recommendations"):
            self._catalog.clear()
            with self._lock:
                self._rows.clear()
                self._answers.clear()
        try:
            self._index.load(graph, seen.of("neighbours"))
            self._catalog.load(graph, seen.of("recommendations"))
        except Exception as exc:  # the requests that need them will try again
            log.warning("could not load the neighbour index or the catalog: %s", exc)
        gc.unfreeze()
        gc.collect()
        gc.freeze()

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

    @staticmethod
    def _key(seen: Observed, kind: str, subject: str, k: int) -> Key:
        return seen.of("recommendations"), seen.of("neighbours"), kind, subject, k

    def peek_recommendations(self, seen: Observed, kind: str, subject: str,
                             k: int) -> bytes | None:
        with self._lock:
            return self._answers.get(self._key(seen, kind, subject, k))

    async def recommendations(self, graph: Runner, seen: Observed, kind: str, subject: str,
                              k: int) -> bytes:
        """The JSON answer, or `NOT_FOUND`; on a miss read from the graph with the misses
        that wait beside it (`proteus.api.batches`)."""
        self._graph = graph
        key = self._key(seen, kind, subject, k)
        with self._lock:
            body = self._answers.get(key)
        if body is not None:
            return body
        try:
            return await self.misses.get(key)
        except GraphUnavailable:
            self._lost()
            raise

    def _answer_many(self, keys: list[Key]) -> dict[Key, bytes]:
        """The answers of a batch of misses (in a thread): the viewing rows not yet kept, one
        read per kind, then each answer ranked and rendered."""
        graph = self._graph
        assert graph is not None
        wanted: dict[tuple[str, str], set[str]] = {}
        with self._lock:
            kept = {(v, kind, s): self._rows[(v, kind, s)] for v, _, kind, s, _ in keys
                    if (v, kind, s) in self._rows}
        rows: dict[tuple[str, str, str], Row | None] = {
            viewer: pickle.loads(row) for viewer, row in kept.items()}
        for v, _, kind, s, _ in keys:
            if (v, kind, s) not in rows:
                wanted.setdefault((v, kind), set()).add(s)
        for (v, kind), subjects in wanted.items():
            read = serve.viewings(graph, kind, sorted(subjects), self.params, neighbours=False)
            for s in subjects:
                rows[(v, kind, s)] = read.get(s)
        found: dict[Key, bytes] = {}
        for key in keys:
            v, nb_version, kind, subject, k = key
            found[key] = self._render(graph, rows[(v, kind, subject)], v, nb_version, kind,
                                      subject, k)
        read_now = {viewer: pickle.dumps(row, pickle.HIGHEST_PROTOCOL)
                    for viewer, row in rows.items() if viewer not in kept}
        with self._lock:
            self._rows.update(read_now)
            self._answers.update(found)
        return found

    def _render(self, graph: Runner, row: Row | None, version: str, nb_version: str,
                kind: str, subject: str, k: int) -> bytes:
        if row is None:
            return NOT_FOUND
        catalog: Catalog = self._catalog.load(graph, version)
        index: NeighbourIndex = self._index.load(graph, nb_version)
        found = serve.from_row(serve.attach(row, index), catalog, kind, subject, k, self.params)
        return found.__pydantic_serializer__.to_json(found)
