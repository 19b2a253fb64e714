from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from proteus import queries
from proteus.audiences.compile import compile_definition
from proteus.audiences.definition import parse_definition
from proteus.audiences.evaluate import select
from proteus.conditions.compile import compile_conditions, traversal_params
from proteus.conditions.summary import SUMMARY_VERSION, WRITER
from proteus.errors import Conflict, InputError
from proteus.graph import RecordingGraph
from proteus.segments.rules import parse_rule

DAY = date(2025, 3, 9)


def _compiled(group: str, condition: dict[str, Any]) -> dict[str, Any]:
    rule = parse_rule({"id": "r", "name": "R", "version": 1, group: [condition],
                       **({"all": [{"active_within_days": 1}]} if group == "any" else {})})
    return next(c for c in compile_conditions(rule.groups(), DAY) if c["group"] == group)


def test_a_rule_and_a_definition_speak_one_language() -> None:
    """The rule spelling of a condition compiles to the same map as the audience one."""
    rule = _compiled("all", {"interest": "483", "score": {"op": ">=", "value": 0.1},
                             "seen_within_days": 7})
    definition = parse_definition({"name": "a", "include": [
        {"interest": ["c3:483"], "min_score": 0.1, "within_days": 7}]})
    [audience] = compile_conditions({"all": definition.include}, DAY)
    assert rule == audience
    assert rule["score"] == [{"op": ">=", "value": 0.1}] and rule["since"] == "2025-03-02"
    a1 = _compiled("all", {"interest": "x1", "taxonomy": "audience-1.1"})
    assert a1["ids"] == ["a1:x1"]
    assert _compiled("all", {"segment": "community-2"})["ids"] == ["community-2"]


def test_household_sizes_compare_either_way() -> None:
    assert _compiled("all", {"household_size": {"op": ">", "value": 2}})["size"] == [
        {"op": ">", "value": 2}]
    assert _compiled("all", {"household_size": {"min": 2, "max": 5}})["size"] == [
        {"op": ">=", "value": 2}, {"op": "<=", "value": 5}]
    for wrong, message in (({"min": 2, "op": ">=", "value": 2}, "min and max, or op"),
                           ({"op": ">="}, "both op and value"), ({}, "min, max or both")):
        with pytest.raises(InputError, match=r"all\[0\]\.household_size: .*" + message):
            parse_rule({"id": "r", "name": "R", "version": 1,
                        "all": [{"household_size": wrong}]})


def test_two_spellings_of_one_bound_are_refused() -> None:
    with pytest.raises(InputError, match=r"include\[0\]: .*min_score or score, not both"):
        parse_definition({"name": "a", "include": [
            {"interest": ["c3:1"], "min_score": 0.1, "score": {"op": ">", "value": 0.2}}]})


def test_exclude_negates_and_any_stands_apart() -> None:
    definition = parse_definition({"name": "a", "include": [{"segment": ["s-1"]}],
                                   "exclude": [{"segment": ["s-2"], "negate": True}]})
    compiled = compile_definition(definition, DAY)
    assert [c["negate"] for c in compiled.conditions] == [False, False]  # excluded "not in"
    params = traversal_params(compile_conditions({"all": [], "any": definition.include}, DAY),
                              summary_version=SUMMARY_VERSION)
    assert params["anchor"] is None and [c["ids"] for c in params["any"]] == [["s-1"]]
    assert set(params) == queries.get("conditions/members").params


def test_readers_refuse_persons_without_a_current_summary() -> None:
    definition = parse_definition({"name": "a", "include": [{"device_type": ["stb"]}]})
    graph = RecordingGraph({"conditions/members": [
        {"matched": 0, "excluded": 0, "stale": 3, "persons": 0, "households": 0,
         "devices": 0, "members": 0, "rows": []}]})
    with pytest.raises(Conflict, match=r"3 person.* no summary of version 1.*run identity"):
        select(graph, definition, compile_definition(definition, DAY))


def test_the_writer_writes_the_version_the_readers_ask_for() -> None:
    text = queries.get(WRITER).text
    assert re.findall(r"summary_version = (\d+)", text) == [str(SUMMARY_VERSION)]
    assert "granted = false" in text


def test_the_consent_rule_lives_only_in_the_summary_writer() -> None:
    holding = sorted(name for name, query in queries.catalog().items()
                     if any("granted = false" in s for s in query.statements))
    # audiences/context counts the logins behind a member's consent step for its sentence
    assert holding == ["audiences/context", WRITER]


def test_a_taxonomy_goes_with_one_official_id_only() -> None:
    with pytest.raises(InputError, match=r"include\[0\]: .*taxonomy goes with one official id"):
        parse_definition({"name": "a", "include": [
            {"interest": ["c3:1"], "taxonomy": "audience-1.1"}]})
    with pytest.raises(InputError, match=r"all\[0\]\.taxonomy: Input should be"):
        parse_rule({"id": "r", "name": "R", "version": 1,
                    "all": [{"interest": "1", "taxonomy": "content-9"}]})
