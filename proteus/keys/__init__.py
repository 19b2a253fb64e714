"""API keys: created once, stored only as a SHA-256 hash, revoked by id, each with one role.

    created = create_key(graph, "crm-sync", "service")   # created.key is shown only here
    principal = authenticate(graph, created.key)         # None when unknown or revoked

A key reads `pk_<id>_<secret>`; the secret is 32 random bytes, so a plain SHA-256 of the
whole key is enough to store it (nothing to brute-force). Roles are ordered: `service`
(recommendations, profiles) < `analyst` (every read, dry-runs, draft audiences) < `admin`
(approvals, materialisation, exports, key management); a role may do what the roles below
it may do. A key's name is a `proteus.inputs.Label`: one line of at most 100 characters,
without control or invisible characters or surrounding spaces.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from typing import Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from proteus.errors import InputError, NotFound
from proteus.graph import Runner
from proteus.inputs import Label, printable

__all__ = [
    "ROLES",
    "ApiKey",
    "CreatedKey",
    "Principal",
    "Role",
    "audit",
    "authenticate",
    "create_key",
    "hash_key",
    "list_keys",
    "revoke_key",
]

Role = Literal["service", "analyst", "admin"]
ROLES: dict[str, int] = {"service": 1, "analyst": 2, "admin": 3}
_KEY = re.compile(r"^pk_[0-9a-f]{12}_[A-Za-z0-9_-]{20,100}$")
_ID = re.compile(r"[0-9a-f]{12}")
_NAME: TypeAdapter[str] = TypeAdapter(Label)


class Principal(BaseModel):
    """Who is calling: the key's id, name and role."""

    key_id: str
    name: str
    role: Role

    def allows(self, role: Role) -> bool:
        return ROLES[self.role] >= ROLES[role]


class ApiKey(BaseModel):
    id: str
    name: str
    role: Role
    created: str | None = None
    revoked: bool = False
    revoked_at: str | None = None


class CreatedKey(ApiKey):
    key: str = Field(description="the key itself; shown once, never stored")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(graph: Runner, name: str, role: str) -> CreatedKey:
    if role not in ROLES:
        raise InputError(f"role: must be one of {', '.join(ROLES)}, not {role!r}")
    try:
        name = _NAME.validate_python(name)
    except ValidationError as exc:
        raise InputError(f"name: {exc.errors()[0]['msg']}") from None
    key_id = uuid.uuid4().hex[:12]
    key = f"pk_{key_id}_{secrets.token_urlsafe(32)}"
    row = graph.write("keys/create_key", id=key_id, key_name=name, role=role,
                      hash=hash_key(key))
    created = row[0].get("created") if row else None
    return CreatedKey(id=key_id, name=name, role=role, created=created,  # type: ignore[arg-type]
                      key=key)


def list_keys(graph: Runner) -> list[ApiKey]:
    return [ApiKey.model_validate({**row, "revoked": bool(row.get("revoked"))})
            for row in graph.read("keys/list_keys")]


def revoke_key(graph: Runner, key_id: str) -> ApiKey:
    if not isinstance(key_id, str) or not _ID.fullmatch(key_id):
        raise InputError(f"id: 12 lower-case hexadecimal digits, as `keys list` shows, not "
                         f"{printable(str(key_id))[:40]!r}")
    rows = graph.write("keys/revoke_key", id=key_id)
    if not rows:
        raise NotFound(f"no API key {key_id}")
    found = [k for k in list_keys(graph) if k.id == key_id]
    return found[0] if found else ApiKey(id=key_id, name="?", role="service", revoked=True,
                                         revoked_at=rows[0].get("revoked_at"))


def authenticate(graph: Runner, key: str) -> Principal | None:
    """The principal behind a key, or None when the key is malformed, unknown or revoked."""
    if not _KEY.match(key):
        return None
    rows = graph.read("keys/lookup_key", hash=hash_key(key))
    if not rows or rows[0].get("revoked") or rows[0].get("role") not in ROLES:
        return None
    row = rows[0]
    return Principal(key_id=row["id"], name=row["name"], role=row["role"])


def audit(graph: Runner, principal: Principal, action: str, target: str, outcome: str,
          detail: str = "") -> str:
    """Record one audited call as an `AuditEvent` linked to its key; returns its id."""
    event_id = uuid.uuid4().hex
    graph.write("keys/record_audit", id=event_id, key_id=principal.key_id,
                role=principal.role, action=action, target=target, outcome=outcome,
                detail=detail[:500])
    return event_id
