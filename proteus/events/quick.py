"""A quick check for the common shape of traffic rows, ahead of the full validation.

`validate` builds a pydantic record per row, which costs more than the rest of ingest's
Python work together. Traffic rows almost always arrive in one plain shape (strings of the
right length, an RFC 3339 timestamp, an integer), and for that shape these functions return
the values ingest folds directly. They only ever accept a subset of what `validate` accepts,
with the same values; anything else returns None and goes through `validate`, which decides
and names the field. A unit test holds the two to that on generated and hand-made rows.

Values are plain tuples (see `NETWORK` and `VIEWING`); `ts` becomes epoch seconds and the UTC
day as a proleptic ordinal, which is what the folding needs.
"""

from __future__ import annotations

import re
import socket
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from proteus.events.models import NetworkEvent, Record, ViewingEvent

NETWORK = ("event_id", "ts", "day", "device_id", "device_type", "network", "ip", "cookie",
           "app_id", "login", "msisdn")
VIEWING = ("event_id", "ts", "day", "device_id", "content_id", "seconds")

_NETWORK_KEYS = frozenset(NetworkEvent.model_fields)
_VIEWING_KEYS = frozenset(ViewingEvent.model_fields)
_DEVICE_TYPES = frozenset({"stb", "smart_tv", "phone", "tablet", "laptop"})
_NETWORKS = frozenset({"home", "mobile", "public_wifi"})
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")
_MSISDN = re.compile(r"\+?[0-9]{1,15}")
_CACHE_LIMIT = 1 << 20  # timestamps and IPs repeat across rows: each is parsed once


def _instant(moment: datetime) -> tuple[int, int]:
    utc = moment.astimezone(UTC)
    return int(utc.timestamp()), utc.date().toordinal()


@lru_cache(maxsize=_CACHE_LIMIT)
def _rfc3339(ts: str) -> tuple[int, int] | None:
    if not _RFC3339.fullmatch(ts):
        return None
    try:
        return _instant(datetime.fromisoformat(ts))
    except ValueError:
        return None


def _when(ts: Any) -> tuple[int, int] | None:
    """(epoch seconds, UTC day ordinal) for a canonical RFC 3339 string or an aware datetime."""
    if type(ts) is str:
        return _rfc3339(ts)
    if isinstance(ts, datetime) and ts.tzinfo is not None and ts.utcoffset() is not None:
        return _instant(ts)
    return None


def _id(value: Any, longest: int = 256) -> bool:
    return type(value) is str and 0 < len(value) <= longest


def _optional(value: Any, longest: int = 256) -> bool:
    return value is None or value == "" or _id(value, longest)


@lru_cache(maxsize=_CACHE_LIMIT)
def _ipv4(value: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET, value)
    except OSError:
        return False
    return True


def network_values(raw: Any) -> tuple[Any, ...] | None:
    if type(raw) is not dict or not raw.keys() <= _NETWORK_KEYS:
        return None
    get = raw.get
    event_id, device_id, device_type, network = (get("event_id"), get("device_id"),
                                                 get("device_type"), get("network"))
    if not (_id(event_id) and _id(device_id) and type(device_type) is str
            and device_type in _DEVICE_TYPES and type(network) is str and network in _NETWORKS):
        return None
    when = _when(get("ts"))
    if when is None:
        return None
    ip, cookie, app_id, login, msisdn = (get("ip"), get("cookie"), get("app_id"),
                                         get("login"), get("msisdn"))
    if not (_optional(cookie) and _optional(app_id) and _optional(login)
            and _optional(get("user_agent"), 1024)):
        return None
    if ip is not None and ip != "" and not (type(ip) is str and _ipv4(ip)):
        return None
    if msisdn is not None and msisdn != "" and not (type(msisdn) is str
                                                    and _MSISDN.fullmatch(msisdn)):
        return None
    return (event_id, when[0], when[1], device_id, device_type, network, ip or None,
            cookie or None, app_id or None, login or None, msisdn or None)


def viewing_values(raw: Any) -> tuple[Any, ...] | None:
    if type(raw) is not dict or not raw.keys() <= _VIEWING_KEYS:
        return None
    get = raw.get
    event_id, device_id, content_id, seconds = (get("event_id"), get("device_id"),
                                                get("content_id"), get("seconds"))
    if not (_id(event_id) and _id(device_id) and _id(content_id)
            and type(seconds) is int and 1 <= seconds <= 86400):
        return None
    when = _when(get("ts"))
    if when is None:
        return None
    return event_id, when[0], when[1], device_id, content_id, seconds


QUICK = {"network": network_values, "viewing": viewing_values}


def values_of(record: Record) -> tuple[Any, ...]:
    """The tuple the quick check would have given, for a record `validate` built."""
    when = _instant(record.ts)  # type: ignore[attr-defined]
    if isinstance(record, NetworkEvent):
        return (record.event_id, *when, record.device_id, record.device_type, record.network,
                record.ip, record.cookie, record.app_id, record.login, record.msisdn)
    if isinstance(record, ViewingEvent):
        return (record.event_id, *when, record.device_id, record.content_id, record.seconds)
    raise TypeError(f"no quick values for {type(record).__name__}")


def day_iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()
