"""A small union-find over string keys (path halving, smallest key as the root)."""

from __future__ import annotations

from collections.abc import Iterator


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        parent = self.parent
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            low, high = sorted((root_a, root_b))
            self.parent[high] = low

    def members(self) -> Iterator[str]:
        return iter(self.parent)

    def __contains__(self, node: object) -> bool:
        return node in self.parent
