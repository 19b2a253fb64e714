"""Unit tests never touch Neo4j and never see the caller's PROTEUS_* environment."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from proteus.graph import RecordingGraph


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PROTEUS_"):
            monkeypatch.delenv(name)


LinkGraph = Callable[[list[dict[str, Any]]], RecordingGraph]


@pytest.fixture
def link_graph() -> LinkGraph:
    """A recording runner holding these sightings ({device, kind, value, days, network?,
    ip_class?}), answering identity's reads by blocks (identity/device_columns,
    identity/link_columns) as the Cypher does: one record per block, values in its range."""

    def make(rows: list[dict[str, Any]]) -> RecordingGraph:
        devices = sorted({str(r["device"]) for r in rows})
        held: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in sorted(rows, key=lambda r: (r["kind"], r["value"], r["device"])):
            held.setdefault((str(row["kind"]), str(row["value"])), []).append(row)

        def device_columns(params: dict[str, Any]) -> list[dict[str, Any]]:
            out = []
            for low, high in params["bounds"]:
                ids = [d for d in devices if low <= d < high]
                out.append({"ids": ids, "types": [""] * len(ids),
                            "last_viewed": [""] * len(ids), "withdrawn": [[] for _ in ids]})
            return out

        def link_columns(params: dict[str, Any]) -> list[dict[str, Any]]:
            out = []
            for kind, low, high in params["bounds"]:
                found = [(key, links) for key, links in held.items()
                         if key[0] == kind and low <= key[1] < high]
                links = [link for _, group in found for link in group]
                out.append({
                    "kinds": [k for (k, _), _ in found], "values": [v for (_, v), _ in found],
                    "networks": [group[0].get("network") or "" for _, group in found],
                    "ip_classes": [group[0].get("ip_class") or "" for _, group in found],
                    "degrees": [len(group) for _, group in found],
                    "devices": [str(link["device"]) for link in links],
                    "day_counts": [len(link["days"]) for link in links],
                    "days": [day for link in links for day in link["days"]]})
            return out

        return RecordingGraph({
            "identity/device_columns": device_columns,
            "identity/identifier_kinds": [{"kind": k} for k in sorted({k for k, _ in held})],
            "identity/link_columns": link_columns,
            "identity/graph_size": [{"devices": len(devices), "links": len(rows)}]})

    return make
