"""The traffic generator: determinism, round trips against the truth, profile floors."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from proteus.cli.generate import generate
from proteus.events import ContentItem, Rejection, read_rows, record_type_for, validate
from proteus.taxonomy import files
from proteus.tools.bench.generate import bench_generate
from proteus.tools.generate import GenerateParams, check_floors, profile_shares, run
from proteus.tools.generate.run import MANIFEST


def _truth(out: Path, name: str) -> list[dict[str, str]]:
    with open(out / "truth" / name, newline="") as src:
        return list(csv.DictReader(src))


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def default_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("default") / "data"
    run(GenerateParams(out=out, devices=5000, quiet=True))
    return out


def test_default_profile_meets_the_floors(default_profile: Path) -> None:
    shares = profile_shares(default_profile)
    assert check_floors(shares) == []
    assert shares["devices"] == 5000


def _check_round_trip(out: Path) -> Counter[str]:
    """Every generated row validates except the malformed ones, rejected on the truth's field."""
    expected = {(r["file"], int(r["line_no"])): r["field"] for r in _truth(out, "malformed.csv")}
    found: dict[tuple[str, int], str] = {}
    kinds: Counter[str] = Counter()
    manifest = json.loads((out / MANIFEST).read_text())
    for entry in manifest["files"]:
        path = out / entry["path"]
        kind = record_type_for(path)
        rows = 0
        for line_no, raw in read_rows(path):
            rows += 1
            result = validate(kind, raw)
            if isinstance(result, Rejection):
                found[(path.name, line_no)] = result.field
            kinds[kind] += 1
        assert rows == entry["rows"]
    assert found == expected
    return kinds


def test_malformed_truth_names_the_subject_each_corrupted_row_was_generated_for(
        default_profile: Path) -> None:
    """Where the corruption left the subject field readable, it is the truth's subject."""
    subject_field = {"network": "device_id", "viewing": "device_id", "consent": "account"}
    truth = {(r["file"], int(r["line_no"])): r for r in _truth(default_profile, "malformed.csv")}
    checked: Counter[str] = Counter()
    for name in sorted({f for f, _ in truth}):
        path = default_profile / name
        field = subject_field[record_type_for(path)]
        for line_no, raw in read_rows(path):
            row = truth.get((name, line_no))
            if row is not None and isinstance(raw, dict) and raw.get(field):
                assert raw[field] == row["subject"], (name, line_no)
                checked[record_type_for(path)] += 1
    assert set(checked) == {"network", "viewing", "consent"}
    assert all(r["subject"] for r in truth.values())


def test_jsonl_round_trip_matches_the_truth(default_profile: Path) -> None:
    kinds = _check_round_trip(default_profile)
    assert set(kinds) == {"network", "viewing", "catalog", "consent"}
    assert len(_truth(default_profile, "malformed.csv")) > 100


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_csv_and_parquet_round_trip_matches_the_truth(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / fmt
    run(GenerateParams(out=out, devices=800, days=2, format=fmt, malformed_rate=0.02, quiet=True))
    _check_round_trip(out)
    defects = Counter(r["defect"] for r in _truth(out, "malformed.csv"))
    if fmt == "parquet":
        assert set(defects) == {"out_of_range", "missing", "unknown"}
    else:
        assert set(defects) == {"bad_type", "out_of_range", "missing", "unknown", "unparsable"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path, fmt: str) -> None:
    outs = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        out = tmp_path / name
        run(GenerateParams(out=out, devices=600, days=2, seed=seed, format=fmt, quiet=True))
        outs.append(_files(out))
    assert outs[0] == outs[1]
    assert outs[0].keys() <= outs[2].keys() | outs[0].keys()
    shared = [name for name in outs[0] if name in outs[2] and name != MANIFEST]
    assert any(outs[0][name] != outs[2][name] for name in shared if name.startswith("network"))
    assert outs[0]["truth/devices.csv"] != outs[2]["truth/devices.csv"]


def test_junk_and_cgnat_truth_agree_with_the_events(default_profile: Path) -> None:
    junk = {(r["field"], r["value"]) for r in _truth(default_profile, "junk_values.csv")}
    cgnat = {
        r["ip"]: int(r["devices"])
        for r in _truth(default_profile, "ips.csv")
        if r["kind"] == "cgnat"
    }
    seen: dict[str, set[str]] = {ip: set() for ip in cgnat}
    values = junk_values = 0
    for path in sorted(default_profile.glob("network-*")):
        for _, raw in read_rows(path):
            if not isinstance(raw, dict):
                continue
            for field in ("ip", "cookie", "app_id", "login", "msisdn"):
                if raw.get(field):
                    values += 1
                    junk_values += (field, raw[field]) in junk
            if raw.get("ip") in seen and raw.get("device_id"):
                seen[raw["ip"]].add(raw["device_id"])
    summary = json.loads((default_profile / "truth" / "summary.json").read_text())
    assert junk_values / values >= 0.01
    assert abs(junk_values / values - summary["junk_values"] / summary["identifier_values"]) < 0.002
    assert all(len(seen[ip]) <= cgnat[ip] and len(seen[ip]) >= 0.99 * cgnat[ip] for ip in cgnat)
    assert min(cgnat.values()) >= 500


def test_identity_truth_is_consistent(default_profile: Path) -> None:
    devices = _truth(default_profile, "devices.csv")
    persons = {p["person_id"]: p for p in _truth(default_profile, "persons.csv")}
    shared = {r["login"] for r in _truth(default_profile, "shared_logins.csv")}
    for d in devices:
        if d["is_bot"] == "true":
            assert d["person_id"] == "" and d["resolvable"] == "false"
            continue
        person = persons[d["person_id"]]
        assert person["household_id"] == d["household_id"]
        assert d["login"] not in shared
        assert d["resolvable"] == str(bool(d["login"] or d["msisdn"])).lower()
        if d["shared_screen"] == "true":
            assert person["primary"] == "true"
    by_family: dict[str, set[str]] = {}
    for d in devices:
        if d["family_login"]:
            by_family.setdefault(d["family_login"], set()).add(d["login"])
    assert by_family and all(len(logins - {""}) >= 2 for logins in by_family.values())


def test_builtin_taxonomy_is_used_when_asked(tmp_path: Path) -> None:
    report = run(
        GenerateParams(out=tmp_path, devices=200, days=1, iab_dir=Path("builtin"), quiet=True)
    )
    assert report.iab_source == "builtin"
    known = {category.iab_id for category in files.builtin()[0].categories}
    items = [validate("catalog", raw) for _, raw in read_rows(tmp_path / "catalog.jsonl.gz")]
    assert all(isinstance(i, ContentItem) and set(i.iab_ids) <= known for i in items)


def test_cli_and_bench(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        generate, ["--out", str(tmp_path / "cli"), "--devices", "150", "--days", "1", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["devices"] == 150 and report["events"] > 0
    bench = bench_generate(300, None)
    assert {"devices", "events", "events_per_s", "peak_rss_mb", "seconds"} <= set(bench)
    assert bench["devices"] == 300 and bench["peak_rss_mb"] > 0


@pytest.mark.parametrize("profile", ["noisy", "weak"])
def test_profiles_carry_their_noise_and_truth(tmp_path: Path, profile: str) -> None:
    out = tmp_path / profile
    result = CliRunner().invoke(generate, ["--out", str(out), "--devices", "1500", "--days",
                                           "3", "--profile", profile, "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["params"]["profile"] == profile
    summary = json.loads((out / "truth" / "summary.json").read_text())
    assert summary["profile"] == profile
    noise = {r["kind"] for r in _truth(out, "noise.csv")}
    assert {"synced_app_id", "synced_cookie", "restored_app_id"} <= noise
    devices = {d["device_id"]: d for d in _truth(out, "devices.csv")}
    logins: dict[str, set[str]] = {}
    msisdns = 0
    for path in sorted(out.glob("network-*")):
        for _, raw in read_rows(path):
            if not isinstance(raw, dict):
                continue
            if raw.get("login"):
                logins.setdefault(str(raw["login"]), set()).add(str(raw.get("device_id")))
            msisdns += bool(raw.get("msisdn"))
    apps: dict[str, set[str]] = {}
    for path in sorted(out.glob("network-*")):
        for _, raw in read_rows(path):
            if isinstance(raw, dict) and raw.get("app_id"):
                apps.setdefault(str(raw["app_id"]), set()).add(str(raw.get("device_id")))
    assert max(len(d) for d in apps.values()) >= 5  # a synced app id on 5+ devices
    if profile == "weak":
        assert not logins and not msisdns
        assert all(d["resolvable"] == "false" and not d["login"] for d in devices.values())
        return
    assert {"second_login", "login_variant"} <= noise
    known = {d["login"] for d in devices.values()} | {d["family_login"] for d in devices.values()}
    seconds = {r["value"].split()[0] for r in _truth(out, "noise.csv")
               if r["kind"] == "second_login"}
    junk = {r["value"] for r in _truth(out, "junk_values.csv") if r["field"] == "login"}
    typed = set(logins) - known - seconds - junk
    assert typed  # mistyped logins and kept spellings, each on one device
    assert sum(len(logins[t]) == 1 for t in typed) >= 0.95 * len(typed)


def test_default_profile_manifest_has_no_profile(default_profile: Path) -> None:
    manifest = json.loads((default_profile / MANIFEST).read_text())
    assert "profile" not in manifest["params"]
    assert not (default_profile / "truth" / "noise.csv").exists()
