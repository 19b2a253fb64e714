"""The identity linking rules: a versioned YAML file loaded into a typed model.

    rules = load_rules()                  # rules/identity.yaml
    rules.blocked_values(key)             # {(kind, pseudonym)} of the blocklist

A file that is missing, unparsable or invalid raises one-line `ConfigError` naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from proteus.errors import ConfigError
from proteus.inputs import read_mapping, validated
from proteus.pseudonym import PSEUDONYMISED_KINDS, pseudonymise
from proteus.shipped import rules_dir

Strength = Literal["strong", "medium", "weak"]
Kind = Literal["ip", "cookie", "app_id", "login", "msisdn"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindRule(_Strict):
    strength: Strength
    priority: int = Field(ge=1)
    persons: bool
    households: bool
    max_devices: int = Field(ge=1)
    max_devices_bound: int | None = Field(default=None, ge=1)
    min_days: int = Field(default=1, ge=1)
    max_devices_per_day: int | None = Field(default=None, ge=1)
    min_shared_days: int | None = Field(default=None, ge=1)
    networks: list[str] | None = None
    ip_classes: list[str] | None = None


class GenericRule(_Strict):
    max_households: int = Field(ge=1)


class SharedRule(_Strict):
    kinds: list[Kind]
    min_other_logins: int = Field(ge=1)


class Caps(_Strict):
    quantile: float = Field(gt=0.0, lt=1.0)


Level = Literal["shared", "shared_once", "differ_established", "differ"]
LEVELS: tuple[str, ...] = ("none", "differ", "differ_established", "shared_once", "shared")


class Evidence(_Strict):
    support_days: int = Field(ge=1)
    established_devices: int = Field(ge=2)
    prior: float
    link_at: float
    weights: dict[Kind, dict[Level, float]]


class Gate(_Strict):
    max_person_devices: int = Field(ge=1)
    max_person_share: float = Field(gt=0.0, le=1.0)
    share_above_devices: int = Field(default=10, ge=1)


class Rules(_Strict):
    version: str = Field(min_length=1)
    window_days: int = Field(ge=1)
    kinds: dict[str, KindRule]
    blocklist: dict[Literal["any", "ip", "cookie", "app_id", "login", "msisdn"], list[str]]
    generic: GenericRule
    shared: SharedRule
    caps: Caps
    evidence: Evidence
    gate: Gate

    @model_validator(mode="after")
    def _known_kinds_distinct_priorities(self) -> Rules:
        unknown = sorted(set(self.kinds) - set(PSEUDONYMISED_KINDS))
        if unknown:
            raise ValueError(f"unknown identifier kind(s) {', '.join(unknown)}")
        priorities = [rule.priority for rule in self.kinds.values()]
        if len(set(priorities)) != len(priorities):
            raise ValueError("two kinds share a priority")
        for kind, rule in self.kinds.items():
            if rule.max_devices_bound is not None and rule.max_devices_bound < rule.max_devices:
                raise ValueError(f"kinds.{kind}: max_devices_bound below max_devices")
        compared = sorted(set(self.evidence.weights) - set(self.kinds))
        if compared:
            raise ValueError(f"evidence.weights: no rule for kind(s) {', '.join(compared)}")
        return self

    def compared(self) -> list[str]:
        """Kinds the evidence weighs, strongest first."""
        return [kind for kind in self.by_priority() if kind in self.evidence.weights]

    def weight(self, kind: str, level: str) -> float:
        """Bits one kind's level adds to a pair's score (0 for a level not listed)."""
        return float(self.evidence.weights.get(kind, {}).get(level, 0.0))  # type: ignore[call-overload]

    def by_priority(self) -> list[str]:
        """Kinds, strongest first."""
        return sorted(self.kinds, key=lambda kind: self.kinds[kind].priority)

    def blocked_values(self, key: bytes) -> set[tuple[str, str]]:
        """Every blocklisted raw value as the (kind, pseudonym) it would have in the graph."""
        blocked: set[tuple[str, str]] = set()
        for scope, values in self.blocklist.items():
            kinds = PSEUDONYMISED_KINDS if scope == "any" else (scope,)
            for kind in kinds:
                for raw in values:
                    blocked.add((kind, pseudonymise(kind, raw, key)))
                    blocked.add((kind, pseudonymise(kind, raw.upper(), key)))
        return blocked


def default_rules_path() -> Path:
    """The shipped `rules/identity.yaml`."""
    return rules_dir() / "identity.yaml"


def load_rules(path: Path | None = None) -> Rules:
    source = path or default_rules_path()
    return validated(Rules, read_mapping(source, "version, window_days and kinds", ConfigError),
                     str(source), ConfigError)
