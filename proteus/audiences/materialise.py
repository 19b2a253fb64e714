"""Dry run and materialisation: the same traversal, the same selection, the same explanations.

A dry run writes nothing and reports counts, consent exclusions, a sample of members with
their explanations, the traversal and its parameters. Materialising an approved version
stores every member with its explanation and confidence as `(:AudienceMember)` nodes, refused
below the governance minimum size.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from pydantic import BaseModel

from proteus import runs
from proteus.audiences import store
from proteus.audiences.compile import Compiled, compile_definition, conditions, params
from proteus.audiences.definition import Definition
from proteus.audiences.evaluate import Counts, Selection, explanations, select
from proteus.audiences.explain import Explanation
from proteus.audiences.governance import Governance, check
from proteus.conditions.recency import latest_day
from proteus.conditions.summary import require_current
from proteus.errors import Conflict, InputError
from proteus.graph import Runner

WRITE_BATCH = 2_000
CLEAR_BATCH = 20_000


class FunnelStep(BaseModel):
    """How many are left after one step: persons until consent, then members."""

    step: str
    count: int
    unit: str  # persons, or the target level's members


class DryRun(BaseModel):
    audience: str
    name: str
    version: int | None
    status: str | None
    target: str
    purpose: str
    members: int
    counts: Counts
    matched_persons: int
    excluded_consent: int
    min_size: int
    materialisable: bool
    policy_version: str
    reference_day: date | None
    sample: list[Explanation]
    query_name: str
    query: str
    params: dict[str, Any]
    dry_run_ms: float
    funnel: list[FunnelStep] = []


class MaterialiseReport(BaseModel):
    audience: str
    run_id: str
    status: str
    members: int
    counts: Counts
    matched_persons: int
    excluded_consent: int
    policy_version: str
    reference_day: date | None
    select_ms: float
    explain_ms: float
    write_ms: float
    materialise_ms: float
    funnel: list[FunnelStep] = []


def evaluate(graph: Runner, definition: Definition, governance: Governance,
             listed: int | None = None) -> tuple[Selection, Any, float]:
    """Governance checks, compilation and selection; (selection, compiled, milliseconds)."""
    check(graph, definition, governance)
    started = time.monotonic()
    compiled = compile_definition(definition, latest_day(graph))
    selection = select(graph, definition, compiled, listed)
    return selection, compiled, round((time.monotonic() - started) * 1000, 1)


def funnel(graph: Runner, definition: Definition, compiled: Compiled, selection: Selection,
           min_size: int) -> list[FunnelStep]:
    """Every person, then those left after each condition in the definition's order (the
    one traversal run on each first part of the conditions), after consent, the members at
    the target level, and the members once the minimum size is applied."""
    every = conditions(definition, compiled.reference_day)
    persons = sum(row["count"] for row in graph.read("db/label_counts")
                  if row["label"] == "Person")
    steps = [FunnelStep(step="persons", count=persons, unit="persons")]
    for n, condition in enumerate(every, start=1):
        if n < len(every):
            [found] = graph.read_plain(compiled.query_name,
                                       **params(definition, every[:n]))
            require_current(int(found["stale"]))
            left = int(found["matched"])
        else:
            left = selection.matched_persons
        steps.append(FunnelStep(step=_describe(condition), count=left, unit="persons"))
    steps.append(FunnelStep(step=f"{definition.purpose} consent",
                            count=selection.matched_persons - selection.excluded_consent,
                            unit="persons"))
    size = selection.size
    unit = f"{definition.target}s"
    steps.append(FunnelStep(step=f"{definition.target} members", count=size, unit=unit))
    steps.append(FunnelStep(step=f"minimum size {min_size}",
                            count=size if size >= min_size else 0, unit=unit))
    return steps


def _describe(condition: dict[str, Any]) -> str:
    """A condition in a few words: `include interest c3:483 score >= 0.05`."""
    kind = condition["kind"]
    words = [condition["group"], "not" if condition["negate"] != (
        condition["group"] == "exclude") else "", "active" if kind == "active_within_days"
             else kind.replace("_", " ")]
    words += [", ".join(condition["ids"] or condition["types"])]
    for key in ("score", "lift", "size"):
        words += [f"{key} {t['op']} {t['value']}" for t in condition[key]]
    if condition["since"] is not None:
        words.append(f"since {condition['since']}")
    if condition.get("min_seconds"):
        words.append(f">= {condition['min_seconds']} s")
    return " ".join(str(w) for w in words if w)


def dry_run(graph: Runner, definition: Definition, governance: Governance,
            version: store.AudienceVersion | None = None, sample: int | None = None,
            redact: bool = False, with_funnel: bool = False) -> DryRun:
    started = time.monotonic()
    shown_size = governance.sample_size if sample is None else sample
    # the sample's members come from as many persons: a dry run lists no one else
    selection, compiled, _ = evaluate(graph, definition, governance, listed=shown_size)
    audience = version.id if version else f"{definition.name} (not stored)"
    wanted = list(selection.members)[:shown_size]
    shown = explanations(graph, definition, compiled, selection, audience, governance.version,
                         only=wanted)
    size = selection.size
    return DryRun(
        audience=audience, name=definition.name, version=version.version if version else None,
        status=version.status if version else None, target=definition.target,
        purpose=definition.purpose, members=size, counts=selection.counts,
        matched_persons=selection.matched_persons, excluded_consent=selection.excluded_consent,
        min_size=governance.min_audience_size,
        materialisable=size >= governance.min_audience_size,
        policy_version=governance.version, reference_day=compiled.reference_day,
        sample=[e.redacted() if redact else e for e in shown],
        query_name=compiled.query_name, query=compiled.query, params=compiled.params,
        dry_run_ms=round((time.monotonic() - started) * 1000, 1),
        funnel=funnel(graph, definition, compiled, selection, governance.min_audience_size)
        if with_funnel else [])


def materialise(graph: Runner, version: store.AudienceVersion, governance: Governance,
                actor: str) -> MaterialiseReport:
    store.check_actor(actor)
    if version.status not in store.EXPORTABLE:
        raise Conflict(f"{version.id}: only an approved or active version can be "
                       f"materialised (it is {version.status})")
    started = time.monotonic()
    definition = version.definition
    selection, compiled, select_ms = evaluate(graph, definition, governance)
    size = len(selection.members)
    if size < governance.min_audience_size:
        store.audit(graph, actor, "materialise", version.id, version.version,
                    {"refused": "below minimum size", "members": size,
                     "min_size": governance.min_audience_size})
        raise InputError(f"{version.id}: {size} members, fewer than the minimum audience "
                         f"size {governance.min_audience_size} (governance "
                         f"v{governance.version}): not materialised")
    params = {"audience": version.id, "reference_day": compiled.reference_day,
              "conditions": compiled.conditions}
    with runs.track(graph, "audience", params,
                    rule_versions={"audience": version.id, "governance": governance.version,
                                   "policy": governance.sensitive_policy_version}) as run_:
        t0 = time.monotonic()
        explained = explanations(graph, definition, compiled, selection, version.id,
                                 governance.version)
        explain_ms = round((time.monotonic() - t0) * 1000, 1)
        t0 = time.monotonic()
        while graph.write("audiences/clear_members", id=version.id,
                          limit=CLEAR_BATCH)[0]["deleted"]:
            pass
        rows = [{"member": e.member, "level": e.level, "persons": e.persons,
                 "confidence": e.confidence, "explanation": e.model_dump_json()}
                for e in explained]
        for start in range(0, len(rows), WRITE_BATCH):
            graph.write("audiences/write_members", id=version.id,
                        rows=rows[start:start + WRITE_BATCH], run_id=run_.id)
        counts = selection.counts
        graph.write("audiences/finish_materialise", id=version.id, size=size,
                    persons=counts.persons, households=counts.households,
                    devices=counts.devices, excluded_consent=selection.excluded_consent,
                    reference_day=compiled.reference_day.isoformat()
                    if compiled.reference_day else None,
                    run_id=run_.id, actor=actor, at=store.now())
        write_ms = round((time.monotonic() - t0) * 1000, 1)
        report = MaterialiseReport(
            audience=version.id, run_id=run_.id, status="active", members=size,
            counts=counts, matched_persons=selection.matched_persons,
            excluded_consent=selection.excluded_consent, policy_version=governance.version,
            reference_day=compiled.reference_day, select_ms=select_ms, explain_ms=explain_ms,
            write_ms=write_ms, materialise_ms=round((time.monotonic() - started) * 1000, 1),
            funnel=funnel(graph, definition, compiled, selection,
                          governance.min_audience_size))
        run_.report = report
    store.audit(graph, actor, "materialise", version.id, version.version,
                {"run_id": run_.id, "members": size,
                 "excluded_consent": selection.excluded_consent})
    return report
