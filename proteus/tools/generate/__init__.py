"""Synthetic ISP traffic with ground truth: `run(GenerateParams) -> GenerateReport`."""

from proteus.tools.generate.params import FileCount, GenerateParams, GenerateReport
from proteus.tools.generate.run import devices_of, run
from proteus.tools.generate.truth import check_floors, profile_shares

__all__ = [
    "FileCount",
    "GenerateParams",
    "GenerateReport",
    "check_floors",
    "devices_of",
    "profile_shares",
    "run",
]
