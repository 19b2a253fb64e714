"""The one way Proteus talks to Neo4j: named queries from the catalog, one driver per process.

`Graph` is the runner interface every stage receives. Unit tests replace it with
`RecordingGraph`, which records `(query_name, params)` and returns canned rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, LiteralString, Protocol, TypeVar

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import (
    AuthError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from proteus import queries
from proteus.errors import GraphAuthError, GraphUnavailable
from proteus.settings import Settings

Row = dict[str, Any]
T = TypeVar("T")


def _lost(exc: Exception) -> bool:
    """Neo4j is gone or going: no server, a dropped connection, a database shutting down."""
    return isinstance(exc, ServiceUnavailable | SessionExpired) or (
        isinstance(exc, Neo4jError) and (exc.code or "").endswith(".DatabaseUnavailable"))


class Runner(Protocol):
    def read(self, name: str, **params: Any) -> list[Row]: ...
    def read_plain(self, name: str, **params: Any) -> list[Row]: ...
    def read_once(self, name: str, **params: Any) -> list[Row]: ...
    def write(self, name: str, **params: Any) -> list[Row]: ...
    def write_many(self, steps: list[tuple[str, dict[str, Any]]]) -> None: ...


class Graph:
    """A driver, the database name, and retries on what the driver marks retryable."""

    def __init__(self, settings: Settings, attempts: int = 3) -> None:
        self.uri = settings.bolt_uri
        self.database = settings.neo4j_database
        self.attempts = attempts
        self.driver = GraphDatabase.driver(
            self.uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
            connection_acquisition_timeout=15,
            max_connection_pool_size=64,
            # A fresh graph lacks the labels later stages create; that is not worth a warning.
            notifications_disabled_categories=["UNRECOGNIZED"],
        )

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _retrying(self, work: Callable[[], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return work()
            except AuthError as exc:
                raise GraphAuthError(
                    f"Neo4j at {self.uri} refused the credentials: {exc.message}"
                ) from None
            except (Neo4jError, DriverError) as exc:
                if _lost(exc) and attempt == self.attempts:
                    raise GraphUnavailable(f"Neo4j is not reachable at {self.uri}") from None
                if not exc.is_retryable():
                    raise
                if attempt == self.attempts:
                    raise GraphUnavailable(f"Neo4j at {self.uri} kept failing: "
                                           f"{getattr(exc, 'code', None) or exc}") from None
            time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    def _run(self, name: str, routing: RoutingControl, params: dict[str, Any]) -> list[Row]:
        query = queries.get(name)
        rows: list[Row] = []
        for statement in query.statements:
            result = self._retrying(
                partial(
                    self.driver.execute_query,
                    statement, params, database_=self.database, routing_=routing,
                )
            )
            rows = [record.data() for record in result.records]
        return rows

    def read(self, name: str, **params: Any) -> list[Row]:
        """A read in one auto-commit transaction: one round trip, routed as a read."""
        return self._read(name, params, plain=False)

    def read_plain(self, name: str, **params: Any) -> list[Row]:
        """`read` for queries that return only values, maps and lists (no nodes,
        relationships or paths): rows as the driver decoded them, without walking every
        nested value to convert graph entities. The request paths of the API use it."""
        return self._read(name, params, plain=True)

    def read_once(self, name: str, **params: Any) -> list[Row]:
        """`read_plain` in a single attempt: a probe that must fail at once when Neo4j is
        unreachable (503 `graph_unavailable`) rather than retry."""
        query = queries.get(name)
        rows: list[Row] = []
        for statement in query.statements:
            with self._failing_at_once():
                rows = self._auto_read(statement, params, plain=True)
        return rows

    @contextmanager
    def _failing_at_once(self) -> Iterator[None]:
        """Driver errors of a single attempt as the project's: refused credentials, or an
        unreachable server; any other error as it is."""
        try:
            yield
        except AuthError as exc:
            raise GraphAuthError(
                f"Neo4j at {self.uri} refused the credentials: {exc.message}"
            ) from None
        except (Neo4jError, DriverError) as exc:
            if _lost(exc):
                raise GraphUnavailable(f"Neo4j is not reachable at {self.uri}") from None
            raise

    def _read(self, name: str, params: dict[str, Any], plain: bool) -> list[Row]:
        query = queries.get(name)
        rows: list[Row] = []
        for statement in query.statements:
            rows = self._retrying(partial(self._auto_read, statement, params, plain))
        return rows

    def _auto_read(self, text: LiteralString, params: dict[str, Any],
                   plain: bool) -> list[Row]:
        with self.driver.session(database=self.database,
                                 default_access_mode=neo4j.READ_ACCESS) as session:
            result = session.run(text, params)
            if plain:
                keys = result.keys()
                return [dict(zip(keys, record.values(), strict=True)) for record in result]
            return [record.data() for record in result]

    def write(self, name: str, **params: Any) -> list[Row]:
        return self._run(name, RoutingControl.WRITE, params)

    def stream(self, name: str, **params: Any) -> Iterator[Row]:
        """Rows of a read query as they arrive, for edge lists too large to hold twice."""
        return self._stream(name, params, plain=False)

    def stream_plain(self, name: str, **params: Any) -> Iterator[Row]:
        """`stream` for queries that return only values, maps and lists: rows as the driver
        decoded them, without walking every nested value (see `read_plain`)."""
        return self._stream(name, params, plain=True)

    def _stream(self, name: str, params: dict[str, Any], plain: bool) -> Iterator[Row]:
        query = queries.get(name)
        with self._failing_at_once(), self.driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            result = session.run(query.text, params)
            keys = result.keys()
            for record in result:
                yield dict(zip(keys, record.values(), strict=True)) if plain \
                    else record.data()

    def write_many(self, steps: list[tuple[str, dict[str, Any]]]) -> None:
        """Run several named write queries in one transaction (all or nothing)."""
        statements = [(queries.get(name).text, params) for name, params in steps]

        def work(tx: neo4j.ManagedTransaction) -> None:
            for text, params in statements:
                tx.run(text, params).consume()

        def attempt() -> None:
            with self.session(write=True) as session:
                session.execute_write(work)

        self._retrying(attempt)

    def ping(self) -> None:
        self._retrying(lambda: self.driver.verify_connectivity())

    @contextmanager
    def session(self, write: bool = True) -> Iterator[neo4j.Session]:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        with self.driver.session(database=self.database, default_access_mode=mode) as session:
            yield session


class RecordingGraph:
    """A stand-in runner for unit tests: records calls, answers from canned rows."""

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        """`answers`: rows per query name, or a function of the call's params giving them."""
        self.answers = answers or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def read(self, name: str, **params: Any) -> list[Row]:
        queries.get(name)
        self.calls.append((name, params))
        answer = self.answers.get(name, [])
        return answer(params) if callable(answer) else answer

    write = read

    def read_plain(self, name: str, **params: Any) -> list[Row]:
        return self.read(name, **params)

    def read_once(self, name: str, **params: Any) -> list[Row]:
        return self.read(name, **params)

    def write_many(self, steps: list[tuple[str, dict[str, Any]]]) -> None:
        for name, params in steps:
            self.write(name, **params)
