from __future__ import annotations

from pathlib import Path

import pytest

from proteus import queries
from proteus.errors import QueryCatalogError


def write(root: Path, name: str, text: str) -> Path:
    path = root / f"{name}.cypher"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_project_query_loads() -> None:
    catalog = queries.catalog()
    assert "schema/constraints" in catalog
    for name, query in catalog.items():
        assert query.name == name
        assert query.statements


def test_schema_covers_the_data_model() -> None:
    text = " ".join(queries.get("schema/constraints").statements)
    for label in ("Device", "Identifier", "Person", "Household", "Content", "Interest",
                  "Segment", "Audience", "Run", "IngestBatch"):
        assert f"(n:{label})" in text
    assert all("IF NOT EXISTS" in s for s in queries.get("schema/constraints").statements)


def test_undeclared_parameter_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "x/find", "// name: x/find\n// params: id\n// returns: n\n"
                 "MATCH (n {id: $id, kind: $kind}) RETURN n")
    with pytest.raises(QueryCatalogError) as refused:
        queries.catalog(tmp_path)
    assert str(refused.value) == f"{path}: undeclared parameter(s) kind"


def test_declared_but_unused_parameter_is_refused(tmp_path: Path) -> None:
    header = "// name: q\n// params: id, extra\n// returns: n\n"
    write(tmp_path, "q", header + "MATCH (n {id: $id}) RETURN n")
    with pytest.raises(QueryCatalogError, match=r"unused parameter\(s\) extra"):
        queries.catalog(tmp_path)


def test_header_name_must_match_path(tmp_path: Path) -> None:
    write(tmp_path, "a/b", "// name: a/c\n// params: none\n// returns: x\nRETURN 1 AS x")
    with pytest.raises(QueryCatalogError, match="expected 'a/b'"):
        queries.catalog(tmp_path)


def test_dollar_inside_a_string_is_not_a_parameter(tmp_path: Path) -> None:
    write(tmp_path, "s", "// name: s\n// params: none\n// returns: x\nRETURN '$notaparam' AS x")
    assert queries.catalog(tmp_path)["s"].params == frozenset()


def test_unknown_query_name_is_a_clear_error() -> None:
    with pytest.raises(QueryCatalogError, match="no query named 'nope/nothing'"):
        queries.get("nope/nothing")
