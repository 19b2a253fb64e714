"""Property-based fuzzing of every route in the published OpenAPI schema, in process against a
recording graph, with every role's key, an unknown key and none: no input, however
malformed, gets a 5xx, and every answer is one the schema documents (status, content type,
body). `tests/integration/test_api_schemathesis.py` runs the same against the real server and
a real Neo4j."""

from __future__ import annotations

from typing import Any

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
from proteus.graph import RecordingGraph, Row  # noqa: E402
from proteus.settings import Settings  # noqa: E402

ROLES = ("service", "analyst", "admin")
KEYS = {role: f"pk_0123456789a{n}_" + "s" * 43 for n, role in enumerate(ROLES)}
CALLERS = [*KEYS.values(), "pk_0123456789ff_" + "u" * 43, None]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


def _lookup(params: dict[str, Any]) -> list[Row]:
    for n, (role, key) in enumerate(KEYS.items()):
        if keys.hash_key(key) == params["hash"]:
            return [{"id": f"0123456789a{n}", "name": f"fuzz-{role}", "role": role,
                     "revoked": False}]
    return []


def _app():  # type: ignore[no-untyped-def]
    app = create_app(Settings())
    app.state.graph = RecordingGraph({"keys/lookup_key": _lookup})
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_every_answer_is_documented_and_none_is_5xx(case: schemathesis.Case) -> None:
    for key in CALLERS:
        case.call_and_validate(headers={"X-API-Key": key} if key else {}, checks=CHECKS)
