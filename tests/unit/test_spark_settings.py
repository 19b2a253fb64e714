"""The Spark engine's settings and its one-line errors, without starting Spark."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from proteus.cli import cli
from proteus.cli.common import with_spark
from proteus.errors import ConfigError
from proteus.events.dialect import DUCKDB, SPARK
from proteus.events.sql import check
from proteus.ingest.foldsql import fold_steps
from proteus.settings import Settings
from proteus.spark.runtime import assemble, connector_package
from proteus.spark.session import MISSING, parse_conf, pyspark_module


def test_spark_conf_pairs_and_master_override_the_settings() -> None:
    config = Settings(spark_conf={"spark.executor.memory": "1g", "a": "b"})
    updated = with_spark(config, "spark://m:7077", ("spark.executor.memory=8g",
                                                    "spark.sql.shuffle.partitions=64"))
    assert updated.spark_master == "spark://m:7077"
    assert updated.spark_conf == {"spark.executor.memory": "8g", "a": "b",
                                  "spark.sql.shuffle.partitions": "64"}
    assert with_spark(config, None, ()).spark_master == "local[2]"
    assert parse_conf(["k=v=w"]) == {"k": "v=w"}
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        parse_conf(["no-equals-sign"])


def test_missing_pyspark_is_one_line_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(ConfigError) as caught:
        pyspark_module()
    assert str(caught.value) == MISSING and 'pip install -e ".[spark]"' in MISSING


def test_bad_spark_conf_on_the_command_line_is_one_line() -> None:
    result = CliRunner().invoke(cli, ["ingest", "nowhere", "--engine", "spark",
                                      "--spark-conf", "oops"])
    assert result.exit_code != 0
    assert "--spark-conf 'oops': expected KEY=VALUE" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["network", "viewing", "consent"])
def test_the_dialects_differ_only_in_their_named_places(kind: str) -> None:
    """Spark's text holds none of DuckDB's own spellings, and the reverse."""
    duck = check(kind, dialect=DUCKDB) + "".join(s.sql for s in fold_steps(kind, DUCKDB))
    spark = check(kind, dialect=SPARK) + "".join(s.sql for s in fold_steps(kind, SPARK))
    for only_duckdb in ("regexp_full_match", "regexp_matches", "$earliest", "TIMESTAMPTZ",
                        "list_sort(", "struct_pack(", "lambda x:"):
        assert only_duckdb not in spark
    for only_spark in ("RLIKE", ":earliest", "try_to_timestamp", "sha2(", "collect_list(",
                       "x ->"):
        assert only_spark not in duck
    if kind != "consent":  # the per-day lists, each engine's own spelling
        assert "list_sort(list(struct_pack(d := day" in duck
        assert "sort_array(collect_list(struct(day AS d" in spark
    for neither in ("QUALIFY", "EXCLUDE", "::", "HUGEINT", "string_split"):
        assert neither not in duck and neither not in spark


def test_without_maven_the_spark_runtime_is_one_line_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    java = shutil.which("java")
    assert java, "the tests need Java"
    (tools / "java").symlink_to(java)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(ConfigError) as caught:
        assemble(tmp_path / "runtime", "3.5.9", tmp_path)
    assert "'mvn' is not on PATH: install Apache Maven" in str(caught.value)
    assert not (tmp_path / "runtime" / "jars").exists()


def test_a_spark_maven_cannot_serve_is_one_line_with_maven_s_words(tmp_path: Path) -> None:
    """A version Maven Central does not hold (a PySpark newer than any spark-sql_2.13)."""
    with pytest.raises(ConfigError) as caught:
        assemble(tmp_path / "runtime", "0.0.0-none", tmp_path)
    message = str(caught.value)
    assert message.startswith("could not assemble Spark 0.0.0-none for Scala 2.13 with the "
                              "Neo4j connector from Maven: ")
    assert "spark-sql_2.13" in message and "\n" not in message
    assert not (tmp_path / "runtime" / "jars").exists()


def test_the_runtime_s_pom_names_the_connector_the_docs_name() -> None:
    package = connector_package()
    assert package.startswith("org.neo4j:neo4j-connector-apache-spark_2.13:")
    assert package.endswith("_for_spark_3")
    docs = (Path(__file__).resolve().parents[2] / "docs" / "spark.md").read_text()
    assert f"--packages {package}" in docs
