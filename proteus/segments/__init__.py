"""Segments: community segments found in the person similarity graph, and rule segments.

    report = segments.run(graph, SegmentsParams())   # replaces the community segments

Rule segments (conditions over interests and viewing) are in `proteus.segments.rules`.
"""

from proteus.segments.models import SegmentsParams, SegmentsReport
from proteus.segments.stage import run

__all__ = ["SegmentsParams", "SegmentsReport", "run"]
