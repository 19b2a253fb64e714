"""Hostile requests: every one ends in a documented 4xx with the one error body, never a 500,
and nothing the caller sent is silently changed. The graph here packs parameters the way the
Neo4j driver does (64-bit integers, UTF-8 text), so a value that would fail inside the driver
fails the test as a 500 instead of passing unnoticed."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proteus import keys
from proteus.api import create_app, pagination
from proteus.errors import Conflict, InputError
from proteus.graph import RecordingGraph, Row
from proteus.settings import Settings

KEY = "pk_0123456789ab_" + "s" * 43
HUGE = 99999999999999999999999
DEFINITION: dict[str, Any] = {"name": "sports", "include": [{"category": ["c3:483"],
                                                            "min_seconds": 600}]}


def _packable(value: Any, where: str) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        assert -(2 ** 63) <= value < 2 ** 63, f"{where}: {value} does not fit 64 bits"
    elif isinstance(value, float):
        assert math.isfinite(value), f"{where}: {value}"
    elif isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for k, v in value.items():
            _packable(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _packable(v, f"{where}[{i}]")


class DriverLikeGraph(RecordingGraph):
    """Records calls and, like the driver, refuses parameters Bolt cannot carry."""

    def read(self, name: str, **params: Any) -> list[Row]:
        try:
            _packable(params, name)
        except (AssertionError, UnicodeEncodeError) as exc:
            raise OverflowError(str(exc)) from None
        return super().read(name, **params)

    write = read


def key_row(role: str) -> list[Row]:
    return [{"id": "0123456789ab", "name": f"test-{role}", "role": role, "revoked": False}]


def stored(status: str = "draft", definition: dict[str, Any] | None = None,
           size: int | None = None) -> dict[str, Any]:
    return {"id": "sports@v1", "name": "sports", "version": 1, "status": status,
            "purpose": "advertising", "target": "person", "digest": "d" * 64,
            "definition": json.dumps(definition or DEFINITION), "policy_version": "1",
            "created_by": "ana", "created_at": "2025-03-09T00:00:00Z", "size": size}


def client(role: str | None = "admin", answers: dict[str, Any] | None = None
           ) -> tuple[TestClient, DriverLikeGraph]:
    graph = DriverLikeGraph({**({"keys/lookup_key": key_row(role)} if role else {}),
                             **(answers or {})})
    app = create_app(Settings())
    app.state.graph = graph
    return TestClient(app, headers={"X-API-Key": KEY}, raise_server_exceptions=False), graph


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert body["error"]["code"] == code, body
    return dict(body["error"])


def audits(graph: RecordingGraph) -> list[tuple[str, str, str]]:
    return [(p["action"], p["target"], p["outcome"]) for n, p in graph.calls
            if n == "keys/record_audit"]


def cursor_of(value: Any) -> str:
    raw = json.dumps({"offset": value}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("offset", ["99999999999999999999", "²", "١٢", "-1", "1e3", " 7",
                                    "1000000001"])
def test_crafted_member_cursors_are_422(offset: str) -> None:
    api, graph = client("analyst", {"audiences/get_version": [
        {"audience": stored("active", size=500)}]})
    response = api.get(f"/v1/audiences/sports@v1/members?cursor={cursor_of(offset)}")
    assert error_of(response, 422, "invalid_input")["message"].startswith("cursor: ")
    assert "audiences/member_page" not in [name for name, _ in graph.calls]


def test_a_cursor_the_api_returned_pages_on() -> None:
    rows = [{"member": f"p{n}"} for n in range(2)]
    api, graph = client("analyst", {"audiences/get_version": [
        {"audience": stored("active", size=5)}], "audiences/member_page": rows})
    first = api.get("/v1/audiences/sports@v1/members?limit=2").json()
    assert pagination.decode_offset(first["next_cursor"]) == 2
    api.get(f"/v1/audiences/sports@v1/members?limit=2&cursor={first['next_cursor']}")
    skips = [p["skip"] for n, p in graph.calls if n == "audiences/member_page"]
    assert skips == [0, 2]


def test_dry_run_with_huge_min_seconds_is_422_naming_the_field() -> None:
    api, graph = client("analyst")
    definition = {"name": "sports", "include": [{"category": ["c3:483"], "min_seconds": HUGE}]}
    response = api.post("/v1/audiences/dry-run", json={"definition": definition})
    message = error_of(response, 422, "invalid_input")["message"]
    assert "include[0].min_seconds: Input should be less than or equal to" in message
    assert audits(graph) == [("audiences.dry_run", "sports", "invalid_input")]


def test_infinity_and_other_non_json_bodies_are_422() -> None:
    api, _ = client("analyst")
    for body, reason in (
        ('{"definition": {"name": "a", "include": [{"interest": ["c3:1"], '
         '"min_score": Infinity}]}}', "Infinity is not a JSON number"),
        ('{"definition": {"name": "a", "name": "b"}}', "duplicate key 'name'"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"definition": {"name": ' + "9" * 5000 + "}}", "digits"),
        (b'{"definition": {"name": "caf\xe9"}}', "not UTF-8"),
    ):
        response = api.post("/v1/audiences/dry-run", content=body,
                            headers={"content-type": "application/json"})
        error = error_of(response, 422, "invalid_input")
        assert error["message"].startswith("body: ") and reason in error["message"], error


def test_stored_definition_outside_the_policy_is_409_everywhere() -> None:
    bad = {"name": "sports", "include": [{"category": ["c3:483"], "min_seconds": HUGE}]}
    api, graph = client("admin", {"audiences/get_version": [{"audience": stored("approved",
                                                                                 bad)}],
                                  "audiences/versions": [{"audience": stored("approved", bad)}]})
    for method, path in (("get", "/v1/audiences/sports@v1"),
                         ("post", "/v1/audiences/sports@v1/dry-run"),
                         ("post", "/v1/audiences/sports@v1/approve"),
                         ("post", "/v1/audiences/sports@v1/materialise"),
                         ("post", "/v1/audiences/sports@v1/export"),
                         ("get", "/v1/audiences/sports/members")):
        message = error_of(getattr(api, method)(path), 409, "conflict")["message"]
        assert message.startswith("sports@v1: include[0].min_seconds: ") and \
            "create a new version" in message
    assert not [p for n, p in graph.calls if n.startswith("audiences/")
                and any(isinstance(v, int) and v > 2 ** 63 for v in p.values())]
    created = [{"audience": {**stored("draft"), "id": "sports@v2", "version": 2}}]
    graph.answers.update({"audiences/known_ids": [{"interests": [
        {"id": "c3:483", "sensitive": False, "ancestors": []}], "segments": []}],
                          "audiences/create_version": created})
    response = api.post("/v1/audiences", json={"definition": DEFINITION})
    assert response.status_code == 201, response.text
    assert next(p for n, p in graph.calls if n == "audiences/create_version")["version"] == 2


def test_lifecycle_refusals_are_409() -> None:
    api, _ = client("admin", {"audiences/get_version": [{"audience": stored("active",
                                                                            size=80)}]})
    assert error_of(api.post("/v1/audiences/sports@v1/approve"), 409, "conflict")
    api, _ = client("admin", {"audiences/get_version": [{"audience": stored("draft")}]})
    for path in ("materialise", "export", "members"):
        method = api.get if path == "members" else api.post
        error_of(method(f"/v1/audiences/sports@v1/{path}"), 409, "conflict")
    graph = RecordingGraph({"audiences/get_version": [{"audience": stored("retired")}]})
    with pytest.raises(Conflict, match="already retired"):
        from proteus import audiences
        audiences.retire(graph, "sports@v1", actor="bo")


def test_a_refused_role_is_audited() -> None:
    api, graph = client("analyst")
    assert error_of(api.post("/v1/audiences/sports@v1/approve"), 403, "forbidden")
    assert error_of(api.delete("/v1/keys/0123456789ab"), 403, "forbidden")
    api2, graph2 = client("service")
    assert error_of(api2.get("/v1/segments"), 403, "forbidden")
    assert audits(graph) == [("audiences.approve", "sports@v1", "forbidden"),
                             ("keys.revoke", "0123456789ab", "forbidden")]
    assert audits(graph2) == [("segments.segments", "", "forbidden")]
    detail = next(p for n, p in graph.calls if n == "keys/record_audit")
    assert detail["key_id"] == "0123456789ab" and detail["role"] == "analyst"
    assert "needs admin" in detail["detail"]


def test_key_and_role_are_checked_before_the_body_is_read() -> None:
    api, graph = client(None)
    for body in (b"{not json", b'{"name": "caf\xe9"}', b"[" * 5000):
        for key in ("", "pk_0123456789ab_" + "x" * 43, "garbage"):
            response = api.post("/v1/keys", content=body,
                                headers={"X-API-Key": key, "content-type": "application/json"})
            error_of(response, 401, "unauthorized")
    api, graph = client("analyst")
    response = api.post("/v1/keys", content=b"{not json",
                        headers={"content-type": "application/json"})
    error_of(response, 403, "forbidden")
    response = api.post("/v1/audiences", content=b"{not json",
                        headers={"content-type": "application/json"})
    error_of(response, 422, "invalid_input")
    assert audits(graph)[-1] == ("audiences.create", "", "invalid_input")


@pytest.mark.parametrize("name", ["a\x00b", "evil\r\nname", "tab\there", " padded",
                                  "padded ", "\u202eevil", "zero\u200bwidth", "", "x" * 101])
def test_key_names_follow_the_text_policy(name: str) -> None:
    api, graph = client("admin", {"keys/create_key": [{"created": "now"}]})
    response = api.post("/v1/keys", json={"name": name, "role": "service"})
    assert error_of(response, 422, "invalid_input")["message"].startswith("body.name: ")
    assert "keys/create_key" not in [n for n, _ in graph.calls]
    assert audits(graph) == [("keys.create", "", "invalid_input")]
    with pytest.raises(InputError, match="name: "):
        keys.create_key(graph, name, "service")
    response = api.post("/v1/keys", json={"name": "crm sync (eu-1)", "role": "service"})
    assert response.status_code == 201 and response.json()["name"] == "crm sync (eu-1)"


def test_keys_list_escapes_what_was_stored_before_the_policy() -> None:
    from proteus.cli.keys import describe

    line = describe(keys.ApiKey(id="0123456789ab", name="evil\r\nname\x00\u202e",
                                role="service", created="now"))
    assert "\r" not in line and "\n" not in line and "\x00" not in line
    assert "evil\\r\\nname\\x00\\u202e" in line


def test_oversized_bodies_are_413_in_the_error_body() -> None:
    api, _ = client("analyst")
    big = json.dumps({"definition": {"name": "a", "description": "x" * (2 << 20)}})
    error_of(api.post("/v1/audiences/dry-run", content=big,
                      headers={"content-type": "application/json"}), 413, "payload_too_large")

    def chunks() -> Any:
        for _ in range(40):
            yield b" " * 65_536
    error_of(api.post("/v1/audiences/dry-run", content=chunks(),
                      headers={"content-type": "application/json"}), 413, "payload_too_large")


def test_openapi_documents_every_status_a_route_returns() -> None:
    api, _ = client()
    schema = api.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            documented = set(operation["responses"])
            if path.startswith("/v1/health"):
                continue
            assert {"401", "403", "422", "503"} <= documented, (method, path)
            if path.startswith("/v1/audiences"):
                assert "409" in documented, (method, path)
            if "requestBody" in operation:
                assert "413" in documented, (method, path)


def test_docs_are_served_from_the_package_not_a_cdn() -> None:
    api, _ = client()
    for page in ("/docs", "/redoc"):
        html = api.get(page).text
        assert "http://" not in html and "https://" not in html, page
    assert api.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    assert api.get("/static-offline-docs/redoc.standalone.js").status_code == 200


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(max_size=80),
    st.binary(max_size=80).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.sampled_from(["offset", "after", "started", "id", "x"]),
                                   inner, max_size=3), max_leaves=8)
    .map(lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("="))))
def test_cursor_decoding_never_raises_anything_but_input_error(cursor: str) -> None:
    for fields in (("after",), ("started", "id"), ("offset",)):
        try:
            found = pagination.decode(cursor, fields)
        except InputError:
            continue
        assert set(found) == set(fields)
        for value in found.values():
            assert isinstance(value, str) and len(value) <= 256
            value.encode("utf-8")
    try:
        offset = pagination.decode_offset(cursor)
    except InputError:
        return
    assert 0 <= offset <= 1_000_000_000


@pytest.mark.parametrize("value", ["no", "0", "off", "f", "n", "False", "yes", "1"])
def test_query_flags_are_true_or_false_only(value: str) -> None:
    api, graph = client("analyst")
    response = api.get(f"/v1/identity/devices/d1?redact={value}")
    assert error_of(response, 422, "invalid_input")["message"].startswith("query.redact: ")
    response = api.get(f"/v1/audiences/sports@v1/members?explain={value}")
    assert error_of(response, 422, "invalid_input")["message"].startswith("query.explain: ")
    assert not [n for n, _ in graph.calls if n.startswith(("identity/", "audiences/"))]


def test_ids_from_the_command_line_are_checked_before_the_graph() -> None:
    from proteus import audiences

    graph = DriverLikeGraph({"audiences/get_version": [{"audience": stored("active",
                                                                           size=80)}]})
    for bad in ("\udcff", "abc", "0123456789AB", "0123456789ab\n"):
        with pytest.raises(InputError, match="id: "):
            keys.revoke_key(graph, bad)
    for member in ("\udcff", "p-1\x00", "x" * 101):
        with pytest.raises(InputError, match="member: "):
            audiences.explain(graph, "sports@v1", member, actor="ana")
    assert [n for n, _ in graph.calls] == ["audiences/get_version"] * 3
