"""The interest id scheme: an interest's graph id is its official IAB id prefixed by its
taxonomy, `c3:483` (Content 3.1, Sports), `a1:381` (Audience 1.1, Health and Medical
Services). The prefixes keep the two taxonomies' ids apart (both use small integers).

The taxonomy stage writes `Interest` nodes under these ids; the interests stage scores one
taxonomy; conditions, the sensitive-interest policy and governance name interests by them.
"""

from __future__ import annotations

import re
from typing import Literal

TaxonomyName = Literal["content-3.1", "audience-1.1"]

CONTENT: TaxonomyName = "content-3.1"
AUDIENCE: TaxonomyName = "audience-1.1"
TAXONOMIES: tuple[TaxonomyName, ...] = (CONTENT, AUDIENCE)
PREFIX: dict[str, str] = {CONTENT: "c3", AUDIENCE: "a1"}
TAXONOMY_OF: dict[str, TaxonomyName] = {"c3": CONTENT, "a1": AUDIENCE}

OFFICIAL_ID = r"^[A-Za-z0-9]{1,16}$"
INTEREST_ID = r"^(c3|a1):[A-Za-z0-9]{1,16}$"

_OFFICIAL = re.compile(OFFICIAL_ID)
_INTEREST = re.compile(INTEREST_ID)


def interest_id(taxonomy: str, official: str) -> str:
    """The graph id of an official id in a taxonomy."""
    return f"{PREFIX[taxonomy]}:{official}"


def split(value: str) -> tuple[TaxonomyName, str]:
    """(taxonomy, official id) of a graph id."""
    prefix, official = value.split(":", 1)
    return TAXONOMY_OF[prefix], official


def is_interest_id(value: str) -> bool:
    return bool(_INTEREST.match(value))


def is_official_id(value: str) -> bool:
    return bool(_OFFICIAL.match(value))
