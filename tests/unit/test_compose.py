from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_wires_neo4j_and_the_api() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    neo4j = compose["services"]["neo4j"]
    api = compose["services"]["api"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "apoc" in neo4j["environment"]["NEO4J_PLUGINS"]
    assert "graph-data-science" in neo4j["environment"]["NEO4J_PLUGINS"]
    assert "7687:7687" in neo4j["ports"] and "7474:7474" in neo4j["ports"]
    assert "RETURN 1" in " ".join(neo4j["healthcheck"]["test"])
    assert any(v.endswith(":/data") for v in neo4j["volumes"])
    assert api["build"] == "."
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["PROTEUS_NEO4J_URI"] == "bolt://neo4j:7687"
    password = neo4j["environment"]["NEO4J_AUTH"].split("/", 1)[1]
    assert api["environment"]["PROTEUS_NEO4J_PASSWORD"] == password
    assert set(compose["volumes"]) >= {v.split(":")[0] for v in neo4j["volumes"]}


def _force_included() -> dict[str, str]:
    """The folders the wheel carries into the package (source folder: place in the wheel)."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)
    included: dict[str, str] = project["tool"]["hatch"]["build"]["targets"]["wheel"][
        "force-include"]
    return included


def test_the_wheel_carries_every_rules_and_query_file(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(tmp_path), str(ROOT)], check=True)
    (wheel,) = tmp_path.glob("proteus-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    included = _force_included()
    assert {"cypher", "rules"} <= set(included)
    for source, target in included.items():
        files = [p.relative_to(ROOT / source).as_posix()
                 for p in (ROOT / source).rglob("*") if p.is_file()]
        assert files, source
        assert sorted(f"{target}/{f}" for f in files if f"{target}/{f}" not in names) == []
    assert "proteus/rules/identity.yaml" in names and "proteus/cli/__init__.py" in names


def test_the_image_runs_proteus() -> None:
    assert 'CMD ["proteus"' in (ROOT / "Dockerfile").read_text()


def test_compose_runs_a_spark_master_and_a_worker_that_share_the_data_path() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    master, worker = compose["services"]["spark-master"], compose["services"]["spark-worker"]
    assert "org.apache.spark.deploy.master.Master" in master["command"]
    assert worker["command"][-1] == "spark://spark-master:7077"
    assert master["environment"]["PROTEUS_SPARK_MASTER"] == "spark://spark-master:7077"
    assert master["build"]["dockerfile"] == worker["build"]["dockerfile"] == "Dockerfile.spark"
    assert "proteus-data:/app/data" in master["volumes"]
    assert "proteus-data:/app/data" in worker["volumes"]
    text = (ROOT / "Dockerfile.spark").read_text()
    assert '".[spark]"' in text and "openjdk-17" in text
    # the Spark it runs is the one proteus assembles (Scala 2.13, with the Neo4j connector)
    assert "python -m proteus.spark.runtime /opt/spark" in text and "maven" in text
    assert "SPARK_HOME=/opt/spark" in text
