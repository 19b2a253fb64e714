"""The query catalog: every Cypher statement Proteus runs lives in `cypher/**/*.cypher`.

Each file starts with a header of `//` lines:

    // name: ingest/upsert_devices
    // params: rows, batch_id
    // returns: devices
    // One or more lines saying what the query does.

`name` must equal the file's path under `cypher/` without the extension; `params` lists
every `$parameter` the body uses (`none` when it uses none) and nothing else. A file whose
body and header disagree is refused with a message naming the file. A file may hold several
statements separated by `;` (schema files do); they run in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import LiteralString, cast

from proteus.errors import QueryCatalogError
from proteus.shipped import shipped

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_HEADER = re.compile(r"^//\s*(name|params|returns)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Query:
    name: str
    params: frozenset[str]
    returns: str
    description: str
    statements: tuple[LiteralString, ...]

    @property
    def text(self) -> LiteralString:
        if len(self.statements) != 1:
            raise QueryCatalogError(f"query {self.name} holds {len(self.statements)} statements")
        return self.statements[0]


def cypher_root() -> Path:
    return shipped("cypher")


def parse(name: str, source: str, origin: str) -> Query:
    header: dict[str, str] = {}
    description: list[str] = []
    body: list[str] = []
    in_header = True
    for line in source.splitlines():
        stripped = line.strip()
        if in_header and stripped.startswith("//"):
            match = _HEADER.match(stripped)
            if match:
                header[match.group(1)] = match.group(2).strip()
            else:
                description.append(stripped.lstrip("/").strip())
            continue
        in_header = False
        if not stripped.startswith("//"):
            body.append(line)
    for key in ("name", "params", "returns"):
        if key not in header:
            raise QueryCatalogError(f"{origin}: header lacks '// {key}:'")
    if header["name"] != name:
        raise QueryCatalogError(f"{origin}: header names '{header['name']}', expected '{name}'")
    declared = frozenset(
        p.strip().lstrip("$") for p in header["params"].split(",") if p.strip() not in ("", "none")
    )
    text = "\n".join(body)
    used = frozenset(_PARAM.findall(_STRING.sub("''", text)))
    if used - declared:
        raise QueryCatalogError(
            f"{origin}: undeclared parameter(s) {', '.join(sorted(used - declared))}"
        )
    if declared - used:
        raise QueryCatalogError(
            f"{origin}: declared but unused parameter(s) {', '.join(sorted(declared - used))}"
        )
    statements = tuple(
        cast(LiteralString, s.strip()) for s in text.split(";") if s.strip()
    )
    if not statements:
        raise QueryCatalogError(f"{origin}: no statement")
    return Query(name, declared, header["returns"], " ".join(description), statements)


@cache
def catalog(root: Path | None = None) -> dict[str, Query]:
    """Every query under `root` (default: the project's `cypher/`), keyed by name."""
    base = root or cypher_root()
    queries: dict[str, Query] = {}
    for path in sorted(base.rglob("*.cypher")):
        name = path.relative_to(base).with_suffix("").as_posix()
        queries[name] = parse(name, path.read_text(encoding="utf-8"), str(path))
    return queries


def get(name: str) -> Query:
    try:
        return catalog()[name]
    except KeyError:
        raise QueryCatalogError(f"no query named '{name}' in {cypher_root()}") from None
