"""The folders shipped with the package (`cypher/`, `rules/`): inside the installed package,
where the wheel puts them, or at the top of a source checkout. Never the working directory:
an installed package run elsewhere keeps its own queries, rules and policy."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped(folder: str) -> Path:
    inside = PACKAGE / folder
    return inside if inside.is_dir() else PACKAGE.parent / folder


def rules_dir() -> Path:
    return shipped("rules")
