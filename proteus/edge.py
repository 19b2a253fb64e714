"""Settings turned into stage params.

Stages never read settings: what one needs from the environment (the pseudonym key, the
work and rejects folders under PROTEUS_HOME, the server a bulk load restarts, where the Spark
engine runs) goes into its params here, for the command line, the pipeline and the
benchmarks. The key, the server and the Spark setup are left out of the params a run
records.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import SecretBytes

from proteus.db import manage
from proteus.identity import IdentityParams
from proteus.ingest import IngestParams, Server
from proteus.pseudonym import key_from
from proteus.settings import Settings
from proteus.spark.session import setup_of


def _key(settings: Settings) -> SecretBytes:
    return SecretBytes(key_from(settings))


def server(settings: Settings) -> Server:
    """The managed server, which a bulk load imports into and restarts, or the external one."""
    return Server(uri=settings.bolt_uri, import_database=partial(manage.import_database, settings)
                  if settings.managed else None, user=settings.neo4j_user,
                  password=settings.neo4j_password, database=settings.neo4j_database)


def ingest_params(settings: Settings, paths: Sequence[Path | str], rejects_dir: Path | None = None,
                  work_dir: Path | None = None, **fields: Any) -> IngestParams:
    """`IngestParams` with the key, the server and the Spark setup; rejects and work files
    under PROTEUS_HOME unless given."""
    return IngestParams(paths=list(paths), rejects_dir=rejects_dir or settings.home / "rejects",
                        work_dir=work_dir or settings.home / "work", key=_key(settings),
                        server=server(settings), spark=setup_of(settings), **fields)


def identity_params(settings: Settings, **fields: Any) -> IdentityParams:
    """`IdentityParams` with the key that the rules' blocked identifiers are hashed with and
    the Spark setup (for the spark engine)."""
    return IdentityParams(key=_key(settings), spark=setup_of(settings), **fields)
