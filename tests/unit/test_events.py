"""The event contract: naming, validation, readers and writers."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from proteus.events import (
    RECORD_TYPES,
    ContentItem,
    ContractError,
    NetworkEvent,
    Rejection,
    ViewingEvent,
    read_rows,
    record_type_for,
    validate,
    write_rows,
)
from proteus.events.read import Unreadable

NETWORK = {
    "event_id": "n1",
    "ts": "2025-03-03T08:00:00Z",
    "device_id": "d1",
    "device_type": "phone",
    "network": "mobile",
    "ip": "31.94.0.1",
    "msisdn": "447100000001",
    "user_agent": 'Mozilla/5.0 (X11; Linux, "quoted")',
}
SAMPLES = {
    "network": [NETWORK, {**NETWORK, "event_id": "n2", "ip": None, "user_agent": None}],
    "viewing": [
        {
            "event_id": "v1",
            "ts": datetime(2025, 3, 3, 20, tzinfo=UTC),
            "device_id": "d1",
            "content_id": "c1",
            "seconds": 1800,
        },
    ],
    "catalog": [
        {
            "content_id": "c1",
            "title": "Quiet Harbour, part 2",
            "kind": "vod",
            "iab_ids": ["647", "533"],
            "genres": ["Drama"],
        },
        {"content_id": "c2", "title": "Live", "kind": "live", "iab_ids": [], "genres": []},
    ],
    "consent": [
        {
            "event_id": "k1",
            "ts": "2025-03-03T08:00:00Z",
            "account": "a@example.com",
            "purpose": "advertising",
            "granted": False,
        },
    ],
}
EXTENSIONS = [".jsonl", ".jsonl.gz", ".csv", ".csv.gz", ".parquet"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("network-day01.jsonl.gz", "network"),
        ("viewing.csv", "viewing"),
        ("catalog.parquet", "catalog"),
        ("consent_2025-03-03.csv.gz", "consent"),
    ],
)
def test_record_type_comes_from_the_prefix(name: str, kind: str) -> None:
    assert record_type_for(Path(name)) == kind
    assert RECORD_TYPES[kind].model_fields


@pytest.mark.parametrize(
    "name", ["network.json", "network.txt", "networks.csv", "traffic.jsonl", ".csv"]
)
def test_unsupported_names_are_one_line_contract_errors(name: str) -> None:
    with pytest.raises(ContractError) as err:
        record_type_for(Path(name))
    assert "\n" not in str(err.value)
    assert isinstance(err.value, ValueError)


def test_unknown_field_is_rejected_naming_the_field() -> None:
    result = validate("network", {**NETWORK, "imei": "356938035643809"})
    assert isinstance(result, Rejection)
    assert result.field == "imei"
    assert "imei" in str(result)


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("network", {"ts": "yesterday"}, "ts"),
        ("network", {"ts": "2025-03-03T08:00:00"}, "ts"),
        ("network", {"device_type": "toaster"}, "device_type"),
        ("network", {"ip": "300.1.2.3"}, "ip"),
        ("network", {"msisdn": "+44 7700"}, "msisdn"),
        ("network", {"device_id": ""}, "device_id"),
        ("viewing", {"seconds": 0}, "seconds"),
        ("viewing", {"seconds": 86401}, "seconds"),
        ("viewing", {"seconds": "ten"}, "seconds"),
        ("consent", {"granted": "maybe"}, "granted"),
        ("catalog", {"kind": "radio"}, "kind"),
    ],
)
def test_bad_values_name_the_field(kind: str, change: dict, field: str) -> None:
    result = validate(kind, {**SAMPLES[kind][0], **change})
    assert isinstance(result, Rejection), result
    assert result.field == field
    assert str(result).startswith(f"{field}: ")


def test_missing_required_field_and_unparsable_line() -> None:
    row = dict(NETWORK)
    del row["device_id"]
    assert validate("network", row) == Rejection("device_id", "Field required")
    rejected = validate("network", '{"event_id": "n1", "ts"')
    assert isinstance(rejected, Rejection) and rejected.field == "line"


def test_text_rules_empty_means_absent_and_lists_split_on_bar() -> None:
    record = validate("network", {**{k: str(v) for k, v in NETWORK.items()}, "cookie": ""})
    assert isinstance(record, NetworkEvent)
    assert record.cookie is None
    assert record.ts == datetime(2025, 3, 3, 8, tzinfo=UTC)
    item = validate("catalog", {"content_id": "c", "title": "t", "kind": "vod", "iab_ids": "1|2"})
    assert isinstance(item, ContentItem)
    assert item.iab_ids == ["1", "2"]
    assert validate("viewing", {**SAMPLES["viewing"][0], "seconds": "60"}) == ViewingEvent(
        event_id="v1", ts=datetime(2025, 3, 3, 20, tzinfo=UTC), device_id="d1",
        content_id="c1", seconds=60,
    )  # fmt: skip


@pytest.mark.parametrize("ext", EXTENSIONS)
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_format_round_trips(tmp_path: Path, kind: str, ext: str) -> None:
    path = tmp_path / f"{kind}-x{ext}"
    assert write_rows(path, kind, SAMPLES[kind]) == len(SAMPLES[kind])
    rows = list(read_rows(path))
    assert [line for line, _ in rows] == list(
        range(2, 2 + len(rows)) if ".csv" in ext else range(1, 1 + len(rows))
    )
    model = RECORD_TYPES[kind]
    for (_, raw), original in zip(rows, SAMPLES[kind], strict=True):
        record = validate(kind, raw)
        assert record == model.model_validate({k: v for k, v in original.items() if v is not None})


def test_csv_wrong_column_count_and_bad_json_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "viewing.csv"
    path.write_text(
        "event_id,ts,device_id,content_id,seconds\n"
        "v1,2025-03-03T10:00:00Z,d1,c1,60\n"
        "v2,2025-03-03T10:00:00Z,d1,c1\n"
    )
    rows = list(read_rows(path))
    assert isinstance(rows[1][1], Unreadable) and rows[1][0] == 3
    assert validate("viewing", rows[1][1]).field == "line"  # type: ignore[union-attr]
    path = tmp_path / "viewing.jsonl"
    path.write_text('{"event_id": "v1"}\nnot json\n[1, 2]\n')
    rows = list(read_rows(path))
    assert [type(raw) for _, raw in rows] == [dict, Unreadable, Unreadable]
    assert [validate("viewing", raw) for _, raw in rows[1:]] == [
        Rejection("line", "unparsable line"), Rejection("line", "not an object: array")]


def _one_line_error(path: Path) -> str:
    with pytest.raises(ContractError) as err:
        list(read_rows(path))
    message = str(err.value)
    assert "\n" not in message and path.name in message
    return message


def test_empty_files_are_contract_errors(tmp_path: Path) -> None:
    (tmp_path / "network.jsonl").write_bytes(b"")
    assert "empty" in _one_line_error(tmp_path / "network.jsonl")
    with gzip.open(tmp_path / "network.jsonl.gz", "wb"):
        pass
    assert "empty" in _one_line_error(tmp_path / "network.jsonl.gz")
    (tmp_path / "consent.csv").write_text("event_id,ts,account,purpose,granted\n")
    assert "empty" in _one_line_error(tmp_path / "consent.csv")


def test_truncated_gzip_is_detected_after_the_rows_before_it(tmp_path: Path) -> None:
    path = tmp_path / "network-day01.jsonl.gz"
    write_rows(path, "network", ({**NETWORK, "event_id": f"n{i}"} for i in range(5000)))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    seen = 0
    with pytest.raises(ContractError) as err:
        for _ in read_rows(path):
            seen += 1
    assert seen > 0
    assert "truncated" in str(err.value) and "not fully read" in str(err.value)
    assert "\n" not in str(err.value)
    (tmp_path / "viewing.csv.gz").write_bytes(b"not gzip at all")
    assert "gzip" in _one_line_error(tmp_path / "viewing.csv.gz")


def test_csv_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "viewing.csv"
    path.write_text("event_id,ts,device_id,seconds\nv1,2025-03-03T10:00:00Z,d1,60\n")
    assert "content_id" in _one_line_error(path)


def test_unreadable_parquet(tmp_path: Path) -> None:
    path = tmp_path / "catalog.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    assert "parquet" in _one_line_error(path)


def test_parquet_unknown_column_rejects_only_rows_with_a_value(tmp_path: Path) -> None:
    path = tmp_path / "network.parquet"
    rows = [NETWORK, {**NETWORK, "event_id": "n2", "imei": "356938035643809"}]
    write_rows(path, "network", rows, extra_columns=["imei"])
    results = [validate("network", raw) for _, raw in read_rows(path)]
    assert isinstance(results[0], NetworkEvent)
    assert results[1] == Rejection("imei", "unknown field (unknown fields are rejected)")


def test_writers_are_deterministic(tmp_path: Path) -> None:
    for ext in EXTENSIONS:
        write_rows(tmp_path / f"network-a{ext}", "network", SAMPLES["network"])
        write_rows(tmp_path / f"network-b{ext}", "network", SAMPLES["network"])
        a, b = tmp_path / f"network-a{ext}", tmp_path / f"network-b{ext}"
        assert a.read_bytes() == b.read_bytes()
