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

The conditions are the one condition language of `proteus.conditions.model`, which rule
segments share; any condition can also be negated (`negate: true`). Every value becomes a
query parameter. Names, ids and the description are also restricted to
plain characters, so text meant to alter a query is refused with an `InputError` naming the
field (`include[0].interest[0]: ...`). Numbers follow the input policy of `proteus.inputs`
(bounded, finite, no `true` or `"600"` for a number), and so does reading a file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from proteus.conditions.model import Condition, Strict, field_path
from proteus.inputs import MAX_CONDITIONS, Slug, parse_document, read_document, validated

Purpose = Literal["advertising", "personalisation", "analytics"]
Target = Literal["person", "household", "device"]

TEXT = r"^[A-Za-z0-9 .,:/&+%-]{0,300}$"


class Definition(Strict):
    """Conditions of the one condition language (every `include` holds, no `exclude` holds)
    with governance on top: the consent `purpose` and the `target` level."""

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

    def groups(self) -> dict[str, list[Any]]:
        return {"include": list(self.include), "exclude": list(self.exclude)}

    def conditions(self) -> list[tuple[str, Any]]:
        """(path, condition) for every condition: `include[0]`, `exclude[1]`..."""
        return ([(f"include[{i}]", c) for i, c in enumerate(self.include)]
                + [(f"exclude[{i}]", c) for i, c in enumerate(self.exclude)])


def parse_definition(data: Any, origin: str = "definition") -> Definition:
    return validated(Definition, data, origin, where=field_path)


def parse_text(text: str, origin: str, as_json: bool = False) -> Definition:
    return parse_definition(parse_document(text, origin, as_json), origin)


def load_definition(path: Path) -> Definition:
    """A definition from a .yaml/.yml or .json file."""
    return parse_definition(read_document(path), str(path))
