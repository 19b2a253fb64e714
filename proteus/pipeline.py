"""The main job: bring the database up, then run every stage in order on generated data.

The orchestrator only wires stages; each stage owns its work and returns its own report.
"""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import BaseModel

from proteus.db import manage
from proteus.settings import Settings


class PipelineParams(BaseModel):
    devices: int = 20_000
    seed: int = 42
    data_dir: Path = Path("data/generated")


class PipelineReport(BaseModel):
    params: PipelineParams
    database: manage.DbStatus


def run(settings: Settings, params: PipelineParams) -> PipelineReport:
    started, graph = manage.up(settings)
    with graph:
        click.echo(f"Neo4j {'started' if started else 'reused'} at {settings.bolt_uri}", err=True)
        status = manage.status(graph, settings)
    return PipelineReport(params=params, database=status)
