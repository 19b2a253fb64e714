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
