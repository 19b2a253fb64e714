"""Every stage run is a `Run` node: parameters, rule versions (and, for a stage that reads a
rules file, the rules themselves), inputs, code version, report.

    with track(graph, "identity", params, rule_versions={"identity": "3"},
               rules=rules) as run:
        ...                      # write facts carrying run.id
        run.report = report      # stored on the Run when the block ends

The rules are stored when the run opens, so what a run used can be read back while it
writes and long after the rules file changed (`recorded_rules`).

A block that raises leaves the Run marked `failed`.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import proteus
from proteus.graph import Runner


class Run(BaseModel):
    id: str
    stage: str
    status: str = "complete"
    report: BaseModel | dict[str, Any] | None = None


def new_run_id(stage: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stage}-{stamp}-{secrets.token_hex(3)}"


@cache
def code_version() -> str:
    """The package version and, in a git checkout, the commit."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=5, check=True)
        return f"{proteus.__version__}+{commit.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        return proteus.__version__


def _json(value: Any) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=str, sort_keys=True)


@contextmanager
def track(graph: Runner, stage: str, params: BaseModel | dict[str, Any],
          rule_versions: dict[str, str] | None = None,
          inputs: list[str] | None = None,
          rules: BaseModel | dict[str, Any] | None = None) -> Iterator[Run]:
    run = Run(id=new_run_id(stage), stage=stage)
    graph.write("runs/create_run", id=run.id, stage=stage, params=_json(params),
                rule_versions=_json(rule_versions or {}), inputs=inputs or [],
                code_version=code_version(),
                rules=None if rules is None else _json(rules))
    try:
        yield run
    except BaseException:
        graph.write("runs/finish_run", id=run.id, status="failed", report=_json(run.report or {}))
        raise
    graph.write("runs/finish_run", id=run.id, status=run.status, report=_json(run.report or {}))


def record_report(graph: Runner, run_id: str, report: BaseModel | dict[str, Any]) -> None:
    """Store `report` on the closed Run `run_id` in place of the one it closed with: a
    caller that measured more after the stage (scores against a truth) keeps them with the
    run."""
    graph.write("runs/set_report", id=run_id, report=_json(report))


def recorded_rules(run: dict[str, Any]) -> dict[str, Any] | None:
    """The rules a Run (as `runs/get_run` returns it) recorded: its `rules`, or for a run
    recorded before they were stored apart, its report's; None when it recorded none."""
    if run.get("rules"):
        return dict(json.loads(run["rules"]))
    report = json.loads(run.get("report") or "{}")
    return dict(report["rules"]) if report.get("rules") else None
