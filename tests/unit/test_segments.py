from __future__ import annotations

import math

import numpy as np
import pytest

from proteus import queries
from proteus.errors import InputError
from proteus.graph import RecordingGraph
from proteus.segments import community, partition, rule_apply
from proteus.segments.compare import ari, match, nmi
from proteus.segments.rules import parse_rule
from proteus.segments.similarity import features, knn, recall
from proteus.views.per_person import Views


def test_nmi_and_ari_known_values() -> None:
    assert nmi([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    assert ari([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    assert nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    assert ari([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.24242424)
    assert nmi([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.5158037)


def test_nmi_and_ari_equal_the_hand_written_ones_they_replace() -> None:
    """The figures the earlier contingency-table code gave on the same partitions."""
    rng = np.random.default_rng(7)
    a = rng.integers(0, 8, 500)
    b = np.where(rng.random(500) < 0.7, a, rng.integers(0, 11, 500))
    assert nmi(a, b) == pytest.approx(0.5094654872449748, abs=1e-12)
    assert ari(a, b) == pytest.approx(0.5001740799831902, abs=1e-12)
    assert (nmi([], []), ari([1], [2])) == (1.0, 1.0)
    assert (nmi([0, 0, 0], [1, 2, 3]), ari([0, 0, 0], [1, 2, 3])) == (0.0, 0.0)
    assert (nmi([0, 0], [0, 0]), ari([0, 1, 2], [3, 4, 5])) == (1.0, 1.0)


def test_canonical_labels_by_size_then_smallest_member() -> None:
    assert partition.canonical(np.array([7, 3, 3, 9, 9, 9])).tolist() == [2, 1, 1, 0, 0, 0]
    assert partition.canonical(np.array([4, 2, 4, 2])).tolist() == [0, 1, 0, 1]


def _planted(groups: int = 4, size: int = 30, contents: int = 12,
             seed: int = 0) -> tuple[Views, list[int]]:
    """Persons in `groups` taste groups, each watching mostly its own pool of contents."""
    rng = np.random.default_rng(seed)
    persons, content, weight, truth = [], [], [], []
    for g in range(groups):
        for i in range(size):
            p = g * size + i
            truth.append(g)
            for _ in range(10):
                own = rng.random() < 0.75
                pool = g if own else int(rng.integers(groups))
                persons.append(p)
                content.append(pool * contents + int(rng.integers(contents)))
                weight.append(float(rng.integers(60, 3600)))
    n = groups * size
    ids = [f"p{p:04d}" for p in range(n)]
    key = np.array(persons) * 10_000 + np.array(content)
    keys, inv = np.unique(key, return_inverse=True)
    w = np.bincount(inv, weights=np.array(weight))
    views = Views(ids, [f"c{c:04d}" for c in range(groups * contents)], keys // 10_000,
                  keys % 10_000, w, np.zeros(len(keys), dtype=np.int64))
    return views, truth


def test_knn_graph_is_symmetric_deduplicated_and_sorted_by_id() -> None:
    views, _ = _planted()
    persons, x = features(views)
    assert persons == sorted(persons)
    sim = knn(persons, x, 5)
    assert (sim.source < sim.target).all()
    assert len({(a, b) for a, b in zip(sim.source, sim.target, strict=True)}) == sim.edges
    assert ((sim.weight > 0) & (sim.weight <= 1 + 1e-9)).all()
    degree = np.bincount(np.concatenate([sim.source, sim.target]), minlength=len(persons))
    assert degree.min() >= 5


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_engines_recover_planted_groups_deterministically(engine: partition.Engine) -> None:
    views, truth = _planted()
    persons, x = features(views)
    sim = knn(persons, x, 8)
    labels = partition.partition(engine, sim, 1.0, seed=7)
    again = partition.partition(engine, sim, 1.0, seed=7)
    assert labels.tolist() == again.tolist()
    assert nmi(truth, labels) > 0.9
    assert partition.modularity(sim, labels) > 0.5


def test_sweep_chooses_as_measuring_every_resolution_would() -> None:
    views, _ = _planted()
    persons, x = features(views)
    sim = knn(persons, x, 8)
    params = community.CommunityParams(resolutions=[0.5, 1.0, 4.0, 16.0], sweep_seeds=2)
    chosen, points = community.sweep(sim, params)
    assert [p.resolution for p in points] == [0.5, 1.0, 4.0, 16.0]
    assert [p.chosen for p in points].count(True) == 1
    # each seed: the persons at the finest resolution, then every resolution on their graph
    fine = {s: partition.fast(sim, 16.0, s, community.SWEEP_ITERATIONS) for s in (42, 43)}
    every = {}
    for r in params.resolutions:
        one, two = (partition.canonical(partition.fast(partition.aggregate(sim, fine[s]), r,
                                                       s)[fine[s]]) for s in (42, 43))
        every[r] = (round(partition.modularity(sim, one), 4), round(nmi(one, two), 4),
                    int(one.max()) + 1)
    stable = [r for r in every if every[r][1] >= params.min_stability]
    assert stable
    assert chosen == max(stable, key=lambda r: (every[r][0], -abs(math.log(r))))
    measured = [p for p in points if p.stability is not None]
    assert measured and all(p.stability == every[p.resolution][1] for p in measured)
    assert all((p.modularity, p.communities) == (every[p.resolution][0], every[p.resolution][2])
               for p in points)


def _coarsened(fine: np.ndarray, groups: int, seed: int) -> np.ndarray:
    """A random coarsening of `fine`: each of its communities joins one of `groups`."""
    return np.random.default_rng(seed).integers(0, groups, int(fine.max()) + 1)


@pytest.mark.parametrize("resolution", [0.25, 1.0, 3.0])
def test_the_aggregate_gives_the_modularity_of_the_persons_for_any_coarsening(
        resolution: float) -> None:
    views, _ = _planted()
    persons, x = features(views)
    sim = knn(persons, x, 8)
    fine = partition.fast(sim, 16.0, 1, 2)
    coarse = partition.aggregate(sim, fine)
    assert len(coarse.persons) == int(fine.max()) + 1 < len(persons)
    assert (coarse.source == coarse.target).any()  # internal weight kept as self-loops
    assert coarse.weight.sum() == pytest.approx(sim.weight.sum())
    assert coarse.strength == pytest.approx(np.bincount(fine, weights=sim.strength).tolist())
    for seed, groups in [(0, 2), (1, 4), (2, 9), (3, int(fine.max()) + 1)]:
        labels = _coarsened(fine, groups, seed)
        assert partition.modularity(coarse, labels, resolution) == pytest.approx(
            partition.modularity(sim, labels[fine], resolution), abs=1e-12)


def test_leiden_on_the_aggregate_weighs_each_community_with_its_internal_weight() -> None:
    """At the resolution that found the communities, Leiden on their aggregate keeps them (a
    merge would lower the modularity there); with the self-loops left out of the node
    weights it would merge them."""
    views, _ = _planted(groups=6, size=40)
    persons, x = features(views)
    sim = knn(persons, x, 8)
    fine = partition.fast(sim, 8.0, 3)
    coarse = partition.aggregate(sim, fine)
    alone = np.arange(len(coarse.persons))
    kept = partition.fast(coarse, 8.0, 3)
    assert partition.modularity(coarse, kept, 8.0) >= partition.modularity(coarse, alone, 8.0)
    assert int(kept.max()) + 1 >= 0.9 * len(coarse.persons)


def test_ids_continue_previous_segments_and_new_ones_are_numbered() -> None:
    previous = {"community-1": {"a", "b", "c"}, "community-4": {"x", "y"}}
    ids, continued = community.assign_ids([["a", "b", "c", "d"], ["m", "n"]], previous)
    assert ids == ["community-1", "community-5"]
    assert continued == {"community-1": "community-1"}
    assert match({"n": {"a"}}, {"o": {"a", "b", "c"}}) == {}   # Jaccard 1/3 < 0.5
    stab = community.stability({"community-1": {"a", "b", "c", "d"}, "community-5": {"m"}},
                               previous, "run-0", continued)
    assert (stab.continued, stab.new, stab.dropped, stab.common_persons) == (1, 1, 1, 3)


RULE = {"id": "sports", "name": "Sports fans", "version": 1,
        "all": [{"interest": "483", "score": {"op": ">=", "value": 0.1}},
                {"device_type": ["stb", "smart_tv"]}],
        "any": [{"household_size": {"op": ">", "value": 2}},
                {"active_within_days": 7, "negate": True}]}


@pytest.mark.parametrize(("change", "field"), [
    ({"all": [{"interest": "483", "score": {"op": "=>", "value": 1}}]}, r"all\[0\]\.score\.op"),
    ({"all": [{"interest": "483') DETACH DELETE n //"}]}, r"all\[0\]\.interest"),
    ({"name": "x' }) MATCH (n) DETACH DELETE n //"}, r"name"),
    ({"id": "a;b"}, r"id"),
    ({"all": [{"device_type": ["toaster"]}]}, r"all\[0\]\.device_type\[0\]"),
    ({"all": [{"segment": "community-1`"}]}, r"all\[0\]\.segment"),
    ({"all": [{"colour": "red"}]}, r"all\[0\]: a condition needs one of"),
    ({"all": [{"interest": "483", "weight": 1}]}, r"all\[0\]\.weight"),
    ({"all": []}, r"all: "),
    ({"id": "community-3"}, r"id: "),
])
def test_invalid_rules_are_refused_naming_the_field(change: dict[str, object],
                                                    field: str) -> None:
    with pytest.raises(InputError, match=field):
        parse_rule({**RULE, **change})


def test_unknown_and_sensitive_interests_are_refused() -> None:
    rule = parse_rule(RULE)
    graph = RecordingGraph({"segments/known_ids": [
        {"interests": [], "sensitive": [], "segments": []}]})
    with pytest.raises(InputError, match=r"all\[0\]\.interest: unknown interest 483"):
        rule_apply.dry_run(graph, rule)
    graph.answers["segments/known_ids"] = [
        {"interests": ["c3:483"], "sensitive": ["c3:483"], "segments": []}]
    with pytest.raises(InputError, match=r"all\[0\]\.interest: interest c3:483 is sensitive"):
        rule_apply.dry_run(graph, rule)


def test_rule_compiles_to_parameters_of_one_fixed_query() -> None:
    rule = parse_rule(RULE)
    graph = RecordingGraph({
        "segments/known_ids": [{"interests": ["c3:483"], "sensitive": [], "segments": []}],
        "conditions/latest_day": [{"day": "2025-03-09"}],
        "conditions/members": [{"stale": 0, "rows": [{"person": "p1"}, {"person": "p2"}]}],
    })
    result = rule_apply.dry_run(graph, rule)
    assert result.count == 2
    assert result.query == queries.get("conditions/members").text
    params = result.params
    # the interest condition is the anchor and proves itself; the `any` group stands apart
    assert params["anchor"]["kind"] == "interest" and params["anchor"]["ids"] == ["c3:483"]
    assert params["anchor"]["score"] == [{"op": ">=", "value": 0.1}]
    assert [c["kind"] for c in params["conditions"]] == ["device_type"]
    assert [c["kind"] for c in params["any"]] == ["household_size", "active_within_days"]
    assert params["any"][0]["size"] == [{"op": ">", "value": 2}]
    assert params["any"][1]["negate"] is True and params["any"][1]["since"] == "2025-03-02"
    assert params["purpose"] is None and params["target"] == "person"
    for value in ("483", "Sports fans", "stb"):
        assert value not in result.query


def test_rule_digest_changes_with_conditions() -> None:
    assert parse_rule(RULE).digest() == parse_rule(dict(RULE)).digest()
    assert parse_rule(RULE).digest() != parse_rule({**RULE, "any": []}).digest()


def test_approximate_neighbours_are_seeded_and_measured_against_exact() -> None:
    views, truth = _planted(groups=4, size=60)
    persons, x = features(views)
    exact = knn(persons, x, 8, "exact")
    assert recall(exact, 8, sample=50) == 1.0
    approximate = knn(persons, x, 8, "approximate", seed=3)
    again = knn(persons, x, 8, "approximate", seed=3)
    assert approximate.neighbours.tolist() == again.neighbours.tolist()
    assert recall(approximate, 8, sample=50) >= 0.9
    labels = partition.partition("fast", approximate, 1.0, seed=7)
    assert nmi(truth, labels) > 0.9


def test_sweep_runs_the_same_on_forked_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    views, _ = _planted()
    persons, x = features(views)
    sim = knn(persons, x, 8)
    params = community.CommunityParams(resolutions=[0.5, 1.0, 4.0], sweep_seeds=3)
    monkeypatch.setattr(community, "PARALLEL_FROM_EDGES", 10**12)
    alone = community.sweep(sim, params)
    monkeypatch.setattr(community, "PARALLEL_FROM_EDGES", 0)
    assert community.sweep(sim, params) == alone


@pytest.mark.parametrize("parallel_from", [10**12, 0])
def test_the_start_of_the_final_partition_is_a_sweep_run_at_the_chosen_resolution(
        monkeypatch: pytest.MonkeyPatch, parallel_from: int) -> None:
    """Also when the resolution run ahead (the one the criterion prefers before stability)
    proves unstable and another is chosen."""
    views, _ = _planted()
    persons, x = features(views)
    sim = knn(persons, x, 8)
    monkeypatch.setattr(community, "PARALLEL_FROM_EDGES", parallel_from)
    params = community.CommunityParams(resolutions=[0.5, 1.0, 4.0, 16.0], sweep_seeds=3)
    chosen, points, start, _ = community._sweep(sim, params)
    assert start is not None and start.tolist() == partition.fast(
        sim, chosen, params.seed, community.SWEEP_ITERATIONS).tolist()
    preferred = max(points, key=lambda p: (p.modularity, -abs(math.log(p.resolution))))
    real = community.nmi
    monkeypatch.setattr(community, "nmi", lambda a, b: 0.0 if int(np.max(a)) + 1 ==
                        preferred.communities else real(a, b))
    other, _, start, _ = community._sweep(sim, params)
    assert other != preferred.resolution
    assert start is not None and start.tolist() == partition.fast(
        sim, other, params.seed, community.SWEEP_ITERATIONS).tolist()
    fixed = community.CommunityParams(resolutions=[0.5, 1.0], resolution=3.0)
    assert community._sweep(sim, fixed)[2].tolist() == partition.fast(  # type: ignore[union-attr]
        sim, 3.0, fixed.seed, community.SWEEP_ITERATIONS).tolist()
    reference = community.CommunityParams(resolutions=[0.5, 1.0], engine="reference")
    assert community._sweep(sim, reference)[2] is None


def test_the_fast_engine_continues_from_the_sweeps_partition() -> None:
    views, truth = _planted()
    persons, x = features(views)
    sim = knn(persons, x, 8)
    start = partition.fast(sim, 1.0, 7, community.SWEEP_ITERATIONS)
    labels = partition.partition("fast", sim, 1.0, 7, initial=start)
    assert labels.tolist() == partition.partition("fast", sim, 1.0, 7, initial=start).tolist()
    assert partition.modularity(sim, labels) >= partition.modularity(sim, start) - 1e-9
    assert nmi(truth, labels) > 0.9


def test_the_embedding_keeps_more_directions_than_the_tastes_the_spectrum_shows() -> None:
    views, _ = _planted(groups=40, size=12)
    persons, x = features(views)
    found = knn(persons, x, 8, "exact")
    assert (found.tastes, found.vectors.shape[1]) == (40, 54)  # 4/3 of 40, above 32
    assert found.gap > 1.2
    few = knn(*features(_planted(groups=4, size=60)[0]), k=8, method="exact")
    assert (few.tastes, few.vectors.shape[1]) == (4, 32)
    fixed = knn(persons, x, 8, "exact", fixed_dimensions=16)
    assert (fixed.tastes, fixed.vectors.shape[1]) == (0, 16)
