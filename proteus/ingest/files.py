"""Which files to ingest, in which order, and what each one is (size, sha256, gzip check)."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proteus.errors import InputError
from proteus.events import ContractError, file_format, read_rows, record_type_for
from proteus.events.formats import FORMATS

# Catalog first so viewing finds titled content; consent before traffic so that governance
# never sees a window where traffic exists without the consent that arrived with it.
ORDER = {"catalog": 0, "consent": 1, "network": 2, "viewing": 3}


@dataclass(frozen=True)
class DataFile:
    path: Path
    kind: str
    size: int
    sha256: str


def _in_folder(folder: Path) -> list[Path]:
    """Data files of a folder: supported extensions only, the truth/ folder and rejects left out."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
                  and "truth" not in p.relative_to(folder).parts
                  and not p.name.endswith(".rejects.jsonl")
                  and any(p.name.endswith(suffix) for suffix in FORMATS))


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders; return (data files in ingest order, one-line errors for the rest).

    A file named on the command line must be a data file; in a folder, files without a
    supported extension (manifests, notes) are not data and are passed over.
    """
    found: list[tuple[int, str, Path]] = []
    errors: list[str] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        for candidate in _in_folder(path) if path.is_dir() else [path]:
            try:
                kind = record_type_for(candidate)
            except ContractError as exc:
                errors.append(str(exc))
                continue
            found.append((ORDER[kind], candidate.name, candidate))
    return [p for _, _, p in sorted(found)], errors


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


def check_start(path: Path) -> None:
    """Raise ContractError (one line) unless the file starts as its format requires: not
    empty, a CSV header or Parquet schema with the required columns. Checked before a group
    is written, so that such a file cannot stop the files folded with it."""
    for _ in read_rows(path):
        break
