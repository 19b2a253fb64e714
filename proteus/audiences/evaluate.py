"""Running a compiled definition: who is in, who consent left out, and why each member is in.

`select` runs the one traversal and turns its rows into members at the definition's target
level; `explanations` fetches the evidence of those members' persons and builds one
`Explanation` per member. Dry run and materialisation share both, so their counts agree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from proteus.audiences.compile import Compiled
from proteus.audiences.definition import Definition
from proteus.audiences.explain import (
    Explanation,
    Hop,
    Node,
    Step,
    consent_step,
    exclude_step,
    identity_confidence,
    include_step,
)
from proteus.conditions.compile import EVIDENCE
from proteus.conditions.model import kind_of
from proteus.conditions.summary import require_current
from proteus.errors import Conflict
from proteus.graph import Row, Runner

BATCH = 2_000


class Counts(BaseModel):
    persons: int
    households: int
    devices: int


class Selection(BaseModel):
    """Members at the target level, each with the persons behind it."""

    level: str
    matched_persons: int
    excluded_consent: int
    size: int  # members at the target level
    members: dict[str, list[str]]  # every member, or those of the persons listed
    member_devices: dict[str, str] = {}
    counts: Counts


def _members(level: str, rows: list[Row]) -> tuple[dict[str, list[str]], dict[str, str]]:
    if level == "person":
        return {p: [p] for p in sorted(str(row["person"]) for row in rows)}, {}
    members: dict[str, list[str]] = defaultdict(list)
    member_devices: dict[str, str] = {}
    for row in rows:
        person = str(row["person"])
        if level == "household":
            members[str(row["household"])].append(person)
        else:
            for device in row["devices"]:
                members[device].append(person)
                member_devices[device] = person
    return {m: sorted(ps) for m, ps in sorted(members.items())}, member_devices


def select(graph: Runner, definition: Definition, compiled: Compiled,
           listed: int | None = None) -> Selection:
    """Run the traversal and group its kept persons into members at the target level:
    every member, or with `listed` only those of the first `listed` persons by id (the
    counts and `size` are the same either way)."""
    [found] = graph.read_plain(compiled.query_name, **{**compiled.params, "listed": listed})
    require_current(int(found["stale"]))
    level = definition.target
    members, member_devices = _members(level, found["rows"])
    if listed is None and len(members) != found["members"]:
        raise Conflict(f"{len(members)} members listed but {found['members']} counted: the "
                       "person summaries are out of date with the devices; run identity again")
    return Selection(level=level, matched_persons=found["matched"],
                     excluded_consent=found["excluded"], size=found["members"], members=members,
                     member_devices=member_devices,
                     counts=Counts(persons=found["persons"], households=found["households"],
                                   devices=found["devices"]))


def _person_steps(definition: Definition, audience: str, person: str,
                  evidence: dict[int, Row], context: Row, governance: str) -> list[Step]:
    steps: list[Step] = []
    for position, (path, condition) in enumerate(definition.conditions()):
        rule = f"{audience} {path}"
        if path.startswith("include"):
            ev = evidence.get(position)
            if ev is None:
                steps.append(Step(position=0, rule=rule, kind=kind_of(condition), path=[],
                                  weight=0.0, run_ids=[],
                                  sentence=f"{rule}: no evidence found"))
            else:
                steps.append(include_step(0, rule, person, ev))
        else:
            steps.append(exclude_step(0, rule, kind_of(condition)))
    steps.append(consent_step(0, definition.purpose, governance, context))
    return steps


def fetch(graph: Runner, compiled: Compiled, persons: list[str],
          purpose: str) -> tuple[dict[str, dict[int, Row]], dict[str, Row]]:
    """Evidence per person and condition position, and identity/consent context per person."""
    evidence: dict[str, dict[int, Row]] = defaultdict(dict)
    context: dict[str, Row] = {}
    conditions = compiled.conditions
    for start in range(0, len(persons), BATCH):
        chunk = persons[start:start + BATCH]
        for row in graph.read(EVIDENCE, persons=chunk, conditions=conditions):
            evidence[row["person"]][int(row["position"])] = row["evidence"]
        for row in graph.read("audiences/context", persons=chunk, purpose=purpose):
            context[row["person"]] = row
    return evidence, context


def explanations(graph: Runner, definition: Definition, compiled: Compiled,
                 selection: Selection, audience: str, governance: str,
                 only: list[str] | None = None) -> list[Explanation]:
    """One explanation per member (or per member in `only`), in member order."""
    wanted = only if only is not None else list(selection.members)
    persons = sorted({p for m in wanted for p in selection.members.get(m, [])})
    evidence, context = fetch(graph, compiled, persons, definition.purpose)
    out: list[Explanation] = []
    for member in wanted:
        behind = selection.members.get(member, [])
        steps: list[Step] = []
        best_identity, best_strength, best = 0.0, 0.0, -1.0
        for person in behind:
            ctx = context.get(person, {})
            own = _person_steps(definition, audience, person, evidence.get(person, {}), ctx,
                                governance)
            include = [s for s in own
                       if s.kind != "consent" and not s.kind.startswith("exclude")]
            strength = min((s.weight for s in include), default=0.0)
            device = member if selection.level == "device" else None
            ident = identity_confidence(include, ctx, device)
            if ident * strength > best:
                best_identity, best_strength, best = ident, strength, ident * strength
            steps += own
        if selection.level == "device" and behind:
            conf = best_identity
            steps.insert(0, Step(position=0, rule=f"{audience} target device", kind="identity",
                                 path=[Hop(source=Node(label="Device", id=member),
                                           type="BELONGS_TO",
                                           target=Node(label="Person", id=behind[0]),
                                           properties={"confidence": conf})],
                                 weight=conf, run_ids=[],
                                 sentence=f"device {member} belongs to person {behind[0]} "
                                          f"(confidence {conf})"))
        elif selection.level == "household":
            steps[:0] = [Step(position=0, rule=f"{audience} target household", kind="identity",
                              path=[Hop(source=Node(label="Person", id=p),
                                        type="MEMBER_OF_HOUSEHOLD",
                                        target=Node(label="Household", id=member))],
                              weight=1.0, run_ids=[],
                              sentence=f"person {p} lives in household {member}")
                         for p in behind]
        for n, step in enumerate(steps, start=1):
            step.position = n
        confidence = round(best_identity * best_strength, 4)
        out.append(Explanation(
            audience=audience, member=member, level=selection.level, persons=behind,
            steps=steps, identity_confidence=best_identity, evidence_strength=best_strength,
            confidence=confidence, policy_version=governance,
            sentence=(f"{selection.level} {member} is in {audience}: every include condition "
                      f"holds for {len(behind)} person(s), no exclude condition holds, no "
                      f"withdrawn {definition.purpose} consent; confidence {confidence}")))
    return out


def summary(explanation: Explanation) -> dict[str, Any]:
    """The short form a listing shows."""
    return {"member": explanation.member, "confidence": explanation.confidence,
            "persons": explanation.persons, "sentence": explanation.sentence}
