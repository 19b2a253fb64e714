"""docs/data-model.md names every label and relationship type the Cypher files use."""

from __future__ import annotations

import re
from pathlib import Path

from proteus.queries import catalog

ROOT = Path(__file__).resolve().parents[2]


def test_every_label_and_relationship_type_is_documented() -> None:
    doc = (ROOT / "docs" / "data-model.md").read_text()
    documented = set(re.findall(r"`([A-Za-z_]+)`", doc))
    used: set[str] = set()
    for query in catalog().values():
        for text in query.statements:
            used.update(re.findall(r"\(\w*:([A-Z][A-Za-z]+)", text))
            used.update(re.findall(r"\[\w*:([A-Z_]+)\b", text))
    assert used, "no labels found in the Cypher files"
    assert sorted(used - documented) == []
