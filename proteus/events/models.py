"""Record models of the event contract; each field's rule is a `proteus.events.checks` Check."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from proteus.events.checks import IPV4, MSISDN, Boolean, Check, Instant, Integer, OneOf, Text

DeviceType = Literal["stb", "smart_tv", "phone", "tablet", "laptop"]
NetworkKind = Literal["home", "mobile", "public_wifi"]
ContentKind = Literal["live", "vod", "stream"]
Purpose = Literal["advertising", "personalisation", "analytics"]

MAX_ID = 256
MAX_TEXT = 1024

Timestamp = Annotated[datetime, BeforeValidator(Instant())]
Id = Annotated[str, BeforeValidator(Text(MAX_ID))]
Text1024 = Annotated[str, BeforeValidator(Text(MAX_TEXT))]
IPv4 = Annotated[str, BeforeValidator(IPV4)]
Msisdn = Annotated[str, BeforeValidator(MSISDN)]
Seconds = Annotated[int, BeforeValidator(Integer(1, 86400))]
Flag = Annotated[bool, BeforeValidator(Boolean())]


def _one_of(kind: object) -> BeforeValidator:
    return BeforeValidator(OneOf(tuple(get_args(kind))))


class Record(BaseModel):
    """Base of all records: unknown fields are rejected, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkEvent(Record):
    """A device seen on the network with the identifiers it carried."""

    event_id: Id
    ts: Timestamp
    device_id: Id
    device_type: Annotated[DeviceType, _one_of(DeviceType)]
    network: Annotated[NetworkKind, _one_of(NetworkKind)]
    ip: IPv4 | None = None
    cookie: Id | None = None
    app_id: Id | None = None
    login: Id | None = None
    msisdn: Msisdn | None = None
    user_agent: Text1024 | None = None


class ViewingEvent(Record):
    """A device watched a content item for a number of seconds."""

    event_id: Id
    ts: Timestamp
    device_id: Id
    content_id: Id
    seconds: Seconds


class ContentItem(Record):
    """A catalog entry tagged with IAB Content Taxonomy 3.1 ids."""

    content_id: Id
    title: Text1024
    kind: Annotated[ContentKind, _one_of(ContentKind)]
    iab_ids: list[Id] = Field(default_factory=list)
    genres: list[Id] = Field(default_factory=list)


class ConsentEvent(Record):
    """An account granted or withdrew consent for one purpose."""

    event_id: Id
    ts: Timestamp
    account: Id
    purpose: Annotated[Purpose, _one_of(Purpose)]
    granted: Flag


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


def checks(kind: str) -> dict[str, tuple[Check, bool]]:
    """Each field's Check and whether it is required, in declaration order (scalar fields;
    list fields of the catalog are left to the models)."""
    out: dict[str, tuple[Check, bool]] = {}
    for name, info in RECORD_TYPES[kind].model_fields.items():
        found = _check_of([*info.metadata, info.annotation])
        if found is not None:
            out[name] = (found, info.is_required())
    return out


def _check_of(parts: list[Any]) -> Check | None:
    for part in parts:
        if isinstance(part, BeforeValidator) and isinstance(part.func, Check):
            return part.func
        if get_origin(part) is list:
            return None
        found = _check_of([*getattr(part, "__metadata__", ()), *get_args(part)])
        if found is not None:
            return found
    return None
