"""Why a member is in an audience, as data: one evidence step per condition, each the path
through the graph (nodes with ids, relationship types, the properties that weighed), the rule
that used it (`<audience> include[0]`), the run ids behind it, a weight and a sentence.

Confidence = identity confidence x evidence strength:
- identity confidence: the mean `BELONGS_TO.confidence` of the devices on the evidence paths
  (all the person's devices when no path passes a device; the device itself for device
  audiences; the best person for household audiences);
- evidence strength: the weakest include condition's weight, where an interest weighs
  1 - exp(-evidence_count / 2), watched content or a category 1 - exp(-seconds / 1800), and a
  segment, device type, household size or recent activity 1.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

from proteus import explain
from proteus.explain import Hop, Node, scrubbed
from proteus.graph import Row

INTEREST_SCALE = 2.0
SECONDS_SCALE = 1800.0


class Step(explain.Step):
    """One condition's evidence: the path through the graph behind it and the runs that
    wrote that path."""

    path: list[Hop]
    run_ids: list[str]


class Explanation(BaseModel):
    audience: str
    member: str
    level: str
    persons: list[str]
    steps: list[Step]
    identity_confidence: float
    evidence_strength: float
    confidence: float
    policy_version: str
    sentence: str

    def redacted(self) -> Explanation:
        """The same explanation with device ids hidden, in paths and sentences."""
        devices = {end.id for step in self.steps for hop in step.path
                   for end in (hop.source, hop.target) if end.label == "Device"}
        steps = [step.model_copy(update={
            "path": [hop.model_copy(update={"source": _hide_device(hop.source),
                                            "target": _hide_device(hop.target)})
                     for hop in step.path],
            "sentence": scrubbed(step.sentence, devices, "device")}) for step in self.steps]
        return self.model_copy(update={"steps": steps})


def _hide_device(node: Node) -> Node:
    return Node(label="Device", id=explain.hidden("device")) if node.label == "Device" else node


def _n(label: str, value: Any) -> Node:
    return Node(label=label, id=str(value))


def _belongs(person: str, ev: Row) -> Hop:
    return Hop(source=_n("Device", ev["device"]), type="BELONGS_TO",
               target=_n("Person", person),
               properties={"confidence": ev.get("identity_confidence"),
                           "run_id": ev.get("identity_run"), "device_type": ev.get("device_type")})


def _watched(ev: Row, seconds: Any) -> Hop:
    return Hop(source=_n("Device", ev["device"]), type="WATCHED",
               target=_n("Content", ev["content"]),
               properties={"seconds": seconds, "last": ev.get("last"), "title": ev.get("title")})


def _tagged(content: str, via: str, interest: str) -> list[Hop]:
    hops = [Hop(source=_n("Content", content), type="TAGGED", target=_n("Interest", via))]
    if via != interest:
        hops.append(Hop(source=_n("Interest", via), type="CHILD_OF*",
                        target=_n("Interest", interest)))
    return hops


def _saturate(value: float, scale: float) -> float:
    return round(1.0 - math.exp(-max(value, 0.0) / scale), 4)


def include_step(position: int, rule: str, person: str, ev: Row) -> Step:
    """The evidence step of one include condition from its `conditions/evidence` row."""
    kind = ev["kind"]
    runs: list[str] = []
    path: list[Hop] = []
    weight = 1.0
    if kind == "interest":
        if ev.get("content") is not None:
            path = [_belongs(person, ev), _watched(ev, ev.get("seconds"))]
            path += _tagged(ev["content"], ev.get("via") or ev["interest"], ev["interest"])
        path.append(Hop(source=_n("Person", person), type="INTERESTED_IN",
                        target=_n("Interest", ev["interest"]),
                        properties={k: ev.get(k) for k in
                                    ("score", "lift", "evidence_count", "last_seen", "run_id")}))
        weight = _saturate(float(ev.get("evidence_count") or 0), INTEREST_SCALE)
        runs = [ev.get("identity_run"), ev.get("run_id")]  # type: ignore[list-item]
        sentence = (f"interested in {ev.get('interest_name') or ev['interest']} "
                    f"(score {_r(ev.get('score'))}, lift {_r(ev.get('lift'))}, "
                    f"{ev.get('evidence_count')} contents)")
        if ev.get("content") is not None:
            sentence += f"; most watched: {ev.get('title') or ev['content']} on {ev['device']}"
    elif kind in ("content", "category"):
        path = [_belongs(person, ev), _watched(ev, ev.get("seconds"))]
        tag = ev.get("tags") or []
        if kind == "category" and tag:
            path += _tagged(ev["content"], tag[0][0], tag[0][1])
        weight = _saturate(float(ev.get("total_seconds") or 0), SECONDS_SCALE)
        runs = [ev.get("identity_run")]  # type: ignore[list-item]
        sentence = (f"watched {ev.get('watched')} matching title(s) for "
                    f"{ev.get('total_seconds')} s in the window; most: "
                    f"{ev.get('title') or ev['content']} ({ev.get('seconds')} s) on "
                    f"{ev['device']}")
    elif kind == "segment":
        path = [Hop(source=_n("Person", person), type="IN_SEGMENT",
                    target=_n("Segment", ev["segment"]),
                    properties={"run_id": ev.get("run_id"), "kind": ev.get("segment_kind")})]
        runs = [ev.get("run_id")]  # type: ignore[list-item]
        sentence = f"in segment {ev['segment']} ({ev.get('segment_name')})"
    elif kind == "device_type":
        path = [_belongs(person, ev)]
        runs = [ev.get("identity_run")]  # type: ignore[list-item]
        sentence = f"has a {ev.get('device_type')} device ({ev['device']})"
    elif kind == "household_size":
        path = [Hop(source=_n("Person", person), type="MEMBER_OF_HOUSEHOLD",
                    target=_n("Household", ev["household"]),
                    properties={"size": ev.get("size"), "run_id": ev.get("run_id")})]
        runs = [ev.get("run_id")]  # type: ignore[list-item]
        sentence = f"household {ev['household']} has size {ev.get('size')}"
    else:
        path = [_belongs(person, ev), _watched(ev, ev.get("seconds"))]
        runs = [ev.get("identity_run")]  # type: ignore[list-item]
        sentence = f"last watched on {ev.get('last')} ({ev.get('title') or ev['content']})"
    return Step(position=position, rule=rule, kind=kind, path=path, weight=weight,
                run_ids=sorted({r for r in runs if r}), sentence=f"{rule}: {sentence}")


def _r(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else str(value)


def identity_confidence(steps: list[Step], context: Row, device: str | None = None) -> float:
    known = {d["device"]: float(d.get("confidence") or 0.0) for d in context.get("devices", [])}
    if device is not None:
        return round(known.get(device, 0.0), 4)
    used = {hop.source.id for s in steps for hop in s.path if hop.source.label == "Device"}
    values = [known[d] for d in sorted(used) if d in known] or list(known.values())
    return round(sum(values) / len(values), 4) if values else 0.0


def consent_step(position: int, purpose: str, governance: str, context: Row) -> Step:
    logins, granted = int(context.get("logins") or 0), int(context.get("granted") or 0)
    withdrawn = int(context.get("withdrawn") or 0)
    sentence = (f"governance v{governance} consent: {logins} login(s) seen with the person's "
                f"devices, {granted} granted {purpose}, {withdrawn} withdrew, "
                f"{logins - granted - withdrawn} without a record")
    return Step(position=position, rule=f"governance v{governance} consent", kind="consent",
                path=[], weight=1.0 if withdrawn == 0 else 0.0, run_ids=[], sentence=sentence)


def exclude_step(position: int, rule: str, kind: str) -> Step:
    return Step(position=position, rule=rule, kind=f"exclude:{kind}", path=[], weight=1.0,
                run_ids=[], sentence=f"{rule}: {kind} condition does not hold")
