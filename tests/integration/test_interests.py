from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from proteus import interests, taxonomy
from proteus.graph import Graph

POLICY = Path(__file__).resolve().parents[2] / "rules" / "policy.yaml"
CATALOG = [
    {"id": "soccer1", "title": "Derby", "kind": "live", "genres": [], "iab_ids": ["533"]},
    {"id": "soccer2", "title": "Cup", "kind": "live", "genres": [], "iab_ids": ["533"]},
    {"id": "tennis1", "title": "Final", "kind": "vod", "genres": [], "iab_ids": ["539"]},
    {"id": "comedy1", "title": "Laughs", "kind": "vod", "genres": ["Comedy"], "iab_ids": []},
    {"id": "comedy2", "title": "More", "kind": "vod", "genres": [], "iab_ids": ["646"]},
]
# device, person, content, {day: seconds}
VIEWS = [
    ("d1", "p1", "soccer1", {"2025-03-09": 600, "2025-03-02": 1000}),
    ("d2", "p1", "soccer1", {"2025-03-08": 300}),
    ("d2", "p1", "tennis1", {"2025-03-05": 900}),
    ("d1", "p1", "comedy1", {"2025-03-01": 200}),
    ("d3", "p2", "comedy1", {"2025-03-09": 1200}),
    ("d3", "p2", "comedy2", {"2025-03-07": 800}),
    ("d3", "p2", "soccer2", {"2025-03-06": 100}),
]


def seed(graph: Graph, views: list[tuple[str, str, str, dict[str, int]]]) -> None:
    graph.write("ingest/merge_catalog", rows=CATALOG)
    when = int(datetime(2025, 3, 9, tzinfo=UTC).timestamp())  # epoch seconds, as ingest sends
    graph.write("ingest/merge_devices", rows=[
        {"id": d, "type": "stb", "first": when, "last": when, "viewed": None}
        for d in sorted({v[0] for v in views})])
    graph.write("ingest/merge_contents", rows=[{"id": c} for c in sorted({v[2] for v in views})])
    graph.write("ingest/merge_views", rows=[
        {"device": d, "content": c, "first": when, "last": when, "count": len(days),
         "seconds": sum(days.values()), "days": sorted(days),
         "day_seconds": [days[k] for k in sorted(days)]} for d, _, c, days in views])
    graph.write("tools/truth_identity", run_id="test", rows=[
        {"device": d, "person": p, "household": f"h-{p}", "household_size": 2}
        for d, p, _, _ in views])


@pytest.fixture
def scored(graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Graph:
    monkeypatch.chdir(tmp_path)  # no ../shared/iab: the built-in subset
    seed(graph, VIEWS)
    taxonomy.run(graph, taxonomy.TaxonomyParams(policy=POLICY))
    return graph


def test_profiles_are_stored_with_recoverable_evidence(scored: Graph) -> None:
    report = interests.run(scored, interests.InterestsParams(min_evidence=1, half_life_days=7))
    assert report.reference_day is not None and report.reference_day.isoformat() == "2025-03-09"
    assert report.persons == 2 and report.persons_with_profile == 2
    profile = {r["interest"]: r for r in scored.read("interests/profile", person="p1")}
    assert set(profile) >= {"c3:483", "c3:533", "c3:539", "c3:SPSHQ5", "c3:646"}
    sports = profile["c3:483"]
    assert sports["evidence_count"] == 2 and sports["last_seen"] == "2025-03-09"
    assert sports["run_id"] == report.run_id
    found = interests.evidence(scored, "p1", "c3:483")
    assert sorted((i.device, i.content) for i in found.items) == [
        ("d1", "soccer1"), ("d2", "soccer1"), ("d2", "tennis1")]
    assert found.score == pytest.approx(sports["score"], rel=1e-9)
    assert found.weight == pytest.approx(sports["weight"], rel=1e-9)
    expected = 600 + 1000 * 0.5 + 300 * 0.5 ** (1 / 7) + 900 * 0.5 ** (4 / 7)
    assert found.weight == pytest.approx(expected)


def test_streamed_scores_match_the_set_based_cypher(scored: Graph) -> None:
    report = interests.run(scored, interests.InterestsParams(min_evidence=1, top_k=100))
    stored = {(p, r["interest"]): r for p in ("p1", "p2")
              for r in scored.read("interests/profile", person=p)}
    in_cypher = scored.read("interests/scores_in_cypher", reference="2025-03-09",
                            half_life=report.params.half_life_days, taxonomy="content-3.1")
    assert len(in_cypher) == len(stored)
    for row in in_cypher:
        mine = stored[(row["person"], row["interest"])]
        assert mine["weight"] == pytest.approx(row["weight"])
        assert mine["evidence_count"] == row["evidence_count"]


def test_rerun_replaces_profiles_and_top_k_limits(scored: Graph) -> None:
    interests.run(scored, interests.InterestsParams(min_evidence=1))
    second = interests.run(scored, interests.InterestsParams(min_evidence=1, top_k=2))
    rows = scored.read("interests/profile", person="p1")
    assert len(rows) == 2 and {r["run_id"] for r in rows} == {second.run_id}
