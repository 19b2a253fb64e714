"""Interests: per-person interest profiles from viewing, decayed, rolled up and lifted.

    report = interests.run(graph, InterestsParams())      # replaces every INTERESTED_IN
    interests.evidence(graph, person, interest)           # the viewing behind one score
"""

from proteus.interests.evidence import Evidence, EvidenceItem, evidence
from proteus.interests.models import InterestsParams, InterestsReport
from proteus.interests.stage import run

__all__ = ["Evidence", "EvidenceItem", "InterestsParams", "InterestsReport", "evidence", "run"]
