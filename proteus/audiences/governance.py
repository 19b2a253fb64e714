"""The governance policy, `rules/governance.yaml`, and the checks it drives.

    version: "1"
    min_audience_size: 50              # k: smaller audiences are not materialised or exported
    sensitive_policy: rules/policy.yaml
    sensitive_interests: []            # more interest ids refused besides the policy's
    sample_size: 5                     # members shown with explanations in a dry run

Consent is not configurable: a person is left out when any login seen with any of its devices
withdrew consent for the audience's purpose (see docs/audiences.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from proteus.audiences.definition import Definition
from proteus.conditions.model import (
    CategoryCondition,
    InterestCondition,
    InterestId,
    SegmentCondition,
)
from proteus.errors import InputError
from proteus.graph import Runner
from proteus.inputs import VersionText, read_mapping, validated
from proteus.sensitive import SENSITIVE_TOPICS, load_policy
from proteus.shipped import rules_dir


def default_governance_path() -> Path:
    return rules_dir() / "governance.yaml"


class Governance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: VersionText
    min_audience_size: int = Field(default=50, ge=1)
    sensitive_policy: Path = Path("rules/policy.yaml")
    sensitive_interests: list[InterestId] = []
    sample_size: int = Field(default=5, ge=0, le=100)
    sensitive_policy_version: str = "none"

    def sensitive_roots(self) -> set[str]:
        return {SENSITIVE_TOPICS, *self.sensitive_interests}


def _resolve(path: Path) -> Path:
    if path.is_absolute() or path.is_file():
        return path
    return rules_dir().parent / path


def load_governance(path: Path | None = None) -> Governance:
    source = path or default_governance_path()
    data = read_mapping(source, "version and min_audience_size")
    data.pop("sensitive_policy_version", None)
    governance = validated(Governance, data, str(source))
    policy = load_policy(_resolve(governance.sensitive_policy))
    return governance.model_copy(update={
        "sensitive_interests": sorted({*governance.sensitive_interests,
                                       *policy.sensitive_interests}),
        "sensitive_policy_version": policy.version})


def referenced_ids(definition: Definition) -> tuple[dict[str, str], dict[str, str]]:
    """Interest ids and segment ids the definition names, each with its field path."""
    interests: dict[str, str] = {}
    segments: dict[str, str] = {}
    for path, c in definition.conditions():
        if isinstance(c, InterestCondition):
            for n, iid in enumerate(c.interest):
                interests.setdefault(iid, f"{path}.interest[{n}]")
        elif isinstance(c, CategoryCondition):
            for n, iid in enumerate(c.category):
                interests.setdefault(iid, f"{path}.category[{n}]")
        elif isinstance(c, SegmentCondition):
            for n, sid in enumerate(c.segment):
                segments.setdefault(sid, f"{path}.segment[{n}]")
    return interests, segments


def check(graph: Runner, definition: Definition, governance: Governance) -> None:
    """Refuse unknown ids and any sensitive interest or category, naming the field."""
    interests, segments = referenced_ids(definition)
    found = graph.read("audiences/known_ids", interests=sorted(interests),
                       segments=sorted(segments))
    row: dict[str, Any] = found[0] if found else {"interests": [], "segments": []}
    known = {r["id"]: r for r in row["interests"]}
    roots = governance.sensitive_roots()
    for iid, where in interests.items():
        info = known.get(iid)
        if info is None:
            raise InputError(f"{definition.name}: {where}: unknown interest {iid}")
        lineage = {iid, *info["ancestors"]}
        if info["sensitive"] or lineage & roots:
            raise InputError(f"{definition.name}: {where}: interest {iid} is sensitive "
                             f"(governance v{governance.version}, policy "
                             f"v{governance.sensitive_policy_version}) and cannot define an "
                             "audience")
    for sid, where in segments.items():
        if sid not in row["segments"]:
            raise InputError(f"{definition.name}: {where}: unknown segment {sid}")

