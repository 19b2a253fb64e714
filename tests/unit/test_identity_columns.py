"""The rules and evidence on columns (`fast`) against the per-link, per-pair reference, on
generated data (the default and the noisy profile) and under rule settings that make every
rule fire: same partitions, exclusions, caps, pairs with their levels and scores,
confidences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from proteus.events import NetworkEvent, read_rows, validate
from proteus.identity.components import grouped
from proteus.identity.eligibility import group_pairs, through_devices
from proteus.identity.links import Link, link_from_row
from proteus.identity.resolve import Resolution, resolve, resolve_table
from proteus.identity.rules import Rules, default_rules_path, load_rules
from proteus.identity.table import LinkTable
from proteus.ingest.aggregate import network_rows
from proteus.pseudonym import pseudonymise
from proteus.tools import generate

KEY = b"unit-test-key-0123456789"


def generated(dataset: Path) -> tuple[list[str], list[Link]]:
    records = [record for path in sorted(dataset.glob("network-*"))
               for _, raw in read_rows(path)
               if isinstance(record := validate("network", raw), NetworkEvent)]
    rows = network_rows(records, lambda kind, value: pseudonymise(kind, value, KEY))
    identifiers = {(row["kind"], row["value"]): row for row in rows["ingest/merge_identifiers"]}
    links = [link_from_row({**row, "network": identifiers[(row["kind"], row["value"])]["network"],
                            "ip_class": identifiers[(row["kind"], row["value"])]["ip_class"]})
             for row in rows["ingest/merge_sightings"]]
    return sorted(row["id"] for row in rows["ingest/merge_devices"]), links


@pytest.fixture(scope="module", params=["default", "noisy"])
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[list[str], list[Link]]:
    out = tmp_path_factory.mktemp("columns") / "data"
    generate.run(generate.GenerateParams.model_validate(
        {"out": out, "devices": 1200, "seed": 11, "quiet": True, "profile": request.param}))
    return generated(out)


def strict_rules() -> Rules:
    """Tighter settings that make every rule fire on the generated data: a short window,
    per-day caps, day minimums and time windows on several kinds, no blocklist but logins'
    (generic values are then found by their households), households linked by app ids."""
    data: dict[str, Any] = yaml.safe_load(default_rules_path().read_text())
    data["window_days"] = 5
    for kind in ("login", "msisdn"):
        data["kinds"][kind]["max_devices"] = 1000
    for kind in ("app_id", "cookie"):
        data["kinds"][kind].update(max_devices=1, max_devices_bound=1000)
    data["caps"]["quantile"] = 0.9
    data["kinds"]["cookie"].update(min_days=2, max_devices_per_day=5)
    data["kinds"]["app_id"].update(min_shared_days=2, households=True)
    data["kinds"]["ip"].update(networks=["home", "public_wifi"], max_devices=60,
                               max_devices_per_day=6, min_shared_days=3)
    data["kinds"]["msisdn"]["min_days"] = 2
    data["blocklist"] = {"login": data["blocklist"]["login"]}
    data["generic"]["max_households"] = 1
    data["shared"]["min_other_logins"] = 1
    data["evidence"].update(support_days=3, established_devices=3, link_at=4)
    data["evidence"]["weights"]["msisdn"].update(differ=-2, differ_established=-6)
    return Rules.model_validate(data)


def same(fast: Resolution, slow: Resolution) -> None:
    def pairs(found: Resolution) -> dict[tuple[str, str], tuple[list[int], float, bool]]:
        got, ids = found.decision.pairs, found.device_ids
        return {(ids[a], ids[b]): (level, score, linked) for a, b, level, score, linked in zip(
            got.a.tolist(), got.b.tolist(), got.level.tolist(), got.score.tolist(),
            found.decision.linked.tolist(), strict=True)}

    assert pairs(fast) == pairs(slow)
    assert fast.decision.caps == slow.decision.caps
    assert fast.persons == slow.persons
    assert fast.households == slow.households
    assert fast.decision.exclusions == slow.decision.exclusions
    assert fast.confidence == slow.confidence
    assert (fast.person_links, fast.household_links) == (slow.person_links,
                                                         slow.household_links)
    def linking(found: Resolution) -> set[str]:
        return set(found.table.keys(np.flatnonzero(found.decision.linking)))

    assert linking(fast) == linking(slow)


@pytest.mark.parametrize("rules", [load_rules(), strict_rules()], ids=["default", "strict"])
def test_column_rules_match_the_reference(data: tuple[list[str], list[Link]],
                                          rules: Rules) -> None:
    devices, links = data
    blocked = rules.blocked_values(KEY)
    table = LinkTable.from_links(devices, links)
    fast = resolve_table(table, rules, blocked, engine="fast")
    slow = resolve_table(table, rules, blocked, engine="reference")
    same(fast, slow)
    fired = set(fast.decision.excluded_by_rule())
    assert {"blocklist", "kinds.ip.max_devices", "shared.min_other_logins"} <= fired
    levels = fast.decision.pairs.counts()
    assert {"shared", "shared_once"} <= set(levels["login"])
    assert "differ" in levels["ip"] and "shared" in levels["ip"]
    if rules.window_days == 5:
        assert {"kinds.ip.max_devices_per_day", "generic.max_households"} <= fired
        assert fired & {"kinds.cookie.max_devices", "kinds.cookie.max_devices_per_day"}
        assert fast.decision.caps["app_id"].source == "data"
        assert fast.person_links < resolve(devices, links, load_rules(), blocked).person_links
        assert not fast.decision.linked.all()


def test_links_round_trip_and_input_order_does_not_matter(
        data: tuple[list[str], list[Link]]) -> None:
    devices, links = data
    rules = load_rules()
    table = LinkTable.from_links(devices, links)
    back = table.links()
    assert [(k.device, k.kind, k.value, k.days, k.network, k.ip_class) for k in back] == \
        [(k.device, k.kind, k.value, k.days, k.network, k.ip_class) for k in links]
    one = resolve(devices, links, rules, rules.blocked_values(KEY))
    two = resolve(devices[::-1], links[::-1], rules, rules.blocked_values(KEY))
    same(one, two)


def test_unknown_devices_links_without_days_networks_and_classes() -> None:
    both = ("2025-03-01", "2025-03-02")
    links = [Link("a", "login", "x", both), Link("b", "login", "x", both),
             Link("ghost", "login", "x", ("2025-03-02",)), Link("c", "cookie", "y", ()),
             Link("a", "cookie", "y", ("2025-03-02",)),
             *[Link(d, "ip", "m", ("2025-03-01", "2025-03-02"), network="mobile",
                    ip_class="cgnat") for d in "ab"],
             *[Link(d, "ip", "h", ("2025-03-01", "2025-03-02"), network="home",
                    ip_class="cgnat") for d in "bc"],
             *[Link(d, "ip", "n", ("2025-03-01", "2025-03-02")) for d in "ac"]]
    rules = load_rules()
    fast = resolve(["a", "b", "c"], links, rules, set())
    same(fast, resolve(["a", "b", "c"], links, rules, set(), engine="reference"))
    assert fast.persons == [["a", "b"], ["c"]]
    assert fast.households == [["a", "b"], ["c"]]
    excluded = {key: (e.rule, e.detail) for key, e in fast.decision.exclusions.items()}
    assert excluded == {"ip:m": ("kinds.ip.networks", "network mobile"),
                        "ip:h": ("kinds.ip.ip_classes", "address class cgnat"),
                        "ip:n": ("kinds.ip.networks", "network None")}


def test_group_pairs_and_through_devices() -> None:
    first, second = group_pairs(np.array([1, 1, 1, 2, 3, 3]))
    assert list(zip(first.tolist(), second.tolist(), strict=True)) == [
        (0, 1), (0, 2), (1, 2), (4, 5)]
    left, right = through_devices(np.array([7, 7, 8]), np.array([0, 1, 1]),
                                  np.array([1, 2, 2]), np.array([0, 1, 5]))
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == [(7, 1), (7, 2), (8, 2)]


def test_grouped_numbers_connected_keys_by_their_smallest_member() -> None:
    assert grouped([("d", "b"), ("c", "c"), ("b", "a"), ("e", "f")]) == {
        "a": 0, "b": 0, "d": 0, "c": 1, "e": 2, "f": 2}
    assert grouped([]) == {}
