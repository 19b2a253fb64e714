"""Element ids from a chunk's node merges, filled into the rows that link those nodes.

The node queries (devices, identifiers, contents) answer each node's element id; the
sightings and views of the same chunk then find their endpoints by id instead of by an
index seek per row, which is most of what a relationship row costs. The node queries are
idempotent, so a resumed chunk simply runs them again to learn the ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from proteus.graph import Runner

Row = dict[str, Any]


def _device(row: Row) -> str:
    return str(row["device"])


def _identifier(row: Row) -> str:
    return f"{row['kind']} {row['value']}"


NODES: dict[str, Callable[[Row], str]] = {
    "ingest/merge_devices": lambda row: str(row["id"]),
    "ingest/merge_identifiers": _identifier,
    "ingest/merge_contents": lambda row: str(row["id"]),
}
LINKS: dict[str, tuple[tuple[str, str, Callable[[Row], str]], ...]] = {
    "ingest/merge_sightings": (("d", "ingest/merge_devices", _device),
                               ("i", "ingest/merge_identifiers", _identifier)),
    "ingest/merge_views": (("d", "ingest/merge_devices", _device),
                           ("c", "ingest/merge_contents", lambda row: str(row["content"]))),
}


class Linker:
    def __init__(self) -> None:
        self.ids: dict[str, dict[str, str]] = {name: {} for name in NODES}

    def merge(self, graph: Runner, name: str, rows: list[Row]) -> None:
        """Run a node query and keep the element ids it answers."""
        known = self.ids[name]
        for answer in graph.write(name, rows=rows):
            known[answer["key"]] = answer["node"]

    def fill(self, name: str, rows: list[Row]) -> list[Row]:
        """The rows of a link query, given their endpoints' element ids (in place: the rows
        are the chunk's own)."""
        for field, source, key in LINKS.get(name, ()):
            ids = self.ids[source]
            for row in rows:
                node = ids.get(key(row))
                if node is None:
                    raise KeyError(f"{name}: no {source} row for {key(row)!r} in this chunk")
                row[field] = node
        return rows

