"""One contract for every stage: `proteus.<stage>.stage.run(graph, params) -> Report`, its
package a face that only re-exports it with the params and the report, no stage reading
settings (the edge, `proteus.edge`, puts what a stage needs into its params), and progress
as log records, which the command line shows on stderr: rendered by rich on a terminal,
plain lines anywhere else."""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import logging
import os
import pty
import re
import select
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.logging import RichHandler

import proteus
from proteus.cli.common import ProgressLines, quiet_progress, show_progress
from proteus.edge import identity_params, ingest_params
from proteus.settings import Settings

ROOT = Path(proteus.__file__).parent
STAGES = {
    "ingest": ("IngestParams", "IngestReport"),
    "taxonomy": ("TaxonomyParams", "TaxonomyReport"),
    "identity": ("IdentityParams", "IdentityReport"),
    "interests": ("InterestsParams", "InterestsReport"),
    "segments": ("SegmentsParams", "SegmentsReport"),
    "recommend": ("RecommendParams", "RecommendReport"),
}
# benchmarks measure whole runs against a dataset: they are tools, not stages, and take
# the settings themselves
TOOLS = {"bench.py", "evaluate.py"}


def _stage_modules() -> Iterator[Path]:
    for name in STAGES:
        yield from (p for p in sorted((ROOT / name).glob("*.py")) if p.name not in TOOLS)


@pytest.mark.parametrize("name", sorted(STAGES))
def test_each_stage_runs_on_a_graph_with_its_params_and_returns_its_report(name: str) -> None:
    package = importlib.import_module(f"proteus.{name}")
    stage = importlib.import_module(f"proteus.{name}.stage")
    params, report = STAGES[name]
    assert package.run is stage.run
    assert list(inspect.signature(stage.run).parameters) == ["graph", "params"]
    hints = typing.get_type_hints(stage.run)
    assert hints["params"] is getattr(package, params)
    assert hints["return"] is getattr(package, report)
    assert {"run", params, report} <= set(package.__all__)


@pytest.mark.parametrize("name", sorted(STAGES))
def test_a_stage_package_is_a_face_without_logic(name: str) -> None:
    body = ast.parse((ROOT / name / "__init__.py").read_text()).body
    kinds = {type(node).__name__ for node in body if not (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))}
    assert kinds <= {"Import", "ImportFrom", "Assign"}
    assigned = {t.id for node in body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert assigned <= {"__all__"}


def test_no_stage_reads_the_settings() -> None:
    readers = []
    for path in _stage_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "proteus.settings":
                readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_no_stage_prints() -> None:
    printing = []
    for path in _stage_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                    node.func.id == "print"):
                printing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert printing == []


def test_the_edge_fills_what_a_stage_needs_and_the_run_does_not_record_it(
        tmp_path: Path) -> None:
    settings = Settings(env="test", home=tmp_path)
    params = ingest_params(settings, [tmp_path / "data"])
    assert params.key.get_secret_value() == settings.pseudonym_key.get_secret_value().encode()
    assert (params.work_dir, params.rejects_dir) == (tmp_path / "work", tmp_path / "rejects")
    assert params.server.managed and params.server.uri == settings.bolt_uri
    recorded = params.model_dump_json()
    assert "key" not in params.model_dump() and "server" not in params.model_dump()
    assert settings.pseudonym_key.get_secret_value() not in recorded
    # the connector's credentials, for the Spark tasks, and never recorded
    password = settings.neo4j_password.get_secret_value()
    assert params.server.password.get_secret_value() == password and password not in recorded
    assert (params.server.user, params.server.database) == ("neo4j", "neo4j")
    external = ingest_params(Settings(env="test", neo4j_uri="bolt://db.example:7687"), [])
    assert not external.server.managed and external.server.uri == "bolt://db.example:7687"
    identity = identity_params(settings, engine="reference")
    assert identity.engine == "reference" and "key" not in identity.model_dump()
    on_spark = Settings(env="test", home=tmp_path, spark_master="spark://h:7077",
                        spark_conf={"spark.executor.memory": "1g"})
    for chosen in (ingest_params(on_spark, [], engine="spark").spark,
                   identity_params(on_spark, engine="spark").spark):
        assert chosen is not None and chosen.master == "spark://h:7077"
        assert chosen.conf == {"spark.executor.memory": "1g"}
        assert chosen.work == tmp_path / "work" / "spark"
        assert chosen.runtime == tmp_path / "spark-2.13"
    assert "spark" not in ingest_params(on_spark, [], engine="spark").model_dump()
    assert "spark" not in identity_params(on_spark, engine="spark").model_dump()


@pytest.fixture
def progress() -> Iterator[None]:
    logger = logging.getLogger("proteus")
    handlers, level = list(logger.handlers), logger.level
    show_progress()
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_log_records_show_as_progress_lines(progress: None,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    logging.getLogger("proteus.identity.stage").info("read %s devices", "1,200")
    logging.getLogger("proteus.interests.stage").warning("no content carries a tag")
    logging.getLogger("proteus.views.read_graph").debug("not shown")
    quiet_progress()
    logging.getLogger("proteus.identity.stage").info("not shown either")
    logging.getLogger("proteus.pipeline").error("shown")
    lines = capsys.readouterr().err.splitlines()
    assert [re.sub(r"^  \[ *\d+\.\ds\] ", "", line) for line in lines] == [
        "identity: read 1,200 devices", "interests: WARNING: no content carries a tag",
        "pipeline: ERROR: shown"]


def _drain(terminal: int) -> str:
    """What a terminal received, read from its controlling side until nothing more comes."""
    shown = b""
    while select.select([terminal], [], [], 0.5)[0]:
        shown += os.read(terminal, 65536)
    return shown.decode()


def test_on_a_terminal_the_records_render_through_rich(progress: None) -> None:
    """stderr a terminal (a real pseudo-terminal here): rich renders the same records, with
    the seconds since the start, the level in colour and each count highlighted whole."""
    controller, terminal = pty.openpty()
    with os.fdopen(terminal, "w") as stream:
        show_progress(stream=stream)
        assert [type(h) for h in logging.getLogger("proteus").handlers
                if isinstance(h, RichHandler | ProgressLines)] == [RichHandler]
        logging.getLogger("proteus.views.read_graph").info(
            "views/watched: %s of %s devices in 5.0s", "40,000", "1,000,000")
        logging.getLogger("proteus.interests.stage").warning("no content carries a tag")
        logging.getLogger("proteus.views.read_graph").debug("not shown")
        stream.flush()
        shown = _drain(controller)
    os.close(controller)
    plain = [" ".join(line.split()) for line in re.sub(r"\x1b\[[0-9;]*m", "", shown)
             .splitlines()]
    assert [re.sub(r"^\[ ?\d+\.\ds\] ", "", line) for line in plain] == [
        "INFO views: views/watched: 40,000 of 1,000,000 devices in 5.0s",
        "WARNING interests: no content carries a tag"]
    assert "\x1b[1;36m1,000,000\x1b[0m" in shown and "\x1b[1;36m40,000\x1b[0m" in shown


def test_anywhere_else_the_records_stay_plain_lines(progress: None) -> None:
    """A pipe, a file or a CI log gets the plain lines, without terminal codes."""
    stream = io.StringIO()
    show_progress(stream=stream)
    logging.getLogger("proteus.ingest.batch").info("network: chunk 3 written %s rows", "200,000")
    assert re.fullmatch(r"  \[ *\d+\.\ds\] ingest: network: chunk 3 written 200,000 rows\n",
                        stream.getvalue())
