"""What Proteus accepts from outside: one numeric and text policy for the API's models and the
definition files (audience definitions, segment rules, API key names).

    Days, Seconds, Version, HouseholdSize, Offset   integers: bounded; true, "5" or 5.0 refused
    Share, Ratio, Measure                           numbers: finite and bounded ("0.5" refused)
    Flag, QueryFlag                                 true or false, nothing else (in a query
                                                    string: the words `true` and `false`)
    Slug, Label, Text                               bounded text without control or invisible
                                                    characters (Text keeps tabs and newlines)

Definition and rule files go through `read_document`: at most `MAX_DOCUMENT_BYTES`, UTF-8 (a
BOM is allowed), JSON without NaN or Infinity, or YAML read with the YAML 1.2 core schema, so
`0600` is 600 (not octal 384), `no` and `10:00` stay text (not false and 600) and no other
type (dates, sets, Python objects) is ever built. A duplicate key is refused instead of
silently replacing the first. `validated` turns the document into its model. Every failure is
one line naming the source (and the field), an `InputError` (a `ConfigError` for the rules
the operator configures), never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
)
from yaml.constructor import ConstructorError

from proteus.errors import InputError, ProteusError

__all__ = [
    "INVISIBLE",
    "LABEL_PATTERN",
    "MAX_CONDITIONS",
    "MAX_DOCUMENT_BYTES",
    "MAX_ITEMS",
    "MAX_OFFSET",
    "MAX_VERSION",
    "Days",
    "Flag",
    "HouseholdSize",
    "Label",
    "Measure",
    "Offset",
    "QueryFlag",
    "Ratio",
    "Seconds",
    "Share",
    "Slug",
    "Text",
    "Version",
    "VersionText",
    "decode_text",
    "is_plain",
    "parse_document",
    "printable",
    "read_document",
    "read_json",
    "read_mapping",
    "validated",
]

MAX_DAYS = 3650                      # ten years of history
MAX_SECONDS = MAX_DAYS * 86_400      # viewing seconds within that window
MAX_VERSION = 999_999                # `name@vN` holds up to six digits
MAX_HOUSEHOLD = 1000
MAX_OFFSET = 1_000_000_000           # members skipped by a page
MAX_RATIO = 1e6                      # lifts
MAX_MEASURE = 1e9                    # any other compared value
MAX_ITEMS = 200                      # values in one list
MAX_CONDITIONS = 50                  # conditions in one group
MAX_LABEL = 100
MAX_TEXT = 500
MAX_DOCUMENT_BYTES = 1 << 20

Days = Annotated[int, Strict(), Field(ge=0, le=MAX_DAYS)]
Seconds = Annotated[int, Strict(), Field(ge=0, le=MAX_SECONDS)]
Version = Annotated[int, Strict(), Field(ge=1, le=MAX_VERSION)]
# A rule file's version as text: `version: 2` reads as "2", as `version: "2"` does.
VersionText = Annotated[str, BeforeValidator(
    lambda v: str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v),
    Field(min_length=1)]
HouseholdSize = Annotated[int, Strict(), Field(ge=1, le=MAX_HOUSEHOLD)]
Offset = Annotated[int, Strict(), Field(ge=0, le=MAX_OFFSET)]
Share = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
Ratio = Annotated[float, Strict(), Field(ge=0, le=MAX_RATIO, allow_inf_nan=False)]
Measure = Annotated[float, Strict(),
                    Field(ge=-MAX_MEASURE, le=MAX_MEASURE, allow_inf_nan=False)]
Flag = Annotated[bool, Strict()]


def _query_flag(value: object) -> object:
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError("true or false")
        return value == "true"
    return value


QueryFlag = Annotated[bool, BeforeValidator(_query_flag), Strict()]

# C0 and C1 controls, soft hyphen, bidirectional marks and overrides, zero-width and other
# invisible format characters, line and paragraph separators, the byte order mark.
_FORMAT = (r"\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
           r"\ufff9-\ufffb")
INVISIBLE = r"\x00-\x1f" + _FORMAT
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_INVISIBLE_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f" + _FORMAT + "]")
LABEL_PATTERN = rf"^[^\s{INVISIBLE}](?:[^{INVISIBLE}]*[^\s{INVISIBLE}])?$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


def _refuse_invisible(value: str, pattern: re.Pattern[str]) -> str:
    found = pattern.search(value)
    if found:
        raise ValueError(f"control or invisible character U+{ord(found.group()):04X} at "
                         f"position {found.start()} is not allowed")
    return value


def _label(value: str) -> str:
    if value != value.strip():
        raise ValueError("no spaces at the start or the end")
    return _refuse_invisible(value, _INVISIBLE)


def _text(value: str) -> str:
    return _refuse_invisible(value, _INVISIBLE_IN_TEXT)


Slug = Annotated[str, Strict(), Field(pattern=SLUG_PATTERN,
                                      description="lower-case letters, digits, dashes")]
Label = Annotated[str, Strict(), StringConstraints(min_length=1, max_length=MAX_LABEL),
                  AfterValidator(_label),
                  Field(json_schema_extra={"pattern": LABEL_PATTERN},
                        description="one line, no control or invisible characters")]
Text = Annotated[str, Strict(), StringConstraints(max_length=MAX_TEXT), AfterValidator(_text)]


def is_plain(value: object, max_length: int) -> bool:
    """True for text of at most `max_length` characters, without control or invisible
    characters, that UTF-8 can carry (no lone surrogates)."""
    if not isinstance(value, str) or len(value) > max_length or _INVISIBLE.search(value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(value: str) -> str:
    """`value` with every control or invisible character escaped (`\\x00`, `\\u202e`): safe
    to print on a terminal whatever was stored."""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


class _Loader(yaml.SafeLoader):
    """YAML 1.2 core schema: null, booleans, decimal/octal/hex integers, floats, strings,
    lists and mappings; nothing else is resolved or constructed. Duplicate keys are refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if (key.tag, key.value) in seen:
                    raise ConstructorError(None, None, f"duplicate key {key.value!r}",
                                           key.start_mark)
                seen.add((key.tag, key.value))
        return super().construct_mapping(node, deep=deep)


def _scalar(convert: Any, what: str) -> Any:
    def construct(loader: _Loader, node: yaml.ScalarNode) -> Any:
        text = str(loader.construct_scalar(node))
        try:
            return convert(text)
        except (ValueError, KeyError):
            raise ConstructorError(None, None, f"{text[:30]!r} is not {what}",
                                   node.start_mark) from None
    return construct


def _integer(text: str) -> int:
    if text[:2] in ("0o", "0x"):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text)


def _float(text: str) -> float:
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    return float(special.get(text.lower(), text))


_Loader.yaml_implicit_resolvers = {}
_Loader.yaml_constructors = {}
_CORE = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""],
     lambda loader, node: None),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF"),
     _scalar(lambda t: {"true": True, "false": False}[t.lower()], "true or false")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
     list("-+0123456789"), _scalar(_integer, "an integer")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789."),
     _scalar(_float, "a number")),
]
for _tag, _regexp, _first, _construct in _CORE:
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), _first)
    _Loader.add_constructor(_tag, _construct)


def _str(loader: _Loader, node: yaml.Node) -> Any:
    return loader.construct_yaml_str(node)


def _seq(loader: _Loader, node: yaml.Node) -> Any:
    return loader.construct_yaml_seq(node)


def _map(loader: _Loader, node: yaml.Node) -> Any:
    return loader.construct_yaml_map(node)


def _undefined(loader: _Loader, node: yaml.Node) -> Any:
    return loader.construct_undefined(node)


_Loader.add_constructor("tag:yaml.org,2002:str", _str)
_Loader.add_constructor("tag:yaml.org,2002:seq", _seq)
_Loader.add_constructor("tag:yaml.org,2002:map", _map)
_Loader.add_constructor(None, _undefined)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(text: str | bytes) -> Any:
    """Standard JSON only: no NaN or Infinity, no duplicate keys. Raises ValueError (which
    `json.JSONDecodeError` is) or RecursionError."""
    return json.loads(text, object_pairs_hook=_unique, parse_constant=_not_a_number)


def decode_text(data: bytes, origin: str) -> str:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{origin}: larger than {MAX_DOCUMENT_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{origin}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                         f"offset {exc.start})") from None


def parse_document(text: str, origin: str, as_json: bool = False) -> Any:
    """The value a JSON or YAML text holds; an `InputError` naming `origin` otherwise."""
    kind = "JSON" if as_json else "YAML"
    try:
        return read_json(text) if as_json else yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        where = f", line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        reason = exc.problem or str(exc).splitlines()[0]
        raise InputError(f"{origin}: not valid YAML ({reason}{where})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{origin}: not valid YAML ({str(exc).splitlines()[0]})") from None
    except RecursionError:
        raise InputError(f"{origin}: not valid {kind} (nested too deeply)") from None
    except ValueError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{origin}: not valid {kind} ({reason})") from None


def read_document(path: Path, error: type[ProteusError] = InputError) -> Any:
    """A .json file as JSON, anything else as YAML, within the policy above; a failure is
    `error`."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return parse_document(decode_text(data, str(path)), str(path),
                              as_json=path.suffix == ".json")
    except InputError as exc:
        if error is InputError:
            raise
        raise error(str(exc)) from None


def read_mapping(path: Path, holds: str, error: type[ProteusError] = InputError
                 ) -> dict[str, Any]:
    """A document that must be a mapping; `holds` names what it should hold."""
    data = read_document(path, error)
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping with {holds}")
    return data


def dotted(loc: tuple[int | str, ...]) -> str:
    """('kinds', 'login', 'max_devices') -> 'kinds.login.max_devices'."""
    return ".".join(str(part) for part in loc)


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, origin: str, error: type[ProteusError] = InputError,
              where: Callable[[tuple[int | str, ...]], str] = dotted) -> M:
    """`data` as `model`, or one line: the origin, the field of the first problem (the
    model's name when it is the whole document) and what is wrong with it."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = where(tuple(first["loc"])) or model.__name__.lower()
        raise error(f"{origin}: {field}: {first['msg']}") from None
