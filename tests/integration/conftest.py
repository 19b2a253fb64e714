"""Integration tests run against a real Neo4j.

With `PROTEUS_NEO4J_URI` set they use that server. Otherwise the test session starts its
own local server under `.proteus-test/` (its own ports and password) unless one is already
running there, and stops it at the end if it started it. Every test starts from an empty
graph with the schema applied.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from proteus import edge, identity, ingest, interests, recommend, segments, taxonomy
from proteus.db import manage, server
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.spark.session import session, stop
from proteus.tools import generate

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


World = Callable[..., Graph]


@pytest.fixture(scope="session")
def pipeline_world(session_graph: Graph, settings: Settings,
          tmp_path_factory: pytest.TempPathFactory) -> World:
    """Builds a small generated world through the pipeline on an emptied graph: generate,
    ingest, identity, taxonomy, interests, segments (unless `segmented=False`), recommend."""
    def build(*, devices: int, seed: int, catalog_size: int, communities: int,
              segmented: bool = True) -> Graph:
        graph = session_graph
        manage.reset(graph)
        out = tmp_path_factory.mktemp("generated")
        generate.run(generate.GenerateParams(out=out, devices=devices, seed=seed, quiet=True,
                                             catalog_size=catalog_size,
                                             communities=communities))
        ingest.run(graph, edge.ingest_params(settings, [out], rejects_dir=out / "rejects"))
        identity.run(graph, edge.identity_params(settings))
        taxonomy.run(graph, taxonomy.TaxonomyParams())
        interests.run(graph, interests.InterestsParams())
        if segmented:
            segments.run(graph, segments.SegmentsParams())
        recommend.run(graph, recommend.RecommendParams())
        return graph
    return build


@pytest.fixture(scope="module")
def spark_settings(settings: Settings) -> Iterator[Settings]:
    """The settings of a small local[2] Spark session, started for the module and stopped
    after it (the Spark engine's tests; they need the extra `spark`)."""
    small = settings.model_copy(update={
        "spark_master": "local[2]",
        "spark_conf": {"spark.sql.shuffle.partitions": "4", "spark.driver.memory": "1g"}})
    session(small)
    try:
        yield small
    finally:
        stop()
