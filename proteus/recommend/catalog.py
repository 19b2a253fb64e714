"""What every request shares: contents by popularity and their interest tags.

It changes only when a pipeline stage runs, so a process keeps it for `seconds` (the API:
60 s) instead of reading it on each request; `load_catalog` reads it once.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from proteus.graph import Runner


@dataclass
class Catalog:
    popular: list[tuple[str, str | None, int, int | None]]  # (content, title, rank, viewers)
    tags: dict[str, list[str]]
    by_interest: dict[str, list[str]] = field(default_factory=dict)  # popular first
    titles: dict[str, str | None] = field(default_factory=dict)
    run_id: str | None = None


def load_catalog(graph: Runner) -> Catalog:
    popular: list[tuple[str, str | None, int, int | None]] = []
    tags: dict[str, list[str]] = {}
    by_interest: dict[str, list[str]] = defaultdict(list)
    run_id = None
    for row in graph.read("recommend/catalog"):
        content = row["content"]
        popular.append((content, row.get("title"), int(row["rank"]), row.get("viewers")))
        tags[content] = list(row.get("interests") or ())
        for interest in tags[content]:
            by_interest[interest].append(content)
        run_id = run_id or row.get("run_id")
    return Catalog(popular=popular, tags=tags, by_interest=dict(by_interest),
                   titles={content: title for content, title, _, _ in popular}, run_id=run_id)


class CatalogCache:
    """One catalog per process, reloaded when older than `seconds`."""

    def __init__(self, seconds: float = 60.0) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._expires = 0.0

    def fresh(self) -> Catalog | None:
        """The catalog if loaded and not yet expired (never touches the graph)."""
        if self._catalog is not None and time.monotonic() < self._expires:
            return self._catalog
        return None

    def get(self, graph: Runner) -> Catalog:
        found = self.fresh()
        if found is not None:
            return found
        with self._lock:
            if self._catalog is None or time.monotonic() >= self._expires:
                self._catalog = load_catalog(graph)
                self._expires = time.monotonic() + self.seconds
            return self._catalog
