"""The interests and segments sections: the resolution sweep, segment sizes with their names
and top categories, and stability against the previous run."""

from __future__ import annotations

from typing import Any

from proteus.report.charts import bars, sweep
from proteus.report.common import RunRow, section
from proteus.report.model import Figure, Section, Table, number


def interests(run: RunRow) -> Section:
    report: dict[str, Any] = run.get("report") or {}
    out = section(run, "interests", "Interests")
    params = report.get("params", {})
    out.figures = [
        Figure(label="persons with a profile", value=f"{number(report.get('persons_with_profile'))}"
               f" of {number(report.get('persons'))}"),
        Figure(label="INTERESTED_IN", value=number(report.get("relationships"))),
        Figure(label="interests scored", value=number(report.get("interests_scored"))),
        Figure(label="viewing rows", value=number(report.get("view_rows"))),
        Figure(label="reference day", value=str(report.get("reference_day") or "n/a")),
        Figure(label="half-life", value=f"{number(params.get('half_life_days'))} days"),
        Figure(label="sensitive scores left out", value=number(report.get("dropped_sensitive")))]
    return out


def build(run: RunRow) -> Section:
    report: dict[str, Any] = run.get("report") or {}
    out = section(run, "segments", "Segments")
    segs = report.get("segments", [])
    covered = sum(s["size"] for s in segs)
    out.figures = [
        Figure(label="persons", value=number(report.get("persons"))),
        Figure(label="similarity edges", value=number(report.get("edges"))),
        Figure(label="resolution", value=number(report.get("resolution"))),
        Figure(label="modularity", value=number(report.get("modularity"))),
        Figure(label="segments", value=number(len(segs))),
        Figure(label="unsegmented", value=number(report.get("unsegmented")))]
    points = report.get("sweep", [])
    if points:
        best = max(points, key=lambda p: p["modularity"])
        chosen = next((p for p in points if p.get("chosen")), None)
        reading = (f"modularity peaks at resolution {number(best['resolution'])} "
                   f"({number(best['modularity'])})")
        if chosen:
            reading += (f"; the chosen resolution {number(chosen['resolution'])} gives "
                        f"{chosen['communities']:,} communities")
        chart = sweep("segments-sweep", "Resolution sweep: modularity and communities",
                      reading, points)
        if chart:
            out.charts.append(chart)
        out.notes.append(f"chosen by: {report.get('criterion', '')}")
    if segs:
        largest = max(segs, key=lambda s: s["size"])
        rows = [{"segment": f"{s['name']} ({s['id']})", "persons": s["size"]} for s in segs]
        chart = bars("segments-sizes", "Segment sizes", (
            f"{len(segs)} segments cover {covered:,} of {report.get('persons', 0):,} persons; "
            f"the largest, {largest['name']}, has {largest['size']:,}"), rows, "segment",
            "persons", "segment", "persons")
        if chart:
            out.charts.append(chart)
        out.tables.append(Table(caption="Segments and their top categories (lift)",
                                columns=["segment", "name", "persons", "top categories",
                                         "devices"],
                                rows=[[s["id"], s["name"], number(s["size"]),
                                       ", ".join(f"{t['name']} ({t['lift']:.1f})"
                                                 for t in s.get("top_interests", [])),
                                       ", ".join(f"{k} {v:,}" for k, v in
                                                 (s.get("device_mix") or {}).items())]
                                      for s in segs]))
    _stability(out, report.get("stability") or {}, segs)
    return out


def _stability(out: Section, stability: dict[str, Any], segs: list[dict[str, Any]]) -> None:
    if not stability.get("previous_run"):
        out.notes.append("first segmentation of this graph: no previous run to compare with")
        return
    out.figures += [Figure(label="NMI vs previous", value=number(stability.get("nmi"))),
                    Figure(label="ARI vs previous", value=number(stability.get("ari"))),
                    Figure(label="continued / new / dropped",
                           value=f"{stability.get('continued', 0)} / {stability.get('new', 0)}"
                                 f" / {stability.get('dropped', 0)}")]
    rows = [{"segment": f"{s['name']} ({s['id']})", "change": change, "persons": s[change]}
            for s in segs for change in ("gained", "lost")]
    moved = sum(s["gained"] + s["lost"] for s in segs)
    chart = bars("segments-stability", "Persons gained and lost against the previous run", (
        f"NMI {number(stability.get('nmi'))}, ARI {number(stability.get('ari'))} over "
        f"{stability.get('common_persons', 0):,} persons in both; {moved:,} memberships "
        f"changed, {stability.get('new', 0)} segments new, {stability.get('dropped', 0)} "
        "dropped"), rows, "segment", "persons", "segment", "persons", color="change",
        color_title="change", grouped=True)
    if chart:
        out.charts.append(chart)
    else:
        out.notes.append("every segment kept exactly its members")
