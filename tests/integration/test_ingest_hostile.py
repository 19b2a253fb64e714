"""Hostile and careless input (tests/data/bad_input.py) against a loaded graph: nothing
crashes, every row is accounted for, no raw identifier is stored, no decision moves."""

from __future__ import annotations

import importlib.util
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from proteus import audiences, edge, identity, ingest, interests, taxonomy
from proteus.db import manage
from proteus.errors import InputError
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools import generate

ROOT = Path(__file__).resolve().parents[2]
AUDIENCES = sorted((ROOT / "rules" / "audiences").glob("*"))


def _corpus_module() -> Any:
    spec = importlib.util.spec_from_file_location("bad_input", ROOT / "tests/data/bad_input.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dry_runs(graph: Graph) -> dict[str, tuple[int, Any] | str]:
    """Each audience's members and reference day, or the reason its dry run is refused
    (an audience naming a community segment this small graph does not have)."""
    out: dict[str, tuple[int, Any] | str] = {}
    for path in AUDIENCES:
        try:
            dry = audiences.dry_run(graph, path, "hostile-test")
        except InputError as exc:
            out[path.name] = str(exc)
            continue
        out[path.name] = (dry.members, dry.reference_day)
    return out


@pytest.fixture
def loaded(graph: Graph, settings: Settings, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    generate.run(generate.GenerateParams(out=data, devices=400, days=3, seed=8, quiet=True))
    ingest.run(graph, edge.ingest_params(settings, [data], rejects_dir=tmp_path / "rejects"))
    taxonomy.run(graph, taxonomy.TaxonomyParams())
    identity.run(graph, edge.identity_params(settings))
    interests.run(graph, interests.InterestsParams())
    return data


def test_a_hostile_corpus_changes_no_decision(graph: Graph, settings: Settings, loaded: Path,
                                              tmp_path: Path) -> None:
    before = _dry_runs(graph)
    assert any(isinstance(found, tuple) and found[0] for found in before.values())
    devices = [r["id"] for r in graph.read("identity/devices")][:3]
    corpus = tmp_path / "corpus"
    expected = _corpus_module().write(corpus, devices, ["c" + "0" * 10])
    rejects = tmp_path / "corpus-rejects"
    report = ingest.run(graph, edge.ingest_params(settings, [corpus], rejects_dir=rejects))
    by_name = {Path(b.file).name: b for b in report.batches}
    skipped = " ".join(report.errors)
    for name, outcome in expected.items():
        if outcome == "fails":
            found = by_name.get(name)
            assert (found is not None and found.status == "failed") or name in skipped, name
            continue
        batch = by_name[name]
        assert batch.status == "complete", (name, batch.error)
        assert batch.read == batch.accepted + batch.rejected + batch.duplicates, name
    assert by_name["viewing-repeat-b.jsonl"].duplicates == 1
    assert by_name["viewing-all-bad.jsonl"].accepted == 0
    assert by_name["viewing-times.jsonl"].accepted == 0
    assert by_name["viewing-crlf-bom.jsonl"].accepted == 2
    latin = by_name["viewing-latin1.csv"]
    assert (latin.accepted, latin.rejected) == (1, 2)
    rows = [json.loads(line) for line in Path(str(latin.rejects_file)).read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in rows] == [(3, "line"), (4, "device_id")]
    assert "x" * 200_000 in json.dumps(rows[1]["raw"])  # an over-long row keeps its content
    for batch in report.batches:
        if batch.rejects_file:
            mode = stat.S_IMODE(Path(batch.rejects_file).stat().st_mode)
            assert mode == 0o600, batch.rejects_file
    # nothing decided moved, and no raw identifier was stored
    assert _dry_runs(graph) == before
    with graph.session(write=False) as session:
        stored = session.run("MATCH (i:Identifier) RETURN collect(i.value) AS v").single()["v"]
    assert not [v for v in stored if "DETACH" in v or "@" in v]


def _viewing(path: Path, ids_and_days: list[tuple[str, str]]) -> Path:
    rows = [{"event_id": event, "ts": f"{day}T10:00:00Z", "device_id": "dev-ledger",
             "content_id": "c-ledger", "seconds": 100} for event, day in ids_and_days]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _watched_seconds(graph: Graph) -> int:
    return int(graph.read("db/content_summary")[0]["summary"]["views"]["seconds"] or 0)


def test_an_event_delivered_again_in_a_later_run_is_counted_once(
        graph: Graph, settings: Settings, tmp_path: Path) -> None:
    first = _viewing(tmp_path / "viewing-a.jsonl", [("e-1", "2025-03-05"), ("e-2", "2025-03-05")])
    params = {"rejects_dir": tmp_path / "rejects", "work_dir": tmp_path / "work"}
    ingest.run(graph, edge.ingest_params(settings, [first], **params))
    assert _watched_seconds(graph) == 200
    # a later delivery repeats e-2 within the horizon, and e-1 three weeks later
    again = _viewing(tmp_path / "viewing-b.jsonl",
                     [("e-2", "2025-03-06"), ("e-1", "2025-03-26"), ("e-3", "2025-03-06")])
    report = ingest.run(graph, edge.ingest_params(settings, [again], **params))
    [batch] = report.batches
    assert (batch.read, batch.accepted, batch.duplicates) == (3, 2, 1)
    assert _watched_seconds(graph) == 400
    # with no horizon, the same kind of repeat is summed (compared within one run only)
    late = _viewing(tmp_path / "viewing-c.jsonl", [("e-3", "2025-03-06")])
    report = ingest.run(graph, edge.ingest_params(settings, [late], duplicate_horizon_days=0,
                                                   **params))
    assert report.duplicates == 0 and _watched_seconds(graph) == 500


def test_the_ledger_forgets_a_reset_graph(graph: Graph, settings: Settings,
                                          tmp_path: Path) -> None:
    first = _viewing(tmp_path / "viewing-a.jsonl", [("e-1", "2025-03-05")])
    params = {"rejects_dir": tmp_path / "rejects", "work_dir": tmp_path / "work"}
    ingest.run(graph, edge.ingest_params(settings, [first], **params))
    manage.reset(graph)
    again = _viewing(tmp_path / "viewing-b.jsonl", [("e-1", "2025-03-05"), ("e-2", "2025-03-05")])
    report = ingest.run(graph, edge.ingest_params(settings, [again], **params))
    assert report.duplicates == 0 and _watched_seconds(graph) == 200
    kept = sorted(p.stem for p in (tmp_path / "work/ledger/viewing").glob("*.parquet"))
    assert kept == [report.batches[0].group]
