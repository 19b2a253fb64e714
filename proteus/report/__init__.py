"""The HTML run report: one self-contained page of figures, charts and tables per stage run,
read from the `Run` nodes' stored reports (and the graph those runs wrote).

    html = report.render(report.build(graph, ["identity-…", "segments-…"]))
    report.write(graph, Path("report.html"))        # the latest run of every stage

Charts are Vega-Lite (altair) drawn to inline SVG by vl-convert: the page has no script
and fetches nothing, so it opens inside a closed network. `proteus report`, `GET
/v1/runs/{id}/report` and the main job (`proteus run`) write it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from proteus import runs
from proteus.audiences import DryRun
from proteus.errors import NotFound
from proteus.graph import Runner
from proteus.report import audiences, identity, ingest, recommend, segments
from proteus.report.common import RunRow, section
from proteus.report.model import Chart, Figure, Report, Section, Table, number
from proteus.report.page import render

__all__ = ["STAGES", "Chart", "Figure", "Report", "Section", "Table", "build", "load_runs",
           "render", "write", "write_html"]

STAGES = ("ingest", "taxonomy", "identity", "interests", "segments", "recommend",
          recommend.BENCH, "audience")


def _parsed(run: dict[str, Any]) -> RunRow:
    value = run.get("report")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    return {**run, "report": value if isinstance(value, dict) else {}}


def load_runs(graph: Runner, run_ids: list[str] | None = None) -> list[RunRow]:
    """The runs named (NotFound for an unknown id), or the latest finished run of every
    stage, in pipeline order."""
    if run_ids:
        found = []
        for run_id in run_ids:
            rows = graph.read("runs/get_run", id=run_id)
            if not rows:
                raise NotFound(f"no run {run_id}")
            found.append(_parsed(rows[0]["run"]))
    else:
        found = [_parsed(r["run"]) for r in graph.read("report/latest_runs", stages=STAGES)]
    order = {stage: n for n, stage in enumerate(STAGES)}
    return sorted(found, key=lambda r: (order.get(str(r.get("stage")), len(order)),
                                        str(r.get("started"))))


def _taxonomy(run: RunRow) -> Section:
    report = run["report"]
    out = section(run, "taxonomy", "Taxonomy")
    out.figures = [Figure(label="source", value=str(report.get("source", ""))),
                   Figure(label="contents tagged", value=number(report.get("contents_tagged"))),
                   Figure(label="tags", value=number(report.get("tags"))),
                   Figure(label="unknown IAB ids", value=number(report.get("unknown_iab_ids")))]
    out.figures += [Figure(label=t["taxonomy"], value=f"{t['categories']:,} categories, "
                                                      f"{t['sensitive']:,} sensitive")
                    for t in report.get("taxonomies", [])]
    return out


def _other(run: RunRow) -> Section:
    out = section(run, str(run.get("stage")), f"Run of {run.get('stage')}")
    report = run["report"]
    out.figures = [Figure(label=k, value=number(v) if isinstance(v, int | float) else str(v))
                   for k, v in report.items() if isinstance(v, int | float | str)][:12]
    return out


def _section(graph: Runner, run: RunRow, benches: dict[str, RunRow]) -> Section:
    builders: dict[str, Callable[[], Section]] = {
        "ingest": lambda: ingest.build(run),
        "taxonomy": lambda: _taxonomy(run),
        "identity": lambda: identity.build(graph, run),
        "interests": lambda: segments.interests(run),
        "segments": lambda: segments.build(run),
        "recommend": lambda: recommend.build(graph, run, benches.get(recommend.BENCH)),
        "audience": lambda: audiences.build(graph, run),
    }
    return builders.get(str(run.get("stage")), lambda: _other(run))()


def build(graph: Runner, run_ids: list[str] | None = None,
          dry_run: DryRun | None = None, refused: str | None = None) -> Report:
    """The report of the runs named (default: the latest of every stage); `dry_run` adds the
    audience a main job dry-ran but did not materialise (`refused` says why)."""
    found = load_runs(graph, run_ids)
    benches = {str(r["stage"]): r for r in found if r.get("stage") == recommend.BENCH}
    shown = [r for r in found if r.get("stage") != recommend.BENCH or not any(
        x.get("stage") == "recommend" for x in found)]
    sections = [_section(graph, run, benches) for run in shown]
    if dry_run is not None:
        sections.append(audiences.build(None, {
            "id": None, "status": "dry run", "refused": refused,
            "report": {**dry_run.model_dump(mode="json"), "audience": dry_run.audience}}))
    return Report(generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                  code_version=runs.code_version(), sections=sections)


def write(graph: Runner, out: Path, run_ids: list[str] | None = None,
          dry_run: DryRun | None = None, refused: str | None = None) -> Path:
    """Build and render the report to `out`."""
    return write_html(build(graph, run_ids, dry_run, refused), out)


def write_html(report: Report, out: Path) -> Path:
    """Render a report to `out` (its folder made when missing), atomically."""
    html = render(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    partial.write_text(html, encoding="utf-8")
    partial.replace(out)
    return out
