"""Audience definitions as analysts write them (YAML or JSON), validated before anything runs.

    name: sports-big-screen          # lower-case letters, digits, dashes
    description: Sport fans with a TV-class device
    purpose: advertising             # the consent purpose the audience is used for
    target: person                   # person | household | device
    include:                         # every condition holds
      - interest: [c3:483]           # any of these interests (c3: Content 3.1, a1: Audience 1.1)
        min_score: 0.05
        min_lift: 1.2
      - device_type: [stb, smart_tv]
      - category: [c3:483]           # watched content tagged with the category or below
        min_seconds: 600
        within_days: 7
      - content: [c000123]           # watched one of these titles
      - segment: [community-3]
      - household_size: {min: 2, max: 6}
      - active_within_days: 7
    exclude:                         # a person matching any of these is left out
      - segment: [community-9]

Every value becomes a query parameter. Names, ids and the description are also restricted to
plain characters, so text meant to alter a query is refused with an `InputError` naming the
field (`include[0].interest[0]: ...`). Numbers follow the input policy of `proteus.inputs`
(bounded, finite, no `true` or `"600"` for a number), and so does reading a file.
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
    model_validator,
)

from proteus.errors import InputError
from proteus.inputs import (
    MAX_CONDITIONS,
    MAX_ITEMS,
    Days,
    HouseholdSize,
    Ratio,
    Seconds,
    Share,
    Slug,
    parse_document,
    read_document,
)

Purpose = Literal["advertising", "personalisation", "analytics"]
Target = Literal["person", "household", "device"]
DeviceType = Literal["stb", "smart_tv", "phone", "tablet", "laptop"]

INTEREST_ID = r"^(c3|a1):[A-Za-z0-9]{1,16}$"
CONTENT_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
TEXT = r"^[A-Za-z0-9 .,:/&+%-]{0,300}$"
MAX_VALUES = MAX_ITEMS

InterestId = Annotated[str, Field(pattern=INTEREST_ID)]
SegmentId = Slug
ContentId = Annotated[str, Field(pattern=CONTENT_ID)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InterestCondition(_Strict):
    interest: list[InterestId] = Field(min_length=1, max_length=MAX_VALUES)
    min_score: Share | None = None
    min_lift: Ratio | None = None
    within_days: Days | None = None


class CategoryCondition(_Strict):
    category: list[InterestId] = Field(min_length=1, max_length=MAX_VALUES)
    min_seconds: Seconds = 0
    within_days: Days | None = None


class ContentCondition(_Strict):
    content: list[ContentId] = Field(min_length=1, max_length=MAX_VALUES)
    min_seconds: Seconds = 0
    within_days: Days | None = None


class SegmentCondition(_Strict):
    segment: list[SegmentId] = Field(min_length=1, max_length=MAX_VALUES)


class DeviceCondition(_Strict):
    device_type: list[DeviceType] = Field(min_length=1, max_length=MAX_VALUES)


class SizeRange(_Strict):
    min: HouseholdSize | None = None
    max: HouseholdSize | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SizeRange:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        return self


class HouseholdCondition(_Strict):
    household_size: SizeRange


class ActiveCondition(_Strict):
    active_within_days: Days


KINDS: dict[str, type[_Strict]] = {
    "interest": InterestCondition, "category": CategoryCondition, "content": ContentCondition,
    "segment": SegmentCondition, "device_type": DeviceCondition,
    "household_size": HouseholdCondition, "active_within_days": ActiveCondition,
}


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((k for k in KINDS if k in value), None)
    return next((k for k, model in KINDS.items() if isinstance(value, model)), None)


Condition = Annotated[
    Annotated[InterestCondition, Tag("interest")]
    | Annotated[CategoryCondition, Tag("category")]
    | Annotated[ContentCondition, Tag("content")]
    | Annotated[SegmentCondition, Tag("segment")]
    | Annotated[DeviceCondition, Tag("device_type")]
    | Annotated[HouseholdCondition, Tag("household_size")]
    | Annotated[ActiveCondition, Tag("active_within_days")],
    Discriminator(_kind, custom_error_type="unknown_condition",
                  custom_error_message="a condition needs one of: " + ", ".join(KINDS)),
]


def kind_of(condition: Any) -> str:
    found = _kind(condition)
    if found is None:
        raise TypeError(f"not a condition: {condition!r}")
    return found


class Definition(_Strict):
    name: Slug
    description: str = Field(default="", pattern=TEXT)
    purpose: Purpose = "advertising"
    target: Target = "person"
    include: list[Condition] = Field(min_length=1, max_length=MAX_CONDITIONS)
    exclude: list[Condition] = Field(default=[], max_length=MAX_CONDITIONS)

    def digest(self) -> str:
        """sha256 of the canonical JSON: two definitions with the same digest are the same."""
        return hashlib.sha256(self.canonical().encode()).hexdigest()

    def canonical(self) -> str:
        return json.dumps(self.model_dump(mode="json", exclude_none=True), sort_keys=True,
                          separators=(",", ":"))

    def conditions(self) -> list[tuple[str, Any]]:
        """(path, condition) for every condition: `include[0]`, `exclude[1]`..."""
        return ([(f"include[{i}]", c) for i, c in enumerate(self.include)]
                + [(f"exclude[{i}]", c) for i, c in enumerate(self.exclude)])


def field_path(loc: tuple[int | str, ...]) -> str:
    """('include', 0, 'interest', 'interest', 1) -> 'include[0].interest[1]'."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif not (part in KINDS and i > 0 and isinstance(loc[i - 1], int)):
            out += f".{part}" if out else part
    return out


def parse_definition(data: Any, origin: str = "definition") -> Definition:
    try:
        return Definition.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = field_path(tuple(error["loc"])) or "definition"
        raise InputError(f"{origin}: {where}: {error['msg']}") from None


def parse_text(text: str, origin: str, as_json: bool = False) -> Definition:
    return parse_definition(parse_document(text, origin, as_json), origin)


def load_definition(path: Path) -> Definition:
    """A definition from a .yaml/.yml or .json file."""
    return parse_definition(read_document(path), str(path))
