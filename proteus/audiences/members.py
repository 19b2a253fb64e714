"""Reading a materialised version: its members, a member's stored explanation, the diff of two
versions with a reason per member gained or lost, and a check that stored paths exist."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel

from proteus.audiences import store
from proteus.audiences.compile import compile_definition
from proteus.audiences.evaluate import fetch
from proteus.audiences.explain import Explanation
from proteus.conditions.model import kind_of
from proteus.conditions.summary import SUMMARY_VERSION, require_current
from proteus.errors import Conflict, InputError, NotFound
from proteus.graph import Runner
from proteus.inputs import MAX_OFFSET, is_plain

VERIFY_BATCH = 5_000


def withdrawn(graph: Runner, persons: list[str], purpose: str) -> set[str]:
    """The persons that now withdraw consent for `purpose` or are no longer in the graph,
    as their summaries say (refused when a summary is out of date)."""
    rows = graph.read("audiences/withdrawn_persons", persons=persons, purpose=purpose,
                      summary_version=SUMMARY_VERSION)
    require_current(sum(1 for r in rows if r["stale"]))
    return {str(r["person"]) for r in rows}


class MemberPage(BaseModel):
    audience: str
    status: str
    size: int
    offset: int
    members: list[dict[str, Any]]
    explanations: list[Explanation] | None = None


class Change(BaseModel):
    member: str
    persons: list[str]
    confidence: float | None
    reasons: list[str]


class AudienceDiff(BaseModel):
    a: str
    b: str
    kept: int
    gained: list[Change]
    lost: list[Change]


def materialised(graph: Runner, ref: str) -> store.AudienceVersion:
    version = store.get(graph, ref)
    if not version.materialised:
        raise Conflict(f"{version.id}: not materialised (it is {version.status})")
    return version


def page(graph: Runner, ref: str, offset: int = 0, limit: int = 100,
         explain: bool = False) -> MemberPage:
    """A page of members; with `explain`, each one's stored explanation, in the same read."""
    if not 0 <= offset <= MAX_OFFSET or not 1 <= limit <= 10_000:
        raise InputError(f"limit: between 1 and 10000; offset: between 0 and {MAX_OFFSET}")
    version = materialised(graph, ref)
    if not explain:
        rows = graph.read("audiences/member_page", id=version.id, skip=offset, limit=limit)
        return MemberPage(audience=version.id, status=version.status,
                          size=version.size or 0, offset=offset, members=rows)
    rows = graph.read("audiences/explained_page", id=version.id, skip=offset, limit=limit)
    return MemberPage(audience=version.id, status=version.status, size=version.size or 0,
                      offset=offset,
                      members=[{k: v for k, v in r.items() if k != "explanation"}
                               for r in rows],
                      explanations=[Explanation.model_validate_json(r["explanation"])
                                    for r in rows])


def stored(graph: Runner, ref: str, member: str) -> tuple[store.AudienceVersion, Explanation]:
    """A member's stored explanation; for household and device audiences `member` may also
    be a person behind a member."""
    version = materialised(graph, ref)
    if not member or not is_plain(member, 100):
        raise InputError("member: an id of 1-100 characters, no control characters")
    rows = graph.read("audiences/member", id=version.id, member=member)
    if not rows and version.target != "person":
        rows = graph.read("audiences/member_of_person", id=version.id, person=member)
    if not rows:
        raise NotFound(f"{member} is not a member of {version.id}")
    return version, Explanation.model_validate_json(rows[0]["explanation"])


def _failing(graph: Runner, version: store.AudienceVersion,
             persons: list[str]) -> dict[str, list[str]]:
    """Per person, why it is not in `version` now: conditions failing, consent, or gone."""
    definition = version.definition
    reference = date.fromisoformat(version.reference_day) if version.reference_day else None
    compiled = compile_definition(definition, reference)
    evidence, context = fetch(graph, compiled, persons, definition.purpose)
    out: dict[str, list[str]] = {}
    for person in persons:
        if person not in context:
            out[person] = [f"person {person} is no longer in the graph"]
            continue
        reasons: list[str] = []
        for position, (path, condition) in enumerate(definition.conditions()):
            holds = position in evidence.get(person, {})
            if path.startswith("include") and not holds:
                reasons.append(f"{version.id} {path} ({kind_of(condition)}) does not hold")
            if path.startswith("exclude") and holds:
                reasons.append(f"{version.id} {path} ({kind_of(condition)}) holds")
        if context[person].get("withdrawn"):
            reasons.append(f"consent for {definition.purpose} withdrawn")
        out[person] = reasons
    return out


def _why(failing: dict[str, list[str]], persons: list[str], other: str) -> list[str]:
    reasons = [r for p in persons for r in failing.get(p, [])]
    return reasons or [f"not selected for {other} at its materialisation (target level, "
                       "household consent or a graph change since)"]


def diff(graph: Runner, a_ref: str, b_ref: str) -> AudienceDiff:
    a, b = materialised(graph, a_ref), materialised(graph, b_ref)
    rows_a = {r["member"]: r for r in graph.read("audiences/stored_members", id=a.id)}
    rows_b = {r["member"]: r for r in graph.read("audiences/stored_members", id=b.id)}
    gained_ids = sorted(set(rows_b) - set(rows_a))
    lost_ids = sorted(set(rows_a) - set(rows_b))
    fail_a = _failing(graph, a, sorted({p for m in gained_ids for p in rows_b[m]["persons"]}))
    fail_b = _failing(graph, b, sorted({p for m in lost_ids for p in rows_a[m]["persons"]}))
    gained = []
    for m in gained_ids:
        row = rows_b[m]
        why = json.loads(row["explanation"])["sentence"]
        gained.append(Change(member=m, persons=row["persons"], confidence=row["confidence"],
                             reasons=[why, *_why(fail_a, row["persons"], a.id)]))
    lost = [Change(member=m, persons=rows_a[m]["persons"], confidence=rows_a[m]["confidence"],
                   reasons=_why(fail_b, rows_a[m]["persons"], b.id)) for m in lost_ids]
    return AudienceDiff(a=a.id, b=b.id, kept=len(set(rows_a) & set(rows_b)), gained=gained,
                        lost=lost)


def verify(graph: Runner, ref: str) -> dict[str, int]:
    """How many stored explanation hops exist in the graph now, and how many do not."""
    version = materialised(graph, ref)
    hops: list[dict[str, str]] = []
    for row in graph.read("audiences/stored_members", id=version.id):
        explanation = Explanation.model_validate_json(row["explanation"])
        for step in explanation.steps:
            for n, hop in enumerate(step.path):
                hops.append({"key": f"{row['member']}|{step.position}|{n}", "type": hop.type,
                             "source": hop.source.id, "target": hop.target.id})
    found = 0
    for start in range(0, len(hops), VERIFY_BATCH):
        rows = graph.read("audiences/verify_hops", hops=hops[start:start + VERIFY_BATCH])
        found += sum(1 for r in rows if r["found"])
    return {"hops": len(hops), "found": found, "missing": len(hops) - found}
