"""Audience versions in the graph, their lifecycle and the audit trail.

A version is `(:Audience {id: '<name>@v<n>'})`, created as `draft`; the lifecycle is
draft -> approved -> active (materialised) -> retired, and a step the status does not allow
is a `Conflict`. Every action on a version writes an
`(:AuditEvent {id, at, actor, action, audience, version, detail})-[:ABOUT]->(:Audience)`.

A stored definition is validated again whenever its version is read; one stored before the
input policy (`proteus.inputs`) that no longer passes is a `Conflict` naming the field, never
a failure inside a query: create a new version of the audience instead.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from proteus.audiences.definition import Definition, parse_definition
from proteus.audiences.governance import Governance
from proteus.errors import Conflict, InputError, NotFound
from proteus.graph import Runner

REF = re.compile(r"^([a-z0-9][a-z0-9-]{0,63})(?:@v([0-9]{1,6}))?$")
ACTOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@:+-]{0,99}$")
EXPORTABLE = ("approved", "active")


class AudienceVersion(BaseModel):
    id: str
    name: str
    version: int
    status: str
    purpose: str
    target: str
    digest: str
    description: str = ""
    definition: Definition
    policy_version: str
    sensitive_policy_version: str | None = None
    created_by: str
    created_at: str
    approved_by: str | None = None
    approved_at: str | None = None
    size: int | None = None
    persons: int | None = None
    households: int | None = None
    devices: int | None = None
    excluded_consent: int | None = None
    reference_day: str | None = None
    run_id: str | None = None
    materialised_by: str | None = None
    materialised_at: str | None = None

    @property
    def materialised(self) -> bool:
        return self.size is not None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def check_actor(actor: str) -> str:
    if not isinstance(actor, str) or not ACTOR.match(actor):
        raise InputError("actor: 1-100 letters, digits, spaces or ._@:+- are allowed")
    return actor


def _event_id() -> str:
    return f"audit-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"


def _detail(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, sort_keys=True, default=str)


def audit(graph: Runner, actor: str, action: str, audience: str, version: int | None,
          detail: dict[str, Any] | None = None) -> str:
    event = _event_id()
    graph.write("audiences/audit", id=event, at=now(), actor=actor, action=action,
                audience=audience, version=version, detail=_detail(detail))
    return event


def audit_many(graph: Runner, actor: str, audience: str, version: int | None,
               events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Several `(action, detail)` records on one version in one write."""
    rows = [{"id": _event_id(), "action": action, "detail": _detail(detail)}
            for action, detail in events]
    graph.write("audiences/audit_many", events=rows, at=now(), actor=actor, audience=audience,
                version=version)
    return [row["id"] for row in rows]


def _version(row: dict[str, Any]) -> AudienceVersion:
    data = dict(row)
    try:
        data["definition"] = parse_definition(json.loads(data["definition"]), data["id"])
    except InputError as exc:
        raise Conflict(f"{exc}: stored before the input policy; create a new version of "
                       "this audience") from None
    known = set(AudienceVersion.model_fields)
    return AudienceVersion.model_validate({k: v for k, v in data.items() if k in known})


def parse_ref(ref: str) -> tuple[str, int | None]:
    """'name' or 'name@vN'; anything else is refused (it may come from a URL)."""
    match = REF.match(ref) if isinstance(ref, str) else None
    if not match:
        raise InputError(f"audience: {str(ref)[:40]!r} is not an audience name or name@vN")
    return match.group(1), int(match.group(2)) if match.group(2) else None


def _rows(graph: Runner, name: str) -> list[dict[str, Any]]:
    """Every version's stored properties, newest first, definitions not parsed."""
    return [r["audience"] for r in graph.read("audiences/versions", audience_name=name)]


def versions(graph: Runner, name: str) -> list[AudienceVersion]:
    return [_version(row) for row in _rows(graph, name)]


def get(graph: Runner, ref: str) -> AudienceVersion:
    """A version by `name@vN`, or the newest version of `name`."""
    name, number = parse_ref(ref)
    if number is None:
        found = _rows(graph, name)
        if not found:
            raise NotFound(f"no audience named {name}")
        return _version(found[0])
    rows = graph.read("audiences/get_version", id=f"{name}@v{number}")
    if not rows:
        raise NotFound(f"no audience version {name}@v{number}")
    return _version(rows[0]["audience"])


def create(graph: Runner, definition: Definition, governance: Governance,
           actor: str) -> tuple[AudienceVersion, bool]:
    """A new draft version, or the newest version when its definition is the same."""
    check_actor(actor)
    existing = _rows(graph, definition.name)
    if existing and existing[0]["digest"] == definition.digest():
        newest = _version(existing[0])
        audit(graph, actor, "create", newest.id, newest.version,
              {"unchanged": True, "digest": definition.digest()})
        return newest, False
    number = int(existing[0]["version"]) + 1 if existing else 1
    audience_id = f"{definition.name}@v{number}"
    rows = graph.write(
        "audiences/create_version", id=audience_id, audience_name=definition.name,
        version=number, definition=definition.canonical(), digest=definition.digest(),
        description=definition.description, purpose=definition.purpose,
        target=definition.target, policy_version=governance.version,
        sensitive_policy_version=governance.sensitive_policy_version, actor=actor, at=now())
    audit(graph, actor, "create", audience_id, number,
          {"digest": definition.digest(), "policy_version": governance.version})
    return _version(rows[0]["audience"]), True


def approve(graph: Runner, ref: str, actor: str) -> AudienceVersion:
    check_actor(actor)
    version = get(graph, ref)
    rows = graph.write("audiences/approve", id=version.id, actor=actor, at=now())
    if not rows:
        raise Conflict(f"{version.id}: only a draft can be approved (it is {version.status})")
    audit(graph, actor, "approve", version.id, version.version)
    return _version(rows[0]["audience"])


def retire(graph: Runner, ref: str, actor: str) -> AudienceVersion:
    check_actor(actor)
    version = get(graph, ref)
    rows = graph.write("audiences/set_status", id=version.id, status="retired",
                       allowed=["draft", "approved", "active"], actor=actor, at=now())
    if not rows:
        raise Conflict(f"{version.id}: already retired")
    audit(graph, actor, "retire", version.id, version.version,
          {"from": version.status})
    return _version(rows[0]["audience"])


def audit_trail(graph: Runner, name: str) -> list[dict[str, Any]]:
    parse_ref(name)
    return [r["event"] for r in graph.read("audiences/audit_events", audience_name=name)]
