"""The audience section: the funnel from every person through each condition, consent and
the minimum size to the members; the members' devices by type and households by size."""

from __future__ import annotations

from typing import Any

from proteus.graph import Runner
from proteus.report.charts import bars
from proteus.report.common import RunRow, section
from proteus.report.model import Figure, Section, number


def build(graph: Runner | None, run: RunRow) -> Section:
    """From an audience run's report (materialised members), or from a dry run's when
    `graph` is None (nothing was materialised)."""
    report: dict[str, Any] = run.get("report") or {}
    name = report.get("audience", "?")
    out = section(run, "audience", f"Audience {name}")
    counts = report.get("counts") or {}
    out.figures = [Figure(label="members", value=number(report.get("members"))),
                   Figure(label="persons", value=number(counts.get("persons"))),
                   Figure(label="households", value=number(counts.get("households"))),
                   Figure(label="devices", value=number(counts.get("devices"))),
                   Figure(label="matched persons", value=number(report.get("matched_persons"))),
                   Figure(label="left out for consent",
                          value=number(report.get("excluded_consent"))),
                   Figure(label="reference day", value=str(report.get("reference_day")))]
    _funnel(out, report.get("funnel") or [])
    if graph is None:
        out.notes.append(str(run.get("refused") or "a dry run: nothing was materialised"))
        return out
    run_id = str(run.get("id"))
    devices = graph.read("report/audience_devices", audience=name, run_id=run_id)
    total = sum(r["devices"] for r in devices)
    if devices:
        top = devices[0]
        chart = bars("audience-devices", "Members' devices by type", (
            f"{total:,} devices behind the members; {top['type']} the most ({top['devices']:,}"
            f", {top['devices'] / total:.0%})"), devices, "type", "devices", "device type",
            "devices")
        if chart:
            out.charts.append(chart)
    households = graph.read("report/audience_households", audience=name, run_id=run_id)
    if households:
        rows = [{"size": "none" if r["size"] == 0 else f"{r['size']} persons"
                 if r["size"] != 1 else "1 person", "members": r["members"]} for r in households]
        members = sum(r["members"] for r in households)
        mode = max(rows, key=lambda r: r["members"])
        chart = bars("audience-households", "Members by household size", (
            f"{members:,} members; most live in households of {mode['size']} "
            f"({mode['members'] / members:.0%})"), rows, "size", "members",
            "household size", "members", order=[r["size"] for r in rows], vertical=True)
        if chart:
            out.charts.append(chart)
    if not devices and not households:
        out.notes.append("this run's members are no longer stored (materialised again since)")
    return out


def _funnel(out: Section, steps: list[dict[str, Any]]) -> None:
    if not steps:
        out.notes.append("no funnel recorded for this run")
        return
    rows = [{"step": f"{n}. {s['step']}", "count": s["count"], "unit": s["unit"]}
            for n, s in enumerate(steps, start=1)]
    drops = [(rows[n - 1]["count"] - rows[n]["count"], rows[n]["step"])
             for n in range(1, len(rows)) if rows[n]["unit"] == rows[n - 1]["unit"]]
    reading = (f"{rows[0]['count']:,} {rows[0]['unit']} narrow to {rows[-1]['count']:,} "
               f"{rows[-1]['unit']}")
    if drops:
        lost, step = max(drops)
        reading += f"; the largest drop is at {step.split('. ', 1)[1]} (-{lost:,})"
    chart = bars("audience-funnel", "Audience funnel", reading, rows, "step", "count", "step",
                 "persons, then members", color="unit", color_title="counted",
                 order=[r["step"] for r in rows])
    if chart:
        out.charts.append(chart)
