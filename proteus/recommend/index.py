"""Every content's precomputed neighbours in memory, as one recommend build wrote them.

    index = load_index(graph)                  # one read: api/neighbour_index
    index.body("c-42", k=10)                    # the JSON answer of /contents/{id}/neighbours
    index.pairs("c-42")                         # [(content, score, rank), ...] best first

The `SIMILAR {score, rank, co_viewers, run_id}` relationships change only when a recommend
run (or an ingest adding contents) completes, so the API loads the index once per such run
and answers neighbour requests from it without Neo4j. Each neighbour is serialised once at
load; an answer joins the first `k` of them. Memory grows with contents x `top_k` (3,000
contents x 20 neighbours: about 60,000 entries, a few MB).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import orjson
from pydantic import BaseModel

from proteus.graph import Row, Runner

__all__ = ["ContentNeighbours", "Neighbour", "NeighbourIndex", "load_index"]


class Neighbour(BaseModel):
    content: str
    title: str | None
    score: float
    rank: int
    co_viewers: int | None


class ContentNeighbours(BaseModel):
    """A content's top-k `SIMILAR` neighbours, best first, and the run that built them."""

    content: str
    title: str | None
    run_id: str | None
    neighbours: list[Neighbour]


@dataclass(frozen=True)
class _Entry:
    head: bytes
    items: tuple[bytes, ...]
    pairs: tuple[tuple[str, float, int], ...]


def _entry(row: Row) -> _Entry:
    found = sorted((n for n in row.get("neighbours") or () if n[1] is not None),
                   key=lambda n: (n[0] if n[0] is not None else 1 << 30, n[1]))
    run_id = next((n[5] for n in found if n[5] is not None), None)
    head = (b'{"content":' + orjson.dumps(row["content"]) + b',"title":'
            + orjson.dumps(row.get("title")) + b',"run_id":' + orjson.dumps(run_id)
            + b',"neighbours":[')
    items = tuple(orjson.dumps({"content": n[1], "title": n[2], "score": float(n[3] or 0),
                                "rank": int(n[0] or 0),
                                "co_viewers": None if n[4] is None else int(n[4])})
                  for n in found)
    pairs = tuple((str(n[1]), float(n[3] or 0), int(n[0] or 0)) for n in found)
    return _Entry(head, items, pairs)


class NeighbourIndex:
    """Neighbours by content id (see the module)."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self._entries = {str(row["content"]): _entry(row) for row in rows}
        self.relationships = sum(len(e.items) for e in self._entries.values())

    def __contains__(self, content: object) -> bool:
        return content in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def body(self, content: str, k: int) -> bytes | None:
        """The `ContentNeighbours` JSON of the first `k` neighbours; None for an unknown
        content."""
        entry = self._entries.get(content)
        if entry is None:
            return None
        return entry.head + b",".join(entry.items[:k]) + b"]}"

    def pairs(self, content: str) -> tuple[tuple[str, float, int], ...]:
        """(neighbour, score, rank), best first; empty for an unknown content."""
        entry = self._entries.get(content)
        return entry.pairs if entry is not None else ()


def load_index(graph: Runner) -> NeighbourIndex:
    return NeighbourIndex(graph.read_plain("api/neighbour_index"))
