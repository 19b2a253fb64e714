"""The Spark options the commands share: `--spark-master` and `--spark-conf KEY=VALUE`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from proteus.settings import Settings
from proteus.spark.session import parse_conf


def spark_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
        help="A Spark setting for the Spark engine (repeatable), e.g. "
             "spark.sql.shuffle.partitions=64.")(command)
    return click.option(
        "--spark-master", default=None,
        help="Where the Spark engine runs: local[N] or a cluster URL such as "
             "spark://host:7077 (default: PROTEUS_SPARK_MASTER, else local[2]).")(command)


def with_spark(config: Settings, master: str | None, conf: tuple[str, ...]) -> Settings:
    """`config` with the command line's Spark master and settings over its own."""
    update: dict[str, Any] = {"spark_conf": {**config.spark_conf, **parse_conf(conf)}}
    if master:
        update["spark_master"] = master
    return config.model_copy(update=update)
