"""The identity section: person and household sizes, identifiers excluded by rule, scores
against the truth when one was given, and the merges and splits the run recorded."""

from __future__ import annotations

from typing import Any

from proteus.graph import Runner
from proteus.report.charts import bars
from proteus.report.common import RunRow, binned, section, size_reading
from proteus.report.model import Figure, Section, Table, number

LEVELS = [("person", "persons"), ("person_resolvable", "persons, resolvable devices"),
          ("household", "households"), ("household_resolvable", "households, resolvable")]
METRICS = ["precision", "recall", "f1"]


def _sizes(graph: Runner, query: str, run_id: str) -> dict[int, int]:
    return {int(r["size"]): int(r["count"]) for r in graph.read(query, run_id=run_id)
            if r["size"] is not None}


def build(graph: Runner, run: RunRow) -> Section:
    report: dict[str, Any] = run.get("report") or {}
    out = section(run, "identity", "Identity")
    persons, households = report.get("persons", {}), report.get("households", {})
    gate = report.get("gate", {})
    out.figures = [
        Figure(label="devices", value=number(report.get("devices"))),
        Figure(label="links", value=number(report.get("links"))),
        Figure(label="persons", value=number(persons.get("count"))),
        Figure(label="households", value=number(households.get("count"))),
        Figure(label="largest person", value=f"{number(persons.get('max'))} devices"),
        Figure(label="gate", value="passed" if gate.get("passed") else
               f"failed: {gate.get('reason', '')}"),
        Figure(label="rules", value=f"v{report.get('rules_version', '?')}"),
        Figure(label="ids kept / new",
               value=f"{number(report.get('ids_kept'))} / {number(report.get('ids_new'))}")]
    run_id = str(run.get("id"))
    for key, query, things, title, stats in (
            ("identity-persons", "report/person_sizes", "persons", "Devices per person",
             persons),
            ("identity-households", "report/household_sizes", "households",
             "Devices per household", households)):
        counts = _sizes(graph, query, run_id)
        if not counts:
            out.notes.append(f"{title}: no {things} of this run in the graph (not published, "
                             "or replaced by a later run)")
            continue
        if sum(counts.values()) != stats.get("count"):
            out.notes.append(f"{title}: the graph holds {sum(counts.values()):,} {things} of "
                             f"this run, the report {stats.get('count', 0):,}")
        chart = bars(key, title, size_reading(counts, things, "device"), binned(counts),
                     "size", "count", "devices", things, order=[r["size"] for r in
                                                                binned(counts)],
                     vertical=True)
        if chart:
            out.charts.append(chart)
    excluded = report.get("excluded_by_rule") or {}
    chart = bars("identity-excluded", "Identifiers excluded by rule",
                 _excluded_reading(excluded),
                 [{"rule": k, "identifiers": v} for k, v in excluded.items()],
                 "rule", "identifiers", "rule", "identifiers excluded")
    if chart:
        out.charts.append(chart)
    elif not excluded:
        out.notes.append("no identifier was excluded by a rule")
    _quality(out, report.get("quality"))
    _changes(graph, out, run_id, report.get("changes") or {})
    return out


def _excluded_reading(excluded: dict[str, int]) -> str:
    total = sum(excluded.values())
    if not total:
        return "no identifier excluded"
    top = max(excluded, key=lambda k: excluded[k])
    return (f"{total:,} identifiers excluded from linking; {top} excluded the most "
            f"({excluded[top]:,})")


def _quality(out: Section, quality: dict[str, Any] | None) -> None:
    if not quality:
        out.notes.append("no truth was given: precision, recall and F1 are not measured")
        return
    rows = [{"level": label, "metric": metric, "score": quality[key][metric]}
            for key, label in LEVELS if quality.get(key)
            for metric in METRICS if quality[key].get(metric) is not None]
    person = quality.get("person") or {}
    household = quality.get("household") or {}
    reading = (f"person F1 {number(person.get('f1'))} (precision "
               f"{number(person.get('precision'))}, recall {number(person.get('recall'))}); "
               f"household F1 {number(household.get('f1'))}")
    chart = bars("identity-quality", "Pairwise scores against the truth", reading, rows,
                 "level", "score", "level", "score", color="metric", color_title="metric",
                 order=[label for _, label in LEVELS], grouped=True)
    if chart:
        out.charts.append(chart)
    out.tables.append(Table(caption="Scores against the truth (n/a: nothing to measure)",
                            columns=["level", *METRICS],
                            rows=[[label, *(number((quality.get(key) or {}).get(m))
                                            for m in METRICS)] for key, label in LEVELS]))


def _changes(graph: Runner, out: Section, run_id: str, changes: dict[str, int]) -> None:
    rows = [{"change": k.replace("_", " "), "count": v} for k, v in sorted(changes.items())]
    total = sum(changes.values())
    if not total:
        out.notes.append("no merge or split against the previous run (or no previous run)")
        return
    top = max(changes, key=lambda k: changes[k])
    chart = bars("identity-changes", "Merges and splits against the previous run",
                 f"{total:,} changes; most are {top.replace('_', ' ')}s ({changes[top]:,})",
                 rows, "change", "count", "change", "changes")
    if chart:
        out.charts.append(chart)
    recorded = graph.read("report/identity_changes", run_id=run_id, limit=10)
    if recorded:
        out.tables.append(Table(
            caption="Largest recorded changes", columns=["level", "kind", "before", "after",
                                                         "devices"],
            rows=[[r["level"], r["kind"], ", ".join(r["old_ids"] or []),
                   ", ".join(r["new_ids"] or []), number(len(r["devices"] or []))]
                  for r in recorded]))
