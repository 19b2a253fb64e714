"""Fold a chunk of validated records into the aggregate rows the ingest queries write.

Pure functions: no Neo4j, no files. Raw identifiers are pseudonymised here, so nothing
after this module ever sees one. Catalog and consent chunks are folded here; traffic chunks
are folded column-wise by `proteus.ingest.fold`, and `network_rows` / `viewing_rows` are the
plain reference it is tested against. The same records give the same rows in the same order (a
resumed chunk is cut into the same parts), and the queries of a chunk come in the order
they must run: devices and identifiers before the sightings that link them, consent before
the person summaries that read it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from proteus.events import ConsentEvent, ContentItem, NetworkEvent, Record, ViewingEvent

Rows = dict[str, list[dict[str, Any]]]
Pseudonymiser = Callable[[str, str], str]

IDENTIFIER_FIELDS = ("ip", "cookie", "app_id", "login", "msisdn")
CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
# Special-purpose ranges that are nobody's public address (IANA, RFC 6890), written out so
# that every engine classes addresses alike whatever its library version says.
PRIVATE = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/29", "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32"))


def ip_class(raw: str) -> str:
    """A coarse, non-identifying class of an IPv4 address: cgnat, private or public."""
    address = ipaddress.IPv4Address(raw)
    if address in CGNAT:
        return "cgnat"
    return "private" if any(address in network for network in PRIVATE) else "public"


def ip_class_sql(raw: str) -> str:
    """`ip_class` in SQL (DuckDB and Spark SQL alike), over a dotted-quad text column."""
    parts = [f"CAST(split_part({raw}, '.', {k}) AS BIGINT) * {256 ** (4 - k)}"
             for k in range(1, 5)]
    number = "(" + " + ".join(parts) + ")"

    def within(network: ipaddress.IPv4Network) -> str:
        low = int(network.network_address)
        return f"{number} BETWEEN {low} AND {low + network.num_addresses - 1}"

    private = " OR ".join(within(n) for n in PRIVATE)
    return f"CASE WHEN {within(CGNAT)} THEN 'cgnat' WHEN {private} THEN 'private' ELSE 'public' END"


def _when(ts: datetime) -> tuple[int, str]:
    """Epoch seconds (cheap to send; the queries turn them into datetimes) and the UTC day."""
    return int(ts.timestamp()), ts.date().isoformat()


def _widen(span: list[Any], ts: int) -> None:
    if ts < span[0]:
        span[0] = ts
    if ts > span[1]:
        span[1] = ts


def _day_lists(per_day: dict[str, int]) -> tuple[list[str], list[int]]:
    if len(per_day) == 1:
        return list(per_day), list(per_day.values())
    days = sorted(per_day)
    return days, [per_day[d] for d in days]


def _device_rows(devices: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """{id, first, last, type, viewed}: `viewed` is the latest viewing day (viewing only)."""
    return [{"id": k, "first": v[0], "last": v[1], "type": v[2], "viewed": v[3]}
            for k, v in devices.items()]


def network_rows(records: Iterable[NetworkEvent], pseudonym: Pseudonymiser) -> Rows:
    devices: dict[str, list[Any]] = {}
    identifiers: dict[tuple[str, str], list[Any]] = {}
    links: dict[tuple[str, str, str], list[Any]] = {}
    for event in records:
        ts, day = _when(event.ts)
        device_id = event.device_id
        device = devices.get(device_id)
        if device is None:
            devices[device_id] = [ts, ts, event.device_type, None]
        else:
            _widen(device, ts)
        for kind in IDENTIFIER_FIELDS:
            raw = getattr(event, kind)
            if raw is None:
                continue
            value = pseudonym(kind, raw)
            identifier = identifiers.get((kind, value))
            if identifier is None:
                network = event.network if kind == "ip" else None
                identifiers[(kind, value)] = [ts, ts, network,
                                              ip_class(raw) if kind == "ip" else None]
            else:
                _widen(identifier, ts)
            link = links.get((device_id, kind, value))
            if link is None:
                links[(device_id, kind, value)] = [ts, ts, 1, {day: 1}]
            else:
                _widen(link, ts)
                link[2] += 1
                per_day = link[3]
                per_day[day] = per_day.get(day, 0) + 1
    sightings = []
    found: dict[str, set[str]] = {}
    for (device_id, kind, value), (first, last, count, per_day) in links.items():
        if kind == "login":
            found.setdefault(device_id, set()).add(value)
        days, counts = _day_lists(per_day)
        sightings.append({"device": device_id, "kind": kind, "value": value, "first": first,
                          "last": last, "count": count, "days": days, "day_counts": counts})
    logins = {device_id: sorted(values) for device_id, values in found.items()}
    return {
        "ingest/merge_devices": _device_rows(devices),
        "ingest/merge_identifiers": [
            {"kind": kind, "value": value, "first": v[0], "last": v[1], "network": v[2],
             "ip_class": v[3]} for (kind, value), v in identifiers.items()],
        "ingest/merge_sightings": sightings,
        "identity/person_summary": [
            {"device": device_id, "type": v[2], "logins": logins.get(device_id)}
            for device_id, v in devices.items()],
    }


def viewing_rows(records: Iterable[ViewingEvent]) -> Rows:
    devices: dict[str, list[Any]] = {}
    pairs: dict[tuple[str, str], list[Any]] = {}
    for event in records:
        ts, day = _when(event.ts)
        device = devices.get(event.device_id)
        if device is None:
            devices[event.device_id] = [ts, ts, None, day]
        else:
            _widen(device, ts)
            if day > device[3]:
                device[3] = day
        pair = pairs.get((event.device_id, event.content_id))
        if pair is None:
            pairs[(event.device_id, event.content_id)] = [ts, ts, 1, event.seconds,
                                                          {day: event.seconds}]
        else:
            _widen(pair, ts)
            pair[2] += 1
            pair[3] += event.seconds
            pair[4][day] = pair[4].get(day, 0) + event.seconds
    rows = []
    for (device_id, content_id), (first, last, count, seconds, per_day) in pairs.items():
        days, day_seconds = _day_lists(per_day)
        rows.append({"device": device_id, "content": content_id, "first": first, "last": last,
                     "count": count, "seconds": seconds, "days": days,
                     "day_seconds": day_seconds})
    return {"ingest/merge_devices": _device_rows(devices),
            "ingest/merge_contents": [{"id": c} for c in dict.fromkeys(c for _, c in pairs)],
            "ingest/merge_views": rows,
            "identity/person_summary": [{"device": device_id, "viewed": v[3]}
                                        for device_id, v in devices.items()]}


def catalog_rows(records: Iterable[ContentItem]) -> Rows:
    latest = {item.content_id: item for item in records}
    return {"ingest/merge_catalog": [
        {"id": i.content_id, "title": i.title, "kind": i.kind, "genres": list(i.genres),
         "iab_ids": list(i.iab_ids)} for i in latest.values()]}


def consent_rows(records: Iterable[ConsentEvent], pseudonym: Pseudonymiser) -> Rows:
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for event in records:
        key = (event.account, event.purpose)
        if key not in latest or event.ts > latest[key].ts:
            latest[key] = event
    accounts = {e.account: pseudonym("login", e.account) for e in latest.values()}
    logins = [{"login": a} for a in sorted(set(accounts.values()))]
    return {"ingest/merge_consent": [
                {"account": accounts[e.account], "purpose": e.purpose, "granted": e.granted,
                 "at": _when(e.ts)[0]} for e in latest.values()],
            "identity/person_summary": logins}


def rows_for(kind: str, records: list[Record], pseudonym: Pseudonymiser) -> Rows:
    """The query-name -> rows mapping for one chunk of one record type."""
    if kind == "network":
        return network_rows(records, pseudonym)  # type: ignore[arg-type]
    if kind == "viewing":
        return viewing_rows(records)  # type: ignore[arg-type]
    if kind == "catalog":
        return catalog_rows(records)  # type: ignore[arg-type]
    return consent_rows(records, pseudonym)  # type: ignore[arg-type]
