"""Unit tests never touch Neo4j and never see the caller's PROTEUS_* environment."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PROTEUS_"):
            monkeypatch.delenv(name)
