"""Serving from memory per graph version, against a real API server (uvicorn, two workers)
and a real Neo4j holding a small generated dataset: the same answers as the graph read, no
old neighbours a second after a build, and cached answers through a Neo4j outage. The outage
test stops and restarts the test server, so it runs last in this module."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from proteus import keys, recommend
from proteus.db import manage, server
from proteus.graph import Graph
from proteus.recommend import serve
from proteus.settings import Settings
from proteus.tools.bench.api import served


@pytest.fixture(scope="module")
def loaded(pipeline_world: Callable[..., Graph]) -> Graph:
    return pipeline_world(devices=300, seed=5, catalog_size=200, communities=5, segmented=False)


@pytest.fixture(scope="module")
def api(loaded: Graph, settings: Settings) -> Iterator[dict[str, Any]]:
    key = keys.create_key(loaded, "it-serving", "service").key
    with served(settings, workers=2) as port:
        yield {"base": f"http://127.0.0.1:{port}/v1", "headers": {"X-API-Key": key}}


def ids(graph: Graph, query: str) -> list[str]:
    with graph.session(write=False) as session:
        return [r["id"] for r in session.run(query)]


def get(api: dict[str, Any], path: str) -> httpx.Response:
    """One request on a fresh connection, so the two workers both get some."""
    return httpx.get(api["base"] + path, headers=api["headers"], timeout=30)


def test_served_answers_are_the_answers_read_from_the_graph(loaded: Graph,
                                                            api: dict[str, Any]) -> None:
    devices = ids(loaded, "MATCH (d:Device)-[:WATCHED]->() RETURN DISTINCT d.id AS id "
                          "ORDER BY id LIMIT 40")
    persons = ids(loaded, "MATCH (p:Person) RETURN p.id AS id ORDER BY id LIMIT 10")
    for kind, subjects in (("device", devices), ("person", persons)):
        for subject in subjects:
            read = (recommend.for_device if kind == "device" else recommend.for_person)(
                loaded, subject, k=10)
            for _ in range(3):  # a miss, then hits (whichever worker answers)
                answer = get(api, f"/{kind}s/{subject}/recommendations?k=10")
                assert answer.status_code == 200
                assert recommend.Recommendations.model_validate_json(answer.content) == read
    content = ids(loaded, "MATCH (c:Content)-[:SIMILAR]->() RETURN DISTINCT c.id AS id "
                          "LIMIT 1")[0]
    body = get(api, f"/contents/{content}/neighbours?k=5").json()
    with loaded.session(write=False) as session:
        stored = [dict(r) for r in session.run(
            "MATCH (:Content {id: $c})-[s:SIMILAR]->(n) RETURN n.id AS content, "
            "s.score AS score, s.rank AS rank, s.co_viewers AS co_viewers, s.run_id AS run "
            "ORDER BY s.rank LIMIT 5", c=content)]
    assert [(n["content"], n["score"], n["rank"], n["co_viewers"]) for n in body["neighbours"]] \
        == [(s["content"], s["score"], s["rank"], s["co_viewers"]) for s in stored]
    assert body["run_id"] == stored[0]["run"]


def test_misses_read_together_give_the_answers_read_one_by_one(loaded: Graph,
                                                              api: dict[str, Any]) -> None:
    devices = ids(loaded, "MATCH (d:Device) RETURN d.id AS id ORDER BY id DESC LIMIT 80")
    persons = ids(loaded, "MATCH (p:Person) RETURN p.id AS id ORDER BY id DESC LIMIT 20")
    params = recommend.BlendParams()
    for kind, subjects in (("device", devices), ("person", persons)):
        together = serve.viewings(loaded, kind, [*subjects, "unknown"], params)
        assert set(together) == set(subjects)
        for subject in subjects:
            assert together[subject] == serve.viewing(loaded, kind, subject, params)
    paths = [f"/devices/{d}/recommendations?k=7" for d in devices[:60]]
    with ThreadPoolExecutor(max_workers=24) as pool:  # many misses at once, on both workers
        answers = list(pool.map(lambda path: get(api, path), paths))
    for device, answer in zip(devices, answers, strict=False):
        assert answer.status_code == 200 and answer.headers["x-cache"] == "miss"
        assert recommend.Recommendations.model_validate_json(answer.content) == \
            recommend.for_device(loaded, device, k=7)


def test_no_worker_serves_old_neighbours_a_second_after_a_build(loaded: Graph,
                                                                 api: dict[str, Any]) -> None:
    content = ids(loaded, "MATCH (c:Content)-[:SIMILAR]->() RETURN c.id AS id "
                          "ORDER BY c.popularity_rank LIMIT 1")[0]
    path = f"/contents/{content}/neighbours?k=20"
    before = {get(api, path).json()["run_id"] for _ in range(20)}
    assert len(before) == 1
    with loaded.session() as session:  # other data: a third of the viewing is gone
        session.run("MATCH (d:Device)-[w:WATCHED]->() WHERE w.seconds % 3 = 0 "
                    "DELETE w").consume()
    report = recommend.run(loaded, recommend.RecommendParams())
    completed = time.monotonic()
    seen: list[tuple[float, str, str]] = []

    def ask() -> None:
        while (sent := time.monotonic()) < completed + 2.5:
            answer = get(api, path)
            seen.append((sent - completed, answer.json()["run_id"],
                         answer.headers["x-graph-version"]))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    old = [at for at, run, _ in seen if run != report.run_id]
    assert max(old, default=0.0) <= 1.0, sorted(old)[-5:]
    late = [(run, version) for at, run, version in seen if at > 1.0]
    assert late and set(late) == {(report.run_id, report.run_id)}


def test_neo4j_stopped_under_load_cached_answers_go_on(loaded: Graph, settings: Settings,
                                                       api: dict[str, Any]) -> None:
    if not settings.managed:
        pytest.skip("stops the test's own managed Neo4j")
    devices = ids(loaded, "MATCH (d:Device)-[:WATCHED]->() RETURN DISTINCT d.id AS id "
                          "ORDER BY id")
    cached, unasked = devices[:4], devices[4:]
    content = ids(loaded, "MATCH (c:Content) RETURN c.id AS id ORDER BY id LIMIT 1")[0]
    warm = [f"/devices/{d}/recommendations" for d in cached] + [f"/contents/{content}/"
                                                                "neighbours"]
    for _ in range(16):  # every worker holds them (fresh connections land on either)
        for path in warm:
            assert get(api, path).status_code == 200
    log: list[tuple[float, str, int, float, dict[str, str], str]] = []
    stop = threading.Event()
    asked: set[str] = set()

    def load(paths: Iterator[str] | None) -> None:
        """Requests until stopped: the warm paths, or devices asked for the first time
        ("new"; "again" once the list wraps around)."""
        n = 0
        while not stop.is_set():
            if paths is None:
                path, kind = warm[n % len(warm)], "warm"
                n += 1
            else:
                path = f"/devices/{next(paths)}/recommendations"
                kind = "again" if path in asked else "new"
                asked.add(path)
            sent = time.monotonic()
            try:
                answer = get(api, path)
                status, headers, text = answer.status_code, dict(answer.headers), answer.text
            except httpx.HTTPError as exc:
                status, headers, text = 0, {}, repr(exc)
            log.append((sent, kind, status, time.monotonic() - sent, headers, text))
            time.sleep(0.01 if paths is None else 0.2)

    threads = [threading.Thread(target=load, args=(None,)) for _ in range(3)]
    threads.append(threading.Thread(target=load, args=(itertools.cycle(unasked),)))
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        server.stop(settings)
        stopped = time.monotonic()
        time.sleep(4.0)
        restarted = time.monotonic()
        server.start(settings)
        manage.wait_ready(loaded, 120)
        recovered = None
        deadline = time.monotonic() + 30
        while recovered is None and time.monotonic() < deadline:
            if any(kind == "new" and status == 200 and sent > restarted
                   for sent, kind, status, *_ in list(log)):
                recovered = time.monotonic()
            time.sleep(0.2)
        if recovered is not None:
            time.sleep(2.5)  # keep asking after the recovery (the last assertion reads it)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert recovered is not None, "misses did not answer again after Neo4j came back"
    assert all(status in (200, 503) for _, _, status, *_ in log), \
        {status for _, _, status, *_ in log}
    # no hang: a request waits on Neo4j for at most the deadline (to connect, retry or
    # read), twice when its key must be checked too, and some slack for 2 shared cores
    slowest = max(elapsed for _, _, _, elapsed, *_ in log)
    assert slowest < 2 * settings.api_graph_deadline_s + 2.0, slowest
    outage = [(kind, status, headers, text) for sent, kind, status, _, headers, text in log
              if stopped + 1.5 < sent < restarted]
    cached_answers = [(status, headers) for kind, status, headers, _ in outage
                      if kind == "warm"]
    assert cached_answers and all(status == 200 and headers.get("x-graph-unreachable") ==
                                  "true" for status, headers in cached_answers)
    miss_answers = [(status, text) for kind, status, _, text in outage if kind == "new"]
    assert miss_answers and all(status == 503 and "graph_unavailable" in text
                                for status, text in miss_answers)
    after = [headers for sent, kind, status, _, headers, _ in log
             if kind == "warm" and sent > recovered + 1.5]
    assert after and all("x-graph-unreachable" not in h for h in after)

