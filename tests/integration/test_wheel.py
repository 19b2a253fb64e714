"""The package as users get it: the wheel built from this checkout, installed with its
dependencies into a fresh virtualenv outside the checkout, runs from a directory that is not
the checkout, with the rules and Cypher files it ships.

The dependencies come from a wheelhouse kept beside the test server (`PROTEUS_HOME`), so the
install runs offline once it is filled; the first run (or a run after the dependencies
changed) fills it with `pip wheel`, which needs the package index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from proteus import queries
from proteus.graph import Graph
from proteus.settings import Settings
from proteus.taxonomy import builtin

ROOT = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip"]


def _wheel(out: Path) -> Path:
    subprocess.run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(out), str(ROOT)], check=True)
    (wheel,) = out.glob("proteus-*.whl")
    return wheel


def _install(wheel: Path, venv: Path, wheelhouse: Path) -> None:
    """The wheel and its dependencies, from the wheelhouse only (no index); the wheelhouse
    is filled from the index when it lacks a dependency."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    install = [*PIP, "--python", str(venv / "bin" / "python"), "install", "--quiet",
               "--no-compile", "--no-index", "--find-links", str(wheelhouse), str(wheel)]
    wheelhouse.mkdir(parents=True, exist_ok=True)
    if subprocess.run(install, capture_output=True, check=False).returncode == 0:
        return
    subprocess.run([*PIP, "wheel", "--quiet", "--wheel-dir", str(wheelhouse), str(wheel)],
                   check=True)
    for built in wheelhouse.glob("proteus-*.whl"):  # only the wheel under test installs it
        built.unlink()
    subprocess.run(install, check=True)


def test_the_installed_wheel_runs_outside_the_checkout(graph: Graph, settings: Settings,
                                                       tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _install(_wheel(tmp_path / "dist"), venv, settings.home / "wheelhouse")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert ROOT not in elsewhere.parents and not (elsewhere.parent / "shared").exists()
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "HOME": str(tmp_path), "PROTEUS_ENV": "test", "PROTEUS_HOME": str(tmp_path / "home"),
           "PROTEUS_NEO4J_URI": settings.bolt_uri, "PROTEUS_NEO4J_USER": settings.neo4j_user,
           "PROTEUS_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value()}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=elsewhere, env=env, capture_output=True,
                              text=True, timeout=300, check=False)

    where = run(str(venv / "bin" / "python"), "-c",
                "import proteus, sys; print(proteus.__file__); print(*sys.path, sep='\\n')")
    assert where.returncode == 0, where.stderr
    package, *path = where.stdout.splitlines()
    assert Path(package).is_relative_to(venv / "lib")
    assert not [p for p in path if p and Path(p).resolve().is_relative_to(ROOT)]

    helped = run("proteus", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "Proteus: explainable audience intelligence on Neo4j." in helped.stdout
    for command in ("audience", "bench", "generate", "identity", "run", "taxonomy"):
        assert f"\n  {command} " in helped.stdout, command

    loaded = run("proteus", "taxonomy", "load")  # no ../shared/iab here: the built-in subset
    assert loaded.returncode == 0, loaded.stderr
    taxonomy = json.loads(loaded.stdout.splitlines()[-1])
    policy = yaml.safe_load((ROOT / "rules" / "policy.yaml").read_text())
    assert taxonomy["source"] == "builtin"
    assert taxonomy["taxonomies"] == {"content-3.1": len(builtin.CATEGORIES)}
    assert f"(policy {policy['version']})" in loaded.stderr  # the shipped rules/policy.yaml

    definition = elsewhere / "sports.yaml"
    shutil.copy(ROOT / "rules" / "audiences" / "sports-big-screen.yaml", definition)
    dry = run("proteus", "audience", "dry-run", definition.name)
    assert dry.returncode == 0, dry.stderr
    result = json.loads(dry.stdout.splitlines()[-1])
    governance = yaml.safe_load((ROOT / "rules" / "governance.yaml").read_text())
    assert (result["name"], result["members"]) == ("sports-big-screen", 0)
    assert result["min_size"] == governance["min_audience_size"]
    assert result["materialisable"] is False and result["query_name"] == "conditions/members"
    statement = queries.get("conditions/members").text  # the checkout's file
    assert dry.stderr.startswith(f"// conditions/members\n{statement}\n// params: ")
