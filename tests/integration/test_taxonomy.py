from __future__ import annotations

import os
from pathlib import Path

import pytest

from proteus import taxonomy
from proteus.errors import InputError
from proteus.graph import Graph

IAB = Path(__file__).resolve().parents[3] / "shared" / "iab"
POLICY = Path(__file__).resolve().parents[2] / "rules" / "policy.yaml"
# The official files sit beside the clone in CI and on developer machines; a checkout
# without them skips these tests, except in CI, where they must run.
official = pytest.mark.skipif(
    not (IAB / "content-taxonomy-3.1.tsv").is_file() and not os.environ.get("CI"),
    reason="official IAB files not present (../shared/iab)")


def _content(graph: Graph) -> None:
    graph.write("ingest/merge_catalog", rows=[
        {"id": "c1", "title": "Match day", "kind": "live", "genres": ["Comedy"],
         "iab_ids": ["483", "533"]},
        {"id": "c2", "title": "Unknown", "kind": "vod", "genres": [], "iab_ids": ["nope1"]},
    ])


@official
def test_official_files_load_with_704_categories_and_sensitive_subtree(graph: Graph) -> None:
    _content(graph)
    report = taxonomy.run(graph, taxonomy.TaxonomyParams(dir=IAB, policy=POLICY))
    counts = {t.taxonomy: t for t in report.taxonomies}
    assert counts["content-3.1"].categories == 704
    assert counts["content-3.1"].tier1 == 37
    assert counts["content-3.1"].links == 704 - 37
    assert counts["audience-1.1"].categories == 1558
    assert report.source.startswith("official:")
    assert report.genre_mappings == 44
    rows = graph.read("taxonomy/counts")
    assert {r["taxonomy"] for r in rows} == {"content-3.1", "audience-1.1"}
    with graph.session(write=False) as session:
        flagged = session.run(
            "MATCH (i:Interest)-[:CHILD_OF*0..]->(:Interest {id: 'c3:v9i3On'}) "
            "RETURN count(*) AS n, all(x IN collect(i.sensitive) WHERE x) AS all_flagged"
        ).single()
        assert flagged is not None and flagged["n"] > 10 and flagged["all_flagged"]
        sports = session.run("MATCH (i:Interest {id: 'c3:483'}) RETURN i.sensitive AS s, "
                             "i.name AS name, i.tier AS tier").single()
        assert sports is not None and sports["name"] == "Sports" and sports["tier"] == 1
        assert sports["s"] is False
        tags = session.run("MATCH (:Content {id: 'c1'})-[:TAGGED]->(i) "
                           "RETURN collect(i.id) AS ids").single()
        assert tags is not None and set(tags["ids"]) == {"c3:483", "c3:533", "c3:646"}
    assert report.contents_tagged == 1
    assert report.unknown_iab_ids == 1
    again = taxonomy.run(graph, taxonomy.TaxonomyParams(dir=IAB, policy=POLICY))
    assert [t.categories for t in again.taxonomies] == [1558, 704]


def test_builtin_subset_when_no_files(graph: Graph, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _content(graph)
    report = taxonomy.run(graph, taxonomy.TaxonomyParams(policy=POLICY))
    assert report.source == "builtin"
    assert [t.taxonomy for t in report.taxonomies] == ["content-3.1"]
    assert report.taxonomies[0].categories > 20
    assert report.contents_tagged == 1


def test_malformed_file_fails_naming_the_line(graph: Graph, tmp_path: Path) -> None:
    lines = (IAB / "content-taxonomy-3.1.tsv").read_text(encoding="utf-8").splitlines() \
        if (IAB / "content-taxonomy-3.1.tsv").is_file() else \
        ["banner", "Unique ID\tParent\tName\tTier 1\tTier 2\tTier 3\tTier 4",
         "1\t\tAutomotive\tAutomotive\t\t\t", "2\t1\tCars\tAutomotive\tCars\t\t"]
    lines.insert(4, "x y\t\tBroken")  # the fifth line, between two categories
    (tmp_path / "content-taxonomy-3.1.tsv").write_text("\r\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError, match=r"content-taxonomy-3.1.tsv line 5: "):
        taxonomy.run(graph, taxonomy.TaxonomyParams(dir=tmp_path, policy=POLICY))
