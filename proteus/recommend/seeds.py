"""Which watched contents seed a viewer's recommendations, and how much each counts.

A seed's score is its watch time decayed by age, counted back from the viewer's own latest
viewing day (so a viewer who paused for a few days is still judged by what it watched
last):

    recent(c) = sum over the days c was watched of seconds that day * 0.5 ^ (age / half_life)

where age is the day's distance in days from the viewer's latest viewing day. The best
`n` seeds by `recent` are used; ties go to the later last view, then the longer total watch
time, then the smaller content id, so the choice never depends on storage order. Serving
reads a viewer's watches as stored (`recommend/for_device`, `recommend/for_person`: days as
ISO dates) and calls `rank_watches`; offline evaluation calls `choose`. Both compute the
same score with the same arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Watch:
    """One watched content of a viewer: days (days since 1970-01-01) and seconds per day,
    the epoch second of its latest view."""

    content: str
    days: Sequence[int]
    day_seconds: Sequence[float]
    last: int

    @property
    def seconds(self) -> float:
        return float(sum(self.day_seconds))


@dataclass(frozen=True)
class Seed:
    content: str
    seconds: float  # total watch time
    recent: float   # watch time decayed by age
    age: int        # days between its latest view and the viewer's latest viewing day


def weight(recent: float) -> float:
    """How much a seed's neighbours count in the blend: log1p(decayed minutes)."""
    return math.log1p(max(recent, 0.0) / 60.0)


def decayed(days: Sequence[int], day_seconds: Sequence[float], reference: int,
            half_life: float) -> float:
    total = 0.0
    for day, seconds in zip(days, day_seconds, strict=True):
        total += seconds * 0.5 ** (float(reference - day) / float(half_life))
    return total


def preference(recent: float, last: float | None, seconds: float, content: str
               ) -> tuple[float, float, float, str]:
    """Sort key, best seed first: more decayed watch time, the later last view (a missing
    one first, as null comes in a descending Cypher order), longer watch, smaller id."""
    return -recent, -math.inf if last is None else -last, -seconds, content


def choose(watches: Iterable[Watch], n: int, half_life: float) -> list[Seed]:
    """The viewer's best `n` seeds, best first."""
    rows = list(watches)
    if not rows:
        return []
    reference = max((max(w.days) for w in rows if w.days), default=0)
    scored = sorted(
        ((Seed(w.content, w.seconds, decayed(w.days, w.day_seconds, reference, half_life),
               reference - max(w.days, default=reference)), w.last) for w in rows),
        key=lambda item: preference(item[0].recent, item[1], item[0].seconds, item[0].content))
    return [seed for seed, _ in scored[:n]]


@lru_cache(maxsize=4096)
def _day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def rank_watches(watches: Iterable[Sequence[Any]], n: int,
                 half_life: float) -> tuple[list[str], list[list[Any]]]:
    """A viewer's watched contents, best seed first, and its best `n` seeds as [content,
    seconds, recent, age], from stored watches [content, days (ISO dates), day_seconds,
    seconds, last]. A content watched on several devices (a person) adds up their seconds
    and decayed seconds and keeps the latest `last`. The same score and order as `choose`
    (a missing `last` sorts first, as null does in a descending Cypher order)."""
    merged: dict[str, list[Any]] = {}
    latest: dict[str, str] = {}
    rows = []
    for content, days, day_seconds, seconds, last in watches:
        top = max(days) if days else ""
        rows.append((content, days, day_seconds, top))
        entry = merged.get(content)
        if entry is None:
            merged[content] = [seconds, 0.0, last]
            latest[content] = top
        else:
            entry[0] += seconds
            if entry[2] is None or (last is not None and last > entry[2]):
                entry[2] = last
            latest[content] = max(latest[content], top)
    if not rows:
        return [], []
    reference = max(latest.values())
    ref = _day(reference) if reference else 0
    for content, days, day_seconds, _ in rows:
        merged[content][1] += decayed([_day(day) for day in days], day_seconds, ref, half_life)
    order = sorted(merged, key=lambda c: preference(merged[c][1], merged[c][2], merged[c][0], c))
    seeds = [[c, merged[c][0], merged[c][1],
              ref - _day(latest[c]) if latest[c] else None] for c in order[:n]]
    return order, seeds


def describe(age: int | None) -> str:
    """When a seed was last watched, relative to the viewer's latest viewing day."""
    if age is None:
        return "at an unknown time"
    if age == 0:
        return "on its latest viewing day"
    return f"{age} day{'s' if age != 1 else ''} before its latest viewing day"
