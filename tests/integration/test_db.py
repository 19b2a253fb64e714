from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from neo4j.exceptions import ConstraintError

from proteus import keys
from proteus.cli import cli
from proteus.db import manage, server
from proteus.graph import Graph
from proteus.settings import Settings, get_settings


def test_status_reports_versions_and_counts(graph: Graph, settings: Settings) -> None:
    report = manage.status(graph, settings)
    assert report.neo4j_version.startswith("5.26.")
    assert report.edition == "community"
    assert report.apoc_version and report.apoc_version.startswith("5.26")
    assert report.gds_version or report.gds_off_reason
    assert report.nodes == 0


def test_schema_is_idempotent_and_enforced(graph: Graph) -> None:
    manage.init(graph)
    manage.init(graph)
    with graph.session() as session:
        session.run("CREATE (:Identifier {kind: 'ip', value: 'h1'})").consume()
        with pytest.raises(ConstraintError):
            session.run("CREATE (:Identifier {kind: 'ip', value: 'h1'})").consume()
        session.run("CREATE (:Identifier {kind: 'cookie', value: 'h1'})").consume()


def test_up_again_reuses_the_running_server(session_graph: Graph, settings: Settings) -> None:
    pid = server.running_pid(server.Layout.of(settings))
    started, graph = manage.up(settings)
    graph.close()
    assert started is False
    assert server.running_pid(server.Layout.of(settings)) == pid


def test_down_then_up_keeps_the_data(graph: Graph, settings: Settings) -> None:
    with graph.session() as session:
        session.run("CREATE (:Device {id: 'kept'})").consume()
    if settings.managed:
        assert manage.down(settings) is True
        assert server.running_pid(server.Layout.of(settings)) is None
        started, again = manage.up(settings)
        again.close()
        assert started is True
    rows = graph.read("db/counts")
    assert rows[0]["nodes"] == 1


def test_reset_empties_the_graph(graph: Graph) -> None:
    with graph.session() as session:
        session.run("UNWIND range(1, 2500) AS i CREATE (:Device {id: toString(i)})").consume()
    assert graph.read("db/counts")[0]["nodes"] == 2500
    manage.reset(graph)
    assert graph.read("db/counts")[0]["nodes"] == 0


def test_cli_names_the_uri_when_the_server_is_down(settings: Settings) -> None:
    env = {"PROTEUS_NEO4J_URI": "bolt://127.0.0.1:1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "proteus.cli", "db", "status"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: Neo4j is not reachable at bolt://127.0.0.1:1"
    assert "Traceback" not in done.stderr


def _seed_with_keys(graph: Graph) -> str:
    made = keys.create_key(graph, "kept", "admin")
    keys.audit(graph, keys.Principal(key_id=made.id, name=made.name, role="admin"), "read",
               "/v1/runs", "ok")
    with graph.session() as session:
        session.run("UNWIND range(1, 30) AS i CREATE (:Device {id: toString(i)})"
                    "-[:BELONGS_TO]->(:Person {id: 'p' + i})").consume()
    return made.key


def test_db_reset_keeps_keys_and_audit_log_and_says_what_it_deleted(graph: Graph) -> None:
    key = _seed_with_keys(graph)
    get_settings.cache_clear()
    done = CliRunner().invoke(cli, ["db", "reset", "--yes"])
    get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        "deleted 60 nodes (Device 30, Person 30) and 30 relationships",
        "kept ApiKey 1, AuditEvent 1; schema applied"]
    assert keys.authenticate(graph, key) is not None
    assert graph.read("keys/audit_events", limit=10)
    assert graph.read("db/counts")[0] == {"nodes": 2, "relationships": 1}


def test_db_reset_all_deletes_keys_too(graph: Graph) -> None:
    key = _seed_with_keys(graph)
    get_settings.cache_clear()
    refused = CliRunner().invoke(cli, ["db", "reset", "--all"], input="n\n")
    assert refused.exit_code == 1
    assert "delete everything in bolt://" in refused.output
    assert graph.read("db/counts")[0]["nodes"] == 62
    done = CliRunner().invoke(cli, ["db", "reset", "--all", "--yes"])
    get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == (
        "deleted 62 nodes (ApiKey 1, AuditEvent 1, Device 30, Person 30) and 31 relationships")
    assert keys.authenticate(graph, key) is None
    assert graph.read("db/counts")[0]["nodes"] == 0
