"""The API's error body and the one handler that maps failures to status codes.

    ProteusError (proteus.errors)     status_code and code from the class, e.g.
     +-- Unauthorized                 401: no API key, or an unknown or revoked one
     +-- Forbidden                    403: a valid key whose role may not do this
     +-- Conflict                     409: the request is valid but the state forbids it

Every error answers with the same body:

    {"error": {"status": 422, "code": "invalid_input", "message": "...", "details": [...]}}

Request validation failures are 422 `invalid_input` with one detail per field (a body that
is not standard JSON in UTF-8 too, see `proteus.api.routing`); a body over the size limit 413
`payload_too_large`; unknown routes 404 `not_found`; a wrong method 405 `method_not_allowed`.
Anything unexpected is a 500 `internal_error` whose message names no internals.

`RESPONSES` documents what every keyed route can answer; `CONFLICT`, `UNEXPLAINED` (identity)
and `TOO_LARGE` are added where a route can also answer 409 or 413, so the OpenAPI lists
every status a route returns.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from proteus.errors import Conflict, Forbidden, ProteusError, Unauthorized

__all__ = ["CONFLICT", "RESPONSES", "TOO_LARGE", "UNEXPLAINED", "Conflict", "ErrorBody",
           "Forbidden", "Unauthorized", "error_response", "install"]

log = logging.getLogger("proteus.api")

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
          413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input",
          429: "too_many_requests", 503: "unavailable"}


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorInfo


def error_response(status: int, code: str, message: str,
                   details: list[ErrorDetail] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=ErrorInfo(status=status, code=code, message=message,
                                     details=details or []))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc) or "request"


async def _proteus(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProteusError)
    status = exc.status_code
    if status >= 500 and status != 503:
        log.error("internal failure: %s", exc)
        return error_response(500, "internal_error", "the server failed; see its log")
    headers = {"WWW-Authenticate": "ApiKey"} if status == 401 else None
    return error_response(status, exc.code, str(exc) or exc.code, headers=headers)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [ErrorDetail(field=_field(e.get("loc", ())), message=str(e.get("msg", "invalid")))
               for e in exc.errors()]
    first = details[0] if details else ErrorDetail(field="request", message="invalid")
    return error_response(422, "invalid_input", f"{first.field}: {first.message}", details)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code
    return error_response(exc.status_code, code, message,
                          headers=dict(exc.headers) if exc.headers else None)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected failure", exc_info=exc)
    return error_response(500, "internal_error", "the server failed; see its log")


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(ProteusError, _proteus)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)


def _documented(*statuses: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody, "description": what} for status, what in statuses}


RESPONSES = _documented((401, "no key, or an unknown or revoked key"),
                        (403, "the key's role may not do this"),
                        (404, "no such thing"),
                        (422, "invalid input"),
                        (503, "Neo4j is not reachable"))
CONFLICT = _documented((409, "valid, but the audience's state or stored definition forbids it"))
UNEXPLAINED = _documented((409, "the identity run behind the devices recorded no rules to "
                                "explain them by"))
TOO_LARGE = _documented((413, "the request body is larger than the limit"))
