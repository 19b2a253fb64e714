"""API key management (admin): create (the key is returned once), list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from proteus import keys
from proteus.api.deps import AdminKey, GraphDep, KeyCache
from proteus.api.errors import RESPONSES
from proteus.api.routes.common import KeyId
from proteus.keys import ApiKey, CreatedKey, Role

router = APIRouter(prefix="/keys", tags=["keys"], responses=RESPONSES)


class NewKey(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role


@router.get("", response_model=list[ApiKey])
def list_keys(graph: GraphDep, _: AdminKey) -> list[ApiKey]:
    """Every key, without hashes."""
    return keys.list_keys(graph)


@router.post("", response_model=CreatedKey, status_code=201)
def create_key(body: NewKey, graph: GraphDep, who: AdminKey) -> CreatedKey:
    """A new key; `key` is in this response only."""
    created = keys.create_key(graph, body.name, body.role)
    keys.audit(graph, who, "keys.create", created.id, "ok", f"role {created.role}")
    return created


@router.delete("/{key_id}", response_model=ApiKey)
def revoke_key(key_id: KeyId, request: Request, graph: GraphDep, who: AdminKey) -> ApiKey:
    """Revoke a key; this process refuses it at once, other workers within the key cache
    time (`api_key_cache_s`)."""
    revoked = keys.revoke_key(graph, key_id)
    cache: KeyCache = request.app.state.key_cache
    cache.forget(key_id)
    keys.audit(graph, who, "keys.revoke", key_id, "ok")
    return revoked
