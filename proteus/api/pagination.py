"""Cursor pagination: an opaque, url-safe token holding the last key of the previous page.

A cursor is only ever one this API returned: anything else (not base64, not JSON, other
fields, a value that is not short plain text, an offset that is not ASCII digits within
`MAX_OFFSET`) is a 422 naming `cursor`, before any query runs.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from proteus.errors import InputError
from proteus.inputs import MAX_OFFSET, is_plain

T = TypeVar("T")
MAX_VALUE = 256
_OFFSET = re.compile(r"[0-9]{1,10}")

CursorQuery = Annotated[str | None, Query(max_length=512, description=(
    "`next_cursor` of the previous page; omit for the first page."))]
LimitQuery = Annotated[int, Query(ge=1, le=1000, description="items per page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode(after: dict[str, str]) -> str:
    raw = json.dumps(after, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _refused() -> InputError:
    return InputError("cursor: not a cursor this API returned")


def decode(cursor: str | None, keys: tuple[str, ...] = ("after",)) -> dict[str, str]:
    """The cursor's fields (empty strings for the first page); 422 for a malformed cursor."""
    if not cursor:
        return dict.fromkeys(keys, "")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise _refused() from None
    if not isinstance(value, dict) or set(value) != set(keys) or not all(
            is_plain(v, MAX_VALUE) for v in value.values()):
        raise _refused()
    return value


def decode_offset(cursor: str | None) -> int:
    """The offset an offset cursor holds (0 for the first page); 422 for anything else."""
    raw = decode(cursor, ("offset",))["offset"] or "0"
    if not _OFFSET.fullmatch(raw) or int(raw) > MAX_OFFSET:
        raise _refused()
    return int(raw)


def page(items: list[T], limit: int, last: dict[str, str] | None) -> Page[T]:
    """A page from up to `limit + 1` fetched items; `last` is the key of item `limit - 1`."""
    more = len(items) > limit
    return Page[T](items=items[:limit], next_cursor=encode(last) if more and last else None)
