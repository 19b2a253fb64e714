"""Validation of raw rows against the contract; bad data never raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from proteus.events.models import LIST_FIELDS, RECORD_TYPES, Record

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


def validate(kind: str, raw: dict[str, Any] | str) -> Record | Rejection:
    """Validate one raw row; return the record or a Rejection naming the field."""
    model = RECORD_TYPES.get(kind)
    if model is None:
        return Rejection("kind", f"unknown record type {kind!r}")
    if isinstance(raw, str):
        snippet = raw if len(raw) <= 60 else raw[:57] + "..."
        return Rejection(LINE_FIELD, f"unparsable line: {snippet!r}")
    if not isinstance(raw, dict):
        return Rejection(LINE_FIELD, f"not an object: {type(raw).__name__}")
    try:
        return model.model_validate(normalise(kind, raw))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = first.get("loc") or ()
        field = str(loc[0]) if loc else "record"
        message = str(first.get("msg", "invalid value"))
        if first.get("type") == "extra_forbidden":
            message = "unknown field (unknown fields are rejected)"
        return Rejection(field, message)
