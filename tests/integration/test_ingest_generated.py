"""The generator's default profile, ingested: rejects equal the injected malformed rows and
no raw identifier from the files reaches the graph."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from proteus import edge, ingest
from proteus.events import read_rows
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools import generate

RAW_FIELDS = ("ip", "cookie", "app_id", "login", "msisdn")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "data"
    generate.run(generate.GenerateParams(out=out, devices=600, seed=11, quiet=True))
    return out


def raw_values(dataset: Path) -> set[str]:
    values: set[str] = set()
    for path in sorted(dataset.glob("network-*")):
        for _, raw in read_rows(path):
            if isinstance(raw, dict):
                values.update(str(raw[f]) for f in RAW_FIELDS if raw.get(f))
    return {v for v in values if len(v) >= 6}


def test_rejects_match_the_injected_malformed_rows(graph: Graph, settings: Settings,
                                                    dataset: Path, tmp_path: Path) -> None:
    report = ingest.run(graph, edge.ingest_params(settings, [dataset], rejects_dir=tmp_path))
    assert report.ok
    with (dataset / "truth" / "malformed.csv").open() as handle:
        truth = Counter(row["file"] for row in csv.DictReader(handle))
    rejected = Counter({Path(b.file).name: b.rejected for b in report.batches if b.rejected})
    assert rejected == truth
    assert report.rejected == sum(truth.values()) > 0

    values = raw_values(dataset)
    assert len(values) > 500
    with graph.session(write=False) as session:
        stored = session.run("""
            CALL () { MATCH (n) UNWIND keys(n) AS k RETURN n[k] AS v
                      UNION ALL MATCH ()-[r]->() UNWIND keys(r) AS k RETURN r[k] AS v }
            WITH v WHERE v IS :: STRING OR v IS :: LIST<STRING NOT NULL>
            RETURN collect(v) AS values""").single()["values"]
    strings = set()
    for value in stored:
        strings.update(value if isinstance(value, list) else [value])
    assert len(strings) > 1000
    leaked = values & strings
    assert not leaked
    assert not any(v in s for s in strings if len(s) > 40 for v in list(values)[:200])
