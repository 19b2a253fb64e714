from __future__ import annotations

import os
from pathlib import Path

import pytest

from proteus import taxonomy
from proteus.errors import InputError
from proteus.events import ContentItem, read_rows, validate
from proteus.graph import RecordingGraph
from proteus.interest_ids import AUDIENCE, CONTENT
from proteus.pipeline import PipelineParams
from proteus.sensitive import Policy, load_policy
from proteus.taxonomy import builtin, files
from proteus.taxonomy.stage import sensitive_ids
from proteus.tools import generate

IAB = Path(__file__).resolve().parents[3] / "shared" / "iab"
# The official files sit beside the clone in CI and on developer machines; a checkout
# without them skips these tests, except in CI, where they must run.
official = pytest.mark.skipif(
    not (IAB / files.FILES[CONTENT]).is_file() and not os.environ.get("CI"),
    reason="official IAB files not present (../shared/iab)")
CARS = ("1\t\tAutomotive\tAutomotive\t\t\t\t", "2\t1\tCars\tAutomotive\tCars\t\t\t")
HEADER = "Unique ID\tParent\tName\tTier 1\tTier 2\tTier 3\tTier 4\tExtension"


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / files.FILES[CONTENT]
    path.write_bytes("\r\n".join(["Relational ID System\t\t\tTiered", HEADER, *rows, ""])
                     .encode())
    return path


@official
def test_official_content_file_has_704_categories_37_tier1() -> None:
    content = files.read_taxonomy(IAB / files.FILES[CONTENT], CONTENT)
    assert len(content.categories) == 704
    assert len(content.tier1()) == 37
    assert {c.name for c in content.tier1()} >= {"Sensitive Topics", "Genres", "Sports"}
    sports = next(c for c in content.categories if c.iab_id == "483")
    assert (sports.id, sports.tier, sports.parent_id) == ("c3:483", 1, None)


@official
def test_official_audience_file_with_empty_first_column() -> None:
    audience = files.read_taxonomy(IAB / files.FILES[AUDIENCE], AUDIENCE)
    assert len(audience.categories) == 1558
    first = audience.categories[0]
    assert (first.id, first.name, first.tier) == ("a1:1", "Demographic", 1)
    age = next(c for c in audience.categories if c.iab_id == "3")
    assert (age.name, age.parent_id, age.tier) == ("18-20", "a1:2", 3)


@official
def test_official_genre_mapping() -> None:
    genres = files.read_genres(IAB / files.GENRE_FILE)
    assert len(genres) == 44
    assert genres["Action"] == "325"


@official
def test_the_generator_draws_its_catalog_from_the_official_files(tmp_path: Path) -> None:
    """The generator reads the official files through this package's parser: every id it
    tags content with is a Content 3.1 Unique ID, every genre a mapped CTV genre."""
    report = generate.run(generate.GenerateParams(out=tmp_path, devices=200, days=1,
                                                  iab_dir=IAB, quiet=True))
    assert report.iab_source == f"official:{IAB}"
    content = files.read_taxonomy(IAB / files.FILES[CONTENT], CONTENT)
    known = {c.iab_id for c in content.categories}
    genres = files.read_genres(IAB / files.GENRE_FILE)
    items = [validate("catalog", raw) for _, raw in read_rows(tmp_path / "catalog.jsonl.gz")]
    assert items and all(isinstance(i, ContentItem) for i in items)
    assert {x for i in items for x in i.iab_ids} <= known
    assert {g for i in items for g in i.genres} <= set(genres)
    assert any(set(i.iab_ids) - set(genres.values()) for i in items)  # topics beside genres


def test_the_generator_refuses_a_directory_without_the_genre_mapping(tmp_path: Path) -> None:
    _write(tmp_path, *CARS)
    with pytest.raises(InputError, match=rf"{tmp_path}: no ctv-genre-mapping\.tsv"):
        generate.run(generate.GenerateParams(out=tmp_path / "out", devices=20, days=1,
                                             iab_dir=tmp_path, quiet=True))


@official
def test_sensitive_subtree_and_policy_ids() -> None:
    content = files.read_taxonomy(IAB / files.FILES[CONTENT], CONTENT)
    plain = sensitive_ids(content, Policy(version="t"))
    assert "c3:v9i3On" in plain and "c3:483" not in plain
    assert all(c.id in plain for c in content.categories if c.parent == "v9i3On")
    more = sensitive_ids(content, Policy(version="t", sensitive_interests=["c3:286"]))
    assert "c3:286" in more and len(more) > len(plain)


def test_builtin_subset() -> None:
    content, genres = files.builtin()
    assert len(content.categories) == len(builtin.CATEGORIES)
    assert content.source == "builtin"
    assert next(c for c in content.categories if c.iab_id == "27").tier == 2
    assert genres["Comedy"] == "646"


def test_no_directory_and_no_default_uses_builtin(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    found, _, source = files.resolve(None)
    assert source == "builtin" and [t.taxonomy for t in found] == [CONTENT]


def test_given_directory_without_content_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"content-taxonomy-3\.1\.tsv"):
        files.resolve(tmp_path)


@pytest.mark.parametrize(("rows", "message"), [
    (["1\t\tAutomotive\tAutomotive\t\t\t\t", "2\t1\tCars"], r"line 4: 3 columns"),
    (["1\t\tAutomotive\tAutomotive\t\t\t\t", "x y\t1\tCars\tAutomotive\tCars\t\t\t"],
     r"line 4: invalid Unique ID"),
    (["1\t\tAutomotive\tAutomotive\t\t\t\t", "1\t\tAgain\tAgain\t\t\t\t"],
     r"line 4: Unique ID 1 already on line 3"),
    (["1\t\tAutomotive\tAutomotive\t\t\t\t", "2\t9\tCars\tAutomotive\tCars\t\t\t"],
     r"line 4: Parent 9 is not a Unique ID"),
    (["1\t\tAutomotive\t\t\t\t\t"], r"line 3: no tier name"),
])
def test_malformed_rows_are_refused_naming_the_line(tmp_path: Path, rows: list[str],
                                                   message: str) -> None:
    with pytest.raises(InputError, match=message):
        files.read_taxonomy(_write(tmp_path, *rows), CONTENT)


def test_missing_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text("a\tb\r\n1\t2\r\n")
    with pytest.raises(InputError, match=r"x.tsv line 1: no header row"):
        files.read_taxonomy(path, CONTENT)


def test_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: 2\nsensitive_interests: [c3:286, a1:381]\n")
    assert load_policy(path).sensitive_interests == ["c3:286", "a1:381"]
    assert load_policy(path).version == "2"
    path.write_text("version: 2\nsensitive_interests: [286]\n")
    with pytest.raises(InputError, match=r"sensitive_interests.0"):
        load_policy(path)
    assert load_policy(tmp_path / "absent.yaml").sensitive_interests == []


@pytest.mark.parametrize(("text", "reason"), [
    ("version: 2\nversion: 3\n", "policy.yaml: not valid YAML (duplicate key 'version', line 2)"),
    ("[c3:286]\n", "policy.yaml: expected a mapping with version and sensitive_interests"),
    ("sensitive_interests: []\n", "policy.yaml: version: Field required"),
])
def test_a_bad_policy_file_is_refused_in_one_line_as_every_rule_file_is(
        tmp_path: Path, text: str, reason: str) -> None:
    """The policy reads through the same document reader and model check as governance,
    identity rules, segment rules and audience definitions."""
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as refused:
        load_policy(path)
    assert str(refused.value) == f"{tmp_path}/{reason}"


def test_repository_policy_is_valid() -> None:
    policy = load_policy(Path(__file__).resolve().parents[2] / "rules" / "policy.yaml")
    assert "c3:v9i3On" in policy.sensitive_interests


def test_the_default_rule_files_do_not_depend_on_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from anywhere, the taxonomy reads the project's policy (not `none`) and the main
    job finds its sample audience."""
    monkeypatch.chdir(tmp_path)
    rules = Path(__file__).resolve().parents[2] / "rules"
    assert taxonomy.TaxonomyParams().policy == rules / "policy.yaml"
    assert load_policy(taxonomy.TaxonomyParams().policy) == load_policy(rules / "policy.yaml")
    assert PipelineParams().audience == rules / "audiences" / "sports-big-screen.yaml"


def test_load_writes_interests_links_and_tags(tmp_path: Path) -> None:
    _write(tmp_path, *CARS)
    graph = RecordingGraph({"taxonomy/tag_content": [{"contents": 3, "tags": 4, "unknown": 0}],
                            "taxonomy/remove_stale": [{"removed": 0}]})
    report = taxonomy.run(graph, taxonomy.TaxonomyParams(dir=tmp_path,
                                                          policy=tmp_path / "none.yaml"))
    names = [name for name, _ in graph.calls]
    assert names[0] == "runs/create_run" and names[-1] == "runs/finish_run"
    merged = next(p for n, p in graph.calls if n == "taxonomy/merge_interests")
    assert [r["id"] for r in merged["rows"]] == ["c3:1", "c3:2"]
    assert merged["rows"][1]["tier"] == 2 and merged["rows"][1]["version"] == "3.1"
    links = next(p for n, p in graph.calls if n == "taxonomy/merge_parents")
    assert links["rows"] == [{"id": "c3:2", "parent": "c3:1"}]
    assert report.source == f"official:{tmp_path}"
    assert report.contents_tagged == 3
