"""The one condition language of rule segments and audience definitions.

A condition names one kind of fact about a person, by the key it carries:

    interest: [c3:483]          # any of these interests (c3: Content 3.1, a1: Audience 1.1)
      min_score: 0.05           # or score: {op: ">", value: 0.05}
      min_lift: 1.2             # or lift: {op: ">=", value: 1.2}
      within_days: 14           # or seen_within_days: 14
    category: [c3:647]          # watched content tagged with the category or below
      min_seconds: 600
      within_days: 7
    content: [c000123]          # watched one of these titles
    segment: [community-3]      # a single id is a list of one
    device_type: [stb, smart_tv]
    household_size: {min: 2, max: 6}   # or {op: ">=", value: 2}
    active_within_days: 7

Any condition can be negated (`negate: true`). A rule's interest may also be one official
id with its taxonomy (`interest: "483"`, `taxonomy: content-3.1`), which names the same
interest as `[c3:483]`. Every value becomes a query parameter; ids are restricted to plain
characters, so text meant to alter a query is refused, naming the field.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from proteus.events.models import DeviceType  # the event contract's device types
from proteus.inputs import (
    MAX_ITEMS,
    Days,
    Flag,
    HouseholdSize,
    Measure,
    Ratio,
    Seconds,
    Share,
    Slug,
)
from proteus.interest_ids import CONTENT, INTEREST_ID, PREFIX, TaxonomyName, interest_id

Op = Literal[">=", ">", "<=", "<", "=="]
CONTENT_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
NEVER = "9999-12-31"

InterestId = Annotated[str, Field(pattern=INTEREST_ID)]
SegmentId = Slug
ContentId = Annotated[str, Field(pattern=CONTENT_ID)]


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Comparison(Strict):
    op: Op
    value: Measure


class _Condition(Strict):
    negate: Flag | None = None

    @model_validator(mode="after")
    def _one_spelling(self) -> _Condition:
        for a, b in (("min_score", "score"), ("min_lift", "lift"),
                     ("within_days", "seen_within_days")):
            if getattr(self, a, None) is not None and getattr(self, b, None) is not None:
                raise ValueError(f"give {a} or {b}, not both")
        return self


class InterestCondition(_Condition):
    taxonomy: TaxonomyName | None = None  # read with a single official id, then dropped
    interest: list[InterestId] = Field(min_length=1, max_length=MAX_ITEMS)
    min_score: Share | None = None
    min_lift: Ratio | None = None
    score: Comparison | None = None
    lift: Comparison | None = None
    within_days: Days | None = None
    seen_within_days: Days | None = None

    @model_validator(mode="before")
    @classmethod
    def _official_id(cls, data: Any) -> Any:
        """`interest: "483"` (with `taxonomy`, Content 3.1 by default) is `[c3:483]`."""
        if isinstance(data, dict) and isinstance(data.get("interest"), str):
            taxonomy = data.get("taxonomy", CONTENT)
            if taxonomy in PREFIX:
                data = {k: v for k, v in data.items() if k != "taxonomy"}
                data["interest"] = [interest_id(taxonomy, data["interest"])]
        return data

    @model_validator(mode="after")
    def _taxonomy_with_one_id(self) -> InterestCondition:
        if self.taxonomy is not None:
            raise ValueError('taxonomy goes with one official id (interest: "483"); '
                             "a list names interests as c3:483 or a1:...")
        return self


class CategoryCondition(_Condition):
    category: list[InterestId] = Field(min_length=1, max_length=MAX_ITEMS)
    min_seconds: Seconds = 0
    within_days: Days | None = None


class ContentCondition(_Condition):
    content: list[ContentId] = Field(min_length=1, max_length=MAX_ITEMS)
    min_seconds: Seconds = 0
    within_days: Days | None = None


class SegmentCondition(_Condition):
    segment: Annotated[list[SegmentId], BeforeValidator(_listed)] = Field(
        min_length=1, max_length=MAX_ITEMS)


class DeviceCondition(_Condition):
    device_type: list[DeviceType] = Field(min_length=1, max_length=MAX_ITEMS)


class SizeRange(Strict):
    """A household size between `min` and `max` (either may be left out), or compared
    with one value (`op`, `value`)."""

    min: HouseholdSize | None = None
    max: HouseholdSize | None = None
    op: Op | None = None
    value: Measure | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SizeRange:
        ranged = self.min is not None or self.max is not None
        compared = self.op is not None or self.value is not None
        if ranged and compared:
            raise ValueError("give min and max, or op and value")
        if compared and (self.op is None or self.value is None):
            raise ValueError("give both op and value")
        if not ranged and not compared:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        return self


class HouseholdCondition(_Condition):
    household_size: SizeRange


class ActiveCondition(_Condition):
    active_within_days: Days


KINDS: dict[str, type[Strict]] = {
    "interest": InterestCondition, "category": CategoryCondition, "content": ContentCondition,
    "segment": SegmentCondition, "device_type": DeviceCondition,
    "household_size": HouseholdCondition, "active_within_days": ActiveCondition,
}


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((k for k in KINDS if k in value), None)
    return next((k for k, model in KINDS.items() if isinstance(value, model)), None)


def kind_of(condition: Any) -> str:
    found = _kind(condition)
    if found is None:
        raise TypeError(f"not a condition: {condition!r}")
    return found


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


def field_path(loc: tuple[int | str, ...]) -> str:
    """('include', 0, 'interest', 'interest', 1) -> 'include[0].interest[1]' (the union tag
    dropped)."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif not (part in KINDS and i > 0 and isinstance(loc[i - 1], int)):
            out += f".{part}" if out else part
    return out


def since(reference: date | None, days: int | None) -> str | None:
    """The first ISO day of a window of `days` ending at `reference` (the latest accepted
    viewing day); None for no window, a day after every day when nothing was viewed."""
    if days is None:
        return None
    if reference is None:
        return NEVER
    return (reference - timedelta(days=days)).isoformat()
