"""Several processes opening one new state database at once (two bot replicas starting):
each creates and migrates the same schema, on SQLite and on PostgreSQL (`db_backend`),
and every one of them then works in it."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins.postgres_fixtures import PostgresServer

PROCESSES = 4
_NAMES = itertools.count(1)


def _open(where: str, worker: int, results: multiprocessing.Queue[str]) -> None:
    from chatops.alerts import AlertStore
    from chatops.audit import AuditLog
    from chatops.audit.records import Refused
    from chatops.runs import RunStore
    from chatops.runs.dedupe import DedupeStore

    try:
        store = RunStore(where)
        AlertStore(store.database)
        assert DedupeStore(store.database).claim(f"k{worker}")
        # SQLite keeps the audit log in a file of its own; a URL holds every store.
        with AuditLog(where if "://" in where else f"{where}.audit") as log:
            log.record(Refused(f"worker {worker}"))
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(repr(exc))


@pytest.fixture
def new_database(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest
                 ) -> Iterator[Callable[[], str]]:
    """Makes a new, empty database on the test's backend: an SQLite path, or a PostgreSQL
    URL (dropped after the test)."""
    made: list[str] = []
    server: PostgresServer | None = (request.getfixturevalue("postgres_server")
                                     if db_backend == "postgresql" else None)

    def make() -> str:
        if server is None:
            return str(tmp_path / f"state-{next(_NAMES)}.db")
        name = f"chatops_open_{os.getpid()}_{next(_NAMES)}"
        server.admin(f"CREATE DATABASE {name}")
        made.append(name)
        return server.url(name)

    yield make
    for name in made:
        assert server is not None
        server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_processes_opening_a_new_database_together_all_succeed(
        new_database: Callable[[], str]) -> None:
    from chatops.audit import AuditLog

    ctx = multiprocessing.get_context("spawn")
    for _ in range(4):
        where = new_database()
        results: multiprocessing.Queue[str] = ctx.Queue()
        procs = [ctx.Process(target=_open, args=(where, i, results)) for i in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [results.get(timeout=5) for _ in procs] == ["ok"] * PROCESSES
        with AuditLog(where if "://" in where else f"{where}.audit") as log:
            report = log.verify()
            assert report.ok and report.checked == PROCESSES
