"""The event contract: record models, file naming, streaming readers and writers."""

from proteus.events.formats import ContractError, file_format, record_type_for
from proteus.events.models import (
    RECORD_TYPES,
    ConsentEvent,
    ContentItem,
    NetworkEvent,
    Record,
    ViewingEvent,
    field_names,
    required_fields,
)
from proteus.events.read import RawRow, read_rows
from proteus.events.validate import Rejection, validate
from proteus.events.write import arrow_schema, write_rows

__all__ = [
    "RECORD_TYPES",
    "ConsentEvent",
    "ContentItem",
    "ContractError",
    "NetworkEvent",
    "RawRow",
    "Record",
    "Rejection",
    "ViewingEvent",
    "arrow_schema",
    "field_names",
    "file_format",
    "read_rows",
    "record_type_for",
    "required_fields",
    "validate",
    "write_rows",
]
