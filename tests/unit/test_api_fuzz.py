"""Property-based fuzzing of every route in the published OpenAPI schema: no input, however
malformed, gets a 5xx. Runs against the app with a recording graph (admin key)."""

from __future__ import annotations

import hypothesis
import pytest

schemathesis = pytest.importorskip("schemathesis")

from proteus.api import create_app  # noqa: E402
from proteus.api.deps import get_graph  # noqa: E402
from proteus.graph import RecordingGraph  # noqa: E402
from proteus.settings import Settings  # noqa: E402

KEY = "pk_0123456789ab_" + "s" * 43


def _app():  # type: ignore[no-untyped-def]
    app = create_app(Settings())
    graph = RecordingGraph({"keys/lookup_key": [{"id": "0123456789ab", "name": "fuzz",
                                                 "role": "admin", "revoked": False}]})
    app.dependency_overrides[get_graph] = lambda: graph
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_no_route_answers_5xx(case: schemathesis.Case) -> None:
    for key in (KEY, None):
        headers = {"X-API-Key": key} if key else {}
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path,
                                            response.status_code, response.text[:300])
