"""IAB Content Taxonomy 3.1 ids: the official files when given, else a built-in subset."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CONTENT_FILE = "content-taxonomy-3.1.tsv"
GENRE_FILE = "ctv-genre-mapping.tsv"

# A subset of real Content Taxonomy 3.1 categories: (unique id, parent id, name).
BUILTIN_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("SPSHQ5", "", "Genres"),
    ("325", "SPSHQ5", "Action/Adventure"),
    ("641", "SPSHQ5", "Animation & Anime"),
    ("44", "SPSHQ5", "Biographies"),
    ("646", "SPSHQ5", "Comedy"),
    ("332", "SPSHQ5", "Documentary"),
    ("647", "SPSHQ5", "Drama"),
    ("645", "SPSHQ5", "Family/Children"),
    ("335", "SPSHQ5", "Fantasy"),
    ("EZWB7V", "SPSHQ5", "History"),
    ("336", "SPSHQ5", "Horror"),
    ("331", "SPSHQ5", "Mystery"),
    ("651", "SPSHQ5", "Reality TV"),
    ("326", "SPSHQ5", "Romance"),
    ("652", "SPSHQ5", "Science Fiction"),
    ("642", "SPSHQ5", "Soap Opera"),
    ("700", "SPSHQ5", "Thriller"),
    ("KHPC5A", "SPSHQ5", "True Crime"),
    ("KHPC6A", "SPSHQ5", "Western"),
    ("1", "", "Automotive"),
    ("27", "1", "Motorcycles"),
    ("52", "", "Business and Finance"),
    ("80", "52", "Economy"),
    ("210", "", "Food & Drink"),
    ("216", "210", "Cooking"),
    ("214", "210", "World Cuisines"),
    ("223", "", "Healthy Living"),
    ("225", "223", "Fitness and Exercise"),
    ("274", "", "Home & Garden"),
    ("275", "274", "Gardening"),
    ("280", "274", "Home Improvement"),
    ("391", "", "Personal Finance"),
    ("410", "391", "Personal Investing"),
    ("422", "", "Pets"),
    ("425", "422", "Dogs"),
    ("464", "", "Science"),
    ("472", "464", "Space and Astronomy"),
    ("483", "", "Sports"),
    ("484", "483", "American Football"),
    ("547", "483", "Basketball"),
    ("491", "483", "Cricket"),
    ("492", "483", "Cycling"),
    ("512", "483", "Golf"),
    ("518", "483", "Auto Racing"),
    ("527", "483", "Rugby"),
    ("533", "483", "Soccer"),
    ("539", "483", "Tennis"),
    ("552", "", "Style & Fashion"),
    ("553", "552", "Beauty"),
    ("596", "", "Technology & Computing"),
    ("597", "596", "Artificial Intelligence"),
    ("632", "596", "Consumer Electronics"),
    ("653", "", "Travel"),
    ("655", "653", "Travel Locations"),
    ("680", "", "Video Gaming"),
    ("682", "680", "eSports"),
    ("JLBCU7", "", "Entertainment"),
    ("338", "JLBCU7", "Music"),
)

# A subset of the IAB CTV genre mapping: CTV genre -> Content 3.1 unique id.
BUILTIN_GENRES: dict[str, str] = {
    "Action": "325",
    "Animation": "641",
    "Biography": "44",
    "Comedy": "646",
    "Documentary": "332",
    "Drama": "647",
    "Family": "645",
    "Fantasy": "335",
    "History": "EZWB7V",
    "Horror": "336",
    "Mystery": "331",
    "Reality": "651",
    "Romance": "326",
    "Sci-Fi": "652",
    "Soap-Opera": "642",
    "Thriller": "700",
    "Crime": "KHPC5A",
    "Western": "KHPC6A",
    "Cooking": "216",
    "Sports": "483",
    "Gaming": "680",
    "Automotive": "1",
    "Animals": "422",
    "Home & Garden": "274",
}

EXCLUDED_TOPIC_ROOTS = frozenset({"v9i3On", "SPSHQ5"})


@dataclass
class Taxonomy:
    """Category names and parents, CTV genre mapping, and where they came from."""

    source: str
    names: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    genres: dict[str, str] = field(default_factory=dict)

    def topics(self) -> list[str]:
        """Tier-2 topical categories (not genres, not sensitive topics), sorted by id."""
        found = [
            cid
            for cid, parent in self.parents.items()
            if parent and parent not in EXCLUDED_TOPIC_ROOTS and not self.parents.get(parent)
        ]
        genre_ids = set(self.genres.values())
        return sorted(cid for cid in found if cid not in genre_ids)


def builtin_taxonomy() -> Taxonomy:
    """The built-in subset."""
    return Taxonomy(
        source="builtin",
        names={cid: name for cid, _, name in BUILTIN_CATEGORIES},
        parents={cid: parent for cid, parent, _ in BUILTIN_CATEGORIES},
        genres=dict(BUILTIN_GENRES),
    )


def _tsv_rows(path: Path, header_first: str) -> list[list[str]]:
    """Rows after the header row (found by its first cell); banner rows before it are skipped."""
    text = path.read_text(encoding="utf-8-sig")
    rows = [line.split("\t") for line in text.splitlines()]
    for index, row in enumerate(rows):
        if row and row[0].strip() == header_first:
            return [r for r in rows[index + 1 :] if r and r[0].strip()]
    raise ValueError(f"{path.name}: header row starting with {header_first!r} not found")


def load_taxonomy(iab_dir: Path) -> Taxonomy:
    """Read the official Content 3.1 and CTV genre mapping files from a directory."""
    tax = Taxonomy(source=f"official:{iab_dir}")
    for row in _tsv_rows(iab_dir / CONTENT_FILE, "Unique ID"):
        cells = [cell.strip() for cell in row] + ["", "", ""]
        tax.names[cells[0]] = cells[2]
        tax.parents[cells[0]] = cells[1]
    for row in _tsv_rows(iab_dir / GENRE_FILE, "CTV Genres"):
        cells = [cell.strip() for cell in row] + ["", ""]
        if cells[1] in tax.names:
            tax.genres[cells[0]] = cells[1]
    return tax


def resolve_taxonomy(iab_dir: Path | None) -> Taxonomy:
    """Official files when `iab_dir` holds them, otherwise the built-in subset."""
    if (
        iab_dir is not None
        and (iab_dir / CONTENT_FILE).is_file()
        and (iab_dir / GENRE_FILE).is_file()
    ):
        return load_taxonomy(iab_dir)
    return builtin_taxonomy()
