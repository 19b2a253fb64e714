"""The quick check against `validate`, and the column-wise fold against the plain one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from proteus.events import Rejection, read_rows, validate
from proteus.events.quick import QUICK, values_of
from proteus.generate import GenerateParams, run
from proteus.ingest.aggregate import network_rows, viewing_rows
from proteus.ingest.fold import NetworkFold, ViewingFold


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fold") / "data"
    run(GenerateParams(out=out, devices=400, days=2, malformed_rate=0.02, quiet=True))
    return out


def _agree(kind: str, raw: Any) -> tuple[Any, ...] | None:
    """The quick values, after checking them against what `validate` makes of the row."""
    quick = QUICK[kind](raw)
    outcome = validate(kind, raw)
    if quick is not None:
        assert not isinstance(outcome, Rejection), (raw, outcome)
        assert values_of(outcome) == quick, raw
        return quick
    return None if isinstance(outcome, Rejection) else values_of(outcome)


@pytest.mark.parametrize("kind", ["network", "viewing"])
def test_quick_check_accepts_only_what_validate_accepts_with_the_same_values(
        generated: Path, kind: str) -> None:
    quick = rejected = 0
    for path in sorted(generated.glob(f"{kind}-*")):
        for _, raw in read_rows(path):
            values = _agree(kind, raw)
            quick += QUICK[kind](raw) is not None
            rejected += values is None
    assert quick > 1000 and rejected > 10


NETWORK = {"event_id": "e1", "ts": "2026-03-01T23:30:00Z", "device_id": "d1",
           "device_type": "phone", "network": "home", "ip": "100.64.1.9"}
VIEWING = {"event_id": "v1", "ts": "2026-03-01T23:30:00Z", "device_id": "d1",
           "content_id": "c1", "seconds": 60}


@pytest.mark.parametrize("change", [
    {"ts": "2026-03-01T23:30:00+02:00"}, {"ts": "2026-03-01T23:30:00.25-05:30"},
    {"ts": "2026-03-01 23:30:00Z"}, {"ts": "2026-03-01T23:30:00z"}, {"ts": "2026-03-01T24:00:00Z"},
    {"ts": "2026-03-01T23:30:00"}, {"ts": 1_700_000_000}, {"ts": "1700000000"},
    {"ts": "2026-03-01T23:30:00.1234567Z"}, {"ts": datetime(2026, 3, 1, 23, 30, tzinfo=UTC)},
    {"ts": datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-3)))},
    {"ts": datetime(2026, 3, 1, 23, 30)}, {"ip": "300.1.1.1"}, {"ip": ""}, {"ip": None},
    {"ip": 17}, {"msisdn": "+4915112345678"}, {"msisdn": "123\n"}, {"msisdn": "1" * 16},
    {"cookie": ""}, {"cookie": "x" * 257}, {"cookie": 5}, {"device_type": "fridge"},
    {"device_type": ["phone"]}, {"network": None}, {"event_id": ""}, {"imei": "1"},
    {"imei": None}, {"user_agent": "u" * 1025}, {"login": "anna@example.org"},
])
def test_quick_network_edge_cases_agree(change: dict[str, Any]) -> None:
    _agree("network", {**NETWORK, **change})


@pytest.mark.parametrize("change", [
    {"seconds": 1}, {"seconds": 86400}, {"seconds": 0}, {"seconds": 86401}, {"seconds": 60.0},
    {"seconds": "60"}, {"seconds": True}, {"seconds": None}, {"content_id": ""},
    {"content_id": 7}, {"extra": 1}, {"ts": "2026-03-01T23:30:00-01:00"},
])
def test_quick_viewing_edge_cases_agree(change: dict[str, Any]) -> None:
    _agree("viewing", {**VIEWING, **change})


def _canonical(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    return {name: sorted(json.dumps(r, sort_keys=True) for r in part)
            for name, part in rows.items()}


@pytest.mark.parametrize("kind", ["network", "viewing"])
def test_column_fold_gives_the_rows_of_the_plain_fold(generated: Path, kind: str) -> None:
    fold = NetworkFold() if kind == "network" else ViewingFold()
    records = []
    # both days in one fold, the second day first: day lists must still come out sorted
    for path in sorted(generated.glob(f"{kind}-*"), reverse=True):
        for _, raw in read_rows(path):
            outcome = validate(kind, raw)
            if not isinstance(outcome, Rejection):
                records.append(outcome)
                fold.add(values_of(outcome))
    pseudonym = lambda kind, value: f"{kind}#{value}"  # noqa: E731
    plain = network_rows(records, pseudonym) if kind == "network" else viewing_rows(records)
    folded = fold.rows(pseudonym)
    assert list(folded) == list(plain)
    assert _canonical(folded) == _canonical(plain)
    several = [r for part in plain.values() for r in part if len(r.get("days", [])) > 1]
    assert several, "the data should repeat pairs across days"
