"""Audiences: thin wrappers over `proteus.audiences`, every call audited with its outcome.

analyst: read, create (a draft), dry-run, members, explain, diff; admin: approve,
materialise, export. `proteus.audiences` keeps its own audit trail (actor `key:<id>:<name>`);
the API also records an `AuditEvent` per call, failures and refusals included (a role too
low, invalid input), linked to the key. Audience references are `name` (newest version) or
`name@vN`. A lifecycle step the version's status does not allow is 409, and so is any use of
a version whose stored definition no longer passes validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from proteus import audiences
from proteus.api import pagination
from proteus.api.audit import audited
from proteus.api.deps import AdminKey, AnalystKey, GraphDep
from proteus.api.errors import CONFLICT, RESPONSES, TOO_LARGE
from proteus.api.pagination import CursorQuery
from proteus.api.routing import AuditedRoute
from proteus.audiences import (
    AudienceDiff,
    AudienceVersion,
    DryRun,
    Explanation,
    ExportResult,
    MaterialiseReport,
)
from proteus.graph import Runner
from proteus.inputs import SLUG_PATTERN, QueryFlag
from proteus.keys import Principal

router = APIRouter(prefix="/audiences", tags=["audiences"],
                   responses={**RESPONSES, **CONFLICT}, route_class=AuditedRoute)

T = TypeVar("T")
REF = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}(@v[0-9]{1,6})?$"
Ref = Annotated[str, Path(pattern=REF, description="`name` or `name@vN`")]
Other = Annotated[str, Query(pattern=REF, description="the audience version to compare with")]
Member = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")]
Limit = Annotated[int, Query(ge=1, le=1000, description="members per page")]
Explain = Annotated[QueryFlag, Query(description="add each member's stored explanation "
                                                 "(at most 50 members per page then)")]
Redact = Annotated[QueryFlag, Query(description="hide identifier values")]
Sample = Annotated[int | None, Query(ge=0, le=100, description="members to explain")]
Format = Annotated[Literal["csv", "jsonl", "openrtb"], Query(description="export format")]


class AudienceRequest(BaseModel):
    definition: dict[str, Any] = Field(description="an audience definition (as a mapping)")


class MembersPage(BaseModel):
    audience: str
    status: str
    size: int
    members: list[dict[str, Any]]
    explanations: list[Explanation] | None = None
    next_cursor: str | None = None


def actor(who: Principal) -> str:
    name = re.sub(r"[^A-Za-z0-9 ._@+\-]", "-", who.name)
    return f"key:{who.key_id}:{name}"[:100]


def _named(definition: dict[str, Any]) -> str:
    """The definition's name as the audit target, when it is a valid name."""
    name = definition.get("name")
    return name if isinstance(name, str) and re.fullmatch(SLUG_PATTERN, name) else ""


def _call(graph: Runner, who: Principal, action: str, target: str, work: Callable[[], T]) -> T:
    with audited(graph, who, f"audiences.{action}", target):
        return work()


@router.post("", response_model=AudienceVersion, status_code=201, responses=TOO_LARGE)
def create(body: AudienceRequest, graph: GraphDep, who: AnalystKey) -> AudienceVersion:
    """Store a definition as a new draft version (an unchanged one returns the newest)."""
    return _call(graph, who, "create", _named(body.definition),
                 lambda: audiences.create(graph, body.definition, actor(who)))


@router.post("/dry-run", response_model=DryRun, responses=TOO_LARGE)
def dry_run(body: AudienceRequest, graph: GraphDep, who: AnalystKey, sample: Sample = None,
            redact: Redact = True) -> DryRun:
    """Counts, consent exclusions and explained samples of a definition; writes nothing."""
    return _call(graph, who, "dry_run", _named(body.definition),
                 lambda: audiences.dry_run(graph, body.definition, actor(who), sample,
                                           redact))


@router.get("/{ref}", response_model=AudienceVersion)
def get(ref: Ref, graph: GraphDep, who: AnalystKey) -> AudienceVersion:
    """One version: definition, status, approvals, size."""
    return _call(graph, who, "get", ref, lambda: audiences.get(graph, ref))


@router.post("/{ref}/dry-run", response_model=DryRun, name="dry_run")
def dry_run_stored(ref: Ref, graph: GraphDep, who: AnalystKey, sample: Sample = None,
                   redact: Redact = True) -> DryRun:
    """A dry run of a stored version."""
    return _call(graph, who, "dry_run", ref,
                 lambda: audiences.dry_run(graph, ref, actor(who), sample, redact))


@router.post("/{ref}/approve", response_model=AudienceVersion)
def approve(ref: Ref, graph: GraphDep, who: AdminKey) -> AudienceVersion:
    """Approve a draft version."""
    return _call(graph, who, "approve", ref, lambda: audiences.approve(graph, ref, actor(who)))


@router.post("/{ref}/materialise", response_model=MaterialiseReport)
def materialise(ref: Ref, graph: GraphDep, who: AdminKey) -> MaterialiseReport:
    """Store the members of an approved version with their explanations."""
    return _call(graph, who, "materialise", ref,
                 lambda: audiences.materialise(graph, ref, actor(who)))


@router.get("/{ref}/members", response_model=MembersPage)
def members(ref: Ref, graph: GraphDep, who: AnalystKey, cursor: CursorQuery = None,
            limit: Limit = 100, explain: Explain = False, redact: Redact = True) -> MembersPage:
    """Members of a materialised version; with `explain=true` each one's stored path, read
    with the page in one query and audited in one write."""
    offset = pagination.decode_offset(cursor)
    if explain:
        limit = min(limit, 50)

    def work() -> MembersPage:
        found = audiences.members(graph, ref, actor(who), offset, limit, explain, redact)
        more = offset + len(found.members) < found.size and len(found.members) == limit
        return MembersPage(audience=found.audience, status=found.status, size=found.size,
                           members=found.members, explanations=found.explanations,
                           next_cursor=pagination.encode({"offset": str(offset + limit)})
                           if more else None)

    return _call(graph, who, "members", ref, work)


@router.get("/{ref}/members/{member}/explain", response_model=Explanation)
def explain(ref: Ref, member: Member, graph: GraphDep, who: AnalystKey,
            redact: Redact = True) -> Explanation:
    """Why a member is in the audience: the explanation stored at materialisation."""
    return _call(graph, who, "explain", f"{ref}/{member}",
                 lambda: audiences.explain(graph, ref, member, actor(who), redact))


@router.get("/{ref}/diff", response_model=AudienceDiff)
def diff(ref: Ref, against: Other, graph: GraphDep, who: AnalystKey) -> AudienceDiff:
    """Members gained and lost from `against` to this version, with reasons."""
    return _call(graph, who, "diff", f"{against}..{ref}",
                 lambda: audiences.diff(graph, against, ref, actor(who)))


@router.post("/{ref}/export", response_model=ExportResult)
def export(ref: Ref, graph: GraphDep, who: AdminKey, format: Format = "csv") -> ExportResult:
    """Consented members of an approved, materialised version, in the body."""
    return _call(graph, who, "export", ref,
                 lambda: audiences.export(graph, ref, format, actor(who)))
