"""The value rules of the event contract, each written once for two engines.

Every field of a record model (`proteus.events.models`) carries one `Check`. As a pydantic
before-validator it decides a Python value (what JSON, CSV or Parquet reading gives); as
SQL it decides the same value in the columnar ingest, where a row arrives as one column
pair per field: `<field>_t`, the value's type (`string`, `integer`, `number`, `boolean`,
`array`, `object`, `timestamp`; NULL when absent) and `<field>`, its text. Both say the same
reason in the same words, so the two engines reject the same rows naming the same field for
the same reason (a unit test holds them together, row by row and by property-based tests).

The policy: strings are strings (never numbers), hold no control characters and have a
bounded length; integers are JSON integers or digit strings (CSV), never booleans or floats;
booleans are JSON booleans or `true`/`false` in any case (CSV); timestamps are RFC 3339 with
an explicit offset, fractions of up to nine digits (cut to microseconds), within the
plausibility bounds of the run (`Bounds`).
"""

from __future__ import annotations

import re
from calendar import timegm
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError

from proteus.events.dialect import DUCKDB, Dialect

REQUIRED = "Field required"
NOT_STRING = "not a string"
CONTROL = "holds a control character"
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_SQL = "[\\x00-\\x1f\\x7f]"
TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})")
TIMESTAMP_SQL = ("([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
                 "(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})")
NOT_TIMESTAMP = "not an RFC 3339 timestamp with an offset (e.g. 2025-03-03T08:00:00Z)"
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE = timedelta(days=1)


@dataclass(frozen=True)
class Bounds:
    """Plausible event times: not before `earliest`, not after `latest` (whole seconds)."""

    earliest: datetime = EARLIEST
    latest: datetime | None = None  # None: the wall clock plus one day, when validating

    @classmethod
    def around_now(cls, earliest: datetime = EARLIEST, future: timedelta = FUTURE) -> Bounds:
        return cls(earliest=earliest, latest=datetime.now(UTC) + future)

    def seconds(self) -> tuple[int, int]:
        latest = self.latest or datetime.now(UTC) + FUTURE
        return int(self.earliest.timestamp()), int(latest.timestamp())

    def reasons(self) -> tuple[str, str]:
        latest = self.latest or datetime.now(UTC) + FUTURE
        return (f"out of range: before {self.earliest.isoformat()}",
                f"out of range: after {latest.replace(microsecond=0).isoformat()}")


def _fail(reason: str) -> PydanticCustomError:
    return PydanticCustomError("contract", reason)


def _sql_text(reason: str) -> str:
    return "'" + reason.replace("'", "''") + "'"


class Check:
    """A field rule: `__call__` is the pydantic validator, `sql` the same rule in SQL."""

    def __call__(self, value: Any, info: ValidationInfo) -> Any:
        raise NotImplementedError

    def sql(self, field: str, dialect: Dialect = DUCKDB) -> str:
        """An SQL expression that is NULL when the present value passes, else the reason."""
        raise NotImplementedError

    def sql_value(self, field: str, dialect: Dialect = DUCKDB) -> str:
        """The accepted value, typed, as the fold reads it."""
        return field


@dataclass(frozen=True)
class Text(Check):
    longest: int

    def __call__(self, value: Any, info: ValidationInfo) -> str:
        if type(value) is not str:
            raise _fail(NOT_STRING)
        if len(value) > self.longest:
            raise _fail(f"longer than {self.longest} characters")
        if CONTROL_RE.search(value):
            raise _fail(CONTROL)
        return value

    def sql(self, field: str, dialect: Dialect = DUCKDB) -> str:
        return (f"CASE WHEN {field}_t <> 'string' THEN {_sql_text(NOT_STRING)} "
                f"WHEN length({field}) > {self.longest} "
                f"THEN {_sql_text(f'longer than {self.longest} characters')} "
                f"WHEN {dialect.contains(field, CONTROL_SQL)} THEN {_sql_text(CONTROL)} END")


@dataclass(frozen=True)
class OneOf(Check):
    values: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "not one of " + ", ".join(self.values)

    def __call__(self, value: Any, info: ValidationInfo) -> str:
        if type(value) is not str or value not in self.values:
            raise _fail(self.reason)
        return value

    def sql(self, field: str, dialect: Dialect = DUCKDB) -> str:
        listed = ", ".join(_sql_text(v) for v in self.values)
        return (f"CASE WHEN {field}_t <> 'string' OR {field} NOT IN ({listed}) "
                f"THEN {_sql_text(self.reason)} END")


@dataclass(frozen=True)
class Pattern(Check):
    """A string matching `python` (fully); `sql` is the same pattern for SQL engines."""

    python: str
    sql_pattern: str
    reason: str

    def __call__(self, value: Any, info: ValidationInfo) -> str:
        if type(value) is not str:
            raise _fail(NOT_STRING)
        if not re.fullmatch(self.python, value):
            raise _fail(self.reason)
        return value

    def sql(self, field: str, dialect: Dialect = DUCKDB) -> str:
        return (f"CASE WHEN {field}_t <> 'string' THEN {_sql_text(NOT_STRING)} "
                f"WHEN NOT {dialect.full_match(field, self.sql_pattern)} "
                f"THEN {_sql_text(self.reason)} END")


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = Pattern(python=rf"{_OCTET}(\.{_OCTET}){{3}}", sql_pattern=f"{_OCTET}(\\.{_OCTET}){{3}}",
               reason="not an IPv4 address")
MSISDN = Pattern(python=r"\+?[0-9]{1,15}", sql_pattern="\\+?[0-9]{1,15}",
                 reason="not an MSISDN (up to 15 digits, optional leading +)")


@dataclass(frozen=True)
class Integer(Check):
    low: int
    high: int
    NOT_INTEGER: ClassVar[str] = "not an integer"

    @property
    def range_reason(self) -> str:
        return f"out of range: not between {self.low} and {self.high}"

    def __call__(self, value: Any, info: ValidationInfo) -> int:
        if type(value) is str and re.fullmatch(r"[0-9]+", value):
            number = int(value) if len(value) <= 20 else self.high + 1
        elif type(value) is int:
            number = value
        else:
            raise _fail(self.NOT_INTEGER)
        if not self.low <= number <= self.high:
            raise _fail(self.range_reason)
        return number

    def sql(self, field: str, dialect: Dialect = DUCKDB) -> str:
        return (f"CASE WHEN NOT ({field}_t = 'integer' OR ({field}_t = 'string' AND "
                f"{dialect.full_match(field, '[0-9]+')})) THEN {_sql_text(self.NOT_INTEGER)} "
                f"WHEN length({field}) > 20 OR TRY_CAST({field} AS DECIMAL(38, 0)) NOT BETWEEN "
                f"{self.low} AND {self.high} THEN {_sql_text(self.range_reason)} END")

    def sql_value(self, field: str, dialect: Dialect = DUCKDB) -> str:
        return f"TRY_CAST({field} AS BIGINT)"


@dataclass(frozen=True)
class Boolean(Check):
    REASON: ClassVar[str] = "not a boolean (true or false)"

    def __call__(self, value: Any, info: ValidationInfo) -> bool:
        if type(value) is bool:
            return value
        if type(value) is str and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _fail(self.REASON)

    def sql(self, field: str, dialect: Dialect = DUCKDB) -> str:
        return (f"CASE WHEN NOT ({field}_t = 'boolean' OR ({field}_t = 'string' AND "
                f"lower({field}) IN ('true', 'false'))) THEN {_sql_text(self.REASON)} END")

    def sql_value(self, field: str, dialect: Dialect = DUCKDB) -> str:
        return f"lower({field}) = 'true'"


def _epoch(match: re.Match[str]) -> int | None:
    """UTC epoch seconds of a matched RFC 3339 text, None when it names no real instant."""
    year, month, day, hour, minute, second = (int(match.group(k)) for k in range(1, 7))
    zone = match.group(8)
    if year < 1 or hour > 23 or minute > 59 or second > 59:
        return None
    try:
        local = datetime(year, month, day)
    except ValueError:
        return None
    offset = 0
    if zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = (hours * 60 + minutes) * 60 * (1 if zone[0] == "+" else -1)
    return timegm(local.timetuple()) + hour * 3600 + minute * 60 + second - offset


def _instant(value: Any) -> tuple[int, int] | None:
    """(UTC epoch seconds, microseconds) of an RFC 3339 text or an aware datetime."""
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is None:
            return None
        naive = value.replace(tzinfo=None)
        return timegm(naive.timetuple()) - int(offset.total_seconds()), value.microsecond
    if type(value) is not str:
        return None
    match = TIMESTAMP_RE.fullmatch(value)
    epoch = _epoch(match) if match else None
    if match is None or epoch is None:
        return None
    return epoch, int((match.group(7) or "0")[:6].ljust(6, "0"))


@dataclass(frozen=True)
class Instant(Check):
    """An instant: an RFC 3339 string with an offset (or, from Parquet, a timestamp with a
    time zone), within the plausibility bounds of the run (`Bounds`, from the validation
    context under "bounds"; by default 2000-01-01 to one day after the wall clock)."""

    def __call__(self, value: Any, info: ValidationInfo) -> datetime:
        bounds = (info.context or {}).get("bounds") or Bounds()
        instant = _instant(value)
        if instant is None:
            raise _fail(NOT_TIMESTAMP)
        epoch, micros = instant
        low, high = bounds.seconds()
        too_early, too_late = bounds.reasons()
        if epoch < low:
            raise _fail(too_early)
        if epoch > high:
            raise _fail(too_late)
        return datetime.fromtimestamp(epoch, UTC).replace(microsecond=micros)

    def sql(self, field: str, dialect: Dialect = DUCKDB) -> str:
        p = dialect.param
        return (f"CASE WHEN {field}_t <> 'string' OR {field}_epoch IS NULL "
                f"THEN {_sql_text(NOT_TIMESTAMP)} "
                f"WHEN {field}_epoch < {p('earliest')} THEN {p('too_early')} "
                f"WHEN {field}_epoch > {p('latest')} THEN {p('too_late')} END")

    @staticmethod
    def sql_epoch(field: str, dialect: Dialect = DUCKDB) -> str:
        """UTC epoch seconds of `field`, NULL unless it is a real RFC 3339 instant: the
        pattern, then the fields a timestamp cast would roll over (hour 24, offsets of 24 h
        or more, year 0) checked apart, then the cast without the fraction (which epoch
        seconds do not need and which is cut, never rounded)."""
        return f"""CASE
    WHEN {field}_t <> 'string' OR NOT {dialect.full_match(field, TIMESTAMP_SQL)} THEN NULL
    WHEN substr({field}, 12, 2) > '23' OR substr({field}, 15, 2) > '59'
         OR substr({field}, 18, 2) > '59' OR substr({field}, 1, 4) = '0000'
         OR (right({field}, 1) <> 'Z' AND (substr({field}, -5, 2) > '23'
                                        OR substr({field}, -2, 2) > '59')) THEN NULL
    ELSE {dialect.epoch_seconds(f"substr({field}, 1, 19) || CASE WHEN right({field}, 1) = 'Z' "
                                f"THEN '+00:00' ELSE substr({field}, -6) END")}
  END"""

    def sql_value(self, field: str, dialect: Dialect = DUCKDB) -> str:
        return f"{field}_epoch"
