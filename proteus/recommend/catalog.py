"""What every request shares: contents by popularity and their interest tags.

It changes only when a pipeline stage runs; `load_catalog` reads it once, and the API keeps
it per graph version (`proteus.api.served`).
"""

from __future__ import annotations

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
