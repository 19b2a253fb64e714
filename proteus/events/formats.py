"""File naming rules: record type from the name prefix, format from the extension."""

from __future__ import annotations

import re
from pathlib import Path

from proteus.events.models import RECORD_TYPES

FORMATS: dict[str, tuple[str, bool]] = {
    ".jsonl.gz": ("jsonl", True),
    ".jsonl": ("jsonl", False),
    ".csv.gz": ("csv", True),
    ".csv": ("csv", False),
    ".parquet": ("parquet", False),
}

_PREFIX = re.compile(r"^(?P<kind>[a-z]+)(?:[-_.].*)?$")


class ContractError(ValueError):
    """A whole file violates the contract; the message is a single line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def file_format(path: Path) -> tuple[str, bool]:
    """Return (format, gzipped) for a data file name, or raise ContractError."""
    name = Path(path).name
    for suffix, fmt in FORMATS.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return fmt
    allowed = ", ".join(FORMATS)
    raise ContractError(f"{name}: unsupported extension (expected one of {allowed})")


def split_name(path: Path) -> tuple[str, str]:
    """Return (stem, extension) where the extension is one of FORMATS."""
    name = Path(path).name
    file_format(path)
    for suffix in FORMATS:
        if name.endswith(suffix):
            return name[: -len(suffix)], suffix
    raise ContractError(f"{name}: unsupported extension")


def record_type_for(path: Path) -> str:
    """Record type named by the file prefix (`network-day01.jsonl.gz` -> `network`)."""
    stem, _ = split_name(path)
    match = _PREFIX.match(stem)
    kind = match.group("kind") if match else ""
    if kind not in RECORD_TYPES:
        known = ", ".join(RECORD_TYPES)
        raise ContractError(
            f"{Path(path).name}: unknown record type prefix {kind or stem!r} (expected {known})"
        )
    return kind
