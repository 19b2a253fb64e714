"""Exports of an approved or active, materialised version: CSV, JSONL and OpenRTB 2.6
`user` objects whose `data` carries the audience and its IAB Audience 1.1 segments
(`ext.segtax` 4).

Ids are the graph's pseudonymous ids (persons `p-…`, households `h-…`, the operator's opaque
device ids). Consent is checked again at export: a member whose person has since withdrawn
consent for the audience's purpose is left out, and the export is refused when that leaves
fewer members than the governance minimum.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from proteus.audiences import store
from proteus.audiences.explain import Explanation
from proteus.audiences.governance import Governance
from proteus.audiences.members import materialised, withdrawn
from proteus.audiences.segtax import SEGTAX_AUDIENCE_1_1, audience_ids
from proteus.errors import Conflict, InputError
from proteus.graph import Row, Runner

Format = Literal["csv", "jsonl", "openrtb"]
FORMATS: tuple[str, ...] = ("csv", "jsonl", "openrtb")
DATA_ID = "proteus"


class ExportResult(BaseModel):
    audience: str
    format: str
    rows: int
    excluded_consent: int
    path: str | None
    content: str | None


def _interests(explanation: Explanation) -> list[str]:
    return sorted({hop.target.id for step in explanation.steps
                   if step.kind in ("interest", "category") for hop in step.path
                   if hop.target.label == "Interest"})


def _records(graph: Runner, version: store.AudienceVersion,
             rows: list[Row]) -> list[dict[str, Any]]:
    parents = {r["id"]: r["parent"] for r in graph.read("audiences/interest_parents")}
    out = []
    for row in rows:
        explanation = Explanation.model_validate_json(row["explanation"])
        out.append({"id": row["member"], "level": version.target, "audience": version.id,
                    "segments": [version.id],
                    "iab_audience_ids": audience_ids(_interests(explanation), parents),
                    "confidence": row["confidence"]})
    return out


def _openrtb(record: dict[str, Any], name: str) -> dict[str, Any]:
    data: list[dict[str, Any]] = [{"id": DATA_ID, "name": DATA_ID,
                                   "segment": [{"id": record["audience"], "name": name}]}]
    if record["iab_audience_ids"]:
        data.append({"id": f"{DATA_ID}-iab", "name": DATA_ID,
                     "segment": [{"id": x} for x in record["iab_audience_ids"]],
                     "ext": {"segtax": SEGTAX_AUDIENCE_1_1}})
    return {"user": {"id": record["id"], "data": data}}


def render(records: list[dict[str, Any]], fmt: str, name: str) -> str:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["id", "level", "audience", "segments", "iab_audience_ids",
                         "confidence"])
        for r in records:
            writer.writerow([r["id"], r["level"], r["audience"], ";".join(r["segments"]),
                             ";".join(r["iab_audience_ids"]), r["confidence"]])
        return buffer.getvalue()
    if fmt == "jsonl":
        return "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
    return "".join(json.dumps(_openrtb(r, name), sort_keys=True) + "\n" for r in records)


def export(graph: Runner, ref: str, fmt: str, governance: Governance, actor: str,
           out: Path | None = None) -> ExportResult:
    store.check_actor(actor)
    if fmt not in FORMATS:
        raise InputError(f"format: one of {', '.join(FORMATS)}")
    version = store.get(graph, ref)
    if version.status not in store.EXPORTABLE:
        store.audit(graph, actor, "export", version.id, version.version,
                    {"refused": f"status {version.status}", "format": fmt})
        raise Conflict(f"{version.id}: only an approved or active version can be exported "
                       f"(it is {version.status})")
    version = materialised(graph, ref)
    rows = graph.read("audiences/stored_members", id=version.id)
    persons = sorted({p for r in rows for p in r["persons"]})
    gone = withdrawn(graph, persons, version.purpose)
    kept = [r for r in rows if not set(r["persons"]) & gone]
    excluded = len(rows) - len(kept)
    if len(kept) < governance.min_audience_size:
        store.audit(graph, actor, "export", version.id, version.version,
                    {"refused": "below minimum size", "members": len(kept), "format": fmt})
        raise InputError(f"{version.id}: {len(kept)} exportable members, fewer than the minimum "
                         f"audience size {governance.min_audience_size} (governance "
                         f"v{governance.version}): not exported")
    content = render(_records(graph, version, kept), fmt, version.name)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(content, encoding="utf-8")
    store.audit(graph, actor, "export", version.id, version.version,
                {"format": fmt, "rows": len(kept), "excluded_consent": excluded,
                 "path": str(out) if out else None})
    return ExportResult(audience=version.id, format=fmt, rows=len(kept),
                        excluded_consent=excluded, path=str(out) if out else None,
                        content=None if out is not None else content)
