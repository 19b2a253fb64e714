"""Ingest: validated, idempotent, pseudonymised bulk loading of traffic files into Neo4j.

    report = ingest.run(graph, edge.ingest_params(settings, [Path("data/generated")]))
"""

from proteus.ingest.models import Bulk, IngestParams, IngestReport, Server
from proteus.ingest.stage import run

__all__ = ["Bulk", "IngestParams", "IngestReport", "Server", "run"]
