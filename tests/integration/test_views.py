"""Viewing read from the graph and from a fold output folder gives identical results."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from proteus import interests, recommend, segments, taxonomy, views
from proteus.errors import InputError
from proteus.graph import Graph
from proteus.recommend.catalog import load_catalog

POLICY = Path(__file__).resolve().parents[2] / "rules" / "policy.yaml"
GROUPS = {0: ["483", "325"], 1: ["646", "216"], 2: ["680", "472"]}
PERSONS = [f"p{g}{k:02d}" for g in GROUPS for k in range(12)]


def _seed(graph: Graph) -> None:
    """Three taste groups; some persons with two devices, and two devices without a person."""
    rng = np.random.default_rng(11)
    catalog = [{"id": f"g{g}-{i}", "title": f"Item {g}-{i}", "kind": "vod", "genres": [],
                "iab_ids": ids} for g, ids in GROUPS.items() for i in range(8)]
    graph.write("ingest/merge_catalog", rows=catalog)
    when = int(datetime(2025, 3, 9, tzinfo=UTC).timestamp())
    owners, folded = [], {}
    for g in GROUPS:
        for k in range(12):
            person = f"p{g}{k:02d}"
            devices = [f"d{g}{k:02d}a", f"d{g}{k:02d}b"][:1 + k % 2]
            owners += [{"device": d, "person": person, "household": f"h{g}{k // 3}",
                        "household_size": 2} for d in devices]
            for _ in range(10):
                pool = g if rng.random() < 0.8 else int(rng.integers(len(GROUPS)))
                device = devices[int(rng.integers(len(devices)))]
                content = f"g{pool}-{int(rng.integers(8))}"
                day = f"2025-03-0{int(rng.integers(3, 10))}"
                per_day = folded.setdefault((device, content), {})
                per_day[day] = per_day.get(day, 0) + int(rng.integers(300, 3000))
    for device in ("x1", "x2"):
        folded[(device, "g0-1")] = {"2025-03-08": 900}
    rows = [{"device": d, "content": c, "first": when - 86400, "last": when,
             "count": len(days), "seconds": sum(days.values()), "days": sorted(days),
             "day_seconds": [days[x] for x in sorted(days)]} for (d, c), days in folded.items()]
    graph.write("ingest/merge_devices", rows=[
        {"id": d, "first": when, "last": when, "type": "stb", "viewed": None}
        for d in sorted({r["device"] for r in rows})])
    graph.write("ingest/merge_contents", rows=[{"id": c} for c in sorted(
        {r["content"] for r in rows})])
    graph.write("ingest/merge_views", rows=rows)
    graph.write("tools/truth_identity", rows=owners, run_id="test")


def _export(graph: Graph, folder: Path) -> Path:
    """The graph's WATCHED as the fold's views.parquet (rows shuffled: order must not
    matter)."""
    rows = graph.read("views/export")
    order = np.random.default_rng(5).permutation(len(rows))
    columns = {k: [rows[i][k] for i in order] for k in rows[0]}
    schema = pa.schema([("device", pa.string()), ("content", pa.string()),
                        ("first", pa.int64()), ("last", pa.int64()), ("count", pa.int64()),
                        ("seconds", pa.int64()), ("days", pa.list_(pa.string())),
                        ("day_seconds", pa.list_(pa.int64()))])
    folder.mkdir()
    pq.write_table(pa.table(columns, schema=schema), folder / "views.parquet")
    return folder


def _profiles(graph: Graph) -> dict[tuple[str, str], tuple[float, float, float, int, str]]:
    return {(p, r["interest"]): (r["score"], r["lift"], r["weight"], r["evidence_count"],
                                 r["last_seen"])
            for p in PERSONS for r in graph.read("interests/profile", person=p)}


def _members(graph: Graph) -> dict[str, str]:
    return {p: r["segment"] for r in graph.read("segments/community_members")
            for p in r["persons"]}


@pytest.fixture
def seeded(graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Graph:
    monkeypatch.chdir(tmp_path)
    _seed(graph)
    taxonomy.run(graph, taxonomy.TaxonomyParams(policy=POLICY))
    return graph


def test_graph_and_fold_output_give_identical_tables_and_results(seeded: Graph,
                                                                  tmp_path: Path) -> None:
    folder = _export(seeded, tmp_path / "fold")
    from_graph = views.load(seeded, None, with_last=True, progress=None)
    from_file = views.load(seeded, folder, with_last=True, progress=None)
    assert from_graph.rows == from_file.rows > 0
    assert from_graph.devices == from_file.devices and from_graph.persons == from_file.persons
    for name in ("device_person", "device", "content", "seconds", "last", "day_start", "day",
                 "day_seconds"):
        assert np.array_equal(getattr(from_graph, name), getattr(from_file, name)), name
    assert (from_graph.device_person == -1).sum() == 2  # x1, x2 have no person

    params = segments.SegmentsParams(k=6, min_size=3, resolutions=[0.5, 1.0])
    results = []
    for source in (None, folder):
        first = interests.run(seeded, interests.InterestsParams(min_evidence=1, views=source))
        seg = segments.run(seeded, params.model_copy(update={"views": source}))
        rec = recommend.run(seeded, recommend.RecommendParams(views=source))
        picks = [(i.content, i.score) for p in PERSONS[:6]
                 for i in recommend.for_person(seeded, p, k=5).items]
        results.append((first.relationships, _profiles(seeded), _members(seeded),
                        seg.knn_recall, rec.relationships, load_catalog(seeded).popular,
                        picks))
        assert first.source == seg.source == rec.source == views.source_name(source)
    assert results[0] == results[1]
    assert results[0][1] and results[0][2] and results[0][4]


def test_a_missing_or_malformed_fold_output_is_refused(seeded: Graph, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        interests.run(seeded, interests.InterestsParams(views=tmp_path / "nowhere"))
    folder = tmp_path / "bad"
    folder.mkdir()
    pq.write_table(pa.table({"device": ["d1"], "content": ["c1"]}), folder / "views.parquet")
    with pytest.raises(InputError, match="lacks column"):
        segments.run(seeded, segments.SegmentsParams(views=folder))
