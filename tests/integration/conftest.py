"""Integration tests run against a real Neo4j.

With `PROTEUS_NEO4J_URI` set they use that server. Otherwise the test session starts its
own local server under `.proteus-test/` (its own ports and password) unless one is already
running there, and stops it at the end if it started it. Every test starts from an empty
graph with the schema applied.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from proteus.db import manage, server
from proteus.graph import Graph
from proteus.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TEST_DEFAULTS = {
    "PROTEUS_ENV": "test",
    "PROTEUS_HOME": str(ROOT / ".proteus-test"),
    "PROTEUS_BOLT_PORT": "17687",
    "PROTEUS_HTTP_PORT": "17474",
    "PROTEUS_NEO4J_PASSWORD": "proteus-test-password",
    "PROTEUS_HEAP": "1g",
    "PROTEUS_PAGECACHE": "256m",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    saved = dict(os.environ)
    for key, value in TEST_DEFAULTS.items():
        os.environ.setdefault(key, value)
    try:
        yield Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def session_graph(settings: Settings) -> Iterator[Graph]:
    started, graph = manage.up(settings)
    try:
        yield graph
    finally:
        graph.close()
        if started and not os.environ.get("PROTEUS_KEEP_TEST_DB"):
            server.stop(settings)


@pytest.fixture
def graph(session_graph: Graph) -> Graph:
    manage.reset(session_graph)
    return session_graph
