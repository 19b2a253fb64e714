"""HTTP caching of the answers kept per graph version (neighbours, recommendations).

    ETag: "<version>:<kind>:<subject>:<k>"     the graph version, the subject and k
    Cache-Control: private, no-cache           keep it, but ask again before reusing it
    X-Graph-Version: <run id>                  the run the answer is exact for
    X-Cache: hit | miss                        answered from this worker's memory or not
    X-Graph-Unreachable: true                  only while Neo4j is unreachable

A request whose `If-None-Match` holds the current tag (or `*`) gets 304 with no body and
no graph read: the version has not changed, so neither has the answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Response

__all__ = ["CACHED", "CACHE_CONTROL", "IfNoneMatch", "answer", "etag", "matches",
           "not_modified"]

CACHE_CONTROL = "private, no-cache"

IfNoneMatch = Annotated[str | None, Header(max_length=2048, description=(
    "ETags of answers the caller holds: 304 with no body when one is still current"))]


def etag(version: str, *parts: str) -> str:
    return '"' + ":".join((version, *parts)) + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Weak comparison of `If-None-Match` with the current tag (RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        value = candidate.strip()
        if value == "*" or value.removeprefix("W/") == tag:
            return True
    return False


def _headers(tag: str, version: str, reachable: bool) -> dict[str, str]:
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "X-Graph-Version": version}
    if not reachable:
        headers["X-Graph-Unreachable"] = "true"
    return headers


def answer(body: bytes, tag: str, version: str, hit: bool, reachable: bool) -> Response:
    headers = _headers(tag, version, reachable)
    headers["X-Cache"] = "hit" if hit else "miss"
    return Response(body, media_type="application/json", headers=headers)


def not_modified(tag: str, version: str, reachable: bool) -> Response:
    return Response(status_code=304, headers=_headers(tag, version, reachable))


def _header(description: str, required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}}


_COMMON = {
    "ETag": _header("the graph version, the subject and k"),
    "Cache-Control": _header(f"`{CACHE_CONTROL}`: revalidate with If-None-Match"),
    "X-Graph-Version": _header("the id of the run the answer is exact for"),
    "X-Graph-Unreachable": _header("`true` while Neo4j is unreachable (a cached answer)",
                                   required=False),
}
CACHED: dict[int | str, dict[str, Any]] = {
    200: {"headers": {**_COMMON, "X-Cache": _header("`hit` or `miss`")}},
    304: {"description": "Not Modified: the If-None-Match tag is current", "headers": _COMMON},
}
