"""The API, recommendations and analyst queries against a real Neo4j holding a small
generated dataset run through every stage (loaded once for this module)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from proteus import keys, recommend
from proteus.api import create_app
from proteus.graph import Graph
from proteus.settings import Settings


@pytest.fixture(scope="module")
def loaded(pipeline_world: Callable[..., Graph]) -> Graph:
    return pipeline_world(devices=300, seed=11, catalog_size=300, communities=6)


@pytest.fixture(scope="module")
def api(loaded: Graph, settings: Settings) -> Iterator[dict[str, Any]]:
    made = {role: keys.create_key(loaded, f"it-{role}", role).key
            for role in ("service", "analyst", "admin")}
    with TestClient(create_app(settings)) as client:
        yield {"client": client, **made}


def get(api: dict[str, Any], path: str, role: str = "admin", **kw: Any) -> Any:
    return api["client"].get(path, headers={"X-API-Key": api[role]}, **kw)


def one(graph: Graph, query_name: str, **params: Any) -> dict[str, Any]:
    rows = graph.read(query_name, **params)
    assert rows, query_name
    return rows[0]


def subject(graph: Graph) -> tuple[str, str]:
    with graph.session(write=False) as session:
        row = session.run("MATCH (d:Device)-[:WATCHED]->(), (d)-[:BELONGS_TO]->(p:Person) "
                          "RETURN d.id AS device, p.id AS person ORDER BY d.id LIMIT 1").single()
    assert row is not None
    return row["device"], row["person"]


def test_build_writes_similar_with_run_and_popularity(loaded: Graph) -> None:
    with loaded.session(write=False) as session:
        row = session.run("MATCH (a:Content)-[s:SIMILAR]->(b:Content) "
                          "RETURN count(s) AS n, min(s.rank) AS best, "
                          "count(DISTINCT s.run_id) AS runs").single()
        top = session.run("MATCH (c:Content {popularity_rank: 1}) RETURN c.id AS id").single()
    assert row is not None and row["n"] > 0 and row["best"] == 1 and row["runs"] == 1
    assert top is not None


def test_recommendations_exclude_watched_and_follow_real_paths(loaded: Graph) -> None:
    device, person = subject(loaded)
    found = recommend.for_device(loaded, device, k=10)
    with loaded.session(write=False) as session:
        watched = {r["id"] for r in session.run(
            "MATCH (:Device {id: $d})-[:WATCHED]->(c) RETURN c.id AS id", d=device)}
        for item in found.items:
            assert item.content not in watched
            for step in item.path:
                if step.kind == "similar":
                    assert session.run(
                        "MATCH (:Content {id: $a})-[s:SIMILAR]->(:Content {id: $b}) "
                        "RETURN s.score AS score", a=step.source, b=step.target
                    ).single()["score"] == step.properties["score"]
    assert len(found.items) == 10 and not found.cold_start
    assert any("neighbours" in item.sources for item in found.items)
    by_person = recommend.for_person(loaded, person, k=5)
    assert by_person.person == person and len(by_person.items) == 5


def test_bench_api_measures_every_path_against_a_real_server(loaded: Graph,
                                                              settings: Settings) -> None:
    from proteus.tools.bench import wrk
    from proteus.tools.bench.api import bench_api

    result = bench_api(loaded, settings, seconds=1.0, connections=4, workers=1, rate=40,
                       neighbours_rate=80)
    for phase, statuses in result["statuses"].items():
        assert set(statuses) == {"200"} and statuses["200"] > 0, (phase, statuses)
    for name in ("neighbours_requests_per_s", "recs_miss_requests_per_s",
                 "graph_floor_requests_per_s", "static_requests_per_s",
                 "profiles_requests_per_s", "recs_zipf_requests_per_s"):
        assert result[name] > 0, name
    assert 0 < result["neighbours_p50_ms"] <= result["neighbours_p99_ms"]
    assert 0 < result["recs_zipf_p50_ms"] <= result["recs_zipf_p99_ms"]
    assert result["neighbours_fixed_requests_per_s"] <= 80 * 1.5
    assert result["recs_zipf_requests_per_s"] <= 40 * 1.5
    assert 0 < result["recs_zipf_repeat_share"] < 1
    assert 0 <= result["recs_miss_repeat_share"] < 1
    assert result["neighbours_vs_static"] > 0 and result["recs_miss_vs_floor"] > 0
    assert set(result["meets"]) == {"neighbours_p99_ms", "neighbours_vs_static",
                                    "recs_zipf_p99_ms", "recs_miss_vs_floor"}
    assert result["load_tool"].startswith("wrk ") == wrk.available()
    assert result["agreement"]["graph_floor"]["load_requests_per_s"] > 0
    bench_keys = [k for k in keys.list_keys(loaded) if k.name == "bench-api"]
    assert bench_keys and all(k.revoked for k in bench_keys)


def test_health_profiles_and_recommendations_over_http(loaded: Graph,
                                                       api: dict[str, Any]) -> None:
    device, person = subject(loaded)
    assert get(api, "/v1/health/ready").json()["neo4j"] == "reachable"
    profile = get(api, f"/v1/devices/{device}", "service").json()
    assert profile["person"] == person and device in [d["id"] for d in profile["devices"]]
    person_profile = get(api, f"/v1/persons/{person}", "service").json()
    assert person_profile["household"] == profile["household"]
    recs = get(api, f"/v1/persons/{person}/recommendations?k=5", "service").json()
    assert len(recs["items"]) == 5 and recs["items"][0]["path"]
    assert get(api, "/v1/persons/p-none/recommendations", "service").status_code == 404


def test_roles_and_revocation(loaded: Graph, api: dict[str, Any]) -> None:
    device, _ = subject(loaded)
    assert get(api, f"/v1/identity/devices/{device}", "service").status_code == 403
    body = get(api, f"/v1/identity/devices/{device}", "analyst").json()
    assert body["device"] == device and all("•••" in s["identifier"] for s in body["evidence"])
    created = api["client"].post("/v1/keys", json={"name": "short-lived", "role": "service"},
                                 headers={"X-API-Key": api["admin"]}).json()
    headers = {"X-API-Key": created["key"]}
    assert api["client"].get(f"/v1/devices/{device}", headers=headers).status_code == 200
    api["client"].delete(f"/v1/keys/{created['id']}", headers={"X-API-Key": api["admin"]})
    assert api["client"].get(f"/v1/devices/{device}", headers=headers).status_code == 401
    trail = loaded.read("keys/audit_events", limit=10)
    assert {"keys.create", "keys.revoke"} <= {e["action"] for e in trail}


def test_segments_members_pages_and_runs(loaded: Graph, api: dict[str, Any]) -> None:
    page = get(api, "/v1/segments?limit=2").json()
    assert page["items"]
    segment = page["items"][0]["id"]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        members = get(api, f"/v1/segments/{segment}/members", params=params).json()
        seen += [m["person"] for m in members["items"]]
        cursor = members["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(set(seen))
    assert len(seen) == get(api, f"/v1/segments/{segment}").json()["members"]
    run_id = get(api, "/v1/runs?stage=recommend").json()["items"][0]["id"]
    run = get(api, f"/v1/runs/{run_id}").json()
    assert run["params"]["top_k"] == 20 and run["report"]["relationships"] > 0
    assert {u["stage"] for u in run["lineage"]["upstream"]} == {"ingest", "identity",
                                                                "interests"}


CYPHER = Path(__file__).resolve().parents[2] / "cypher" / "analyst"


def test_every_analyst_query_runs(loaded: Graph) -> None:
    device, person = subject(loaded)
    with loaded.session(write=False) as session:
        segment = session.run("MATCH (s:Segment)<-[:IN_SEGMENT]-() RETURN s.id AS id "
                              "LIMIT 1").single()["id"]
        content = session.run("MATCH (:Device {id: $d})-[:WATCHED]->()-[:SIMILAR]->(c) "
                              "RETURN c.id AS id LIMIT 1", d=device).single()["id"]
    graph_rows = loaded.read("analyst/person_graph", person=person)
    assert graph_rows[0]["paths"]
    identity = one(loaded, "analyst/device_identity", device=device)
    assert identity["person"] == person and identity["identifiers"]
    largest = loaded.read("analyst/largest_persons", limit=3)
    assert largest[0]["devices"] >= largest[-1]["devices"]
    profile = loaded.read("analyst/segment_profile", segment=segment, limit=5)
    assert profile and 0 < profile[0]["share"] <= 1
    assert one(loaded, "analyst/recommendation_path", device=device, content=content)["paths"]
    assert loaded.read("analyst/audience_member", audience="none@v1", member="x") == []
    assert {p.stem for p in CYPHER.glob("*.cypher")} == {
        "person_graph", "audience_member", "device_identity", "largest_persons",
        "segment_profile", "recommendation_path"}
