"""Synthetic ISP traffic with ground truth: `run(GenerateParams) -> GenerateReport`."""

from proteus.generate.params import FileCount, GenerateParams, GenerateReport
from proteus.generate.run import devices_of, run
from proteus.generate.truth import check_floors, profile_shares

__all__ = [
    "FileCount",
    "GenerateParams",
    "GenerateReport",
    "check_floors",
    "devices_of",
    "profile_shares",
    "run",
]
