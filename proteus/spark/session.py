"""One Spark session per process, built from the settings (`spark_master`, `spark_conf`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proteus.errors import ConfigError
from proteus.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MISSING = 'the Spark engine needs PySpark: pip install -e ".[spark]"'

# What every Proteus Spark job needs, whatever the cluster: UTC days, strict time parsing
# that answers NULL (never an exception) for a day the calendar lacks, Arrow transfers.
REQUIRED = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
# Defaults a user's --spark-conf may replace.
DEFAULTS = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "2g",
}


def pyspark_module() -> Any:
    try:
        import pyspark
    except ImportError as exc:
        raise ConfigError(MISSING) from exc
    return pyspark


def parse_conf(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`KEY=VALUE` pairs into a dict; a pair without `=` is a one-line error."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--spark-conf {pair!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out


def session(settings: Settings) -> SparkSession:
    """The process's Spark session for `settings.spark_master` and `settings.spark_conf`
    (created once; a later call returns the same session)."""
    pyspark_module()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    work = Path(settings.home) / "work" / "spark"
    work.mkdir(parents=True, exist_ok=True)
    conf = {**DEFAULTS, "spark.local.dir": str(work.resolve()), **settings.spark_conf,
            **REQUIRED}
    builder = SparkSession.builder.master(settings.spark_master).appName("proteus")
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str((work / "checkpoints").resolve()))
    return spark


def stop() -> None:
    """Stop the process's Spark session, if one runs."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
