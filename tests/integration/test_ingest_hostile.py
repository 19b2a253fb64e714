"""Hostile and careless input (tests/data/bad_input.py) against a loaded graph: nothing
crashes, every row is accounted for, no raw identifier is stored, no decision moves."""

from __future__ import annotations

import importlib.util
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from proteus import audiences, generate, identity, ingest, interests, taxonomy
from proteus.graph import Graph
from proteus.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
AUDIENCES = sorted((ROOT / "rules" / "audiences").glob("*"))


def _corpus_module() -> Any:
    spec = importlib.util.spec_from_file_location("bad_input", ROOT / "tests/data/bad_input.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dry_runs(graph: Graph) -> dict[str, tuple[int, Any]]:
    out = {}
    for path in AUDIENCES:
        dry = audiences.dry_run(graph, path, "hostile-test")
        out[path.name] = (dry.members, dry.reference_day)
    return out


@pytest.fixture
def loaded(graph: Graph, settings: Settings, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    generate.run(generate.GenerateParams(out=data, devices=400, days=3, seed=8, quiet=True))
    ingest.run(graph, ingest.IngestParams(paths=[data], rejects_dir=tmp_path / "rejects"),
               settings)
    taxonomy.load(graph, taxonomy.TaxonomyParams())
    identity.run(graph, identity.IdentityParams(), settings)
    interests.run(graph, interests.InterestsParams())
    return data


def test_a_hostile_corpus_changes_no_decision(graph: Graph, settings: Settings, loaded: Path,
                                              tmp_path: Path) -> None:
    before = _dry_runs(graph)
    assert any(members for members, _ in before.values())
    devices = [r["id"] for r in graph.read("identity/devices")][:3]
    corpus = tmp_path / "corpus"
    expected = _corpus_module().write(corpus, devices, ["c" + "0" * 10])
    rejects = tmp_path / "corpus-rejects"
    report = ingest.run(graph, ingest.IngestParams(paths=[corpus], rejects_dir=rejects),
                        settings)
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
