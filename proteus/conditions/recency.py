"""The day recency counts back from: `within_days` and `active_within_days` in segment rules
and audience definitions are measured from the latest viewing day the graph holds, so a
definition selects the same persons from the same graph whatever day it runs."""

from __future__ import annotations

from datetime import date

from proteus.graph import Runner

QUERY = "conditions/latest_day"


def latest_day(graph: Runner) -> date | None:
    """The latest viewing day the graph holds (None before any viewing)."""
    rows = graph.read(QUERY)
    return date.fromisoformat(rows[0]["day"]) if rows and rows[0].get("day") else None
