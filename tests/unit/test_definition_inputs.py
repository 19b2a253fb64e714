"""Hostile definition files and values: audience definitions and segment rules end in an
`InputError` naming the file and field, never in a traceback, a 500 or a silently changed
value. The property tests feed arbitrary text, bytes and JSON-like values to the parsers."""

from __future__ import annotations

import contextlib
import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proteus.audiences.definition import load_definition, parse_definition, parse_text
from proteus.errors import InputError
from proteus.segments.rules import load_rule, parse_rule

AUDIENCE: dict[str, Any] = {
    "name": "sports-fans",
    "include": [{"interest": ["c3:483"], "min_score": 0.1, "min_lift": 1.2, "within_days": 7},
                {"category": ["c3:647"], "min_seconds": 600, "within_days": 3},
                {"content": ["c000123"], "min_seconds": 60},
                {"household_size": {"min": 2, "max": 5}},
                {"active_within_days": 7}],
}
RULE: dict[str, Any] = {
    "id": "sports", "name": "Sports fans", "version": 1,
    "all": [{"interest": "483", "score": {"op": ">=", "value": 0.1}},
            {"device_type": ["stb"], "negate": False}],
}
HUGE = 99999999999999999999999


def _with(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


@pytest.mark.parametrize(("path", "field"), [
    (("include", 1, "min_seconds"), r"include\[1\]\.min_seconds"),
    (("include", 2, "min_seconds"), r"include\[2\]\.min_seconds"),
    (("include", 0, "within_days"), r"include\[0\]\.within_days"),
    (("include", 3, "household_size", "max"), r"include\[3\]\.household_size\.max"),
])
def test_audience_integers_beyond_their_bounds_are_refused(path: tuple[Any, ...],
                                                           field: str) -> None:
    with pytest.raises(InputError, match=field):
        parse_definition(_with(AUDIENCE, path, HUGE))


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300])
@pytest.mark.parametrize("field", ["min_score", "min_lift"])
def test_audience_floats_are_finite_and_bounded(field: str, value: float) -> None:
    with pytest.raises(InputError, match=rf"include\[0\]\.{field}"):
        parse_definition(_with(AUDIENCE, ("include", 0, field), value))


@pytest.mark.parametrize("value", [True, "600", 600.5, "10:00"])
def test_audience_integers_are_integers_not_lookalikes(value: Any) -> None:
    with pytest.raises(InputError, match=r"include\[1\]\.min_seconds"):
        parse_definition(_with(AUDIENCE, ("include", 1, "min_seconds"), value))


def test_audience_canonical_json_is_standard_json() -> None:
    text = parse_definition(AUDIENCE).canonical()
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in canonical JSON"))


def test_rule_version_beyond_its_bound_is_refused() -> None:
    with pytest.raises(InputError, match="version: "):
        parse_rule({**RULE, "version": HUGE})
    assert parse_rule({**RULE, "version": 999_999}).version == 999_999


@pytest.mark.parametrize(("change", "field"), [
    ({"all": [{"interest": "483", "score": {"op": ">=", "value": math.inf}}]},
     r"all\[0\]\.score\.value"),
    ({"all": [{"interest": "483", "lift": {"op": ">=", "value": math.nan}}]},
     r"all\[0\]\.lift\.value"),
    ({"all": [{"interest": "483", "seen_within_days": HUGE}]}, r"all\[0\]\.seen_within_days"),
    ({"all": [{"device_type": ["stb"], "negate": "yes"}]}, r"all\[0\]\.negate"),
    ({"all": [{"device_type": ["stb"], "negate": 1}]}, r"all\[0\]\.negate"),
    ({"version": True}, "version"),
    ({"description": "line\x00with NUL"}, "description"),
    ({"all": [{"device_type": ["stb"]}] * 51}, "all"),
])
def test_rule_values_follow_the_input_policy(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError, match=field):
        parse_rule({**RULE, **change})


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_non_utf8_definition_files_are_refused_in_one_line(tmp_path: Path, suffix: str) -> None:
    audience = tmp_path / f"a{suffix}"
    audience.write_bytes(b"name: caf\xe9\ninclude: []\n")
    with pytest.raises(InputError, match=r"a\.(yaml|json): not UTF-8 text \(byte 0xe9 at "
                                         r"offset 9\)"):
        load_definition(audience)
    rule = tmp_path / f"r{suffix}"
    rule.write_bytes(b"\xff\xfeid: x\n")
    with pytest.raises(InputError, match=r"r\.(yaml|json): not UTF-8 text"):
        load_rule(rule)


def test_yaml_is_read_as_yaml_1_2_core_so_nothing_changes_silently(tmp_path: Path) -> None:
    base = ("name: sports-fans\ninclude:\n  - category: [c3:647]\n"
            "    min_seconds: {seconds}\n")
    path = tmp_path / "a.yaml"
    path.write_text(base.format(seconds="0600"))      # YAML 1.1 read this as octal 384
    assert load_definition(path).include[0].min_seconds == 600  # type: ignore[union-attr]
    for changed in ("10:00", ".inf", "1_000"):        # 1.1: sexagesimal 600, inf, 1000
        path.write_text(base.format(seconds=changed))
        with pytest.raises(InputError, match=r"include\[0\]\.min_seconds"):
            load_definition(path)
    rule = tmp_path / "r.yaml"
    rule.write_text("id: sports\nname: Sports\nversion: 1\nall:\n"
                    "  - device_type: [stb]\n    negate: no\n")
    with pytest.raises(InputError, match=r"all\[0\]\.negate: Input should be a valid boolean"):
        load_rule(rule)


def test_duplicate_keys_are_refused_not_overwritten(tmp_path: Path) -> None:
    yaml_path = tmp_path / "a.yaml"
    yaml_path.write_text("name: sports-fans\nname: other\ninclude: [{active_within_days: 7}]\n")
    with pytest.raises(InputError, match="duplicate key 'name'"):
        load_definition(yaml_path)
    json_path = tmp_path / "a.json"
    json_path.write_text('{"name": "a", "include": [{"active_within_days": 7, '
                         '"active_within_days": 9}]}')
    with pytest.raises(InputError, match="duplicate key 'active_within_days'"):
        load_definition(json_path)


@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000,                      # deeper than the parser's recursion
    "a: 2024-13-45\n",                            # a YAML 1.1 timestamp that is no date
    "min: " + "9" * 5000 + "\n",                  # past Python's int digit limit
    "!!python/object:os.system {}\n",             # a tag safe loading refuses
    "a: &x [*x]\n",
])
def test_malformed_yaml_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="definition: "):
        parse_text(text, "definition")


@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000,
    '{"name": ' + "9" * 5000 + "}",
    '{"name": "x", "include": [{"interest": ["c3:1"], "min_score": Infinity}]}',
    '{"name": NaN}',
    '{"name": "\\ud800"}',
])
def test_malformed_json_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="definition: "):
        parse_text(text, "definition", as_json=True)


def test_oversized_definition_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * (1 << 20) + "\nname: a\n")
    with pytest.raises(InputError, match="larger than"):
        load_definition(path)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20)
AUDIENCE_PATHS = [("name",), ("include",), ("include", 0), ("include", 0, "interest"),
                  ("include", 0, "min_score"), ("include", 1, "min_seconds"),
                  ("include", 3, "household_size"), ("include", 3, "household_size", "min"),
                  ("include", 4, "active_within_days"), ("purpose",), ("description",)]
RULE_PATHS = [("id",), ("name",), ("version",), ("all",), ("all", 0), ("all", 0, "score"),
              ("all", 0, "score", "value"), ("all", 1, "negate"), ("all", 1, "device_type"),
              ("description",)]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=300), st.booleans())
def test_any_text_parses_or_is_an_input_error(text: str, as_json: bool) -> None:
    with contextlib.suppress(InputError):
        parse_text(text, "definition", as_json=as_json)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".yaml", ".json"]))
def test_any_file_bytes_load_or_are_an_input_error(tmp_path_factory: pytest.TempPathFactory,
                                                  data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"d{suffix}"
    path.write_bytes(data)
    for load in (load_definition, load_rule):
        with contextlib.suppress(InputError):
            load(path)


@FUZZ
@given(st.sampled_from(AUDIENCE_PATHS), JSON_VALUES)
def test_any_value_in_any_audience_field_parses_or_is_an_input_error(
        path: tuple[Any, ...], value: Any) -> None:
    try:
        definition = parse_definition(_with(AUDIENCE, path, value))
    except InputError:
        return
    json.loads(definition.canonical(), parse_constant=lambda name: pytest.fail(name))


@FUZZ
@given(st.sampled_from(RULE_PATHS), JSON_VALUES)
def test_any_value_in_any_rule_field_parses_or_is_an_input_error(
        path: tuple[Any, ...], value: Any) -> None:
    try:
        rule = parse_rule(_with(RULE, path, value))
    except InputError:
        return
    assert 1 <= rule.version <= 999_999
    rule.digest()


@FUZZ
@given(JSON_VALUES)
def test_any_json_value_as_a_whole_definition_is_handled(value: Any) -> None:
    for parse in (parse_definition, parse_rule):
        with contextlib.suppress(InputError):
            parse(value)


@pytest.mark.parametrize("command", [["audience", "create"], ["audience", "dry-run"],
                                     ["segment", "rule", "dry-run"],
                                     ["segment", "rule", "apply"]])
def test_cli_refuses_bad_definition_files_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    from click.testing import CliRunner

    from proteus.cli import cli
    from proteus.settings import get_settings

    monkeypatch.setenv("PROTEUS_NEO4J_URI", "bolt://127.0.0.1:9")   # nothing listens there
    get_settings.cache_clear()
    not_utf8 = tmp_path / "bad.yaml"
    not_utf8.write_bytes(b"name: caf\xe9\n")
    huge = tmp_path / "huge.yaml"
    huge.write_text(f"id: sports\nname: Sports\nversion: {HUGE}\nall: [{{device_type: [stb]}}]\n"
                    if command[0] == "segment" else
                    f"name: sports\ninclude: [{{category: [c3:1], min_seconds: {HUGE}}}]\n")
    try:
        for path, message in ((not_utf8, "bad.yaml: not UTF-8 text"),
                              (huge, "Input should be less than or equal to")):
            result = CliRunner().invoke(cli, [*command, str(path)])
            assert result.exit_code == 1, result.output
            assert result.exception is None or isinstance(result.exception, SystemExit)
            lines = result.output.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    finally:
        get_settings.cache_clear()
