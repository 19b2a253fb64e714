from __future__ import annotations

import pytest

from proteus.errors import QueryCatalogError
from proteus.graph import RecordingGraph


def test_recording_graph_records_names_and_params() -> None:
    graph = RecordingGraph({"db/counts": [{"nodes": 3, "relationships": 1}]})
    assert graph.read("db/counts") == [{"nodes": 3, "relationships": 1}]
    graph.write("db/ping")
    assert graph.calls == [("db/counts", {}), ("db/ping", {})]


def test_recording_graph_refuses_unknown_queries() -> None:
    with pytest.raises(QueryCatalogError):
        RecordingGraph().read("no/such")


def test_a_lost_neo4j_is_graph_unavailable_never_a_driver_error() -> None:
    from neo4j.exceptions import ClientError, SessionExpired, TransientError

    from proteus.errors import GraphUnavailable
    from proteus.graph import Graph
    from proteus.settings import Settings

    with Graph(Settings(neo4j_uri="bolt://127.0.0.1:1"), retry_seconds=0) as graph:
        with pytest.raises(GraphUnavailable, match="not reachable"):
            graph.read_once("db/ping")
        with pytest.raises(GraphUnavailable, match="not reachable"):
            graph.read("db/ping")  # the driver's retries given up at once
        # what the driver gives up on: a lost session, a transient error still failing
        for exc in (SessionExpired("gone"), TransientError("busy")):
            with pytest.raises(GraphUnavailable), graph._translated():
                raise exc
        with pytest.raises(ClientError), graph._translated():
            raise ClientError("bad query")


def test_the_recording_graph_streams_what_it_reads() -> None:
    graph = RecordingGraph({"db/counts": [{"nodes": 3}]})
    assert list(graph.stream("db/counts")) == list(graph.stream_plain("db/counts")) == [
        {"nodes": 3}]
