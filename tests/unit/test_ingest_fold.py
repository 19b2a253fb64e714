"""The columnar path (DuckDB) against the reference (pydantic models, plain-Python fold).

Row by row: the same accept/reject decision, the same field and reason, the same values; on
the generator's malformed rows in every format, on hand-made bad input, and on rows drawn by
Hypothesis. Then the fold: the same aggregate rows, pseudonyms included.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proteus.events import Rejection, read_rows, validate
from proteus.events.checks import Bounds
from proteus.ingest.aggregate import consent_rows, ip_class, network_rows, viewing_rows
from proteus.ingest.fold import Fold
from proteus.pseudonym import pseudonymise
from proteus.tools.generate import GenerateParams, run

KEY = b"a key for the fold tests"
BOUNDS = Bounds(earliest=datetime(2000, 1, 1, tzinfo=UTC),
                latest=datetime(2030, 1, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for fmt in ("jsonl", "csv", "parquet"):
        folder = tmp_path_factory.mktemp("fold") / fmt
        run(GenerateParams(out=folder, devices=300, days=2, malformed_rate=0.03, quiet=True,
                           format=fmt))
        out[fmt] = folder
    return out


def _columnar(kind: str, path: Path, tmp: Path) -> dict[int, tuple[str | None, str | None,
                                                                    dict[str, Any]]]:
    """line -> (field, reason, typed values) as the columnar path decides each row."""
    with Fold(kind, tmp, "check", KEY, BOUNDS, 1_000_000, keep_all=True) as fold:
        [scan] = fold.load([path])
        assert scan.error is None, scan.error
        names = [c[0] for c in fold.con.execute("DESCRIBE checked").fetchall()]
        out = {}
        for row in fold.con.execute("SELECT * FROM checked").fetchall():
            found = dict(zip(names, row, strict=True))
            out[found["line"]] = (found["field"], found["reason"], found)
    return out


def _expected_values(kind: str, record: Any) -> dict[str, Any]:
    values = record.model_dump()
    ts = values.pop("ts")
    values["ts"] = int(ts.timestamp())
    values["day"] = ts.date()
    return values


def _agree(kind: str, path: Path, tmp: Path) -> tuple[int, int]:
    """Assert that both paths decide every row of `path` alike; (accepted, rejected)."""
    columnar = _columnar(kind, path, tmp)
    reference = list(read_rows(path))
    assert sorted(columnar) == [line for line, _ in reference]
    accepted = rejected = 0
    for line, raw in reference:
        outcome = validate(kind, raw, BOUNDS)
        field, reason, values = columnar[line]
        if isinstance(outcome, Rejection):
            rejected += 1
            assert (field, reason) == (outcome.field, outcome.reason), (path.name, line, raw)
        else:
            accepted += 1
            assert field is None, (path.name, line, raw, field, reason)
            for name, value in _expected_values(kind, outcome).items():
                assert values[name] == value, (path.name, line, name, raw)
    return accepted, rejected


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize("kind", ["network", "viewing", "consent"])
def test_columnar_check_decides_every_generated_row_as_the_models_do(
        generated: dict[str, Path], tmp_path: Path, kind: str, fmt: str) -> None:
    accepted = rejected = 0
    for path in sorted(generated[fmt].glob(f"{kind}-*")):
        a, r = _agree(kind, path, tmp_path)
        accepted, rejected = accepted + a, rejected + r
    assert accepted > 100 and rejected > 3


NETWORK = {"event_id": "n1", "ts": "2025-03-03T08:00:00Z", "device_id": "d1",
           "device_type": "phone", "network": "home", "ip": "10.1.2.3", "login": "a@b.c"}
VIEWING = {"event_id": "v1", "ts": "2025-03-03T08:00:00+01:00", "device_id": "d1",
           "content_id": "c1", "seconds": 60}
CONSENT = {"event_id": "c1", "ts": "2025-03-03T08:00:00Z", "account": "a@b.c",
           "purpose": "advertising", "granted": False}
BASE = {"network": NETWORK, "viewing": VIEWING, "consent": CONSENT}

# Bad and borderline input: every value rule, both sides of each bound.
CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("network", {"ts": "9999-12-31T23:30:00-01:00"}),
    ("network", {"ts": "0001-01-01T00:00:00+01:00"}),
    ("network", {"ts": "1999-12-31T23:59:59Z"}),
    ("network", {"ts": "2000-01-01T00:00:00Z"}),
    ("network", {"ts": "2025-02-29T00:00:00Z"}),
    ("network", {"ts": "2024-02-29T23:59:59.999999999-05:00"}),
    ("network", {"ts": "2025-03-03T24:00:00Z"}),
    ("network", {"ts": "2025-03-03T08:00:60Z"}),
    ("network", {"ts": "2025-03-03T08:00:00+24:00"}),
    ("network", {"ts": "2025-03-03T08:00:00+23:59"}),
    ("network", {"ts": "2025-03-03 08:00:00Z"}),
    ("network", {"ts": "2025-03-03T08:00:00z"}),
    ("network", {"ts": "2025-03-03T08:00:00"}),
    ("network", {"ts": 1741000000}),
    ("network", {"ts": None}),
    ("network", {"device_type": "PHONE"}),
    ("network", {"device_type": ["phone"]}),
    ("network", {"ip": "01.2.3.4"}),
    ("network", {"ip": "1.2.3.4 "}),
    ("network", {"ip": "255.255.255.255"}),
    ("network", {"ip": "100.64.0.1"}),
    ("network", {"ip": ""}),
    ("network", {"ip": None}),
    ("network", {"msisdn": "+447700900123"}),
    ("network", {"msisdn": "+44 7700"}),
    ("network", {"msisdn": 447700900123}),
    ("network", {"login": "x" * 256}),
    ("network", {"login": "x" * 257}),
    ("network", {"login": "tab\there"}),
    ("network", {"login": "nul\u0000"}),
    ("network", {"login": "é😀"}),
    ("network", {"login": 12}),
    ("network", {"login": True}),
    ("network", {"login": {"nested": {"deeper": [1, 2, {"x": None}]}}}),
    ("network", {"user_agent": "u" * 1024}),
    ("network", {"user_agent": "u" * 1025}),
    ("network", {"device_id": "MATCH (n) DETACH DELETE n //"}),
    ("network", {"imei": ""}),
    ("network", {"imei": None}),
    ("network", {"imei": "35"}),
    ("viewing", {"seconds": True}),
    ("viewing", {"seconds": "60"}),
    ("viewing", {"seconds": " 60"}),
    ("viewing", {"seconds": "+60"}),
    ("viewing", {"seconds": 60.0}),
    ("viewing", {"seconds": 1e2}),
    ("viewing", {"seconds": 0}),
    ("viewing", {"seconds": 86400}),
    ("viewing", {"seconds": 86401}),
    ("viewing", {"seconds": -5}),
    ("viewing", {"seconds": 99999999999999999999999}),
    ("viewing", {"seconds": "99999999999999999999999"}),
    ("viewing", {"seconds": float("nan")}),
    ("viewing", {"seconds": float("inf")}),
    ("viewing", {"seconds": None}),
    ("consent", {"granted": "yes"}),
    ("consent", {"granted": "TRUE"}),
    ("consent", {"granted": "false"}),
    ("consent", {"granted": 1}),
    ("consent", {"granted": 0.0}),
    ("consent", {"purpose": "marketing"}),
]

LINES = [
    '{"event_id": "n1", "event_id": "n2"}',
    '{"event_id": "v1", "ts": "2025-03-03T08:00:00Z", "device_id": "d", "content_id": "c",'
    ' "seconds": 5,}',
    '{"event_id": "v1", "ts": "2025-03-03T08:00:00Z", "device_id": "d", "content_id": "c",'
    ' "seconds": nan}',
    '{"event_id": "v1", "ts": "2025-03-03T08:00:00Z", "device_id": "d", "content_id": "c",'
    ' "seconds": NaN}',
    '{"event_id": "v1", "ts": "2025-03-03T08:00:00Z", "device_id": "d", "content_id": "c",'
    ' "seconds": Infinity, "x\\"y": 1}',
    '{"event_id": "\\ud800"}',
    '[1, 2]', '"text"', "12", "null", "true", "not json", "{'a': 1}",
    '{"event_id": "v1", "ts": "2025-03-03T08:00:00Z", "device_id": "d", "content_id": "c",'
    ' "seconds": 5}\r',
    '   ',
]


def _jsonl(rows: list[dict[str, Any]], lines: list[str] = ()) -> bytes:  # type: ignore[assignment]
    text = [json.dumps(row, ensure_ascii=False) for row in rows] + list(lines)
    return ("\n".join(text) + "\n").encode()


@pytest.mark.parametrize("kind", ["network", "viewing", "consent"])
def test_hand_made_bad_input_is_decided_alike(tmp_path: Path, kind: str) -> None:
    rows = [{**BASE[kind], **change} for k, change in CHANGES if k == kind]
    rows = [{k: v for k, v in row.items() if v is not ...} for row in rows]
    path = tmp_path / f"{kind}-edge.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _jsonl(rows, LINES) + b'{"event_id": "\xff"}\n')
    accepted, rejected = _agree(kind, path, tmp_path)
    assert accepted >= 2 and rejected >= 5
    # the same rows as CSV: every cell a string
    buffer = io.StringIO()
    names = sorted({k for row in rows for k in row})
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else (str(v).lower() if isinstance(v, bool) else v)
                         for k, v in row.items()})
    path = tmp_path / f"{kind}-edge.csv"
    path.write_bytes(buffer.getvalue().encode() + b"a\xff,b\n")
    _agree(kind, path, tmp_path)


_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 100_000), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.text(alphabet="0123456789+- :.TZ", max_size=30),
    st.sampled_from(["2025-03-03T08:00:00Z", "2025-03-03T08:00:00.5+05:30", "phone", "home",
                     "advertising", "true", "False", "10.0.0.1", "300.1.1.1", "+4477009",
                     "60", "0", "86401", ""]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.none(),
                                                         max_size=2))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(["network", "viewing", "consent"]),
       rows=st.lists(st.tuples(st.dictionaries(
           st.sampled_from(["event_id", "ts", "device_id", "device_type", "network", "ip",
                            "login", "msisdn", "content_id", "seconds", "account", "purpose",
                            "granted", "extra"]), _VALUE, max_size=6),
           st.booleans()), min_size=1, max_size=20))
def test_drawn_rows_are_decided_alike(tmp_path: Path, kind: str,
                                      rows: list[tuple[dict[str, Any], bool]]) -> None:
    full = [({**BASE[kind], **row} if complete else row) for row, complete in rows]
    path = tmp_path / f"{kind}-drawn.jsonl"
    path.write_bytes(_jsonl(full))
    _agree(kind, path, tmp_path)


def test_ip_classes_agree_with_sql(tmp_path: Path) -> None:
    with Fold("network", tmp_path, "ip", KEY, BOUNDS, 10) as fold:
        from proteus.ingest.aggregate import ip_class_sql

        for ip in ["100.63.255.255", "100.64.0.0", "100.127.255.255", "100.128.0.0",
                   "10.0.0.1", "172.31.255.255", "172.32.0.0", "192.0.0.7", "192.0.0.8",
                   "192.0.0.170", "192.0.0.172", "8.8.8.8", "240.0.0.1", "255.255.255.255",
                   "0.0.0.0", "81.128.160.126"]:
            [(found,)] = fold.con.execute(f"SELECT {ip_class_sql('$ip')}",
                                          {"ip": ip}).fetchall()
            assert found == ip_class(ip), ip


def _canonical(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


@pytest.mark.parametrize("kind", ["network", "viewing", "consent"])
def test_fold_gives_the_rows_of_the_plain_fold(generated: dict[str, Path], tmp_path: Path,
                                               kind: str) -> None:
    # both days in one fold, the second day first: day lists must still come out sorted
    files = sorted(generated["jsonl"].glob(f"{kind}-*"), reverse=True)
    with Fold(kind, tmp_path, "fold", KEY, BOUNDS, 1_000_000) as fold:
        fold.load(files)
        assert fold.fold() == [1]
        folded = fold.all_rows(1)
    records, seen = [], set()
    for path in files:
        for _, raw in read_rows(path):
            outcome = validate(kind, raw, BOUNDS)
            if not isinstance(outcome, Rejection) and outcome.event_id not in seen:
                seen.add(outcome.event_id)  # type: ignore[attr-defined]
                records.append(outcome)

    def pseudonym(k: str, v: str) -> str:
        return pseudonymise(k, v, KEY)

    plain = {"network": lambda: network_rows(records, pseudonym),  # type: ignore[arg-type]
             "viewing": lambda: viewing_rows(records),  # type: ignore[arg-type]
             "consent": lambda: consent_rows(records, pseudonym)}[kind]()  # type: ignore[arg-type]
    assert list(folded) == list(plain)
    for name in plain:
        assert _canonical(folded[name]) == _canonical(plain[name]), name
    several = [r for part in plain.values() for r in part if len(r.get("days", [])) > 1]
    assert several or kind == "consent", "the data should repeat pairs across days"


def test_chunks_cut_by_rows_read_and_duplicates_across_files(tmp_path: Path) -> None:
    t0 = datetime(2025, 3, 3, tzinfo=UTC)
    one = [{**VIEWING, "event_id": f"v{k}", "ts": (t0 + timedelta(minutes=k)).isoformat()}
           for k in range(5)]
    two = [*one[3:], {**VIEWING, "event_id": "v9", "ts": t0.isoformat()}]
    (tmp_path / "viewing-1.jsonl").write_bytes(_jsonl(one))
    (tmp_path / "viewing-2.jsonl").write_bytes(_jsonl(two, ['{"bad": 1}']))
    with Fold("viewing", tmp_path, "dups", KEY, BOUNDS, 3) as fold:
        fold.load([tmp_path / "viewing-1.jsonl", tmp_path / "viewing-2.jsonl"])
        assert fold.fold() == [1, 2, 3]
        counts = fold.counts()
        # 9 rows read: 5 + 4; v3 and v4 come again in the second file
        assert [(c.read, c.rejected, c.duplicates, c.accepted) for c in counts.values()] == [
            (5, 0, 0, 5), (4, 1, 2, 1)]
        views = [r for chunk in (1, 2, 3) for r in fold.all_rows(chunk)["ingest/merge_views"]]
        assert sum(v["count"] for v in views) == 6
        assert list(fold.rejects(1)) == [(4, '{"bad": 1}\n', "event_id", "Field required")]


def test_events_in_an_earlier_ledger_are_duplicates_within_the_horizon(tmp_path: Path) -> None:
    t0 = datetime(2025, 3, 3, tzinfo=UTC)
    first = [{**VIEWING, "event_id": f"v{k}", "ts": t0.isoformat()} for k in range(3)]
    (tmp_path / "viewing-1.jsonl").write_bytes(_jsonl(first))
    ledger = tmp_path / "ledger" / "one.parquet"
    with Fold("viewing", tmp_path, "one", KEY, BOUNDS, 100) as fold:
        fold.load([tmp_path / "viewing-1.jsonl"])
        fold.fold()
        fold.keep_ids(ledger)
    later = [{**VIEWING, "event_id": "v0", "ts": (t0 + timedelta(days=2)).isoformat()},
             {**VIEWING, "event_id": "v1", "ts": (t0 + timedelta(days=9)).isoformat()},
             {**VIEWING, "event_id": "v7", "ts": t0.isoformat()}]
    (tmp_path / "viewing-2.jsonl").write_bytes(_jsonl(later))
    for horizon, duplicates in ((7, 1), (9, 2), (0, 0)):
        with Fold("viewing", tmp_path, "two", KEY, BOUNDS, 100) as fold:
            fold.load([tmp_path / "viewing-2.jsonl"])
            fold.fold([ledger], horizon)
            [counts] = fold.counts().values()
            assert (counts.duplicates, counts.accepted) == (duplicates, 3 - duplicates), horizon
