from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from proteus.errors import ConfigError
from proteus.identity.rules import default_rules_path, load_rules
from proteus.pseudonym import pseudonymise

KEY = b"unit-test-key-0123456789"


def write_rules(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load(default_rules_path().read_text())
    for dotted, value in change.items():
        *head, last = dotted.split(".")
        node = data
        for part in head:
            node = node[part]
        node[last] = value
    path = tmp_path / "identity.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_project_rules_load_with_a_version() -> None:
    rules = load_rules()
    assert rules.version
    assert rules.by_priority()[0] == "login"
    assert rules.kinds["login"].strength == "strong"
    assert rules.kinds["msisdn"].strength == "strong"
    assert rules.kinds["cookie"].strength == "medium"
    assert rules.kinds["ip"].strength == "weak" and not rules.kinds["ip"].persons


def test_blocklist_is_compared_through_pseudonyms() -> None:
    blocked = load_rules().blocked_values(KEY)
    assert ("cookie", pseudonymise("cookie", "null", KEY)) in blocked
    assert ("login", pseudonymise("login", "test@example.com", KEY)) in blocked
    assert ("login", pseudonymise("login", "anna.smith11@example.com", KEY)) not in blocked


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kinds.cookie.strength": "huge"}, "kinds.cookie.strength"),
        ({"gate.max_person_devices": 0}, "gate.max_person_devices"),
        ({"version": ""}, "version"),
        ({"kinds.login.colour": "red"}, "kinds.login.colour"),
    ],
)
def test_bad_rules_file_is_one_line_naming_the_field(
        tmp_path: Path, change: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_rules(write_rules(tmp_path, change))
    message = str(refused.value)
    assert "\n" not in message
    assert f": {field}: " in message


def test_unknown_kind_and_bad_yaml_are_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(default_rules_path().read_text())
    data["kinds"]["imei"] = data["kinds"]["cookie"]
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="unknown identifier kind"):
        load_rules(path)
    path.write_text("version: [1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(path)
    with pytest.raises(ConfigError, match=r"missing\.yaml: cannot be read"):
        load_rules(tmp_path / "missing.yaml")
