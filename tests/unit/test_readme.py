"""The README's commands must exist as written: every `proteus ...` line parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from proteus.cli import cli

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [
    shlex.split(line.split("#")[0])[1:]
    for line in re.findall(r"^\.venv/bin/proteus .*$", (ROOT / "README.md").read_text(), re.M)
]


def test_readme_names_commands() -> None:
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c[:3]) for c in COMMANDS])
def test_readme_command_parses(argv: list[str]) -> None:
    words = [w for w in argv if not w.startswith("-")]
    command = cli
    path: list[str] = []
    for word in words:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command, path = sub, [*path, word]
    assert path, f"unknown command in README: {argv}"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    options = {o for p in command.params
               for o in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]}
    for word in argv:
        if word.startswith("--"):
            assert word in options, f"README uses {word}, which `{' '.join(path)}` lacks"


def test_make_targets_in_readme_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"`make ([a-z-]+)`", (ROOT / "README.md").read_text()):
        assert re.search(rf"^{target}:", makefile, re.M), target
