"""Taxonomy: IAB Content 3.1 and Audience 1.1 categories as `Interest` nodes.

    report = taxonomy.run(graph, TaxonomyParams())
"""

from proteus.taxonomy.models import TaxonomyCounts, TaxonomyParams, TaxonomyReport
from proteus.taxonomy.stage import run

__all__ = ["TaxonomyCounts", "TaxonomyParams", "TaxonomyReport", "run"]
