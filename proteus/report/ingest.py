"""The ingest section: rows read, accepted, rejected and duplicated per file, rejects by field
and reason (read from the rejects files the run wrote), the rate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from proteus.report.charts import bars
from proteus.report.common import RunRow, section
from proteus.report.model import Figure, Section, Table, number, share

OUTCOMES = ["accepted", "rejected", "duplicates"]


def rejects_by_reason(files: list[str]) -> Counter[tuple[str, str]]:
    """(field, reason) -> rejected rows, over the JSON Lines rejects files."""
    found: Counter[tuple[str, str]] = Counter()
    if not files:
        return found
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT field, reason, count(*) FROM read_json($files, format = "
            "'newline_delimited', columns = {field: 'VARCHAR', reason: 'VARCHAR'}) "
            "GROUP BY ALL", {"files": files}).fetchall()
    for field, reason, n in rows:
        found[(str(field), str(reason))] += int(n)
    return found


def build(run: RunRow) -> Section:
    report: dict[str, Any] = run.get("report") or {}
    out = section(run, "ingest", "Ingest")
    batches = report.get("batches", [])
    read, rejected = report.get("read", 0), report.get("rejected", 0)
    out.figures = [Figure(label="path", value=str(report.get("path", "incremental"))),
                   Figure(label="files", value=number(len(batches))),
                   Figure(label="rows read", value=number(read)),
                   Figure(label="accepted", value=number(report.get("accepted"))),
                   Figure(label="rejected", value=number(rejected)),
                   Figure(label="duplicates", value=number(report.get("duplicates"))),
                   Figure(label="rows/s", value=number(round(report.get("events_per_s", 0)))),
                   Figure(label="seconds", value=number(report.get("seconds"), 1))]
    rows = [{"file": Path(b["file"]).name, "outcome": outcome, "rows": b.get(outcome, 0)}
            for b in batches if b.get("read") for outcome in OUTCOMES]
    worst = max(batches, key=lambda b: b.get("rejected", 0), default=None)
    reading = (f"{len({r['file'] for r in rows})} files, {read:,} rows read: "
               f"{share(report.get('accepted', 0), read)} accepted, {rejected:,} rejected, "
               f"{report.get('duplicates', 0):,} duplicates")
    if worst is not None and worst.get("rejected"):
        reading += f"; the most rejects in {Path(worst['file']).name} ({worst['rejected']:,})"
    chart = bars("ingest-rows", "Rows per file", reading, rows, "file", "rows", "file", "rows",
                 color="outcome", color_title="outcome",
                 order=[Path(b["file"]).name for b in batches])
    if chart:
        out.charts.append(chart)
    skipped = [Path(b["file"]).name for b in batches if b.get("status") == "skipped"]
    if skipped:
        out.notes.append(f"{len(skipped)} files were ingested before and skipped: "
                         + ", ".join(skipped[:10]) + ("…" if len(skipped) > 10 else ""))
    out.notes.extend(f"error: {e}" for e in report.get("errors", []))
    _rejects(out, batches, rejected)
    out.tables.append(Table(
        caption="Files", columns=["file", "kind", "status", *["read", *OUTCOMES], "rejects file"],
        rows=[[Path(b["file"]).name, b.get("kind", ""), b.get("status", ""),
               *(number(b.get(k, 0)) for k in ["read", *OUTCOMES]),
               b.get("rejects_file") or b.get("error") or ""] for b in batches]))
    return out


def _rejects(out: Section, batches: list[dict[str, Any]], rejected: int) -> None:
    named = [b["rejects_file"] for b in batches if b.get("rejects_file")]
    present = [f for f in named if Path(f).is_file()]
    if rejected and len(present) < len(named):
        out.notes.append(f"{len(named) - len(present)} rejects files are no longer where the "
                         "run wrote them: rejects by reason counts the others only")
    found = rejects_by_reason(present)
    total = sum(found.values())
    if not total:
        return
    (field, reason), top = found.most_common(1)[0]
    rows = [{"reason": f"{f}: {r}", "rows": n} for (f, r), n in found.most_common()]
    chart = bars("ingest-rejects", "Rejected rows by field and reason",
                 f"{total:,} rejected rows; the most common: {field}: {reason} "
                 f"({top:,}, {share(top, total)})", rows, "reason", "rows",
                 "field: reason", "rejected rows")
    if chart:
        out.charts.append(chart)
