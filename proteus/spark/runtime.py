"""The Spark the Spark engine runs on: Spark for Scala 2.13 with the Neo4j Connector for Apache
Spark, assembled from Maven Central into a folder that serves as SPARK_HOME.

PySpark's wheel carries Spark's Scala 2.12 jars, and Maven Central serves the connector's
Spark 3 builds for Scala 2.13 only (the 2.12 builds stop at 5.0.3). So the engine does not
use the wheel's jars: `assemble` copies `spark-sql_2.13` of the wheel's own Spark version and
the connector, with everything they need (`pom.xml` beside this module), into `jars/`, and
links the wheel's `bin/` (spark-submit, spark-class: shell scripts that read
`$SPARK_HOME/jars` whatever the Scala version). PySpark's Python side speaks to the JVM over
Py4J and does not depend on the Scala version. Maven caches the jars in ~/.m2, so only the
first assembly downloads; a folder assembled from the same pom and Spark version is reused.

A SPARK_HOME already set in the environment (a cluster's Spark, an image's) is used as it is.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from proteus.errors import ConfigError

log = logging.getLogger(__name__)

FOLDER = "spark-2.13"  # under PROTEUS_HOME
SCALA = "2.13"


def pom_text() -> str:
    return (resources.files("proteus.spark") / "pom.xml").read_text(encoding="utf-8")


def connector_version() -> str:
    """The connector's version the pom names (`5.3.10_for_spark_3`)."""
    text = pom_text()
    start = text.index("<connector.version>") + len("<connector.version>")
    return text[start:text.index("</connector.version>")]


def connector_package() -> str:
    """The connector's Maven coordinates, as `spark-submit --packages` takes them."""
    return f"org.neo4j:neo4j-connector-apache-spark_{SCALA}:{connector_version()}"


def _tool(name: str, hint: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ConfigError(f"the Spark engine assembles its Spark (Scala {SCALA}, with the Neo4j "
                          f"connector) with Maven, and '{name}' is not on PATH: {hint}")
    return found


def _first_error(output: str) -> str:
    """Maven's first error line (what failed; the lines after it are advice), plain."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in output.splitlines()]
    errors = [line.removeprefix("[ERROR]").strip() for line in lines
              if line.startswith("[ERROR]") and line.removeprefix("[ERROR]").strip()]
    found = errors[0] if errors else next((line for line in reversed(lines) if line), "")
    return found[:600]


def assemble(folder: Path, spark_version: str, pyspark_dir: Path) -> Path:
    """`folder` as a SPARK_HOME: Spark `spark_version` for Scala 2.13 and the connector in
    `jars/`, PySpark's `bin/` linked. Fetched once per pom and version; a failure is one
    line naming what Maven said."""
    folder = folder.resolve()
    pom = pom_text()
    digest = hashlib.sha256(f"{pom}\n{spark_version}".encode()).hexdigest()
    marker = folder / ".assembled"
    jars = folder / "jars"
    if not (marker.exists() and marker.read_text() == digest and jars.is_dir()):
        _tool("java", "install a Java 17 JDK (e.g. apt-get install openjdk-17-jdk-headless)")
        mvn = _tool("mvn", "install Apache Maven (e.g. apt-get install maven)")
        build = folder / "build"
        build.mkdir(parents=True, exist_ok=True)
        (build / "pom.xml").write_text(pom, encoding="utf-8")
        partial = folder / "jars.partial"
        shutil.rmtree(partial, ignore_errors=True)
        log.info("assembling Spark %s for Scala %s with the Neo4j connector from Maven Central "
                 "(first time only; jars are cached in ~/.m2)", spark_version, SCALA)
        done = subprocess.run(
            [mvn, "-q", "-B", "-f", str(build / "pom.xml"), "dependency:copy-dependencies",
             "-DincludeScope=runtime", f"-Dspark.version={spark_version}",
             f"-DoutputDirectory={partial}"],
            capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ConfigError(f"could not assemble Spark {spark_version} for Scala {SCALA} "
                              f"with the Neo4j connector from Maven: "
                              f"{_first_error(done.stdout + done.stderr)}")
        shutil.rmtree(jars, ignore_errors=True)
        partial.replace(jars)
        marker.write_text(digest)
    link = folder / "bin"
    target = pyspark_dir / "bin"
    if not link.is_symlink() or link.resolve() != target.resolve():
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target, target_is_directory=True)
    return folder


def main(argv: list[str] | None = None) -> None:
    """`python -m proteus.spark.runtime DIR`: assemble the runtime into DIR (an image's
    SPARK_HOME, built ahead of time) and print DIR."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m proteus.spark.runtime DIR")
    try:
        import pyspark
    except ImportError:
        raise SystemExit('the Spark engine needs PySpark: pip install -e ".[spark]"') from None
    print(assemble(Path(args[0]), pyspark.__version__, Path(pyspark.__file__).parent))


if __name__ == "__main__":
    main()
