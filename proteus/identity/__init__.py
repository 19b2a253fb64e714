"""Identity: devices linked into persons and households by versioned rules, with stable ids,
explanations and a quality report per run.

    report = identity.run(graph, edge.identity_params(settings))
    identity.explain_pair(graph, "dev-a", "dev-b").steps
"""

from proteus.identity.explain import (
    DeviceExplanation,
    PairExplanation,
    explain_device,
    explain_pair,
)
from proteus.identity.report import IdentityParams, IdentityReport
from proteus.identity.rules import Rules, load_rules
from proteus.identity.stage import run

__all__ = [
    "DeviceExplanation",
    "IdentityParams",
    "IdentityReport",
    "PairExplanation",
    "Rules",
    "explain_device",
    "explain_pair",
    "load_rules",
    "run",
]
