"""The graph version: the run that the cached routes' answers are exact for.

The graph changes only in runs (ingest, identity, taxonomy, interests, recommend...). An
answer computed after the last run that changed what a route reads therefore stays exact
until the next such run ends: a cache keyed by that run's id is never stale. `SCOPES` names
the stages each cached route reads; a scope's version is the id of its stage run that ended
last (`none` before any), failed runs included since they may have written part of their
work.

Each API worker learns the versions with one small query (`api/graph_version`) at most once
per `period` (`api_version_poll_s`, 1 s), from a background task. Once a run completes, no
worker answers from before it for longer than a period: a request never uses an observation
sent more than a period ago while the previous one saw a run of its scope under way (it
waits for the late poll then, up to a second); with no run under way, a run that completes
before the next poll answers would have to start and end within that poll's round trip.
A poll slower than a second is not waited on again: the worker answers from the last
observation until a poll answers.

While Neo4j is unreachable (a poll failed, or a read did: `lost()`), `reachable` is false
until a poll succeeds again: cached answers are still served, flagged, and misses are refused
at once with 503 rather than each waiting on the driver. Recovery needs no restart.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from proteus.errors import GraphUnavailable
from proteus.graph import Runner

__all__ = ["NONE", "SCOPES", "GraphVersion", "Observed"]

log = logging.getLogger("proteus.api")

SCOPES: dict[str, tuple[str, ...]] = {
    "neighbours": ("ingest", "recommend"),
    "recommendations": ("ingest", "identity", "taxonomy", "interests", "recommend"),
}
STAGES = sorted({stage for stages in SCOPES.values() for stage in stages})
NONE = "none"


@dataclass(frozen=True)
class Observed:
    """What one poll saw: each scope's version, the scopes with a run under way, whether
    Neo4j answered, and when the poll was sent (monotonic seconds)."""

    versions: Mapping[str, str] = field(default_factory=dict)
    reachable: bool = True
    at: float = 0.0
    running: frozenset[str] = frozenset()

    def of(self, scope: str) -> str:
        return self.versions.get(scope, NONE)


def versions_of(rows: list[dict[str, object]]) -> dict[str, str]:
    """Each scope's version from the per-stage rows of `api/graph_version`."""
    ended = {str(r["stage"]): (str(r.get("finished") or ""), str(r["run_id"]))
             for r in rows if r.get("run_id") is not None}
    out: dict[str, str] = {}
    for scope, stages in SCOPES.items():
        latest = max((ended[s] for s in stages if s in ended), default=None)
        out[scope] = latest[1] if latest else NONE
    return out


def running_of(rows: list[dict[str, object]]) -> frozenset[str]:
    """The scopes one of whose stages has a run under way."""
    busy = {str(r["stage"]) for r in rows if r.get("running")}
    return frozenset(scope for scope, stages in SCOPES.items() if busy & set(stages))


Changed = Callable[[Runner, Observed | None, Observed], None]


class GraphVersion:
    """One worker's view of the graph version (see the module)."""

    def __init__(self, period: float = 1.0, on_change: Changed | None = None) -> None:
        self.period = period
        self.wait = max(period, 1.0)
        self.on_change = on_change
        self.observed: Observed | None = None
        self._lock = threading.Lock()
        self._pending: Future[None] | None = None
        self._overdue: Future[None] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool, self._pending = None, None

    def _poll(self, graph: Runner) -> None:
        sent = time.monotonic()
        before = self.observed
        try:
            rows = graph.read_once("api/graph_version", stages=STAGES)
        except Exception as exc:
            if self._pool is not None and (before is None or before.reachable):
                log.warning("graph version: Neo4j did not answer (%s); serving what is "
                            "cached", exc)
            self.observed = Observed(before.versions if before else {}, False, sent,
                                     before.running if before else frozenset())
            return
        seen = Observed(versions_of(rows), True, sent, running_of(rows))
        self.observed = seen
        if before is not None and not before.reachable:
            log.warning("graph version: Neo4j answers again")
        if (before is None or before.versions != seen.versions) and self.on_change is not None:
            self.on_change(graph, before, seen)

    def _start(self, graph: Runner) -> Future[None]:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-version")
            if self._pending is None or self._pending.done():
                self._pending = self._pool.submit(self._poll, graph)
            return self._pending

    async def current(self, graph: Runner, scope: str) -> Observed:
        """The observation to answer `scope` from (see the module); 503 when Neo4j was never
        reached."""
        seen = self.observed
        if seen is not None and time.monotonic() - seen.at <= self.period:
            return seen
        pending = self._start(graph)
        if seen is not None and (scope not in seen.running or pending is self._overdue):
            return seen
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(pending)), self.wait)
        except TimeoutError:
            self._overdue = pending
        seen = self.observed
        if seen is None or (not seen.versions and not seen.reachable):
            raise GraphUnavailable("Neo4j is not reachable and nothing is cached yet")
        return seen

    def refresh(self, graph: Runner) -> Observed | None:
        """Poll now (or join the poll under way) and wait for it: the first observation at
        start, and a way for tools and tests to see a run at once."""
        self._start(graph).result()
        return self.observed

    async def start(self, graph: Runner) -> None:
        """The first observation (and what `on_change` loads with it), before requests."""
        await asyncio.wrap_future(self._start(graph))

    async def poll(self, graph: Runner) -> None:
        """Keep the observation fresh, one query per period, until cancelled."""
        while True:
            await asyncio.shield(asyncio.wrap_future(self._start(graph)))
            seen = self.observed
            wait = (seen.at if seen else time.monotonic()) + self.period - time.monotonic()
            await asyncio.sleep(max(wait, 0.0))

    def lost(self) -> None:
        """A read found Neo4j unreachable: treat it so until the next poll answers."""
        seen = self.observed
        if seen is not None and seen.reachable:
            self.observed = replace(seen, reachable=False)

    @property
    def reachable(self) -> bool:
        seen = self.observed
        return seen is None or seen.reachable
