"""Schemathesis against the real API: uvicorn serving the app over a real Neo4j holding a
small generated dataset run through every stage. Every operation of the published OpenAPI
gets positive and negative examples (a bounded number), each sent with every role's key, an
unknown key and none. The pass condition: no server error and no answer outside the schema
(status code, content type, headers, body)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import hypothesis
import pytest

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from proteus import keys  # noqa: E402
from proteus.api import create_app  # noqa: E402
from proteus.graph import Graph  # noqa: E402
from proteus.settings import Settings  # noqa: E402
from proteus.tools.bench.api import served  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = 12
PUBLISHED = create_app(Settings()).openapi()    # what the served app publishes (checked below)


@pytest.fixture(scope="module")
def real_api(pipeline_world: Callable[..., Graph], settings: Settings) -> Iterator[dict[str, Any]]:
    graph = pipeline_world(devices=200, seed=5, catalog_size=200, communities=4)
    made = {role: keys.create_key(graph, f"schemathesis-{role}", role)
            for role in ("service", "analyst", "admin")}
    with served(settings) as port:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/openapi.json").json() == PUBLISHED
        yield {"base": base, "callers": [*(k.key for k in made.values()),
                                         "pk_0123456789ab_" + "u" * 43, None],
               "made": made, "graph": graph}


schema = schemathesis.openapi.from_dict(PUBLISHED)


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_real_api_has_no_server_error_and_no_schema_violation(
        case: schemathesis.Case, real_api: dict[str, Any]) -> None:
    for key in real_api["callers"]:
        case.call_and_validate(base_url=real_api["base"],
                               headers={"X-API-Key": key} if key else {}, checks=CHECKS)


def test_refusals_reach_the_real_audit_trail(real_api: dict[str, Any]) -> None:
    made = real_api["made"]
    with httpx.Client(base_url=real_api["base"]) as http:
        forbidden = http.post("/v1/audiences/sports@v1/approve",
                              headers={"X-API-Key": made["analyst"].key})
        invalid = http.post("/v1/keys", content=b'{"name": "caf\xe9", "role": "service"}',
                            headers={"X-API-Key": made["admin"].key,
                                     "content-type": "application/json"})
        nameless = http.post("/v1/keys", json={"name": "a\r\nb", "role": "service"},
                             headers={"X-API-Key": made["admin"].key})
    assert (forbidden.status_code, invalid.status_code, nameless.status_code) == (403, 422, 422)
    trail = real_api["graph"].read("keys/audit_events", limit=100_000)
    seen = {(e["key_id"], e["action"], e["target"], e["outcome"]) for e in trail}
    assert (made["analyst"].id, "audiences.approve", "sports@v1", "forbidden") in seen
    assert (made["admin"].id, "keys.create", "", "invalid_input") in seen
    assert all(not k.revoked for k in keys.list_keys(real_api["graph"])
               if k.id in {m.id for m in made.values()})
