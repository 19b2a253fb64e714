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

The conditions are the one condition language of `proteus.conditions.model`, which audiences
share. Every value becomes a query parameter; ids and names are also restricted to plain characters,
so text meant to alter a query is refused, naming the field. Numbers, booleans, the
description and reading the file follow the input policy of `proteus.inputs`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from proteus.conditions.model import Condition, Strict, field_path
from proteus.inputs import MAX_CONDITIONS, Text, Version, read_document, validated

SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
NAME = r"^[A-Za-z0-9][A-Za-z0-9 .,&()/+-]{0,79}$"


class Rule(Strict):
    """A person-level definition without governance: every `all` condition holds and, when
    there are `any` conditions, at least one of them does."""

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

    def groups(self) -> dict[str, list[Any]]:
        return {"all": list(self.all), "any": list(self.any)}

    def digest(self) -> str:
        """sha256 of the rule's canonical JSON: what `version` promises not to change."""
        text = json.dumps(self.model_dump(mode="json", exclude_none=True), sort_keys=True,
                          separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def parse_rule(data: Any, origin: str = "rule") -> Rule:
    return validated(Rule, data, origin, where=field_path)


def load_rule(path: Path) -> Rule:
    """A rule from a .yaml/.yml or .json file."""
    return parse_rule(read_document(path), str(path))
