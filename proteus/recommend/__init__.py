"""Recommendations: content neighbours from co-viewing, precomputed at pipeline time, blended
at request time with the person's interests and popularity, each item with its path.

    report = recommend.run(graph, RecommendParams())       # the pipeline stage
    recs = recommend.for_person(graph, "p-0a1b...", k=10)   # two short reads per request
    recs.items[0].path                                      # WATCHED -> SIMILAR, ...
"""

from proteus.recommend.models import (
    BlendParams,
    PathStep,
    Recommendation,
    Recommendations,
    RecommendParams,
    RecommendReport,
)
from proteus.recommend.serve import for_device, for_person
from proteus.recommend.stage import run

__all__ = [
    "BlendParams",
    "PathStep",
    "RecommendParams",
    "RecommendReport",
    "Recommendation",
    "Recommendations",
    "for_device",
    "for_person",
    "run",
]
