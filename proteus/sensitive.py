"""The sensitive-interest policy, `rules/policy.yaml`: the taxonomy stage flags the subtrees
it names `sensitive`, and audience governance refuses definitions that name them.

    version: "1"
    sensitive_interests: [c3:286, a1:381]   # interest ids; each one's subtree is sensitive

The Content 3.1 "Sensitive Topics" subtree (`SENSITIVE_TOPICS`) is sensitive whatever the
file says.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from proteus.inputs import VersionText, read_mapping, validated
from proteus.interest_ids import is_interest_id
from proteus.shipped import rules_dir

SENSITIVE_TOPICS = "c3:v9i3On"


def default_policy_path() -> Path:
    """The shipped `rules/policy.yaml`."""
    return rules_dir() / "policy.yaml"


DEFAULT_POLICY = default_policy_path()


class Policy(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: VersionText
    sensitive_interests: list[str] = []

    @field_validator("sensitive_interests")
    @classmethod
    def _ids(cls, values: list[str]) -> list[str]:
        for value in values:
            if not is_interest_id(value):
                raise ValueError(f"{value[:30]!r} is not an interest id like c3:286 or a1:381")
        return values


def load_policy(path: Path) -> Policy:
    """The policy file; a missing file means no names beyond the Sensitive Topics subtree."""
    if not path.is_file():
        return Policy(version="none")
    return validated(Policy, read_mapping(path, "version and sensitive_interests"), str(path))
