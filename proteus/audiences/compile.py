"""A definition compiled to the parameters of the one traversal `conditions/members`, with
the audience's governance on top: its consent purpose, target level and device types.

The query text never changes with the definition: conditions travel as lists of maps
(`proteus.conditions.compile`), the purpose, target and device types as their own
parameters.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from proteus import queries
from proteus.audiences.definition import Definition
from proteus.conditions.compile import QUERY, compile_conditions, traversal_params
from proteus.conditions.model import DeviceCondition
from proteus.conditions.summary import SUMMARY_VERSION


class Compiled(BaseModel):
    """The traversal a definition runs as: the query's name and text and every parameter
    (`params["conditions"]` in the order they are checked), and `conditions` in the
    definition's order, whose positions the evidence and the explanations refer to."""

    query_name: str
    query: str
    params: dict[str, Any]
    conditions: list[dict[str, Any]]
    reference_day: date | None


def device_types(definition: Definition) -> list[str] | None:
    """Device types every include device condition allows (None: no such condition)."""
    allowed: set[str] | None = None
    for c in definition.include:
        if isinstance(c, DeviceCondition) and not c.negate:
            allowed = set(c.device_type) if allowed is None else allowed & set(c.device_type)
    return sorted(allowed) if allowed is not None else None


def conditions(definition: Definition, reference: date | None) -> list[dict[str, Any]]:
    return compile_conditions(definition.groups(), reference)


def params(definition: Definition, compiled_conditions: list[dict[str, Any]]
           ) -> dict[str, Any]:
    """The traversal's parameters for these conditions (all of the definition's, or a
    first part of them) under the definition's governance."""
    return traversal_params(compiled_conditions, purpose=definition.purpose,
                            target=definition.target, device_types=device_types(definition),
                            summary_version=SUMMARY_VERSION)


def compile_definition(definition: Definition, reference: date | None) -> Compiled:
    compiled_conditions = conditions(definition, reference)
    return Compiled(query_name=QUERY, query=queries.get(QUERY).text,
                    params=params(definition, compiled_conditions),
                    conditions=compiled_conditions, reference_day=reference)
