"""One Spark session per process, built from a `SparkSetup`: the master, the user's Spark
settings, the folder for Spark's spill files and checkpoints, and where the Spark runtime
(Spark for Scala 2.13 with the Neo4j connector, `proteus.spark.runtime`) is assembled. The
edge (`proteus.edge`) makes the setup from the settings (`spark_master`, `spark_conf`,
PROTEUS_HOME) and puts it into the params of the stages that can run on Spark."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from proteus.errors import ConfigError
from proteus.settings import Settings
from proteus.spark.runtime import FOLDER, assemble

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


class SparkSetup(BaseModel):
    """Where the Spark engine runs: `master` (local[N] or a cluster URL), `conf` over the
    defaults, `work`, the folder for spill files, checkpoints and the tables the driver
    and the executors exchange (on a cluster, a path they all reach), and `runtime`, the
    folder the Spark runtime is assembled in when SPARK_HOME is not set."""

    model_config = ConfigDict(frozen=True)

    master: str = "local[2]"
    conf: dict[str, str] = Field(default_factory=dict)
    work: Path = Path("work/spark")
    runtime: Path = Path(".proteus") / FOLDER


def setup_of(settings: Settings) -> SparkSetup:
    """The Spark setup the settings describe, working under PROTEUS_HOME/work/spark."""
    return SparkSetup(master=settings.spark_master, conf=dict(settings.spark_conf),
                      work=Path(settings.home) / "work" / "spark",
                      runtime=Path(settings.home) / FOLDER)


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
    """The process's Spark session for the settings (`start(setup_of(settings))`)."""
    return start(setup_of(settings))


def start(setup: SparkSetup) -> SparkSession:
    """The process's Spark session for `setup` (created once; a later call returns the same
    session). Without SPARK_HOME in the environment, the Spark runtime is assembled under
    `setup.runtime` first and becomes SPARK_HOME (the JVM, once started, serves the whole
    process)."""
    pyspark = pyspark_module()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if not os.environ.get("SPARK_HOME"):
        home = assemble(setup.runtime, pyspark.__version__, Path(pyspark.__file__).parent)
        os.environ["SPARK_HOME"] = str(home)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    work = setup.work
    work.mkdir(parents=True, exist_ok=True)
    conf = {**DEFAULTS, "spark.local.dir": str(work.resolve()), **setup.conf, **REQUIRED}
    builder = SparkSession.builder.master(setup.master).appName("proteus")
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
