from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from proteus.graph import RecordingGraph
from proteus.identity.components import canonical, fast, reference
from proteus.identity.links import Link
from proteus.identity.quality import pair_score, size_stats
from proteus.identity.report import IdentityParams
from proteus.identity.resolve import resolve
from proteus.identity.rules import default_rules_path, load_rules
from proteus.identity.stable import assign_ids, changes
from proteus.identity.stage import run
from proteus.settings import Settings

KEY = b"unit-test-key-0123456789"
WEEK = tuple(f"2025-03-0{d}" for d in range(3, 10))


def link(device: str, kind: str, value: str, days: tuple[str, ...] = WEEK[:3],
         network: str | None = None) -> Link:
    return Link(device=device, kind=kind, value=value, days=days, count=len(days),
                network=network, ip_class="public" if kind == "ip" else None)


def household() -> list[Link]:
    """Two people on one home IP: each has a login; the TV carries both the primary's
    login and the family login, which the other person's phone also uses."""
    return [
        link("a1", "login", "alice"), link("a2", "login", "alice"),
        link("tv", "login", "alice"), link("tv", "login", "family"),
        link("a1", "login", "family"),
        link("b1", "login", "bob"), link("b2", "login", "bob"), link("b1", "login", "family"),
        *[link(d, "ip", "home1", WEEK, "home") for d in ("a1", "a2", "tv", "b1", "b2")],
    ]


def test_family_login_links_the_household_not_the_person() -> None:
    rules = load_rules()
    result = resolve(["a1", "a2", "tv", "b1", "b2"], household(), rules, set())
    assert result.persons == [["a1", "a2", "tv"], ["b1", "b2"]]
    assert result.households == [["a1", "a2", "b1", "b2", "tv"]]
    excluded = result.decision.exclusions["login:family"]
    assert (excluded.rule, excluded.scope) == ("shared.min_other_logins", "persons")
    assert result.confidence["a1"] == rules.confidence.strong


def test_cgnat_ip_and_blocklisted_cookie_do_not_link() -> None:
    rules = load_rules()
    devices = [f"m{i:03d}" for i in range(60)]
    links = [link(d, "ip", "cgnat1", WEEK[:1], "mobile") for d in devices]
    links += [link("m000", "cookie", "null"), link("m001", "cookie", "null")]
    result = resolve(devices, links, rules, {("cookie", "null")})
    assert len(result.persons) == 60 and len(result.households) == 60
    assert result.decision.exclusions["ip:cgnat1"].rule == "kinds.ip.max_devices"
    assert result.decision.exclusions["cookie:null"].rule == "blocklist"


def test_home_ip_passed_to_another_household_links_neither_to_the_other() -> None:
    rules = load_rules()
    links = [link("x1", "ip", "reused", WEEK[:3], "home"), link("x2", "ip", "reused",
                                                                WEEK[:3], "home"),
             link("y1", "ip", "reused", WEEK[3:6], "home"),
             link("y2", "ip", "reused", WEEK[3:6], "home")]
    result = resolve(["x1", "x2", "y1", "y2"], links, rules, set())
    assert result.households == [["x1", "x2"], ["y1", "y2"]]


def test_engines_give_the_same_partition() -> None:
    edges = [(f"d{i}", f"n{i // 3}") for i in range(30)] + [("d2", "n5"), ("d40", "n40")]
    devices = [f"d{i}" for i in range(45)]
    assert fast(devices, edges) == reference(devices, edges)
    assert canonical([["b", "a"], ["c"]]) == [["a", "b"], ["c"]]


def test_ids_are_stable_and_merges_and_splits_are_recorded() -> None:
    first = [["a", "b"], ["c", "d"], ["e"]]
    ids = assign_ids(first, {}, "p")
    assert assign_ids(first, {}, "p") == ids
    previous = {d: pid for group, pid in zip(first, ids, strict=True) for d in group}
    assert assign_ids(first, previous, "p") == ids
    assert changes(first, ids, previous) == []
    merged = [["a", "b", "c", "d"], ["e"]]
    merged_ids = assign_ids(merged, previous, "p")
    assert merged_ids == [min(ids[0], ids[1]), ids[2]]
    (event,) = changes(merged, merged_ids, previous)
    assert event.kind == "merge" and set(event.old_ids) == {ids[0], ids[1]}
    split = [["a"], ["b"], ["c", "d"], ["e"]]
    split_ids = assign_ids(split, previous, "p")
    assert split_ids[0] == ids[0] and split_ids[1] not in ids
    (event,) = changes(split, split_ids, previous)
    assert event.kind == "split" and event.old_ids == (ids[0],)


def test_pair_score_and_sizes() -> None:
    truth = {"a": "1", "b": "1", "c": "2", "d": "2"}
    assert pair_score([["a", "b"], ["c", "d"]], truth).f1 == 1.0
    score = pair_score([["a", "b", "c", "d"]], truth)
    assert score.recall == 1.0 and score.precision == pytest.approx(2 / 6, abs=1e-6)
    assert pair_score([["a", "c"], ["b"], ["d"]], truth, only={"a", "b"}).recall == 0.0
    assert size_stats([["a", "b"], ["c"]]).largest_share == pytest.approx(2 / 3, abs=1e-6)


def test_stage_records_exclusions_and_publishes_through_named_queries() -> None:
    rows = [{"device": k.device, "kind": k.kind, "value": k.value, "days": list(k.days),
             "count": k.count, "network": k.network, "ip_class": k.ip_class, "edge_id": "e"}
            for k in household()]
    graph = RecordingGraph({
        "identity/devices": [{"id": d} for d in ("a1", "a2", "tv", "b1", "b2")],
        "identity/stream_links": rows,
    })
    report = run(graph, IdentityParams(), Settings(env="test"))
    names = [name for name, _ in graph.calls]
    assert names[0] == "runs/create_run" and names[-1] == "runs/finish_run"
    assert "identity/write_persons" in names and "identity/write_households" in names
    assert report.published and report.persons.count == 2 and report.households.count == 1
    assert report.excluded_by_rule == {"shared.min_other_logins": 1}
    exclusions = dict(graph.calls)["identity/write_exclusions"]["rows"]
    assert exclusions[0]["rule"] == "shared.min_other_logins"


def test_gate_failure_publishes_nothing(tmp_path: Path) -> None:
    data = yaml.safe_load(default_rules_path().read_text())
    data["gate"]["max_person_devices"] = 2
    rules_file = tmp_path / "identity.yaml"
    rules_file.write_text(yaml.safe_dump(data))
    rows = [{"device": d, "kind": "login", "value": "carol", "days": ["2025-03-03"]}
            for d in ("c1", "c2", "c3")]
    graph = RecordingGraph({"identity/devices": [{"id": d} for d in ("c1", "c2", "c3")],
                            "identity/stream_links": rows})
    report = run(graph, IdentityParams(rules=rules_file), Settings(env="test"))
    assert not report.gate.passed and report.status == "failed" and not report.published
    assert "3 devices > 2" in report.gate.reason
    names = [name for name, _ in graph.calls]
    assert "identity/write_persons" not in names and "identity/retire_persons" not in names
    assert graph.calls[-1][1]["status"] == "failed"
