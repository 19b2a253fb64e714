from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from proteus.api import create_app
from proteus.errors import GraphUnavailable, InputError
from proteus.graph import RecordingGraph, Row
from proteus.settings import Settings

KEY = "pk_0123456789ab_" + "s" * 43


def key_row(role: str, revoked: bool = False) -> list[Row]:
    return [{"id": "0123456789ab", "name": f"test-{role}", "role": role, "revoked": revoked}]


def client(role: str | None = "admin", answers: dict[str, list[Row]] | None = None,
           graph: Any = None) -> tuple[TestClient, RecordingGraph]:
    recorded = graph or RecordingGraph(
        {**({"keys/lookup_key": key_row(role)} if role else {}), **(answers or {})})
    app = create_app(Settings())
    app.state.graph = recorded
    return TestClient(app, headers={"X-API-Key": KEY}), recorded


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == response.status_code
    return dict(body["error"])


def test_live_needs_no_key_and_no_graph() -> None:
    api, graph = client(role=None)
    response = api.get("/v1/health/live", headers={"X-API-Key": ""})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert graph.calls == []


def test_ready_reports_neo4j_reachability() -> None:
    api, graph = client(role=None, answers={"db/ping": [{"ok": 1}]})
    assert api.get("/v1/health/ready").json()["neo4j"] == "reachable"
    assert graph.calls == [("db/ping", {})]

    class Down(RecordingGraph):
        def read(self, name: str, **params: Any) -> list[Row]:
            raise GraphUnavailable("Neo4j is not reachable at bolt://x")

    api, _ = client(graph=Down())
    response = api.get("/v1/health/ready")
    assert response.status_code == 503
    assert error_of(response)["code"] == "graph_unavailable"


def test_missing_unknown_and_revoked_keys_are_401() -> None:
    api, _ = client()
    response = api.get("/v1/persons/p-1", headers={"X-API-Key": ""})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "ApiKey"
    api, _ = client(role=None)
    assert api.get("/v1/persons/p-1").status_code == 401
    api, _ = client(answers={"keys/lookup_key": key_row("admin", revoked=True)})
    assert api.get("/v1/persons/p-1").status_code == 401
    api, graph = client()
    assert api.get("/v1/persons/p-1", headers={"X-API-Key": "not-a-key"}).status_code == 401
    assert graph.calls == []


def test_wrong_role_is_403_and_roles_are_ordered() -> None:
    api, _ = client("service")
    response = api.get("/v1/identity/devices/d1")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert api.get("/v1/segments").status_code == 403
    assert api.get("/v1/keys").status_code == 403
    api, _ = client("analyst")
    assert api.get("/v1/segments").status_code == 200
    assert api.get("/v1/keys").status_code == 403
    assert api.get("/v1/persons/p-1").status_code == 404


def test_verified_keys_are_cached_per_process() -> None:
    api, graph = client("service")
    api.get("/v1/persons/p-1")
    api.get("/v1/persons/p-2")
    assert [c for c, _ in graph.calls].count("keys/lookup_key") == 1
    assert "hash" in graph.calls[0][1] and KEY not in str(graph.calls)


def test_client_mistakes_share_one_error_body() -> None:
    api, _ = client()
    for response, status, code in (
        (api.get("/v1/nowhere"), 404, "not_found"),
        (api.delete("/v1/health/live"), 405, "method_not_allowed"),
        (api.get("/v1/devices/%20bad"), 422, "invalid_input"),
        (api.get("/v1/persons/p-1/recommendations?k=0"), 422, "invalid_input"),
        (api.get("/v1/segments?cursor=%%%"), 422, "invalid_input"),
        (api.post("/v1/keys", content=b"{not json"), 422, "invalid_input"),
        (api.post("/v1/keys", json={"name": "x", "role": "root"}), 422, "invalid_input"),
    ):
        assert response.status_code == status, response.text
        assert error_of(response)["code"] == code


def test_proteus_errors_map_to_their_status() -> None:
    class Refusing(RecordingGraph):
        def read(self, name: str, **params: Any) -> list[Row]:
            if name == "api/person_profile":
                raise InputError("person: bad")
            return super().read(name, **params)

    api, _ = client(graph=Refusing({"keys/lookup_key": key_row("admin")}))
    response = api.get("/v1/persons/p-1")
    assert response.status_code == 422
    assert error_of(response)["message"] == "person: bad"


def test_device_profile() -> None:
    row = {"device": "d1", "type": "stb", "first_seen": None, "last_seen": None,
           "person": "p-1", "confidence": 0.95, "person_size": 2, "household": "h-1",
           "household_size": 3, "devices": [{"id": "d2", "type": "phone"},
                                            {"id": "d1", "type": "stb"}],
           "interests": [{"id": "c3:1", "name": "Sports", "score": 0.2},
                         {"id": "c3:2", "name": "Drama", "score": 0.9}],
           "segments": [{"id": "community-1", "name": "x", "kind": "community"}]}
    api, graph = client("service", {"api/device_profile": [row]})
    body = api.get("/v1/devices/d1").json()
    assert body["person"] == "p-1"
    assert [d["id"] for d in body["devices"]] == ["d1", "d2"]
    assert [i["id"] for i in body["interests"]] == ["c3:2", "c3:1"]
    assert ("api/device_profile", {"device": "d1"}) in graph.calls
    api, _ = client("service")
    response = api.get("/v1/devices/d1")
    assert response.status_code == 404
    assert error_of(response)["message"] == "no device d1"


CATALOG = [{"content": f"c{n}", "title": f"T{n}", "rank": n, "viewers": 100 - n,
            "run_id": "recommend-1", "interests": ["i:sport"] if n % 2 else []}
           for n in range(1, 30)]


INDEX = [{"content": "c9", "title": "T9",
          "neighbours": [[2, "c1", "T1", 0.9, 4, "recommend-1"],
                         [1, "c20", "T20", 0.5, 3, "recommend-1"]]},
         {"content": "c20", "title": "T20", "neighbours": []}]


def test_recommendations_exclude_watched_and_explain_each_item() -> None:
    row = {"subject": "d1", "person": "p-1", "watches": [["c1", ["2025-03-01"], [60], 60, 1],
                                         ["c9", ["2025-03-05"], [3600], 3600, 2]],
           "interests": [{"interest": "i:sport", "name": "Sport",
                                           "score": 1.0}]}
    api, graph = client("service", {"recommend/for_device": [row],
                                    "recommend/catalog": CATALOG,
                                    "api/neighbour_index": INDEX})
    body = api.get("/v1/devices/d1/recommendations?k=5").json()
    contents = [item["content"] for item in body["items"]]
    assert len(contents) == 5 and "c1" not in contents and "c9" not in contents
    first = body["items"][0]
    assert first["content"] == "c20"
    assert [s["kind"] for s in first["path"]][:2] == ["watched", "similar"]
    assert first["path"][1]["properties"]["run_id"] == "recommend-1"
    assert body["cold_start"] is False
    assert any("interests" in item["sources"] for item in body["items"])
    api.get("/v1/devices/d1/recommendations?k=5")
    assert [c for c, _ in graph.calls].count("recommend/catalog") == 1


def test_cold_start_falls_back_to_popularity() -> None:
    row = {"subject": "p-9", "person": None, "watches": [], "interests": []}
    api, _ = client("service", {"recommend/for_person": [row], "recommend/catalog": CATALOG})
    body = api.get("/v1/persons/p-9/recommendations?k=3").json()
    assert body["cold_start"] is True
    assert [i["content"] for i in body["items"]] == ["c1", "c2", "c3"]
    assert body["items"][0]["path"][0]["kind"] == "popular"
    api, _ = client("service")
    assert api.get("/v1/persons/p-9/recommendations").status_code == 404


def test_segments_paginate_with_cursors() -> None:
    rows = [{"id": "s1", "name": "a", "kind": "rule"}, {"id": "s2", "name": "b", "kind": "rule"}]
    api, graph = client("analyst", {"api/segments_page": rows})
    first = api.get("/v1/segments?limit=1").json()
    assert [s["id"] for s in first["items"]] == ["s1"]
    assert first["next_cursor"]
    api.get(f"/v1/segments?limit=1&cursor={first['next_cursor']}")
    pages = [p for name, p in graph.calls if name == "api/segments_page"]
    assert pages == [{"after": "", "limit": 2}, {"after": "s1", "limit": 2}]
    api, _ = client("analyst", {"api/segments_page": rows[:1]})
    assert api.get("/v1/segments?limit=1").json()["next_cursor"] is None


def test_run_shows_params_report_and_lineage() -> None:
    run = {"id": "segments-1", "stage": "segments", "status": "complete",
           "params": '{"k": 24}', "rule_versions": '{"segments": "2"}', "inputs": [],
           "report": '{"modularity": 0.8}', "started": "2025", "finished": "2025"}
    lineage = {"batches": [], "upstream": [{"id": "identity-1", "stage": "identity"}]}
    api, graph = client("analyst", {"runs/get_run": [{"run": run}],
                                    "api/run_lineage": [lineage]})
    body = api.get("/v1/runs/segments-1").json()
    assert body["params"] == {"k": 24} and body["report"] == {"modularity": 0.8}
    assert body["lineage"]["upstream"][0]["id"] == "identity-1"
    assert ("api/run_lineage", {"id": "segments-1", "upstream": ["identity", "interests"]}) \
        in graph.calls


def test_key_management_is_admin_only_and_audited() -> None:
    api, graph = client("admin", {"keys/create_key": [{"created": "now"}]})
    response = api.post("/v1/keys", json={"name": "crm", "role": "service"})
    assert response.status_code == 201
    key = response.json()["key"]
    created = next(p for n, p in graph.calls if n == "keys/create_key")
    assert key not in str(created) and len(created["hash"]) == 64
    audit = next(p for n, p in graph.calls if n == "keys/record_audit")
    assert audit["action"] == "keys.create" and audit["outcome"] == "ok"
    api, _ = client("analyst")
    assert api.post("/v1/keys", json={"name": "crm", "role": "service"}).status_code == 403


def test_audience_calls_are_wrapped_role_checked_and_audited(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from proteus import audiences
    from proteus.errors import NotFound

    def approve(graph: Any, ref: str, actor: str) -> Any:
        if ref == "missing":
            raise NotFound("no audience missing")
        raise InputError(f"{ref}: only a draft can be approved ({actor})")

    monkeypatch.setattr(audiences, "approve", approve)
    api, graph = client("admin")
    assert api.post("/v1/audiences/a1@v2/approve").status_code == 422
    assert api.post("/v1/audiences/missing/approve").status_code == 404
    outcomes = [(p["action"], p["target"], p["outcome"], p["key_id"])
                for n, p in graph.calls if n == "keys/record_audit"]
    assert outcomes == [("audiences.approve", "a1@v2", "invalid_input", "0123456789ab"),
                        ("audiences.approve", "missing", "not_found", "0123456789ab")]
    assert "key:0123456789ab:test-admin" in api.post("/v1/audiences/a1/approve").text
    response = api.post("/v1/audiences/dry-run", json={"definition": {}})
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"
    assert api.get("/v1/audiences/a1/members?cursor=eyJvZmZzZXQiOiJ4In0").status_code == 422
    api, _ = client("analyst")
    assert api.post("/v1/audiences/a1/approve").status_code == 403
    assert api.post("/v1/audiences/a1/export").status_code == 403
    assert api.post("/v1/audiences/a1/materialise").status_code == 403


def test_openapi_is_published_and_versioned() -> None:
    api, _ = client()
    schema = api.get("/openapi.json").json()
    assert schema["info"]["title"] == "Proteus API"
    assert all(path.startswith("/v1/") for path in schema["paths"])
    assert {"/v1/devices/{device_id}/recommendations", "/v1/persons/{person_id}",
            "/v1/identity/pairs", "/v1/segments/{segment_id}/members",
            "/v1/runs/{run_id}", "/v1/keys"} <= set(schema["paths"])
    assert api.get("/docs").status_code == 200
