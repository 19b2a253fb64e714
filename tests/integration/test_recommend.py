"""Recommendations on a real Neo4j: the serving query chooses the seeds `seeds.choose`
chooses, explanations name the seed and why it was chosen, and `bench recs` never ingests
a held-out view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from proteus import recommend, views
from proteus.graph import Graph
from proteus.recommend.seeds import Watch, choose, describe
from proteus.recommend.serve import viewing
from proteus.settings import Settings
from proteus.tools import generate
from proteus.tools.bench.recs import bench_recs, split_viewing


@pytest.fixture(scope="module")
def loaded(pipeline_world: Callable[..., Graph]) -> Graph:
    return pipeline_world(devices=300, seed=5, catalog_size=200, communities=5, segmented=False)


def device_watches(graph: Graph) -> dict[str, list[Watch]]:
    table = views.load(graph, None, with_last=True)
    out: dict[str, list[Watch]] = {}
    for r in range(table.rows):
        a, b = table.day_start[r], table.day_start[r + 1]
        out.setdefault(table.devices[table.device[r]], []).append(Watch(
            table.contents[table.content[r]], table.day[a:b].tolist(),
            table.day_seconds[a:b].astype(float).tolist(), int(table.last[r])))
    return out


def test_the_serving_query_chooses_the_seeds_choose_chooses(loaded: Graph) -> None:
    params = recommend.BlendParams(seeds=5, half_life_days=1.5)
    watches = device_watches(loaded)
    busy = sorted((d for d, w in watches.items() if len(w) >= 8),
                  key=lambda d: (-len(watches[d]), d))[:20]
    assert busy
    for device in busy:
        row = viewing(loaded, "device", device, params)
        assert row is not None
        expected = choose(watches[device], 5, 1.5)
        assert [s[0] for s in row["seeds"]] == [s.content for s in expected]
        assert [s[3] for s in row["seeds"]] == [s.age for s in expected]
        assert np.allclose([s[2] for s in row["seeds"]], [s.recent for s in expected])


def test_a_persons_seeds_add_up_its_devices_days(loaded: Graph) -> None:
    table = views.load(loaded, None, with_last=True)
    watches = device_watches(loaded)
    owner = {table.devices[d]: table.persons[p]
             for d, p in enumerate(table.device_person.tolist()) if p >= 0}
    merged: dict[str, dict[str, tuple[dict[int, float], int]]] = {}
    for device, rows in watches.items():
        if device not in owner:
            continue
        for w in rows:
            days, last = merged.setdefault(owner[device], {}).get(w.content, ({}, 0))
            for day, sec in zip(w.days, w.day_seconds, strict=True):
                days[day] = days.get(day, 0.0) + sec
            merged[owner[device]][w.content] = (days, max(last, w.last))
    persons = sorted(merged, key=lambda p: (-len(merged[p]), p))[:10]
    assert persons
    for person in persons:
        row = viewing(loaded, "person", person, recommend.BlendParams(seeds=5))
        assert row is not None
        expected = choose([Watch(c, sorted(d), [d[k] for k in sorted(d)], last)
                           for c, (d, last) in merged[person].items()], 5, 3.0)
        assert [s[0] for s in row["seeds"]] == [s.content for s in expected]
        assert np.allclose([s[2] for s in row["seeds"]], [s.recent for s in expected])


def test_an_explanation_names_its_seed_and_why(loaded: Graph) -> None:
    watches = device_watches(loaded)
    named = 0
    half_life = recommend.BlendParams().half_life_days
    for device in sorted(watches, key=lambda d: (-len(watches[d]), d))[:10]:
        found = recommend.for_device(loaded, device, k=10)
        seeds = {s.content: s for s in choose(watches[device], 10, half_life)}
        for item in found.items:
            if "neighbours" not in item.sources:
                continue
            watched = item.path[0]
            assert watched.kind == "watched" and watched.source == f"device {device}"
            seed = seeds[watched.target]
            assert watched.properties["age_days"] == seed.age
            assert describe(seed.age) in watched.sentence
            assert f"{int(seed.seconds) // 60} min in all" in watched.sentence
            assert item.path[1].source == watched.target
            assert item.sentence.startswith(watched.sentence)
            named += 1
    assert named > 0


def test_bench_recs_never_ingests_a_held_out_view(session_graph: Graph, settings: Settings,
                                                  tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate.run(generate.GenerateParams(out=data, devices=300, seed=9, quiet=True,
                                         catalog_size=200, communities=5))
    result = bench_recs(session_graph, settings, users=40, data=data)
    assert result["users"] == result["held_out_events"] > 0
    held = split_viewing(data, tmp_path / "again", users=40)
    with session_graph.session(write=False) as session:
        found = session.run("UNWIND $pairs AS pair MATCH (:Device {id: pair[0]})-[w:WATCHED]->"
                            "(:Content {id: pair[1]}) RETURN count(w) AS n",
                            pairs=[[d, c] for d, c in held.held.items()]).single()
    assert found is not None and found["n"] == 0
    for key in ("hr_at_10", "baseline_hr_at_10", "hr_at_10_coview_last5", "hr_at_10_itemknn",
                "ratio_vs_coview_last5"):
        assert key in result
    assert 0 <= result["hr_at_10"] <= 1
