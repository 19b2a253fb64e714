"""The one model of an explanation: evidence that weighed, numbered steps, and hops through
the graph, with redaction. Identity, audiences and recommendations build on it.

    Evidence(kind, weight, sentence)            something that weighed, how much, in words
     +-- Step(+ position, rule)                 the n-th piece, and the rule that used it
    Hop(source: Node, type, target: Node, properties)   one relationship walked

Each stage adds the fields its answers carry (identity's `SEEN_WITH` steps name their
element id and days; an audience step holds the path of hops behind a condition; a
recommendation step the relationship between two ids). Redaction hides a value behind its
kind: `shown("login", "alice", redact=True) == "login:•••"`; `scrubbed(text, ids, "device")`
hides ids inside sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

HIDDEN = "•••"


def hidden(kind: str) -> str:
    """What a redacted value of this kind reads as."""
    return f"{kind}:{HIDDEN}"


def shown(kind: str, value: Any, redact: bool = False) -> str:
    """`kind:value`, or the value hidden when `redact`."""
    return hidden(kind) if redact else f"{kind}:{value}"


def scrubbed(text: str, values: Iterable[str], kind: str) -> str:
    """`text` with every occurrence of `values` hidden as `kind` (longest first, so that
    an id inside a longer one cannot leave a part of the longer one behind)."""
    for value in sorted(set(values), key=len, reverse=True):
        if value:
            text = text.replace(value, hidden(kind))
    return text


class Node(BaseModel):
    label: str
    id: str


class Hop(BaseModel):
    """One relationship walked: its type, both ends, and the properties that weighed."""

    source: Node
    type: str
    target: Node
    properties: dict[str, Any] = {}


class Evidence(BaseModel):
    """Something that weighed in a decision: its kind, its weight and a sentence."""

    kind: str
    weight: float
    sentence: str


class Step(Evidence):
    """The n-th piece of evidence of an explanation and the rule that used it."""

    position: int
    rule: str
