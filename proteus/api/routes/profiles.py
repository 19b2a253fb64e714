"""Device and person profiles: devices, household, interests, segments (pseudonymous ids)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from proteus.api.deps import GraphDep, ServiceKey
from proteus.api.errors import RESPONSES
from proteus.api.routes.common import DeviceId, PersonId, json_response
from proteus.api.routing import KeyedRoute
from proteus.errors import NotFound

router = APIRouter(tags=["profiles"], responses=RESPONSES,
                   route_class=KeyedRoute)

MAX_INTERESTS = 25


class DeviceRef(BaseModel):
    id: str
    type: str | None = None
    confidence: float | None = None


class InterestRef(BaseModel):
    id: str
    name: str | None = None
    tier: int | None = None
    score: float | None = None
    lift: float | None = None
    run_id: str | None = None


class SegmentRef(BaseModel):
    id: str
    name: str | None = None
    kind: str | None = None


class PersonProfile(BaseModel):
    person: str
    size: int | None = None
    run_id: str | None = None
    household: str | None = None
    household_size: int | None = None
    devices: list[DeviceRef]
    interests: list[InterestRef]
    segments: list[SegmentRef]


class DeviceProfile(BaseModel):
    device: str
    type: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    person: str | None = None
    confidence: float | None = None
    person_size: int | None = None
    household: str | None = None
    household_size: int | None = None
    devices: list[DeviceRef]
    interests: list[InterestRef]
    segments: list[SegmentRef]


def _tidy(row: dict[str, Any]) -> dict[str, Any]:
    interests = sorted(row.get("interests") or [], key=lambda i: (-(i.get("score") or 0),
                                                                  str(i.get("id"))))
    return {**row, "devices": sorted(row.get("devices") or [], key=lambda d: str(d["id"])),
            "interests": interests[:MAX_INTERESTS],
            "segments": sorted(row.get("segments") or [], key=lambda s: str(s["id"]))}


@router.get("/devices/{device_id}", response_model=DeviceProfile)
def device_profile(device_id: DeviceId, graph: GraphDep, _: ServiceKey) -> Response:
    """A device, its person and household, and the person's devices, interests, segments."""
    rows = graph.read_plain("api/device_profile", device=device_id)
    if not rows:
        raise NotFound(f"no device {device_id}")
    return json_response(DeviceProfile.model_validate(_tidy(rows[0])))


@router.get("/persons/{person_id}", response_model=PersonProfile)
def person_profile(person_id: PersonId, graph: GraphDep, _: ServiceKey) -> Response:
    """A person's devices, household, strongest interests and segments."""
    rows = graph.read_plain("api/person_profile", person=person_id)
    if not rows:
        raise NotFound(f"no person {person_id}")
    return json_response(PersonProfile.model_validate(_tidy(rows[0])))
