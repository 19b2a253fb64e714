"""Conditions compiled to the parameters of the one traversal `conditions/members` and the
one evidence query `conditions/evidence`.

The query texts never change with the conditions: each condition travels as a map
{group, negate, kind, ids, types, score, lift, size, since, min_seconds} where `score`,
`lift` and `size` are lists of comparisons {op, value} that all hold, and `since` an ISO day.
A person matches when every condition outside the `any` group holds (`negate` flips one)
and, when there are `any` conditions, at least one of them holds.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from proteus.conditions.model import (
    NEVER,
    ActiveCondition,
    CategoryCondition,
    Comparison,
    ContentCondition,
    DeviceCondition,
    HouseholdCondition,
    InterestCondition,
    SegmentCondition,
    kind_of,
    since,
)

QUERY = "conditions/members"
EVIDENCE = "conditions/evidence"
NEGATED_GROUPS = ("exclude",)   # a person matching any of these is left out
ANY_GROUPS = ("any",)           # at least one of these holds


def _tests(*found: tuple[str, Any]) -> list[dict[str, Any]]:
    """The comparisons {op, value} given: a `Comparison` as it is, a bare value with `op`."""
    out: list[dict[str, Any]] = []
    for op, value in found:
        if isinstance(value, Comparison):
            out.append({"op": value.op, "value": value.value})
        elif value is not None:
            out.append({"op": op, "value": value})
    return out


def condition_params(condition: Any, group: str, reference: date | None) -> dict[str, Any]:
    """One condition as the map the traversal and the evidence query read."""
    c = condition
    negate = bool(c.negate) != (group in NEGATED_GROUPS)
    out: dict[str, Any] = {"group": group, "negate": negate, "kind": kind_of(c), "ids": [],
                           "types": [], "score": [], "lift": [], "size": [], "since": None,
                           "min_seconds": 0}
    if isinstance(c, InterestCondition):
        days = c.within_days if c.within_days is not None else c.seen_within_days
        out.update(ids=list(c.interest), score=_tests((">=", c.min_score), ("", c.score)),
                   lift=_tests((">=", c.min_lift), ("", c.lift)), since=since(reference, days))
    elif isinstance(c, CategoryCondition | ContentCondition):
        ids = c.category if isinstance(c, CategoryCondition) else c.content
        out.update(ids=list(ids), min_seconds=max(c.min_seconds, 1),
                   since=since(reference, c.within_days))
    elif isinstance(c, SegmentCondition):
        out.update(ids=list(c.segment))
    elif isinstance(c, DeviceCondition):
        out.update(types=list(c.device_type))
    elif isinstance(c, HouseholdCondition):
        size = c.household_size
        out.update(size=_tests((">=", size.min), ("<=", size.max), (size.op or "", size.value)))
    elif isinstance(c, ActiveCondition):
        out.update(since=since(reference, c.active_within_days) or NEVER)
    return out


def compile_conditions(groups: dict[str, list[Any]],
                       reference: date | None) -> list[dict[str, Any]]:
    """Every condition of every group, in the definition's order."""
    return [condition_params(c, group, reference) for group, items in groups.items()
            for c in items]


ANCHOR_KINDS = ("segment", "content", "interest")


def anchor(compiled: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The required condition the traversal starts from: a segment, else a content, else an
    interest condition (the narrower kinds first); None examines every person."""
    required = [c for c in compiled if c["group"] not in ANY_GROUPS and not c["negate"]]
    for kind in ANCHOR_KINDS:
        for c in required:
            if c["kind"] == kind:
                return c
    return None


# The order the traversal checks conditions in: cheap property checks on the person's own
# summary and household first, then the conditions that expand over its interests,
# segments and viewing. `all` stops at the first failure, so a candidate most conditions
# reject costs little.
CHECK_COST = {"device_type": 0, "household_size": 1, "segment": 2, "interest": 3,
              "active_within_days": 4, "content": 5, "category": 6}


def proven_by_anchor(condition: dict[str, Any]) -> bool:
    """Whether reaching a person from the anchor already proves its condition: the anchor
    matches segment ids, and interest ids with the score and lift comparisons, exactly as
    the condition does; recency and seconds it does not check."""
    return condition["kind"] == "segment" or (
        condition["kind"] == "interest" and condition["since"] is None)


def check_order(compiled: list[dict[str, Any]],
                start: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The conditions cheapest first, without the anchor when it proves itself; otherwise
    the anchor, which every candidate mostly satisfies, last among its kind's peers."""
    checked = [c for c in compiled if not (c is start and proven_by_anchor(c))]
    return sorted(checked, key=lambda c: (CHECK_COST.get(c["kind"], len(CHECK_COST)),
                                          c is start))


def traversal_params(compiled: list[dict[str, Any]], *, purpose: str | None = None,
                     target: str = "person", device_types: list[str] | None = None,
                     summary_version: int) -> dict[str, Any]:
    """Every parameter of `conditions/members`. Without a purpose no consent is checked
    (a segment rule); an audience passes its purpose, target and device types."""
    start = anchor(compiled)
    required = [c for c in compiled if c["group"] not in ANY_GROUPS]
    alternatives = [c for c in compiled if c["group"] in ANY_GROUPS]
    return {"conditions": check_order(required, start), "any": check_order(alternatives, None),
            "anchor": start, "purpose": purpose, "target": target,
            "device_types": device_types, "summary_version": summary_version, "listed": None}
