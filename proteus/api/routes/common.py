"""Path and query parameter types shared by the routers, and the hot paths' response."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response
from pydantic import BaseModel

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$"

DeviceId = Annotated[str, Path(pattern=ID_PATTERN, description="a device id")]
PersonId = Annotated[str, Path(pattern=ID_PATTERN, description="a person id (p-...)")]
SegmentId = Annotated[str, Path(pattern=ID_PATTERN, description="a segment id")]
RunId = Annotated[str, Path(pattern=ID_PATTERN, description="a run id")]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="an API key id")]
AudienceId = Annotated[str, Path(pattern=ID_PATTERN, description="an audience id")]


def json_response(model: BaseModel) -> Response:
    """The model serialised once. A route returning a model has FastAPI dump it, validate the
    dump against `response_model` and serialise it again; the high-rate routes (profiles,
    recommendations) build a model that is already valid and keep `response_model` for the
    schema only."""
    return Response(model.model_dump_json(), media_type="application/json")
