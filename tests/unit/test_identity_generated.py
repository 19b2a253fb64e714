"""Identity quality on a small generated dataset, without Neo4j: the device-identifier links
are folded from the network files by the same aggregation ingest uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from proteus.events import NetworkEvent, read_rows, validate
from proteus.identity.components import components
from proteus.identity.links import Link, link_from_row
from proteus.identity.resolve import Resolution, resolve
from proteus.identity.rules import load_rules
from proteus.ingest.aggregate import network_rows
from proteus.pseudonym import pseudonymise
from proteus.tools import generate
from proteus.tools.truth import Truth, load_truth, pair_score

KEY = b"unit-test-key-0123456789"


def generated_links(dataset: Path, key: bytes) -> tuple[list[str], list[Link]]:
    """Devices and SEEN_WITH-equivalent links of a generated dataset's network files."""
    records = [record for path in sorted(dataset.glob("network-*"))
               for _, raw in read_rows(path)
               if isinstance(record := validate("network", raw), NetworkEvent)]
    rows = network_rows(records, lambda kind, value: pseudonymise(kind, value, key))
    identifiers = {(row["kind"], row["value"]): row for row in rows["ingest/merge_identifiers"]}
    links = [link_from_row({**row, "first_seen": row["first"], "last_seen": row["last"],
                            "network": identifiers[(row["kind"], row["value"])]["network"],
                            "ip_class": identifiers[(row["kind"], row["value"])]["ip_class"]})
             for row in rows["ingest/merge_sightings"]]
    return sorted(row["id"] for row in rows["ingest/merge_devices"]), links


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[Link], Truth]:
    out = tmp_path_factory.mktemp("identity") / "data"
    generate.run(generate.GenerateParams.model_validate(
        {"out": out, "devices": 1500, "seed": 7, "quiet": True}))
    devices, links = generated_links(out, KEY)
    return devices, links, load_truth(out)


@pytest.fixture(scope="module")
def resolution(dataset: tuple[list[str], list[Link], Truth]) -> Resolution:
    devices, links, _ = dataset
    rules = load_rules()
    return resolve(devices, links, rules, rules.blocked_values(KEY))


def test_person_and_household_f1_meet_the_targets(
        dataset: tuple[list[str], list[Link], Truth], resolution: Resolution) -> None:
    _, _, truth = dataset
    assert pair_score(resolution.persons, truth.person).f1 >= 0.95
    assert pair_score(resolution.persons, truth.person, truth.resolvable).f1 >= 0.98
    assert pair_score(resolution.households, truth.household).f1 >= 0.95
    assert max(len(group) for group in resolution.persons) <= load_rules().gate.max_person_devices


def test_naive_components_collapse(dataset: tuple[list[str], list[Link], Truth]) -> None:
    devices, links, truth = dataset
    naive = components("fast", devices, [(k.device, k.identifier) for k in links])
    assert max(len(group) for group in naive) > len(devices) / 2
    assert pair_score(naive, truth.person).f1 < 0.1


def test_engines_agree_and_reruns_are_identical(
        dataset: tuple[list[str], list[Link], Truth], resolution: Resolution) -> None:
    devices, links, _ = dataset
    rules = load_rules()
    again = resolve(devices, list(reversed(links)), rules, rules.blocked_values(KEY),
                    engine="reference")
    assert again.persons == resolution.persons
    assert again.households == resolution.households
    assert "blocklist" in resolution.decision.excluded_by_rule()


@pytest.mark.parametrize("profile", ["noisy", "weak"])
def test_harder_profiles_beat_plain_components(tmp_path: Path, profile: str) -> None:
    """On the noisy and weak profiles the rules stay precise and beat plain components over
    the same identifiers (person-linking kinds, blocklisted values dropped)."""
    import numpy as np

    from proteus.identity.components import partition_of
    from proteus.tools.bench.identity import plain_components

    out = tmp_path / profile
    generate.run(generate.GenerateParams.model_validate(
        {"out": out, "devices": 1500, "seed": 7, "quiet": True, "profile": profile}))
    devices, links = generated_links(out, KEY)
    truth = load_truth(out)
    rules = load_rules()
    blocked = rules.blocked_values(KEY)
    found = resolve(devices, links, rules, blocked)
    ours = pair_score(found.persons, truth.person)
    plain = pair_score(partition_of(found.device_ids, plain_components(
        found.table, rules, blocked)), truth.person)
    assert ours.f1 > plain.f1 and ours.precision > plain.precision
    assert ours.precision >= (0.95 if profile == "noisy" else 0.9)
    if profile == "noisy":
        assert ours.f1 >= 0.94
        assert found.decision.caps["app_id"].cap > 4  # persons with 5-6 synced devices
    else:
        assert not truth.resolvable and np.all(found.decision.pairs.level[:, 0] == 0)
