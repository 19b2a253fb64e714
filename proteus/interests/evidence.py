"""The viewing behind one stored interest score, as data: every (device, content) aggregate
that reached the interest, its decayed seconds, and the score they add up to."""

from __future__ import annotations

import json
from datetime import date

from pydantic import BaseModel

from proteus.errors import NotFound
from proteus.graph import Runner
from proteus.interests.scoring import Decayer


class EvidenceItem(BaseModel):
    device: str
    content: str
    title: str | None
    via: str
    days: list[str]
    day_seconds: list[int]
    weight: float


class Evidence(BaseModel):
    person: str
    interest: str
    run_id: str
    reference_day: date
    half_life_days: float
    items: list[EvidenceItem]
    weight: float
    total: float
    score: float
    stored_score: float
    stored_lift: float


def evidence(graph: Runner, person: str, interest: str) -> Evidence:
    """Recompute a stored score from the graph's viewing, with the stored run's parameters."""
    stored = next((r for r in graph.read("interests/profile", person=person)
                   if r["interest"] == interest), None)
    if stored is None:
        raise NotFound(f"no stored interest {interest} for person {person}")
    found = graph.read("runs/get_run", id=stored["run_id"])
    if not found:
        raise NotFound(f"run {stored['run_id']} is not in the graph")
    run = found[0]["run"]
    report = json.loads(run["report"] or "{}")
    params = json.loads(run["params"])
    reference = date.fromisoformat(report["reference_day"])
    decayer = Decayer(reference, float(params["half_life_days"]))
    items = [EvidenceItem(device=r["device"], content=r["content"], title=r["title"],
                          via=r["via"], days=r["days"], day_seconds=r["day_seconds"],
                          weight=decayer(r["days"], r["day_seconds"]))
             for r in graph.read("interests/evidence", person=person, interest=interest)]
    weight = sum(i.weight for i in items)
    total = sum(decayer(r["days"], r["day_seconds"])
                for r in graph.read("interests/person_watch", person=person))
    return Evidence(person=person, interest=interest, run_id=stored["run_id"],
                    reference_day=reference, half_life_days=decayer.half_life, items=items,
                    weight=weight, total=total, score=weight / total if total else 0.0,
                    stored_score=stored["score"], stored_lift=stored["lift"])
