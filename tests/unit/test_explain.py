"""One explanation model: redaction defined once, and identity explanations weighed by the
rules their run recorded, never by the rules file as it reads today."""

from __future__ import annotations

import json

import pytest

from proteus.audiences.explain import Explanation, Step
from proteus.errors import Conflict, NotFound
from proteus.explain import HIDDEN, Hop, Node, hidden, scrubbed, shown
from proteus.graph import RecordingGraph
from proteus.identity.neighbourhood import run_rules
from proteus.identity.rules import load_rules


def test_redaction_hides_a_value_behind_its_kind() -> None:
    assert shown("login", "alice") == "login:alice"
    assert shown("login", "alice", redact=True) == hidden("login") == f"login:{HIDDEN}"
    assert scrubbed("d1 and d12 watched", ["d1", "d12"], "device") == \
        f"device:{HIDDEN} and device:{HIDDEN} watched"


def test_an_audience_explanation_redacts_devices_in_paths_and_sentences() -> None:
    step = Step(position=1, rule="a@v1 include[0]", kind="device_type", weight=1.0,
                run_ids=["identity-1"], sentence="a@v1 include[0]: has a tv device (d12)",
                path=[Hop(source=Node(label="Device", id="d12"), type="BELONGS_TO",
                          target=Node(label="Person", id="p-1"))])
    explained = Explanation(audience="a@v1", member="p-1", level="person", persons=["p-1"],
                            steps=[step], identity_confidence=1.0, evidence_strength=1.0,
                            confidence=1.0, policy_version="1", sentence="p-1 is in a")
    redacted = explained.redacted()
    assert "d12" not in redacted.model_dump_json()
    assert redacted.steps[0].path[0].source == Node(label="Device", id=hidden("device"))
    assert redacted.steps[0].path[0].target == Node(label="Person", id="p-1")
    assert explained.steps[0].path[0].source.id == "d12"  # the original is unchanged


def _run(**stored: object) -> dict[str, object]:
    return {"id": "identity-1", "rule_versions": json.dumps({"identity": "2"}), **stored}


def test_the_rules_of_an_explanation_are_those_the_run_recorded() -> None:
    data = load_rules().model_dump(mode="json")
    data["evidence"]["link_at"] = 7.5
    report = json.dumps({"window": {"first": "2025-03-03", "last": "2025-03-09"}})
    graph = RecordingGraph({"runs/get_run": [{"run": _run(rules=json.dumps(data),
                                                          report=report)}]})
    found = run_rules(graph, "identity-1")
    assert found.rules.evidence.link_at == 7.5 != load_rules().evidence.link_at
    assert (found.version, found.first, found.last, found.run_id) == (
        "2", "2025-03-03", "2025-03-09", "identity-1")
    # a run recorded before the rules were stored apart: its report's rules
    older = RecordingGraph({"runs/get_run": [{"run": _run(report=json.dumps({"rules": data}))}]})
    assert run_rules(older, "identity-1").rules.evidence.link_at == 7.5


def test_a_run_that_recorded_no_rules_is_not_explained_by_the_file() -> None:
    graph = RecordingGraph({"runs/get_run": [{"run": _run(report="{}")}]})
    with pytest.raises(Conflict, match="identity-1 did not record the rules it used"):
        run_rules(graph, "identity-1")


def test_devices_no_run_resolved_are_weighed_by_the_latest_run() -> None:
    data = load_rules().model_dump(mode="json")
    latest = RecordingGraph({"runs/latest_run": [{"run": _run(rules=json.dumps(data))}]})
    assert run_rules(latest, None).run_id == "identity-1"
    assert latest.calls == [("runs/latest_run", {"stage": "identity", "status": "complete"})]
    with pytest.raises(NotFound, match="no identity run has resolved these devices"):
        run_rules(RecordingGraph(), None)
