"""Audiences: versioned definitions compiled to one parameterised traversal, dry runs,
governance (consent, sensitive interests, minimum size), materialised members with stored
explanations, lifecycle with an audit trail, diffs and exports.

    version = audiences.create(graph, definition, actor="ana")
    audiences.dry_run(graph, "sports-big-screen", actor="ana").members
    audiences.approve(graph, version.id, actor="bo")
    audiences.materialise(graph, version.id, actor="bo")
    audiences.explain(graph, version.id, "p-0123456789abcdef", actor="bo").steps
    audiences.export(graph, version.id, "openrtb", actor="bo").content

Every function taking `actor` records it in the audit trail (dry runs write nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proteus.audiences import export as _export
from proteus.audiences import materialise as _materialise
from proteus.audiences import members as _members
from proteus.audiences import store
from proteus.audiences.definition import Definition, load_definition, parse_definition
from proteus.audiences.evaluate import Counts
from proteus.audiences.explain import Explanation, Hop, Node, Step
from proteus.audiences.export import ExportResult
from proteus.audiences.governance import Governance, check, load_governance
from proteus.audiences.materialise import DryRun, MaterialiseReport
from proteus.audiences.members import AudienceDiff, Change, MemberPage
from proteus.audiences.store import AudienceVersion
from proteus.graph import Runner

__all__ = [
    "AudienceDiff",
    "AudienceVersion",
    "Change",
    "Counts",
    "Definition",
    "DryRun",
    "Explanation",
    "ExportResult",
    "Governance",
    "Hop",
    "MaterialiseReport",
    "MemberPage",
    "Node",
    "Step",
    "approve",
    "audit_trail",
    "create",
    "diff",
    "dry_run",
    "explain",
    "export",
    "get",
    "load",
    "load_governance",
    "materialise",
    "members",
    "retire",
    "verify",
]


def load(source: Definition | dict[str, Any] | Path) -> Definition:
    """A definition from a model, a mapping (JSON body) or a .yaml/.json file."""
    if isinstance(source, Definition):
        return source
    if isinstance(source, Path):
        return load_definition(source)
    return parse_definition(source)


def create(graph: Runner, definition: Definition | dict[str, Any] | Path, actor: str,
           governance: Governance | None = None) -> AudienceVersion:
    """Validate (ids, sensitive interests) and store a new draft version; an unchanged
    definition returns the newest version instead."""
    rules = governance or load_governance()
    parsed = load(definition)
    store.check_actor(actor)
    check(graph, parsed, rules)
    return store.create(graph, parsed, rules, actor)[0]


def dry_run(graph: Runner, audience: str | Definition | dict[str, Any] | Path, actor: str,
            sample: int | None = None, redact: bool = False,
            governance: Governance | None = None, with_funnel: bool = False) -> DryRun:
    """Counts, consent exclusions and a sample with explanations, writing nothing. `audience`
    is a stored `name` / `name@vN`, a definition, a mapping or a file. `with_funnel` adds
    how many are left after each condition, consent and the minimum size."""
    store.check_actor(actor)
    rules = governance or load_governance()
    version: AudienceVersion | None = None
    if isinstance(audience, str):
        version = store.get(graph, audience)
        definition = version.definition
    else:
        definition = load(audience)
    return _materialise.dry_run(graph, definition, rules, version, sample, redact, with_funnel)


def approve(graph: Runner, audience: str, actor: str) -> AudienceVersion:
    return store.approve(graph, audience, actor)


def retire(graph: Runner, audience: str, actor: str) -> AudienceVersion:
    return store.retire(graph, audience, actor)


def get(graph: Runner, audience: str) -> AudienceVersion:
    return store.get(graph, audience)


def audit_trail(graph: Runner, name: str) -> list[dict[str, Any]]:
    return store.audit_trail(graph, name)


def materialise(graph: Runner, audience: str, actor: str,
                governance: Governance | None = None) -> MaterialiseReport:
    """Store the members of an approved (or active) version with their explanations."""
    return _materialise.materialise(graph, store.get(graph, audience),
                                    governance or load_governance(), actor)


def members(graph: Runner, audience: str, actor: str, offset: int = 0, limit: int = 100,
            explain: bool = False, redact: bool = False) -> MemberPage:
    """A page of members; with `explain`, each one's stored explanation too (audited as an
    `explain` per member). One read and one audit write per page, however many members."""
    store.check_actor(actor)
    result = _members.page(graph, audience, offset, limit, explain)
    events: list[tuple[str, dict[str, Any]]] = [("members", {"offset": offset, "limit": limit})]
    if result.explanations is not None:
        events += [("explain", {"member": m.get("member")}) for m in result.members]
        if redact:
            result.explanations = [e.redacted() for e in result.explanations]
    store.audit_many(graph, actor, result.audience, int(result.audience.rsplit("@v", 1)[1]),
                     events)
    return result


def explain(graph: Runner, audience: str, member: str, actor: str,
            redact: bool = False) -> Explanation:
    """The explanation stored when the member was materialised, unchanged by later runs."""
    store.check_actor(actor)
    version, explanation = _members.stored(graph, audience, member)
    store.audit(graph, actor, "explain", version.id, version.version, {"member": member})
    return explanation.redacted() if redact else explanation


def diff(graph: Runner, a: str, b: str, actor: str) -> AudienceDiff:
    """Members gained and lost from version `a` to `b`, each with its reasons."""
    store.check_actor(actor)
    result = _members.diff(graph, a, b)
    store.audit(graph, actor, "diff", result.b, int(result.b.rsplit("@v", 1)[1]),
                {"against": result.a, "gained": len(result.gained), "lost": len(result.lost)})
    return result


def export(graph: Runner, audience: str, fmt: str, actor: str, out: Path | None = None,
           governance: Governance | None = None) -> ExportResult:
    """CSV, JSONL or OpenRTB `user` lines of an approved or active, materialised version."""
    return _export.export(graph, audience, fmt, governance or load_governance(), actor, out)


def verify(graph: Runner, audience: str) -> dict[str, int]:
    """How many stored explanation hops exist in the graph now (all of them right after
    materialisation)."""
    return _members.verify(graph, audience)
