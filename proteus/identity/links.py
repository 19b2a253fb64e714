"""Device-identifier links as identity reads them from `SEEN_WITH` relationships."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class Link:
    """One `(:Device)-[:SEEN_WITH]->(:Identifier)` relationship."""

    device: str
    kind: str
    value: str
    days: tuple[str, ...]
    count: int = 1
    network: str | None = None
    ip_class: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    edge_id: str | None = None

    @property
    def identifier(self) -> str:
        """The identifier's key: `kind:value` (values are hex pseudonyms)."""
        return f"{self.kind}:{self.value}"


def link_from_row(row: dict[str, Any]) -> Link:
    return Link(
        device=str(row["device"]),
        kind=str(row["kind"]),
        value=str(row["value"]),
        days=tuple(str(day) for day in row.get("days") or ()),
        count=int(row.get("count") or 0),
        network=row.get("network"),
        ip_class=row.get("ip_class"),
        first_seen=_text(row.get("first_seen")),
        last_seen=_text(row.get("last_seen")),
        edge_id=row.get("edge_id"),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def in_window(links: Iterable[Link], window_days: int) -> Iterator[Link]:
    """Links trimmed to the days within `window_days` of the latest day; empty ones dropped."""
    held = list(links)
    last = max((day for link in held for day in link.days), default=None)
    if last is None:
        yield from held
        return
    start = (date.fromisoformat(last) - timedelta(days=window_days - 1)).isoformat()
    for link in held:
        days = tuple(day for day in link.days if day >= start)
        if len(days) == len(link.days):
            yield link
        elif days:
            yield replace(link, days=days)


def split_key(identifier: str) -> tuple[str, str]:
    kind, _, value = identifier.partition(":")
    return kind, value
