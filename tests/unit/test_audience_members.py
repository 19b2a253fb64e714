from __future__ import annotations

import json
from typing import Any

import pytest

from proteus import audiences
from proteus.audiences.compile import compile_definition
from proteus.audiences.definition import parse_definition
from proteus.audiences.evaluate import explanations, select
from proteus.audiences.explain import include_step
from proteus.audiences.export import render
from proteus.audiences.governance import Governance
from proteus.audiences.segtax import audience_id, audience_ids
from proteus.errors import Conflict, InputError
from proteus.graph import RecordingGraph

DEFINITION: dict[str, Any] = {
    "name": "sports", "purpose": "advertising",
    "include": [{"interest": ["c3:483"]}, {"device_type": ["stb"]}],
    "exclude": [{"segment": ["community-9"]}],
}
KEPT = [{"person": "p1", "household": "h1", "devices": ["d1"]},
        {"person": "p3", "household": "h2", "devices": ["d3", "d4"]}]


def found(target: str = "person", rows: list[dict[str, Any]] = KEPT) -> dict[str, Any]:
    """The one answer of conditions/members: counts and the kept persons."""
    members = {"person": 2, "household": 2, "device": 3}[target]
    return {"matched": 3, "excluded": 1, "stale": 0, "persons": 2, "households": 2, "devices": 3,
            "members": members, "rows": rows}


INTEREST_EV = {"kind": "interest", "interest": "c3:483", "interest_name": "Sports",
               "score": 0.5, "lift": 2.0, "evidence_count": 4, "last_seen": "2025-03-09",
               "run_id": "interests-1", "device": "d3", "device_type": "stb",
               "identity_confidence": 0.8, "identity_run": "identity-1", "content": "c1",
               "title": "Match", "seconds": 3600, "last": "2025-03-09", "via": "c3:533"}
DEVICE_EV = {"kind": "device_type", "device": "d3", "device_type": "stb",
             "identity_confidence": 0.8, "identity_run": "identity-1"}
CONTEXT = {"person": "p3", "household": "h2", "household_size": 1, "household_run": "i-1",
           "devices": [{"device": "d3", "type": "stb", "confidence": 0.8, "run_id": "i"},
                       {"device": "d4", "type": "phone", "confidence": 0.6, "run_id": "i"}],
           "logins": 2, "granted": 1, "withdrawn": 0}


def _graph(target: str = "person") -> tuple[RecordingGraph, Any, Any]:
    definition = parse_definition({**DEFINITION, "target": target})
    graph = RecordingGraph({
        "conditions/members": [found(target)],
        "conditions/evidence": [{"person": "p3", "position": 0, "evidence": INTEREST_EV},
                               {"person": "p3", "position": 1, "evidence": DEVICE_EV}],
        "audiences/context": [CONTEXT],
    })
    return graph, definition, compile_definition(definition, None)


def test_selection_groups_kept_persons_at_the_target_level() -> None:
    graph, definition, compiled = _graph()
    selection = select(graph, definition, compiled)
    assert list(selection.members) == ["p1", "p3"]
    assert selection.excluded_consent == 1 and selection.matched_persons == 3
    assert selection.counts.persons == 2 and selection.counts.devices == 3
    graph, definition, compiled = _graph("household")
    assert list(select(graph, definition, compiled).members) == ["h1", "h2"]
    graph, definition, compiled = _graph("device")
    selection = select(graph, definition, compiled)
    assert list(selection.members) == ["d1", "d3", "d4"]
    assert selection.members["d4"] == ["p3"] and selection.member_devices["d4"] == "p3"


def test_members_listed_and_counted_must_agree() -> None:
    graph, definition, compiled = _graph("device")
    graph.answers["conditions/members"] = [found("device", rows=KEPT[:1])]
    with pytest.raises(Conflict, match="1 members listed but 3 counted"):
        select(graph, definition, compiled)


def test_explanation_steps_paths_and_confidence() -> None:
    graph, definition, compiled = _graph()
    selection = select(graph, definition, compiled)
    [explained] = explanations(graph, definition, compiled, selection, "sports@v1", "1",
                               only=["p3"])
    kinds = [s.kind for s in explained.steps]
    assert kinds == ["interest", "device_type", "exclude:segment", "consent"]
    path = explained.steps[0].path
    assert [h.type for h in path] == ["BELONGS_TO", "WATCHED", "TAGGED", "CHILD_OF*",
                                      "INTERESTED_IN"]
    assert path[2].target.id == "c3:533" and path[3].target.id == "c3:483"
    assert explained.steps[0].run_ids == ["identity-1", "interests-1"]
    assert explained.steps[0].rule == "sports@v1 include[0]"
    # identity: mean confidence of devices on the paths (d3) = 0.8; evidence 1-exp(-4/2)
    assert explained.identity_confidence == 0.8
    assert explained.evidence_strength == pytest.approx(0.8647, abs=1e-4)
    assert explained.confidence == pytest.approx(0.8 * 0.8647, abs=1e-3)
    assert "d3" not in explained.redacted().model_dump_json()
    assert [s.position for s in explained.steps] == [1, 2, 3, 4]


def test_missing_evidence_weighs_zero() -> None:
    step = include_step(1, "a@v1 include[0]", "p", {"kind": "segment", "segment": "s1",
                                                     "segment_name": "S", "run_id": "r"})
    assert step.path[0].type == "IN_SEGMENT" and step.weight == 1.0
    graph, definition, compiled = _graph()
    graph.answers["conditions/evidence"] = []
    selection = select(graph, definition, compiled)
    [explained] = explanations(graph, definition, compiled, selection, "a@v1", "1",
                               only=["p3"])
    assert explained.confidence == 0.0


def test_audience_1_1_mapping_walks_up_to_a_mapped_ancestor() -> None:
    parents: dict[str, str | None] = {"c3:533": "c3:483", "c3:9999": "c3:533", "c3:483": None,
                                      "c3:x": None}
    assert audience_id("c3:9999", parents) == "663"
    assert audience_id("c3:483", parents) == "607"
    assert audience_id("a1:12", parents) == "12"
    assert audience_id("c3:x", parents) is None
    assert audience_ids(["c3:533", "c3:483", "c3:x"], parents) == ["607", "663"]


def test_export_formats() -> None:
    records = [{"id": "p1", "level": "person", "audience": "sports@v1",
                "segments": ["sports@v1"], "iab_audience_ids": ["607"], "confidence": 0.5}]
    csv_text = render(records, "csv", "sports")
    assert csv_text.splitlines() == ["id,level,audience,segments,iab_audience_ids,confidence",
                                     "p1,person,sports@v1,sports@v1,607,0.5"]
    assert json.loads(render(records, "jsonl", "sports"))["iab_audience_ids"] == ["607"]
    user = json.loads(render(records, "openrtb", "sports"))["user"]
    assert user["id"] == "p1"
    assert user["data"][1] == {"id": "proteus-iab", "name": "proteus",
                               "segment": [{"id": "607"}], "ext": {"segtax": 4}}


def _stored(status: str, size: int | None = None) -> dict[str, Any]:
    definition = parse_definition(DEFINITION)
    return {"id": "sports@v1", "name": "sports", "version": 1, "status": status,
            "purpose": "advertising", "target": "person", "digest": definition.digest(),
            "definition": definition.canonical(), "policy_version": "1",
            "created_by": "ana", "created_at": "2025-03-09T00:00:00Z", "size": size}


def test_draft_cannot_be_exported_or_materialised_and_refusals_are_audited() -> None:
    graph = RecordingGraph({"audiences/get_version": [{"audience": _stored("draft")}]})
    with pytest.raises(Conflict, match="only an approved or active version can be exported"):
        audiences.export(graph, "sports@v1", "csv", actor="ana")
    assert ("audiences/audit" in [name for name, _ in graph.calls])
    with pytest.raises(Conflict, match="only an approved or active version can be "
                                       "materialised"):
        audiences.materialise(graph, "sports@v1", actor="ana")
    assert not any(name == "audiences/write_members" for name, _ in graph.calls)


def test_materialise_below_minimum_size_is_refused() -> None:
    graph = RecordingGraph({
        "audiences/get_version": [{"audience": _stored("approved")}],
        "audiences/known_ids": [{"interests": [{"id": "c3:483", "sensitive": False,
                                                "ancestors": []}],
                                 "segments": ["community-9"]}],
        "conditions/members": [found()],
    })
    governance = Governance(version="t", min_audience_size=3)
    with pytest.raises(InputError, match="2 members, fewer than the minimum audience size 3"):
        audiences.materialise(graph, "sports@v1", actor="ana", governance=governance)
    names = [name for name, _ in graph.calls]
    assert "audiences/write_members" not in names and "runs/create_run" not in names
    dry = audiences.dry_run(graph, "sports@v1", actor="ana", governance=governance, sample=0)
    assert dry.members == 2 and not dry.materialisable
