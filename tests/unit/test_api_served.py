"""Answers kept per graph version: neighbours from the index, recommendations read once per
subject and version, HTTP caching, and what is served while Neo4j is unreachable."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from proteus.api import create_app
from proteus.api.served import Served
from proteus.api.version import NONE, versions_of
from proteus.errors import GraphUnavailable
from proteus.graph import RecordingGraph, Row
from proteus.recommend import serve
from proteus.recommend.catalog import load_catalog
from proteus.recommend.index import ContentNeighbours, NeighbourIndex
from proteus.recommend.models import BlendParams
from proteus.settings import Settings

KEY = "pk_0123456789ab_" + "s" * 43
CATALOG = [{"content": f"c{n}", "title": f"T{n}", "rank": n, "viewers": 100 - n,
            "run_id": "recommend-1", "interests": ["i:sport"] if n % 2 else []}
           for n in range(1, 30)]
INDEX = [{"content": "c9", "title": "T9",
          "neighbours": [[2, "c1", "T1", 0.9, 4, "recommend-1"],
                         [1, "c20", "T20", 0.5, 3, "recommend-1"],
                         [3, "c5", "T5", 0.25, 2, "recommend-1"]]},
         {"content": "c20", "title": "T20", "neighbours": []}]
ROW = {"person": "p-1", "watches": [["c1", ["2025-03-01"], [60], 60, 1],
                               ["c9", ["2025-03-05"], [3600], 3600, 2]],
       "interests": [{"interest": "i:sport", "name": "Sport", "score": 1.0}]}


def devices(params: dict[str, Any]) -> list[Row]:
    """The canned row for every device asked."""
    return [{**ROW, "subject": device} for device in params["devices"]]


def runs(recommend: str) -> list[Row]:
    return [{"stage": "ingest", "run_id": "ingest-1", "finished": "2026-01-01T00:00:00Z"},
            {"stage": "recommend", "run_id": recommend, "finished": "2026-01-02T00:00:00Z"}]


class Switchable(RecordingGraph):
    """Canned answers whose runs can change, and a switch that makes Neo4j unreachable."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.recommend_run = "recommend-1"
        self.down = False
        super().__init__({"keys/lookup_key": [{"id": "0123456789ab", "name": "t",
                                               "role": "service", "revoked": False}],
                          "api/graph_version": lambda _: runs(self.recommend_run),
                          **answers})

    def read(self, name: str, **params: Any) -> list[Row]:
        if self.down:
            raise GraphUnavailable("Neo4j is not reachable at bolt://test")
        return super().read(name, **params)

    def count(self, name: str) -> int:
        return [c for c, _ in self.calls].count(name)


def client(graph: RecordingGraph, **settings: Any) -> tuple[TestClient, Served]:
    app = create_app(Settings(**settings))
    app.state.graph = graph
    served: Served = app.state.served
    return TestClient(app, headers={"X-API-Key": KEY}), served


def test_each_scope_takes_the_run_of_its_stages_that_ended_last() -> None:
    rows = [{"stage": "ingest", "run_id": "ingest-2", "finished": "2026-01-03T00:00:00Z"},
            {"stage": "recommend", "run_id": "recommend-1", "finished": "2026-01-02T00:00:00Z"},
            {"stage": "interests", "run_id": "interests-9", "finished": "2026-01-04T00:00:00Z"}]
    assert versions_of(rows) == {"neighbours": "ingest-2", "recommendations": "interests-9"}
    assert versions_of([]) == {"neighbours": NONE, "recommendations": NONE}


def test_neighbours_come_from_one_index_read_with_http_caching() -> None:
    graph = Switchable({"api/neighbour_index": INDEX})
    api, _ = client(graph)
    first = api.get("/v1/contents/c9/neighbours?k=2")
    assert first.status_code == 200
    body = ContentNeighbours.model_validate_json(first.content)
    assert [(n.content, n.rank, n.co_viewers) for n in body.neighbours] == [("c20", 1, 3),
                                                                             ("c1", 2, 4)]
    assert body.run_id == "recommend-1" and body.title == "T9"
    assert first.headers["etag"] == '"recommend-1:content:c9:2"'
    assert first.headers["x-graph-version"] == "recommend-1"
    assert first.headers["cache-control"] == "private, no-cache"
    assert first.headers["x-cache"] == "hit"  # loaded as soon as the version was seen
    again = api.get("/v1/contents/c9/neighbours?k=2")
    assert again.content == first.content
    for held in ('"recommend-1:content:c9:2"', 'W/"recommend-1:content:c9:2"', '"x", *'):
        unchanged = api.get("/v1/contents/c9/neighbours?k=2", headers={"If-None-Match": held})
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged.headers["etag"] == first.headers["etag"]
    assert api.get("/v1/contents/c9/neighbours?k=3",
                   headers={"If-None-Match": first.headers["etag"]}).status_code == 200
    assert api.get("/v1/contents/c20/neighbours").json()["neighbours"] == []
    assert api.get("/v1/contents/c404/neighbours").status_code == 404
    assert api.get("/v1/contents/c9/neighbours?k=201").status_code == 422
    assert graph.count("api/neighbour_index") == 1


def test_recommendations_read_the_graph_once_per_subject_and_version() -> None:
    graph = Switchable({"recommend/for_device": devices, "recommend/catalog": CATALOG,
                        "api/neighbour_index": INDEX})
    api, served = client(graph)
    first = api.get("/v1/devices/d1/recommendations?k=5")
    assert first.headers["x-cache"] == "miss"
    assert first.headers["etag"] == '"recommend-1:device:d1:5"'
    assert first.json()["items"][0]["content"] == "c20"
    again = api.get("/v1/devices/d1/recommendations?k=5")
    assert again.headers["x-cache"] == "hit" and again.content == first.content
    assert api.get("/v1/devices/d1/recommendations?k=3").headers["x-cache"] == "miss"
    assert graph.count("recommend/for_device") == 1
    assert graph.count("recommend/catalog") == 1
    read = next(p for n, p in graph.calls if n == "recommend/for_device")
    assert read["devices"] == ["d1"] and graph.count("recommend/seed_neighbours") == 0

    graph.recommend_run = "recommend-2"
    served.version.refresh(graph)
    after = api.get("/v1/devices/d1/recommendations?k=5",
                    headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["x-cache"] == "miss"
    assert after.headers["x-graph-version"] == "recommend-2"
    assert graph.count("recommend/for_device") == 2
    assert graph.count("recommend/catalog") == 2
    assert graph.count("api/neighbour_index") == 2


def test_an_unknown_subject_is_remembered_until_the_version_changes() -> None:
    graph = Switchable({"recommend/catalog": CATALOG})
    api, _ = client(graph)
    for _ in range(3):
        response = api.get("/v1/persons/p-none/recommendations")
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "no person p-none"
    assert graph.count("recommend/for_person") == 1


def test_while_neo4j_is_unreachable_cached_answers_are_served_and_misses_refused() -> None:
    graph = Switchable({"recommend/for_device": devices, "recommend/catalog": CATALOG,
                        "api/neighbour_index": INDEX})
    api, served = client(graph, api_key_cache_s=0)
    warm = api.get("/v1/devices/d1/recommendations")
    assert api.get("/v1/contents/c9/neighbours").status_code == 200
    graph.down = True
    served.version.refresh(graph)
    cached = api.get("/v1/devices/d1/recommendations")
    assert cached.status_code == 200 and cached.content == warm.content
    assert cached.headers["x-graph-unreachable"] == "true"
    assert cached.headers["x-graph-version"] == "recommend-1"
    neighbours = api.get("/v1/contents/c9/neighbours")
    assert neighbours.status_code == 200 and neighbours.headers["x-graph-unreachable"] == "true"
    miss = api.get("/v1/devices/d2/recommendations")
    assert miss.status_code == 503
    assert miss.json()["error"]["code"] == "graph_unavailable"
    stranger = api.get("/v1/devices/d1/recommendations",
                       headers={"X-API-Key": "pk_0123456789cd_" + "u" * 43})
    assert stranger.status_code == 503
    graph.down = False
    served.version.refresh(graph)
    back = api.get("/v1/devices/d2/recommendations")
    assert back.status_code == 200 and "x-graph-unreachable" not in back.headers


class Slow(Switchable):
    """A graph whose recommendation read waits until released."""

    def __init__(self, answers: dict[str, Any]) -> None:
        super().__init__(answers)
        self.release = threading.Event()

    def read_plain(self, name: str, **params: Any) -> list[Row]:
        if name == "recommend/for_device":
            self.release.wait(10)
        return super().read_plain(name, **params)


def test_a_read_past_the_deadline_answers_503_and_fills_the_cache_for_the_next() -> None:
    graph = Slow({"recommend/for_device": devices, "recommend/catalog": CATALOG,
                  "api/neighbour_index": INDEX})
    api, _ = client(graph, api_graph_deadline_s=0.3)
    sent = time.monotonic()
    late = api.get("/v1/devices/d1/recommendations")
    waited = time.monotonic() - sent
    assert late.status_code == 503 and late.json()["error"]["code"] == "graph_unavailable"
    assert "within 0.3 s" in late.json()["error"]["message"]
    assert waited < 5.0  # the read itself is still held: the answer did not wait for it
    graph.release.set()
    deadline = time.monotonic() + 5
    while graph.count("recommend/for_device") < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    after = api.get("/v1/devices/d1/recommendations")
    assert after.status_code == 200 and after.headers["x-cache"] == "hit"
    assert graph.count("recommend/for_device") == 1


def test_the_index_serves_the_same_answers_as_the_graph_read() -> None:
    neighbours = [["c9", "c1", 0.9, 2], ["c9", "c20", 0.5, 1], ["c9", "c5", 0.25, 3]]
    graph = RecordingGraph({"recommend/for_device": devices, "recommend/catalog": CATALOG,
                            "recommend/seed_neighbours": [{"neighbours": neighbours}]})
    catalog = load_catalog(graph)
    index = NeighbourIndex(INDEX)
    row = serve.viewing(graph, "device", "d1", BlendParams(), neighbours=False)
    assert row is not None and "neighbours" not in row
    for k in (1, 3, 10):
        read = serve.for_device(graph, "d1", k, catalog=catalog)
        served = serve.from_row(serve.attach(row, index), catalog, "device", "d1", k,
                                BlendParams())
        assert served == read
    assert index.body("c9", 1) == ContentNeighbours.model_validate(
        {"content": "c9", "title": "T9", "run_id": "recommend-1",
         "neighbours": [{"content": "c20", "title": "T20", "score": 0.5, "rank": 1,
                         "co_viewers": 3}]}).model_dump_json().encode()


def test_a_late_poll_is_waited_for_only_while_a_run_is_under_way() -> None:
    import asyncio
    import threading
    from dataclasses import replace

    from proteus.api.version import GraphVersion

    gate = threading.Event()
    answer = {"rows": runs("recommend-1")}

    class Slow(RecordingGraph):
        def read_once(self, name: str, **params: Any) -> list[Row]:
            gate.wait(10)
            return list(answer["rows"])

    graph, version = Slow(), GraphVersion(period=1.0)

    def poll_answers(rows: list[Row]) -> None:
        answer["rows"] = rows
        gate.set()
        version.refresh(graph)
        assert version.observed is not None
        version.observed = replace(version.observed, at=version.observed.at - 2)  # it aged
        gate.clear()

    poll_answers(runs("recommend-1"))
    answer["rows"] = runs("recommend-2")
    seen = asyncio.run(version.current(graph, "neighbours"))  # the poll is held at the gate
    assert seen.of("neighbours") == "recommend-1" and not seen.running
    poll_answers([*runs("recommend-2"), {"stage": "recommend", "run_id": None,
                                          "finished": None, "running": 1}])
    assert version.observed is not None
    assert version.observed.running == {"neighbours", "recommendations"}
    answer["rows"] = runs("recommend-3")
    threading.Timer(0.05, gate.set).start()
    seen = asyncio.run(version.current(graph, "neighbours"))  # waits for the late poll
    assert seen.of("neighbours") == "recommend-3" and not seen.running
    version.close()


def test_misses_that_arrive_during_a_read_are_read_together_in_the_next() -> None:
    import asyncio

    graph = Slow({"recommend/for_device": devices, "recommend/catalog": CATALOG,
                  "api/neighbour_index": INDEX})
    served = Served(Settings())
    seen = served.version.refresh(graph)
    assert seen is not None

    async def ask() -> list[bytes]:
        first = asyncio.create_task(served.recommendations(graph, seen, "device", "d0", 5))
        while graph.count("recommend/for_device") < 1:  # the first read is under way, held
            await asyncio.sleep(0.01)
        rest = [asyncio.create_task(served.recommendations(graph, seen, "device", d, 5))
                for d in ("d3", "d1", "d2", "d1")]
        await asyncio.sleep(0.05)
        graph.release.set()
        return [await first, *[await task for task in rest]]

    bodies = asyncio.run(ask())
    reads = [p["devices"] for n, p in graph.calls if n == "recommend/for_device"]
    assert reads == [["d0"], ["d1", "d2", "d3"]]
    assert served.misses.reads == 2
    alone = serve.from_row(serve.attach(serve.viewing(graph, "device", "d2", BlendParams(),
                                                      neighbours=False) or {},
                                        NeighbourIndex(INDEX)),
                           load_catalog(graph), "device", "d2", 5, BlendParams())
    assert bodies[3] == alone.model_dump_json().encode()
    assert bodies[2] == bodies[4] and bodies[1] != bodies[3]
    kept = served.peek_recommendations(seen, "device", "d3", 5)
    assert kept == bodies[1]
    served.close()


def test_what_a_worker_keeps_is_out_of_the_collectors_walk() -> None:
    import asyncio
    import gc

    graph = Switchable({"recommend/for_device": devices, "recommend/catalog": CATALOG,
                        "api/neighbour_index": INDEX})
    served = Served(Settings())
    frozen = gc.get_freeze_count()
    seen = served.version.refresh(graph)
    assert seen is not None and gc.get_freeze_count() > frozen  # the index and catalog
    asyncio.run(served.recommendations(graph, seen, "device", "d1", 5))
    kept = list(served._rows.values()) + list(served._answers.values())
    assert kept and all(isinstance(value, bytes) for value in kept)
    served.close()
    gc.unfreeze()
