"""Rejected rows land under the project's home by default, never in the current folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from proteus.graph import Graph
from proteus.settings import Settings
from proteus.tools import generate


def test_ingest_writes_rejects_under_the_home_by_default(graph: Graph, settings: Settings,
                                                        tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate.run(generate.GenerateParams(out=data, devices=60, days=1, seed=3, quiet=True,
                                         malformed_rate=0.05, catalog_size=60, communities=3))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    home = tmp_path / "home"
    env = {**os.environ, "PROTEUS_NEO4J_URI": settings.bolt_uri, "PROTEUS_HOME": str(home),
           "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()}
    done = subprocess.run([sys.executable, "-m", "proteus.cli", "ingest", str(data)],
                          cwd=elsewhere, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rejected"] > 0
    written = sorted((home / "rejects").glob("*.rejects.jsonl"))
    assert written, done.stderr
    assert sum(len(p.read_text().splitlines()) for p in written) == report["rejected"]
    assert list(elsewhere.iterdir()) == []
