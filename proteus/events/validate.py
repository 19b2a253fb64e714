"""Validation of raw rows against the contract; bad data never raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from proteus.events.checks import Bounds
from proteus.events.models import LIST_FIELDS, RECORD_TYPES, Record
from proteus.events.read import Unreadable
from proteus.events.sql import UNPARSABLE

LINE_FIELD = "line"


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a row was rejected: the first offending field and the reason."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def normalise(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Apply the text-format rules: null or empty means absent, lists may be `|`-separated."""
    lists = LIST_FIELDS[kind]
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if key in lists and isinstance(value, str):
            value = [part for part in value.split("|") if part]
        out[str(key)] = value
    return out


def validate(kind: str, raw: dict[str, Any] | Unreadable | str,
             bounds: Bounds | None = None) -> Record | Rejection:
    """Validate one raw row; return the record or a Rejection naming the field. Event times
    must lie within `bounds` (default: 2000-01-01 to one day after the wall clock)."""
    model = RECORD_TYPES.get(kind)
    if model is None:
        return Rejection("kind", f"unknown record type {kind!r}")
    if isinstance(raw, Unreadable):
        return Rejection(raw.field, raw.reason)
    if isinstance(raw, str):
        return Rejection(LINE_FIELD, UNPARSABLE)
    if not isinstance(raw, dict):
        return Rejection(LINE_FIELD, f"not an object: {type(raw).__name__}")
    try:
        return model.model_validate(normalise(kind, raw), context={"bounds": bounds})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = first.get("loc") or ()
        field = str(loc[0]) if loc else "record"
        message = str(first.get("msg", "invalid value"))
        if first.get("type") == "extra_forbidden":
            message = "unknown field (unknown fields are rejected)"
        return Rejection(field, message)
