"""Rule segments as analysts write them (YAML or JSON), validated before anything runs.

    id: sports-big-screen          # lower-case letters, digits, dashes
    name: Sports fans on a big screen
    version: 1                     # bump on every change
    all:                           # every condition holds
      - interest: "483"            # official id; taxonomy defaults to content-3.1
        score: {op: ">=", value: 0.05}
        lift: {op: ">=", value: 1.5}
        seen_within_days: 14
      - device_type: [stb, smart_tv]
      - household_size: {op: ">=", value: 2}
    any:                           # optional: at least one holds
      - segment: community-3
      - active_within_days: 7
        negate: true               # any condition can be negated

Every value becomes a query parameter; ids and names are also restricted to plain characters,
so text meant to alter a query is refused, naming the field. Numbers, booleans, the
description and reading the file follow the input policy of `proteus.inputs`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)

from proteus.errors import InputError
from proteus.inputs import (
    MAX_CONDITIONS,
    MAX_ITEMS,
    Days,
    Flag,
    Measure,
    Text,
    Version,
    read_document,
)

Op = Literal[">=", ">", "<=", "<", "=="]
DeviceType = Literal["stb", "smart_tv", "phone", "tablet", "laptop"]
SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
IAB_ID = r"^[A-Za-z0-9]{1,16}$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9 .,&()/+-]{0,79}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Comparison(_Strict):
    op: Op
    value: Measure


class InterestCondition(_Strict):
    interest: str = Field(pattern=IAB_ID)
    taxonomy: Literal["content-3.1", "audience-1.1"] = "content-3.1"
    score: Comparison | None = None
    lift: Comparison | None = None
    seen_within_days: Days | None = None
    negate: Flag = False


class DeviceCondition(_Strict):
    device_type: list[DeviceType] = Field(min_length=1, max_length=MAX_ITEMS)
    negate: Flag = False


class HouseholdCondition(_Strict):
    household_size: Comparison
    negate: Flag = False


class ActiveCondition(_Strict):
    active_within_days: Days
    negate: Flag = False


class SegmentCondition(_Strict):
    segment: str = Field(pattern=SLUG)
    negate: Flag = False


KINDS = {"interest": InterestCondition, "device_type": DeviceCondition,
         "household_size": HouseholdCondition, "active_within_days": ActiveCondition,
         "segment": SegmentCondition}


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((k for k in KINDS if k in value), None)
    return next((k for k, model in KINDS.items() if isinstance(value, model)), None)


Condition = Annotated[
    Annotated[InterestCondition, Tag("interest")]
    | Annotated[DeviceCondition, Tag("device_type")]
    | Annotated[HouseholdCondition, Tag("household_size")]
    | Annotated[ActiveCondition, Tag("active_within_days")]
    | Annotated[SegmentCondition, Tag("segment")],
    Discriminator(_kind, custom_error_type="unknown_condition",
                  custom_error_message="a condition needs one of: " + ", ".join(KINDS)),
]


class Rule(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(pattern=NAME)
    version: Version
    description: Text = ""
    all: list[Condition] = Field(min_length=1, max_length=MAX_CONDITIONS)
    any: list[Condition] = Field(default=[], max_length=MAX_CONDITIONS)

    @field_validator("id")
    @classmethod
    def _not_community(cls, value: str) -> str:
        if value.startswith("community-"):
            raise ValueError("ids starting with 'community-' belong to community segments")
        return value

    def digest(self) -> str:
        """sha256 of the rule's canonical JSON: what `version` promises not to change."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def field_path(loc: tuple[int | str, ...]) -> str:
    """('all', 0, 'interest', 'score', 'op') -> 'all[0].score.op' (the union tag dropped)."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif not (part in KINDS and i > 0 and isinstance(loc[i - 1], int)):
            out += f".{part}" if out else part
    return out


def parse_rule(data: Any, origin: str = "rule") -> Rule:
    try:
        return Rule.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise InputError(f"{origin}: {field_path(error['loc'])}: {error['msg']}") from None


def load_rule(path: Path) -> Rule:
    """A rule from a .yaml/.yml or .json file."""
    return parse_rule(read_document(path), str(path))
