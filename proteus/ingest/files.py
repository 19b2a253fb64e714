"""Which files to ingest, in which order, and what each one is (size, sha256, gzip check).

A file is a local path or, on the Spark engine, a URL (`Url`: s3a://, abfss://, gs://,
hdfs://, file://) that Spark's Hadoop filesystems list and read (`proteus.ingest.lake`)."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from proteus.errors import InputError
from proteus.events import ContractError, file_format, read_rows, record_type_for
from proteus.events.formats import FORMATS

# Catalog first so viewing finds titled content; consent before traffic so that governance
# never sees a window where traffic exists without the consent that arrived with it.
ORDER = {"catalog": 0, "consent": 1, "network": 2, "viewing": 3}


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(text: str) -> bool:
    """Whether an input names a file by URL (`s3a://bucket/day/`) rather than a local path."""
    return bool(_SCHEME.match(text))


@dataclass(frozen=True)
class Url:
    """A file or folder named by URL; its name is the URL's last segment."""

    url: str

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True)
class DataFile:
    path: Path | Url
    kind: str
    size: int
    sha256: str
    # a URL's start check (`check_start`), made where its bytes were read
    start_error: str | None = None


def is_data(parts: tuple[str, ...] | list[str]) -> bool:
    """Whether a file in a folder, at `parts` below it, is data: a supported extension, not
    hidden, not under truth/, not a rejects file."""
    name = parts[-1]
    return (not name.startswith(".") and "truth" not in parts
            and not name.endswith(".rejects.jsonl")
            and any(name.endswith(suffix) for suffix in FORMATS))


def _in_folder(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and is_data(p.relative_to(folder).parts))


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders; return (data files in ingest order, one-line errors for the rest).

    A file named on the command line must be a data file; in a folder, files without a
    supported extension (manifests, notes) are not data and are passed over.
    """
    candidates: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        candidates += _in_folder(path) if path.is_dir() else [path]
    return in_order(candidates)


F = TypeVar("F", bound=Path | Url)


def in_order(files: Sequence[F]) -> tuple[list[F], list[str]]:
    """The data files in ingest order (record type, then name), one-line errors for files
    whose name is no record type's."""
    found: list[tuple[int, str, str, F]] = []
    errors: list[str] = []
    for candidate in files:
        try:
            kind = record_type_for(Path(candidate.name))
        except ContractError as exc:
            errors.append(str(exc))
            continue
        found.append((ORDER[kind], candidate.name, str(candidate), candidate))
    return [p for *_, p in sorted(found, key=lambda f: f[:3])], errors


class _Hashing(io.RawIOBase):
    """A read-only stream that hashes every byte it hands out."""

    def __init__(self, stream: io.BufferedReader) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.stream.readinto(buffer)
        self.digest.update(memoryview(buffer)[:count])
        return count


def describe(path: Path) -> DataFile:
    """Hash the file and, for gzip, prove the stream is complete before anything is written."""
    kind = record_type_for(path)
    _, gz = file_format(path)
    with path.open("rb") as raw:
        hashing = _Hashing(raw)
        try:
            if gz:
                with gzip.GzipFile(fileobj=hashing, mode="rb") as inflated:
                    while inflated.read(1 << 20):
                        pass
            while hashing.read(1 << 20):
                pass
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ContractError(f"{path.name}: truncated or corrupt gzip ({exc}); "
                                "not ingested") from None
    return DataFile(path=path, kind=kind, size=path.stat().st_size,
                    sha256=hashing.digest.hexdigest())


def check_start(data: DataFile) -> None:
    """Raise ContractError (one line) unless the file starts as its format requires: not
    empty, a CSV header or Parquet schema with the required columns. Checked before a group
    is written, so that such a file cannot stop the files folded with it. A URL's file was
    checked where it was described."""
    if data.start_error:
        raise ContractError(data.start_error)
    if isinstance(data.path, Path):
        for _ in read_rows(data.path):
            break
