"""Why a device belongs to its person, and why two devices are (or are not) one person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from proteus.api.deps import AnalystKey, GraphDep
from proteus.api.errors import RESPONSES, UNEXPLAINED
from proteus.api.routes.common import ID_PATTERN, DeviceId
from proteus.api.routing import KeyedRoute
from proteus.identity import DeviceExplanation, PairExplanation, explain_device, explain_pair
from proteus.inputs import QueryFlag

router = APIRouter(prefix="/identity", tags=["identity"], responses={**RESPONSES, **UNEXPLAINED},
                   route_class=KeyedRoute)

Redact = Annotated[QueryFlag, Query(description="hide identifier values (kind:•••)")]
Device = Annotated[str, Query(pattern=ID_PATTERN, description="a device id")]


@router.get("/devices/{device_id}", response_model=DeviceExplanation)
def device(device_id: DeviceId, graph: GraphDep, _: AnalystKey,
           redact: Redact = True) -> DeviceExplanation:
    """The device's person, household, confidence and the identifiers linking it."""
    return explain_device(graph, device_id, redact=redact)


@router.get("/pairs", response_model=PairExplanation)
def pair(a: Device, b: Device, graph: GraphDep, _: AnalystKey,
         redact: Redact = True) -> PairExplanation:
    """The linking path between two devices, or the rules that keep them apart."""
    return explain_pair(graph, a, b, redact=redact)
