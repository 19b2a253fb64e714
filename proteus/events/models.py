"""Record models of the event contract."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

DeviceType = Literal["stb", "smart_tv", "phone", "tablet", "laptop"]
NetworkKind = Literal["home", "mobile", "public_wifi"]
ContentKind = Literal["live", "vod", "stream"]
Purpose = Literal["advertising", "personalisation", "analytics"]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _check_ipv4(value: str) -> str:
    try:
        socket.inet_pton(socket.AF_INET, value)
    except OSError as exc:
        raise ValueError(f"not an IPv4 address: {value!r}") from exc
    return value


Timestamp = Annotated[AwareDatetime, AfterValidator(_to_utc)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
IPv4 = Annotated[str, AfterValidator(_check_ipv4)]
Msisdn = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{1,15}$")]


class Record(BaseModel):
    """Base of all records: unknown fields are rejected, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkEvent(Record):
    """A device seen on the network with the identifiers it carried."""

    event_id: Id
    ts: Timestamp
    device_id: Id
    device_type: DeviceType
    network: NetworkKind
    ip: IPv4 | None = None
    cookie: Id | None = None
    app_id: Id | None = None
    login: Id | None = None
    msisdn: Msisdn | None = None
    user_agent: Text | None = None


class ViewingEvent(Record):
    """A device watched a content item for a number of seconds."""

    event_id: Id
    ts: Timestamp
    device_id: Id
    content_id: Id
    seconds: int = Field(ge=1, le=86400)


class ContentItem(Record):
    """A catalog entry tagged with IAB Content Taxonomy 3.1 ids."""

    content_id: Id
    title: Text
    kind: ContentKind
    iab_ids: list[Id] = Field(default_factory=list)
    genres: list[Id] = Field(default_factory=list)


class ConsentEvent(Record):
    """An account granted or withdrew consent for one purpose."""

    event_id: Id
    ts: Timestamp
    account: Id
    purpose: Purpose
    granted: bool


RECORD_TYPES: dict[str, type[Record]] = {
    "network": NetworkEvent,
    "viewing": ViewingEvent,
    "catalog": ContentItem,
    "consent": ConsentEvent,
}

LIST_FIELDS: dict[str, frozenset[str]] = {
    "network": frozenset(),
    "viewing": frozenset(),
    "catalog": frozenset({"iab_ids", "genres"}),
    "consent": frozenset(),
}


def field_names(kind: str) -> list[str]:
    """Field names of a record type, in declaration order."""
    return list(RECORD_TYPES[kind].model_fields)


def required_fields(kind: str) -> list[str]:
    """Fields that must be present in every record of a type."""
    fields = RECORD_TYPES[kind].model_fields
    return [name for name, info in fields.items() if info.is_required()]
