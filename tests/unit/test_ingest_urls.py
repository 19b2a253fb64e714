"""Inputs named by URL: recognised, named and ordered as local files, described from their
bytes as local files are, and refused in one line by the embedded engine."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from proteus.edge import ingest_params
from proteus.errors import InputError
from proteus.events import write_rows
from proteus.graph import RecordingGraph
from proteus.ingest.batch import plan
from proteus.ingest.files import Url, describe, in_order, is_data, is_url
from proteus.ingest.lake import _describe_rows
from proteus.settings import Settings


@pytest.mark.parametrize(("text", "url"), [
    ("s3a://bucket/day/", True), ("abfss://c@account.dfs.core.windows.net/x", True),
    ("gs://b/network-day01.jsonl.gz", True), ("hdfs://nn:8020/data", True),
    ("file:///data/week", True), ("data/week", False), ("/data/s3a:/x", False),
    ("C:\\data", False), ("network-day01.jsonl", False)])
def test_a_url_is_a_scheme_then_two_slashes(text: str, url: bool) -> None:
    assert is_url(text) is url


def test_a_url_is_named_by_its_last_segment() -> None:
    file = Url("s3a://bucket/week/network-day01.jsonl.gz")
    assert file.name == "network-day01.jsonl.gz" and str(file) == file.url
    assert Url("s3a://bucket/week/").name == "week"


def test_urls_and_paths_are_ordered_by_record_type_then_name() -> None:
    files, errors = in_order([
        Url("s3a://b/viewing-day01.jsonl.gz"), Path("/x/network-day02.jsonl"),
        Url("s3a://b/network-day01.parquet"), Url("s3a://b/catalog.jsonl"),
        Url("s3a://b/weather-day01.jsonl")])
    assert [f.name for f in files] == ["catalog.jsonl", "network-day01.parquet",
                                       "network-day02.jsonl", "viewing-day01.jsonl.gz"]
    assert len(errors) == 1 and errors[0].startswith("weather-day01.jsonl: unknown record type")


@pytest.mark.parametrize(("parts", "data"), [
    (("network-day01.jsonl.gz",), True), (("day1", "viewing.csv"), True),
    (("truth", "devices.csv"), False), (("manifest.json",), False),
    ((".network.jsonl",), False), (("network-day01.rejects.jsonl",), False)])
def test_a_folder_holds_the_same_data_files_local_or_listed_by_url(
        parts: tuple[str, ...], data: bool) -> None:
    assert is_data(parts) is data


def test_the_params_keep_a_url_as_text_and_a_local_path_as_a_path(tmp_path: Path) -> None:
    params = ingest_params(Settings(env="test"), ["s3a://bucket/week/", "data/week",
                                                  tmp_path], engine="spark")
    assert params.paths == ["s3a://bucket/week/", Path("data/week"), tmp_path]


def test_the_embedded_engine_refuses_a_url_in_one_line() -> None:
    with pytest.raises(InputError) as caught:
        ingest_params(Settings(env="test"), ["data", "s3a://bucket/week/"], engine="duckdb")
    assert str(caught.value) == ("s3a://bucket/week/: files named by URL are read through "
                                 "Spark's filesystems; ingest them with --engine spark")


def _row(url: str, content: bytes) -> dict[str, object]:
    return {"url": url, "content": bytearray(content)}


def test_a_url_is_described_from_its_bytes_as_a_local_file(tmp_path: Path) -> None:
    local = tmp_path / "viewing-day01.jsonl.gz"
    write_rows(local, "viewing", [{"event_id": "v1", "ts": datetime(2026, 11, 2, tzinfo=UTC),
                                   "device_id": "d1", "content_id": "c1", "seconds": 60}])
    url = "s3a://bucket/week/viewing-day01.jsonl.gz"
    empty = "s3a://bucket/week/network-day01.jsonl"
    cut = "s3a://bucket/week/network-day02.jsonl.gz"
    found = list(_describe_rows([_row(url, local.read_bytes()), _row(empty, b""),
                                 _row(cut, gzip.compress(b"x" * 1000)[:-10])]))
    expected = describe(local)
    assert found[0] == (url, expected.size, expected.sha256, "viewing", None, None)
    assert found[1][:5] == (empty, 0, found[1][2], "network", None)
    assert found[1][5] == "network-day01.jsonl: empty file (no records)"
    assert found[2][4] is not None and found[2][4].startswith(
        "network-day02.jsonl.gz: truncated or corrupt gzip")


def test_a_url_whose_start_check_failed_fails_its_batch_before_anything_is_written(
        tmp_path: Path) -> None:
    from proteus.ingest.files import DataFile

    data = DataFile(path=Url("s3a://b/network-day01.jsonl"), kind="network", size=0,
                    sha256="0" * 64, start_error="network-day01.jsonl: empty file (no records)")
    groups, reports = plan(RecordingGraph(), [data], "run-1")
    assert not groups
    assert [(r.file, r.status, r.error) for r in reports] == [
        ("s3a://b/network-day01.jsonl", "failed", "network-day01.jsonl: empty file (no records)")]
