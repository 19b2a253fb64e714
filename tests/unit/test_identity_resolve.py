from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from proteus.edge import identity_params
from proteus.graph import RecordingGraph
from proteus.identity.components import canonical, fast, reference
from proteus.identity.links import Link
from proteus.identity.resolve import resolve
from proteus.identity.rules import default_rules_path, load_rules
from proteus.identity.sizes import size_stats
from proteus.identity.stable import assign_ids, changes
from proteus.identity.stage import run
from proteus.settings import Settings
from proteus.tools.truth import pair_score

KEY = b"unit-test-key-0123456789"
WEEK = tuple(f"2025-03-0{d}" for d in range(3, 10))

LinkGraph = Callable[..., RecordingGraph]  # the `link_graph` fixture (conftest.py)


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
    # alice on both phones on 3 days (+12) and the home address together (+3), prior -4
    assert result.confidence["a1"] == round(1 / (1 + 2 ** -11), 6)
    assert "tv" in result.confidence and result.confidence["b1"] < 1


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


def test_stage_records_exclusions_and_publishes_through_named_queries(
        link_graph: LinkGraph) -> None:
    rows = [{"device": k.device, "kind": k.kind, "value": k.value, "days": list(k.days),
             "count": k.count, "network": k.network, "ip_class": k.ip_class, "edge_id": "e"}
            for k in household()]
    graph = link_graph(rows)
    report = run(graph, identity_params(Settings(env="test")))
    names = [name for name, _ in graph.calls]
    assert names[0] == "runs/create_run" and names[-1] == "runs/finish_run"
    assert "identity/write_persons" in names and "identity/write_households" in names
    assert report.published and report.persons.count == 2 and report.households.count == 1
    assert report.excluded_by_rule == {"shared.min_other_logins": 1}
    exclusions = dict(graph.calls)["identity/write_exclusions"]["rows"]
    assert exclusions[0]["rule"] == "shared.min_other_logins"


def test_gate_failure_publishes_nothing(tmp_path: Path, link_graph: LinkGraph) -> None:
    data = yaml.safe_load(default_rules_path().read_text())
    data["gate"]["max_person_devices"] = 2
    rules_file = tmp_path / "identity.yaml"
    rules_file.write_text(yaml.safe_dump(data))
    rows = [{"device": d, "kind": "login", "value": "carol", "days": ["2025-03-03", "2025-03-04"]}
            for d in ("c1", "c2", "c3")]
    graph = link_graph(rows)
    report = run(graph, identity_params(Settings(env="test"), rules=rules_file))
    assert not report.gate.passed and report.status == "failed" and not report.published
    assert "3 devices > 2" in report.gate.reason
    names = [name for name, _ in graph.calls]
    assert "identity/write_persons" not in names and "identity/retire_persons" not in names
    assert graph.calls[-1][1]["status"] == "failed"


def home(*devices: str) -> list[Link]:
    return [link(d, "ip", "home9", WEEK, "home") for d in devices]


def test_a_login_seen_once_does_not_veto_a_supported_app_id() -> None:
    """A login mistyped once on p2 used to make the app id carry two logins (a veto); now
    the typo is not supported evidence and the synced app id links the phone."""
    links = [link("p1", "login", "anna"), link("p3", "login", "anna"),
             link("p2", "login", "anan", WEEK[:1]),
             link("p1", "app_id", "A"), link("p2", "app_id", "A"), *home("p1", "p2", "p3")]
    result = resolve(["p1", "p2", "p3"], links, load_rules(), set())
    assert result.persons == [["p1", "p2", "p3"]]
    pairs = result.decision.pairs
    row = next(n for n, (a, b) in enumerate(zip(pairs.a, pairs.b, strict=True))
               if {result.device_ids[a], result.device_ids[b]} == {"p1", "p2"})
    levels = dict(zip(pairs.kinds, pairs.level[row].tolist(), strict=True))
    assert levels["login"] == 0 and levels["app_id"] == 4 and levels["ip"] == 4
    assert pairs.score[row] == -4 + 8 + 3


def test_two_established_accounts_keep_a_restored_app_id_from_linking() -> None:
    links = [link("a1", "login", "alice"), link("a2", "login", "alice"),
             link("b1", "login", "bob"), link("b2", "login", "bob"),
             link("a1", "app_id", "R"), link("b1", "app_id", "R"),
             *home("a1", "a2", "b1", "b2")]
    for engine in ("fast", "reference"):
        result = resolve(["a1", "a2", "b1", "b2"], links, load_rules(), set(), engine=engine)
        assert result.persons == [["a1", "a2"], ["b1", "b2"]]
        assert result.households == [["a1", "a2", "b1", "b2"]]
    # a second spelling of the login on one device only weighs -1: the app id links
    variant = [k if (k.device, k.kind) != ("b1", "login") else link("b1", "login", "alice2")
               for k in links if k.device != "b2"]
    found = resolve(["a1", "a2", "b1"], variant, load_rules(), set())
    assert found.persons == [["a1", "a2", "b1"]]


def test_caps_come_from_the_data_within_bounds() -> None:
    devices = [f"d{n:03d}" for n in range(60)]
    links = [link(d, "app_id", f"sync{n // 6}") for n, d in enumerate(devices[:42])]
    links += [link(d, "app_id", "sdk-default") for d in devices[:20]]
    result = resolve(devices, links, load_rules(), set())
    cap = result.decision.caps["app_id"]
    assert (cap.cap, cap.source, cap.low, cap.high) == (12, "data", 4, 12)
    assert cap.found == 20 and "bounds 4-12" in cap.detail()
    assert result.decision.exclusions["app_id:sdk-default"].rule == "kinds.app_id.max_devices"
    assert sorted(len(p) for p in result.persons if len(p) > 1) == [6] * 7
    only_pairs = [link(d, "app_id", f"pair{n // 2}") for n, d in enumerate(devices)]
    assert resolve(devices, only_pairs, load_rules(), set()).decision.caps["app_id"].cap == 4
