from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from proteus import audiences, queries
from proteus.audiences.compile import compile_definition, device_types
from proteus.audiences.definition import load_definition, parse_definition
from proteus.audiences.governance import check, load_governance
from proteus.audiences.store import check_actor, parse_ref
from proteus.conditions.compile import check_order
from proteus.errors import InputError
from proteus.graph import RecordingGraph
from proteus.shipped import rules_dir

SAMPLES = sorted((rules_dir() / "audiences").iterdir())

BASE: dict[str, Any] = {
    "name": "sports-fans",
    "description": "Sport fans",
    "purpose": "advertising",
    "target": "person",
    "include": [
        {"interest": ["c3:483"], "min_score": 0.1, "min_lift": 1.2, "within_days": 7},
        {"category": ["c3:647"], "min_seconds": 600, "within_days": 3},
        {"content": ["c000123"]},
        {"segment": ["community-3"]},
        {"device_type": ["stb", "smart_tv"]},
        {"household_size": {"min": 2, "max": 5}},
        {"active_within_days": 7},
    ],
    "exclude": [{"segment": ["community-9"]}],
}

ATTACKS = [
    "x' OR 1=1 //",
    "a}) DETACH DELETE n //",
    "MATCH (n) DETACH DELETE n",
    "c3:483` MATCH",
    "$purpose",
    "x\nRETURN 1",
    "x; DROP",
]

STRING_FIELDS: list[tuple[tuple[Any, ...], str]] = [
    (("name",), "name"),
    (("description",), "description"),
    (("purpose",), "purpose"),
    (("target",), "target"),
    (("include", 0, "interest", 0), "include[0].interest[0]"),
    (("include", 1, "category", 0), "include[1].category[0]"),
    (("include", 2, "content", 0), "include[2].content[0]"),
    (("include", 3, "segment", 0), "include[3].segment[0]"),
    (("include", 4, "device_type", 0), "include[4].device_type[0]"),
    (("exclude", 0, "segment", 0), "exclude[0].segment[0]"),
]


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_definitions_load(sample: Path) -> None:
    definition = load_definition(sample)
    assert definition.name == sample.stem
    assert definition.include


def test_full_definition_parses_and_digest_is_stable() -> None:
    a = parse_definition(BASE)
    b = parse_definition(copy.deepcopy(BASE))
    assert a.digest() == b.digest()
    assert parse_definition(_set(BASE, ("description",), "other")).digest() != a.digest()
    assert [p for p, _ in a.conditions()][-1] == "exclude[0]"


@pytest.mark.parametrize(("path", "field"), STRING_FIELDS, ids=[f for _, f in STRING_FIELDS])
@pytest.mark.parametrize("attack", ATTACKS)
def test_injection_in_every_string_field_is_refused_naming_it(
        path: tuple[Any, ...], field: str, attack: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_definition(_set(BASE, path, attack))
    assert f": {field}:" in str(caught.value)
    assert caught.value.status_code == 422


def test_unknown_keys_and_conditions_are_refused() -> None:
    with pytest.raises(InputError, match="include\\[0\\]: a condition needs one of"):
        parse_definition(_set(BASE, ("include", 0), {"cypher": "MATCH (n) RETURN n"}))
    with pytest.raises(InputError, match="query: Extra inputs"):
        parse_definition({**BASE, "query": "MATCH (n) RETURN n"})
    with pytest.raises(InputError, match="household_size: Value error, min is larger"):
        parse_definition(_set(BASE, ("include", 5, "household_size"), {"min": 5, "max": 2}))


def test_refs_and_actors_are_checked() -> None:
    assert parse_ref("sports-fans") == ("sports-fans", None)
    assert parse_ref("sports-fans@v12") == ("sports-fans", 12)
    for bad in ("Sports", "a@v", "a' OR 1=1", "a@v1 MATCH", ""):
        with pytest.raises(InputError, match="audience:"):
            parse_ref(bad)
    assert check_actor("ana.lyst@example.org") == "ana.lyst@example.org"
    with pytest.raises(InputError, match="actor:"):
        check_actor("x'}) DETACH DELETE n")


def test_every_definition_compiles_to_the_same_query_text() -> None:
    a = compile_definition(parse_definition(BASE), date(2025, 3, 9))
    b = compile_definition(load_definition(SAMPLES[0]), None)
    assert a.query == b.query == queries.get("conditions/members").text
    assert set(a.params) == queries.get("conditions/members").params
    for value in ("sports-fans", "c3:483", "community-3", "c000123", "Sport fans"):
        assert value not in a.query
    first = a.conditions[0]
    assert first["kind"] == "interest" and first["ids"] == ["c3:483"]
    assert first["since"] == "2025-03-02" and first["lift"] == [{"op": ">=", "value": 1.2}]
    assert a.conditions[-1]["group"] == "exclude"
    # the segment anchor proves its own condition, so it is not checked again
    checked = a.params["conditions"]
    assert a.params["anchor"]["kind"] == "segment" and a.params["anchor"] not in checked
    assert sorted(map(str, [*checked, a.params["anchor"]])) == sorted(map(str, a.conditions))
    kinds = [c["kind"] for c in checked]
    assert kinds.index("device_type") < kinds.index("interest") < kinds.index("category")
    # an interest anchor with a recency window does not prove it: checked, last of its kind
    interest = [c for c in a.conditions if c["kind"] == "interest"]
    assert check_order(a.conditions, interest[0])[-1]["kind"] == "category"
    assert [c for c in check_order(a.conditions, interest[0])
            if c["kind"] == "interest"][-1] is interest[0]
    assert a.params["device_types"] == ["smart_tv", "stb"]
    assert device_types(parse_definition(_set(BASE, ("include", 4, "device_type"),
                                              ["phone"]))) == ["phone"]


def test_governance_file_names_version_minimum_and_sensitive_roots() -> None:
    governance = load_governance()
    assert governance.version == "1" and governance.min_audience_size == 50
    assert {"c3:v9i3On", "c3:286"} <= governance.sensitive_roots()
    assert governance.sensitive_policy_version == "1"


def test_governance_refuses_sensitive_interest_naming_the_path() -> None:
    governance = load_governance()
    definition = parse_definition(_set(BASE, ("include", 1, "category"), ["c3:647", "c3:290"]))
    graph = RecordingGraph({"audiences/known_ids": [{
        "interests": [{"id": "c3:483", "sensitive": False, "ancestors": []},
                      {"id": "c3:647", "sensitive": False, "ancestors": ["c3:SPSHQ5"]},
                      {"id": "c3:290", "sensitive": False, "ancestors": ["c3:286"]}],
        "segments": ["community-3", "community-9"]}]})
    with pytest.raises(InputError, match=r"include\[1\]\.category\[1\]: interest c3:290 is "
                                         "sensitive"):
        check(graph, definition, governance)
    graph.answers["audiences/known_ids"][0]["interests"][2]["ancestors"] = []
    check(graph, definition, governance)
    graph.answers["audiences/known_ids"][0]["segments"] = ["community-3"]
    with pytest.raises(InputError, match=r"exclude\[0\]\.segment\[0\]: unknown segment"):
        check(graph, definition, governance)


def test_public_facade() -> None:
    for name in audiences.__all__:
        assert getattr(audiences, name) is not None
    assert {"create", "dry_run", "approve", "materialise", "members", "explain", "diff",
            "export"} <= set(audiences.__all__)


def test_cli_group_has_every_command() -> None:
    from click.testing import CliRunner

    from proteus.cli.audiences import audience_group, bench_audience, bench_audience_command

    assert set(audience_group.commands) == {"create", "dry-run", "approve", "materialise",
                                            "retire", "explain", "diff", "export", "audit"}
    runner = CliRunner()
    for name in audience_group.commands:
        result = runner.invoke(audience_group, [name, "--help"])
        assert result.exit_code == 0, result.output
    assert "--actor" in runner.invoke(audience_group, ["approve", "--help"]).output
    assert callable(bench_audience) and bench_audience_command.name == "audience"
