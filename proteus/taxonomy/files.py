"""Reading the IAB Tech Lab taxonomy files as published, or the built-in subset: the one
parser and the one `Taxonomy` model (the generator draws its catalog from them too).

The official files are tab-separated with CRLF line ends and a banner row above the header
row; the Audience Taxonomy file has an empty first column. Columns are found by their
header names, so either layout reads the same way. A file that cannot be read as a taxonomy
is refused with one line naming the file and the line.

Categories carry the official ids; their graph ids follow `proteus.interest_ids`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from proteus.errors import InputError
from proteus.interest_ids import AUDIENCE, CONTENT, interest_id, is_official_id
from proteus.taxonomy.builtin import CATEGORIES as BUILTIN_CATEGORIES
from proteus.taxonomy.builtin import GENRES as BUILTIN_GENRES

VERSION: dict[str, str] = {CONTENT: "3.1", AUDIENCE: "1.1"}
FILES: dict[str, str] = {CONTENT: "content-taxonomy-3.1.tsv", AUDIENCE: "audience-taxonomy-1.1.tsv"}
GENRE_FILE = "ctv-genre-mapping.tsv"
SENSITIVE_ROOT = "Sensitive Topics"


@dataclass(frozen=True)
class Category:
    iab_id: str
    parent: str
    name: str
    tier: int
    taxonomy: str

    @property
    def id(self) -> str:
        return interest_id(self.taxonomy, self.iab_id)

    @property
    def parent_id(self) -> str | None:
        return interest_id(self.taxonomy, self.parent) if self.parent else None


@dataclass
class Taxonomy:
    """One taxonomy's categories in file order, and where they came from."""

    taxonomy: str
    source: str
    categories: list[Category] = field(default_factory=list)

    def tier1(self) -> list[Category]:
        return [c for c in self.categories if not c.parent]


def _lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{path.name} line {line}: not UTF-8 text") from None
    return text.splitlines()


def _header(path: Path, lines: list[str], first: str) -> tuple[int, list[str]]:
    for index, line in enumerate(lines[:10]):
        cells = [c.strip() for c in line.split("\t")]
        if first in cells:
            return index, cells
    raise InputError(f"{path.name} line 1: no header row with a '{first}' column "
                     "in the first 10 lines")


def read_taxonomy(path: Path, taxonomy: str) -> Taxonomy:
    """Categories of an official Content 3.1 or Audience 1.1 file."""
    lines = _lines(path)
    at, header = _header(path, lines, "Unique ID")
    col_id = header.index("Unique ID")
    col_parent = next((i for i, h in enumerate(header) if h.startswith("Parent")), None)
    tiers = [i for i, h in enumerate(header) if re.fullmatch(r"Tier \d+", h)]
    col_name = header.index("Name") if "Name" in header else None
    if col_parent is None or not tiers:
        raise InputError(f"{path.name} line {at + 1}: header lacks a Parent or Tier column")
    width = max(tiers) + 1
    out = Taxonomy(taxonomy=taxonomy, source=str(path))
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[at + 1:], start=at + 2):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("\t")]
        where = f"{path.name} line {number}"
        if len(cells) < width:
            raise InputError(f"{where}: {len(cells)} columns, expected at least {width}")
        iab, parent = cells[col_id], cells[col_parent]
        if not is_official_id(iab):
            raise InputError(f"{where}: invalid Unique ID {iab[:20]!r}")
        if parent and not is_official_id(parent):
            raise InputError(f"{where}: invalid Parent {parent[:20]!r}")
        if iab in seen:
            raise InputError(f"{where}: Unique ID {iab} already on line {seen[iab]}")
        named = [cells[i] for i in tiers if cells[i]]
        if not named:
            raise InputError(f"{where}: no tier name")
        name = cells[col_name] if col_name is not None and cells[col_name] else named[-1]
        seen[iab] = number
        out.categories.append(Category(iab, parent, name, len(named), taxonomy))
    if not out.categories:
        raise InputError(f"{path.name} line {at + 2}: no categories after the header")
    for category in out.categories:
        if category.parent and category.parent not in seen:
            raise InputError(f"{path.name} line {seen[category.iab_id]}: Parent "
                             f"{category.parent} is not a Unique ID in the file")
    return out


def read_genres(path: Path) -> dict[str, str]:
    """CTV genre name -> Content 3.1 official id, from the official mapping file."""
    lines = _lines(path)
    at, header = _header(path, lines, "CTV Genres")
    col_genre = header.index("CTV Genres")
    col_id = next((i for i, h in enumerate(header) if "Unique ID" in h), None)
    if col_id is None:
        raise InputError(f"{path.name} line {at + 1}: header lacks a Content 3.1 Unique ID column")
    genres: dict[str, str] = {}
    for number, line in enumerate(lines[at + 1:], start=at + 2):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) <= max(col_genre, col_id) or not cells[col_genre]:
            raise InputError(f"{path.name} line {number}: expected a genre and an id")
        if not is_official_id(cells[col_id]):
            raise InputError(f"{path.name} line {number}: invalid id {cells[col_id][:20]!r}")
        genres[cells[col_genre]] = cells[col_id]
    return genres


def builtin() -> tuple[Taxonomy, dict[str, str]]:
    """The built-in subset of real Content 3.1 categories and CTV genre mappings."""
    parents = {cid: parent for cid, parent, _ in BUILTIN_CATEGORIES}

    def tier(cid: str) -> int:
        depth = 1
        while parents.get(cid):
            cid, depth = parents[cid], depth + 1
        return depth

    content = Taxonomy(taxonomy=CONTENT, source="builtin")
    content.categories = [Category(cid, parent, name, tier(cid), CONTENT)
                          for cid, parent, name in BUILTIN_CATEGORIES]
    return content, dict(BUILTIN_GENRES)


def default_dir() -> Path | None:
    """`../shared/iab` from the working directory when it holds the Content 3.1 file."""
    candidate = Path.cwd().parent / "shared" / "iab"
    return candidate if (candidate / FILES[CONTENT]).is_file() else None


def resolve(directory: Path | None) -> tuple[list[Taxonomy], dict[str, str], str]:
    """Taxonomies, genre mapping and a source label.

    A given directory must hold the Content 3.1 file; the audience and genre files are read
    when present. Without a directory the default one is used, else the built-in subset.
    """
    if directory is None:
        directory = default_dir()
        if directory is None:
            content, genres = builtin()
            return [content], genres, "builtin"
    if not (directory / FILES[CONTENT]).is_file():
        raise InputError(f"{directory}: no {FILES[CONTENT]} (the IAB Content Taxonomy 3.1 file)")
    found = [read_taxonomy(directory / FILES[CONTENT], CONTENT)]
    if (directory / FILES[AUDIENCE]).is_file():
        found.append(read_taxonomy(directory / FILES[AUDIENCE], AUDIENCE))
    genres = read_genres(directory / GENRE_FILE) if (directory / GENRE_FILE).is_file() else {}
    return found, genres, f"official:{directory}"
