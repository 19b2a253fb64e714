"""Misses read together: a worker reads the graph for one batch of misses at a time, and the
misses that arrive meanwhile wait for the next batch, which reads them all in one query (a
group commit, as a database flushes its log). Alone, a miss is read at once; under load,
one read and one thread hop serve many requests, so what a miss costs beyond the floor's
one query is its own share of the read and its ranking.

    batches = Batches(load)            # load(keys) -> {key: value}, called in a thread
    value = await batches.get(key)     # concurrent gets of one key share one load

DataLoader (aiodataloader) batches what is asked within one event-loop tick; requests from
different connections reach a route in different ticks, so it would read them one by one.
A caller that stops waiting (a deadline) leaves its key in the batch: the value is still
loaded, for whoever asks next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import anyio

__all__ = ["Batches"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark an exception seen, so a key nobody still waits for logs nothing."""
    if not future.cancelled():
        future.exception()


class Batches(Generic[K, V]):
    """One worker's batched loads (see the module)."""

    def __init__(self, load: Callable[[list[K]], dict[K, V]], max_size: int = 64) -> None:
        self.load = load
        self.max_size = max_size
        self._queue: list[K] = []
        self._waiting: dict[K, asyncio.Future[V]] = {}
        self._task: asyncio.Task[None] | None = None
        self.reads = 0  # batches read so far

    async def get(self, key: K) -> V:
        future = self._waiting.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            future.add_done_callback(_retrieved)
            self._waiting[key] = future
            self._queue.append(key)
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._queue:
            keys, self._queue = self._queue[:self.max_size], self._queue[self.max_size:]
            self.reads += 1
            try:
                found = await anyio.to_thread.run_sync(self.load, keys)
            except Exception as exc:  # every waiter of the batch gets the error
                for key in keys:
                    self._waiting.pop(key).set_exception(exc)
            else:
                for key in keys:
                    self._waiting.pop(key).set_result(found[key])
