"""How a request reaches a route: the body size limit, the key and role, then the body.

    router = APIRouter(prefix="/x", route_class=KeyedRoute)    # or AuditedRoute

FastAPI reads and parses a request's body before it solves any dependency, so a caller
without a key would learn from a 422 what a route accepts, and a body that is not UTF-8 got
an undocumented 400. A `KeyedRoute` answers in this order instead:

    413 payload_too_large   the body is larger than `api_max_body_bytes` (`BodyLimit`)
    401 unauthorized        no key, or an unknown or revoked one
    403 forbidden           the key's role is too low (audited)
    422 invalid_input       the body is not standard JSON in UTF-8 (`proteus.inputs.read_json`:
                            no NaN or Infinity, no duplicate keys, not nested too deeply),
                            or it or a parameter does not validate
    the route

An `AuditedRoute` also audits a 422 (audience calls and key management audit every outcome).
"""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from proteus.api import audit
from proteus.api.deps import admit, needed_role
from proteus.api.errors import error_response
from proteus.inputs import read_json
from proteus.keys import Principal

__all__ = ["AuditedRoute", "BodyLimit", "KeyedRoute"]


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


def _invalid(reason: str) -> RequestValidationError:
    return RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": reason,
                                    "input": {}}])


async def _check_body(request: Request) -> None:
    """Refuse a JSON body FastAPI would read differently than it was written."""
    body = await request.body()
    if not body or not _is_json(request.headers.get("content-type")):
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid(f"not UTF-8 (byte 0x{body[exc.start]:02x} at offset "
                       f"{exc.start})") from None
    try:
        read_json(text)
    except RecursionError:
        raise _invalid("not valid JSON (nested too deeply)") from None
    except ValueError as exc:
        raise _invalid(f"not valid JSON ({str(exc).split(';')[0]})") from None


class KeyedRoute(APIRoute):
    """A route that needs an API key, checked before the body is read (see the module)."""

    audit_invalid = False

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        needed = needed_role(self.dependant)
        has_body = self.body_field is not None
        audit_invalid = self.audit_invalid

        async def keyed(request: Request) -> Response:
            who: Principal = await admit(request, needed)
            try:
                if has_body:
                    await _check_body(request)
                return await handle(request)
            except RequestValidationError as exc:
                if audit_invalid:
                    errors = exc.errors()
                    first = errors[0] if errors else {}
                    where = ".".join(str(p) for p in first.get("loc", ())) or "request"
                    await audit.refusal(request, who, "invalid_input",
                                        f"{where}: {first.get('msg', 'invalid')}")
                raise

        return keyed


class AuditedRoute(KeyedRoute):
    """A keyed route whose invalid requests (422) are audited as well."""

    audit_invalid = True


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413 `payload_too_large`, before routing
    when its Content-Length says so, or as soon as a streamed body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = _TooLarge(self.limit)
        response = error_response(413, "payload_too_large", str(refused.detail))
        await response(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while the body is read: the app's handler answers it like any HTTP error."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit:,} bytes")
