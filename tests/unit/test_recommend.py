from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from proteus import keys, recommend
from proteus.errors import InputError, NotFound
from proteus.graph import RecordingGraph, Row
from proteus.recommend.blend import Candidates, rank
from proteus.recommend.models import BlendParams
from proteus.recommend.seeds import Watch, choose, rank_watches
from proteus.recommend.similarity import neighbours, popularity
from proteus.tools.bench.load import Plan, run
from proteus.tools.bench.recs import baselines, split_viewing
from proteus.views.table import build as build_table


def test_neighbours_come_from_co_viewing() -> None:
    histories = {"u1": ["a", "b", "c"], "u2": ["a", "b"], "u3": ["a", "b", "d"],
                 "u4": ["c", "d"]}
    found = neighbours(histories, top_k=2, shrink=0.0, min_co_viewers=2)
    assert [n.target for n in found["a"]] == ["b"]
    assert found["a"][0].rank == 1 and found["a"][0].co_viewers == 3
    assert found["a"][0].score == pytest.approx(1.0)
    assert "c" not in found  # c shares at most one viewer with anything
    assert neighbours({}, 5, 1.0, 1) == {}


def test_shrink_damps_pairs_few_viewers_share() -> None:
    histories = {f"u{n}": ["a", "b"] for n in range(10)} | {"x": ["a", "c"]}
    found = neighbours(histories, top_k=5, shrink=5.0, min_co_viewers=1)
    assert [n.target for n in found["a"]] == ["b", "c"]


def test_popularity_counts_distinct_viewers() -> None:
    assert popularity({"u1": ["a", "a", "b"], "u2": ["b"]}) == [("b", 2), ("a", 1)]


def candidates(**kw: Any) -> Candidates:
    base: dict[str, Any] = dict(subject="d1", kind="device", person="p1", watched={"a"},
                                seeds=[("a", "A", 600.0, 600.0, 0)])
    return Candidates(**(base | kw))


def test_rank_excludes_watched_and_blends_sources() -> None:
    found = rank(candidates(
        neighbours=[("a", "b", "B", 0.9, 1, "r1"), ("a", "a", "A", 1.0, 2, "r1")],
        interests=[("i1", "Sport", 1.0)], interest_items=[("i1", "c", "C")],
        popular=[("a", "A", 1, 10), ("d", "D", 2, 5)], tags={"c": ["i1"], "b": ["i1"]},
    ), 3, BlendParams())
    assert [i.content for i in found.items] == ["b", "c", "d"]
    assert found.items[0].sources == ["neighbours", "interests"]
    assert [s.kind for s in found.items[0].path] == ["watched", "similar", "interested_in",
                                                     "tagged"]
    assert found.items[2].sources == ["popularity"]
    assert not found.cold_start and found.watched == 1


def test_cold_start_is_popularity() -> None:
    found = rank(candidates(watched=set(), seeds=[],
                            popular=[("x", "X", 1, 9), ("y", "Y", 2, 3)]), 5, BlendParams())
    assert found.cold_start and [i.content for i in found.items] == ["x", "y"]
    assert found.items[0].path[0].sentence == "X is #1 by viewers (9 viewers)"


def test_k_is_checked_and_unknown_subjects_are_not_found() -> None:
    with pytest.raises(InputError):
        recommend.for_device(RecordingGraph(), "d1", k=0)
    with pytest.raises(NotFound):
        recommend.for_person(RecordingGraph(), "p1", k=5)


def view_rows(users: int = 300, items: int = 200, groups: int = 10,
              seed: int = 1) -> list[Row]:
    """Viewers with a taste group: most views inside it, some popular, some at random."""
    rng = random.Random(seed)
    rows = []
    for u in range(users):
        group = u % groups
        own = [f"c{group * (items // groups) + j}" for j in range(items // groups)]
        seen = []
        for step in range(12):
            pick = rng.random()
            content = (rng.choice(own) if pick < 0.7 else
                       f"c{rng.randrange(5)}" if pick < 0.85 else f"c{rng.randrange(items)}")
            seen.append((content, 600.0, f"2025-03-{step + 1:02d}"))
        rows.append({"user": f"u{u}", "contents": [c for c, _, _ in seen],
                     "seconds": [s for _, s, _ in seen], "last": [t for _, _, t in seen]})
    return rows


def view_graph(rows: list[Row]) -> dict[str, Any]:
    """Canned `views/*` answers: one device per viewer (named after it), no persons; a
    viewer's repeated content folded into one aggregate, as ingest leaves it."""
    folded: dict[tuple[str, str], tuple[float, str]] = {}
    for row in rows:
        for content, sec, last in zip(row["contents"], row["seconds"], row["last"],
                                      strict=True):
            seconds, when = folded.get((row["user"], content), (0.0, ""))
            folded[(row["user"], content)] = (seconds + sec, max(when, last))
    devices = sorted({u for u, _ in folded})
    position = {d: k for k, d in enumerate(devices)}
    pairs = sorted(folded)
    stamp = [int(datetime.fromisoformat(folded[p][1]).replace(tzinfo=UTC).timestamp())
             for p in pairs]
    return {
        "views/owners": [{"devices": [], "persons": []}],
        "views/devices": [{"devices": devices}],
        "views/watched": [{"device": [position[u] for u, _ in pairs],
                           "content": [c for _, c in pairs], "day_lengths": [1] * len(pairs),
                           "days": [folded[p][1] for p in pairs],
                           "day_seconds": [int(folded[p][0]) for p in pairs]}],
        "views/watched_last": [{"device": [position[u] for u, _ in pairs],
                                "content": [c for _, c in pairs], "last": stamp}]}


def test_build_writes_neighbours_and_popularity_under_one_run() -> None:
    graph = RecordingGraph({**view_graph(view_rows()),
                            "recommend/clear_similar": [{"deleted": 0}]})
    report = recommend.run(graph, recommend.RecommendParams())
    names = [n for n, _ in graph.calls]
    assert names[0] == "views/owners" and "runs/create_run" in names
    assert report.viewers == 300
    similar = [p for n, p in graph.calls if n == "recommend/write_similar"]
    assert sum(len(p["rows"]) for p in similar) == report.relationships > 0
    assert all(p["run_id"] == report.run_id for p in similar)
    popular = next(p for n, p in graph.calls if n == "recommend/write_popularity")
    assert popular["rows"][0]["rank"] == 1
    assert names[-1] == "runs/finish_run"


DAY = 20_150  # days since 1970-01-01


def test_a_recent_watch_outranks_an_older_longer_one_when_the_decay_says_so() -> None:
    older = Watch("old", [DAY - 4], [3600.0], last=1)
    recent = Watch("new", [DAY], [1200.0], last=2)
    # half-life 1 day: 60 min four days ago counts 3.75 min, less than 20 min today
    chosen = choose([older, recent], 2, half_life=1.0)
    assert [s.content for s in chosen] == ["new", "old"]
    assert chosen[0].age == 0 and chosen[1].age == 4
    assert chosen[1].recent == pytest.approx(3600.0 / 16)
    # half-life 30 days: the hour still counts more than the 20 minutes
    assert [s.content for s in choose([older, recent], 2, half_life=30.0)] == ["old", "new"]
    assert [s.content for s in choose([older, recent], 1, half_life=1.0)] == ["new"]


def test_seed_ties_break_by_last_view_then_watch_time_then_id() -> None:
    same = [Watch("b", [DAY], [600.0], last=5), Watch("a", [DAY], [600.0], last=5),
            Watch("c", [DAY], [600.0], last=9)]
    assert [s.content for s in choose(same, 3, 3.0)] == ["c", "a", "b"]
    assert [s.content for s in choose(list(reversed(same)), 3, 3.0)] == ["c", "a", "b"]
    assert choose([], 3, 3.0) == []


def iso(day: int) -> str:
    return date.fromordinal(day + date(1970, 1, 1).toordinal()).isoformat()


def test_stored_watches_rank_as_choose_ranks_them() -> None:
    rng = random.Random(3)
    for _ in range(200):
        watches = []
        for n in range(rng.randrange(1, 25)):
            days = sorted(rng.sample(range(DAY - 12, DAY + 1), rng.randrange(1, 5)))
            seconds = [float(rng.choice([60, 600, 1200, 3600])) for _ in days]
            watches.append(Watch(f"c{n}", days, seconds, last=rng.randrange(5)))
        stored = [[w.content, [iso(d) for d in w.days], w.day_seconds, w.seconds, w.last]
                  for w in watches]
        rng.shuffle(stored)
        expected = choose(watches, 10, 1.5)
        watched, seeds = rank_watches(stored, 10, 1.5)
        assert sorted(watched) == sorted(w.content for w in watches)
        assert [s[0] for s in seeds] == [s.content for s in expected] == watched[:10]
        assert [(s[1], s[2], s[3]) for s in seeds] == [(s.seconds, s.recent, s.age)
                                                       for s in expected]
    assert rank_watches([], 10, 3.0) == ([], [])


def test_a_persons_stored_watches_add_up_per_content() -> None:
    stored = [["a", [iso(DAY - 2)], [600], 600, 7], ["b", [iso(DAY)], [300], 300, 9],
              ["a", [iso(DAY - 2), iso(DAY - 1)], [600, 600], 1200, 8],
              ["c", [iso(DAY - 3)], [60], 60, None]]
    watched, seeds = rank_watches(stored, 2, 1.0)
    assert watched == ["a", "b", "c"]
    assert seeds == [["a", 1800, 600 / 4 + 600 / 4 + 600 / 2, 1], ["b", 300, 300.0, 0]]
    # a missing last view sorts first among equal scores, as null does in Cypher
    ties = [["x", [iso(DAY)], [60], 60, 5], ["y", [iso(DAY)], [60], 60, None]]
    assert rank_watches(ties, 2, 3.0)[0] == ["y", "x"]


def test_explanation_names_the_seed_and_why_it_was_chosen() -> None:
    found = rank(candidates(
        watched={"a", "z"},
        seeds=[("a", "Alpha", 2460.0, 1230.0, 2), ("z", "Zed", 60.0, 60.0, 0)],
        neighbours=[("a", "b", "B", 0.9, 1, "r1"), ("z", "b", "B", 0.1, 3, "r1")]),
        1, BlendParams())
    watched = found.items[0].path[0]
    assert watched.target == "a" and watched.properties["age_days"] == 2
    assert watched.sentence == ("device d1 watched Alpha 2 days before its latest viewing day, "
                                "41 min in all (a seed for its recent watch time, 20 min after "
                                "decay)")
    assert found.items[0].sentence.startswith(watched.sentence)


def write_viewing(folder: Path, name: str, events: list[tuple[str, str, str]]) -> None:
    lines = [json.dumps({"event_id": f"{name}-{n}", "ts": ts, "device_id": d,
                         "content_id": c, "seconds": 600}) for n, (ts, d, c) in
             enumerate(events)]
    with gzip.open(folder / name, "wt") as handle:
        handle.write("\n".join([*lines, "{not json"]) + "\n")


def test_split_leaves_each_test_devices_last_event_out_of_the_training_files(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "catalog.jsonl.gz").write_bytes(b"")
    write_viewing(data, "viewing-day01.jsonl.gz", [
        ("2025-03-03T10:00:00Z", "d1", "a"), ("2025-03-03T11:00:00Z", "d1", "b"),
        ("2025-03-03T12:00:00Z", "d1", "c"), ("2025-03-03T10:00:00Z", "d2", "a"),
        ("2025-03-03T10:00:00Z", "d3", "a"), ("2025-03-03T11:00:00Z", "d3", "b"),
        ("2025-03-03T12:00:00Z", "d3", "c")])
    write_viewing(data, "viewing-day02.jsonl.gz", [
        # d1's last two events share a time: the later line is the held-out one
        ("2025-03-04T09:00:00Z", "d1", "x"), ("2025-03-04T09:00:00Z", "d1", "y"),
        ("2025-03-04T08:00:00Z", "d2", "b"),
        # d3's last event repeats a content it watched: it cannot be a test device
        ("2025-03-04T09:00:00Z", "d3", "a")])
    split = split_viewing(data, tmp_path / "train", users=10, min_history=3)
    assert split.held == {"d1": "y"} and split.held_out == 1 and split.events == 11
    train = tmp_path / "train"
    assert (train / "catalog.jsonl.gz").is_symlink()
    kept = [line for f in sorted(train.glob("viewing-*"))
            for line in gzip.decompress(f.read_bytes()).decode().splitlines()]
    assert len(kept) == 11 + 2 - 1  # the unparsable lines stay for ingest to reject
    assert not any('"d1"' in line and '"y"' in line for line in kept)
    assert any('"d1"' in line and '"x"' in line for line in kept)


def test_baselines_rank_from_co_viewing_and_popularity() -> None:
    rows = [("u1", "a", 1), ("u1", "b", 2), ("u2", "a", 1), ("u2", "b", 2), ("u2", "c", 3),
            ("u3", "c", 1), ("u3", "d", 2), ("u4", "d", 1), ("u5", "d", 1), ("t", "a", 5)]
    table = build_table(pa.array([r[0] for r in rows]), pa.array([r[1] for r in rows]),
                        np.full(len(rows), 60), np.array([r[2] for r in rows]),
                        np.zeros(len(rows), np.int64), np.zeros(0, np.int32),
                        np.zeros(0, np.int64), (pa.array([], pa.string()),
                                                pa.array([], pa.string())))
    found = baselines(table, {"t": "b"})
    assert found["popularity"]["t"][:3] == ["d", "b", "c"]
    assert found["coview_last5"]["t"][0] == "b"  # a is co-viewed with b by two viewers
    assert found["itemknn"]["t"][0] == "b"
    assert all("a" not in got["t"] and len(got["t"]) == 3 for got in found.values())
    # the ceiling ranks the true community's own popularity: t's community (1) is u3..u5,
    # who watched d most and c next, although b is t's closest co-view
    community = {"u1": 0, "u2": 0, "u3": 1, "u4": 1, "u5": 1, "t": 1}
    ceiling = baselines(table, {"t": "b"}, community)["true_community"]["t"]
    assert ceiling == ["d", "c", "b"]


def test_keys_are_stored_hashed_and_checked_by_shape() -> None:
    graph = RecordingGraph({"keys/create_key": [{"created": "2025"}]})
    created = keys.create_key(graph, "crm", "service")
    stored = graph.calls[0][1]
    assert created.key.startswith(f"pk_{created.id}_")
    assert stored["hash"] == keys.hash_key(created.key) and created.key not in str(stored)
    with pytest.raises(InputError):
        keys.create_key(graph, "crm", "root")
    assert keys.authenticate(RecordingGraph(), "garbage") is None
    assert keys.Principal(key_id="x", name="n", role="admin").allows("analyst")
    assert not keys.Principal(key_id="x", name="n", role="service").allows("analyst")


def test_load_generator_only_targets_loopback() -> None:
    import asyncio

    with pytest.raises(ValueError, match="loopback"):
        asyncio.run(run(Plan(host="10.0.0.1", port=80, paths=["/"], seconds=1)))
