"""API key management (admin): create (the key is returned once), list, revoke; creating and
revoking are audited with their outcome, refusals included."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from proteus import keys
from proteus.api.audit import audited
from proteus.api.deps import AdminKey, GraphDep, KeyCache
from proteus.api.errors import RESPONSES, TOO_LARGE
from proteus.api.routes.common import KeyId
from proteus.api.routing import AuditedRoute
from proteus.inputs import Label
from proteus.keys import ApiKey, CreatedKey, Role

router = APIRouter(prefix="/keys", tags=["keys"], responses=RESPONSES,
                   route_class=AuditedRoute)


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Label
    role: Role


@router.get("", response_model=list[ApiKey], name="list")
def list_keys(graph: GraphDep, _: AdminKey) -> list[ApiKey]:
    """Every key, without hashes."""
    return keys.list_keys(graph)


@router.post("", response_model=CreatedKey, status_code=201, name="create",
             responses=TOO_LARGE)
def create_key(body: NewKey, graph: GraphDep, who: AdminKey) -> CreatedKey:
    """A new key; `key` is in this response only. The name is one line of at most 100
    characters, without control or invisible characters or surrounding spaces."""
    with audited(graph, who, "keys.create") as outcome:
        created = keys.create_key(graph, body.name, body.role)
        outcome.target, outcome.detail = created.id, f"role {created.role}"
    return created


@router.delete("/{key_id}", response_model=ApiKey, name="revoke")
def revoke_key(key_id: KeyId, request: Request, graph: GraphDep, who: AdminKey) -> ApiKey:
    """Revoke a key; this process refuses it at once, other workers within the key cache
    time (`api_key_cache_s`)."""
    with audited(graph, who, "keys.revoke", key_id):
        revoked = keys.revoke_key(graph, key_id)
    cache: KeyCache = request.app.state.key_cache
    cache.forget(key_id)
    return revoked
