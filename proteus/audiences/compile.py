"""A definition compiled to the parameters of the one fixed traversal `audiences/members`.

The query text never changes with the definition: conditions travel as a list of maps in
`$conditions`, the purpose, target and device types as their own parameters.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from proteus import queries
from proteus.audiences.definition import (
    ActiveCondition,
    CategoryCondition,
    ContentCondition,
    Definition,
    DeviceCondition,
    HouseholdCondition,
    InterestCondition,
    SegmentCondition,
    kind_of,
)

QUERY = "audiences/members"
NEVER = "9999-12-31"


class Compiled(BaseModel):
    """The traversal a definition runs as: the query's name and text and every parameter
    (`params["conditions"]` in the order they are checked), and `conditions` in the
    definition's order, whose positions the evidence and the explanations refer to."""

    query_name: str
    query: str
    params: dict[str, Any]
    conditions: list[dict[str, Any]]
    reference_day: date | None


def _since(reference: date | None, days: int | None) -> str | None:
    if days is None:
        return None
    if reference is None:
        return NEVER
    return (reference - timedelta(days=days)).isoformat()


def condition_params(condition: Any, group: str, reference: date | None) -> dict[str, Any]:
    """One condition as the map `audiences/members` and `audiences/evidence` read."""
    out: dict[str, Any] = {"group": group, "kind": kind_of(condition), "ids": [], "types": [],
                           "min_score": None, "min_lift": None, "since": None,
                           "min_seconds": 0, "min_size": None, "max_size": None}
    c = condition
    if isinstance(c, InterestCondition):
        out.update(ids=list(c.interest), min_score=c.min_score, min_lift=c.min_lift,
                   since=_since(reference, c.within_days))
    elif isinstance(c, CategoryCondition | ContentCondition):
        ids = c.category if isinstance(c, CategoryCondition) else c.content
        out.update(ids=list(ids), min_seconds=max(c.min_seconds, 1),
                   since=_since(reference, c.within_days))
    elif isinstance(c, SegmentCondition):
        out.update(ids=list(c.segment))
    elif isinstance(c, DeviceCondition):
        out.update(types=list(c.device_type))
    elif isinstance(c, HouseholdCondition):
        out.update(min_size=c.household_size.min, max_size=c.household_size.max)
    elif isinstance(c, ActiveCondition):
        out.update(since=_since(reference, c.active_within_days) or NEVER)
    return out


def device_types(definition: Definition) -> list[str] | None:
    """Device types every include device condition allows (None: no such condition)."""
    allowed: set[str] | None = None
    for c in definition.include:
        if isinstance(c, DeviceCondition):
            allowed = set(c.device_type) if allowed is None else allowed & set(c.device_type)
    return sorted(allowed) if allowed is not None else None


def conditions(definition: Definition, reference: date | None) -> list[dict[str, Any]]:
    return ([condition_params(c, "include", reference) for c in definition.include]
            + [condition_params(c, "exclude", reference) for c in definition.exclude])


ANCHOR_KINDS = ("segment", "content", "interest")


def anchor(compiled_conditions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The include condition the traversal starts from: a segment, else a content, else an
    interest condition (the narrower kinds first); None examines every person."""
    includes = [c for c in compiled_conditions if c["group"] == "include"]
    for kind in ANCHOR_KINDS:
        for c in includes:
            if c["kind"] == kind:
                return c
    return None


# The order the traversal checks conditions in: cheap property checks on the person's own
# devices and household first, then the conditions that expand over its interests,
# segments and viewing. `all` stops at the first failure, so a candidate most conditions
# reject costs little.
CHECK_COST = {"device_type": 0, "household_size": 1, "segment": 2, "interest": 3,
              "active_within_days": 4, "content": 5, "category": 6}


def proven_by_anchor(condition: dict[str, Any]) -> bool:
    """Whether reaching a person from the anchor already proves its condition: the anchor
    matches segment ids, and interest ids with the minimum score and lift, exactly as the
    condition does; recency and seconds it does not check."""
    return condition["kind"] == "segment" or (
        condition["kind"] == "interest" and condition["since"] is None)


def check_order(compiled_conditions: list[dict[str, Any]],
                start: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The conditions cheapest first, without the anchor when it proves itself; otherwise
    the anchor, which every candidate mostly satisfies, last among its kind's peers."""
    checked = [c for c in compiled_conditions
               if not (c is start and proven_by_anchor(c))]
    return sorted(checked, key=lambda c: (CHECK_COST.get(c["kind"], len(CHECK_COST)),
                                          c is start))


def compile_definition(definition: Definition, reference: date | None) -> Compiled:
    compiled_conditions = conditions(definition, reference)
    start = anchor(compiled_conditions)
    params = {"conditions": check_order(compiled_conditions, start), "anchor": start,
              "purpose": definition.purpose,
              "target": definition.target, "device_types": device_types(definition)}
    return Compiled(query_name=QUERY, query=queries.get(QUERY).text, params=params,
                    conditions=compiled_conditions, reference_day=reference)
