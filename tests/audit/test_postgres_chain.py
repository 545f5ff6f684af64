"""On PostgreSQL, whose writers do not queue behind one another as SQLite's do, appends
from several processes and threads at once still make one chain: each append takes the
chain's advisory lock first, and a UNIQUE `prev_hash` refuses a fork outright."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.synchronize import Barrier

import psycopg
import pytest

from chatops.audit import AuditLog, chain_hash
from tests.plugins.postgres_fixtures import run_sql

PROCESSES, THREADS, PER_THREAD = 3, 2, 40


def _append_from_threads(url: str, name: str, start: Barrier) -> None:
    # A replica: its own connections, several threads appending without pauses.
    with AuditLog(url) as log:
        start.wait(timeout=60)

        def write(thread: int) -> None:
            for i in range(PER_THREAD):
                log.append("step", actor=f"{name}-{thread}", data={"seq": i})

        workers = [threading.Thread(target=write, args=(t,)) for t in range(THREADS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()


def test_replicas_appending_at_once_keep_one_chain(postgres_database: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    # The database is empty: the replicas also race to create the tables.
    procs = [ctx.Process(target=_append_from_threads, args=(postgres_database, f"r{n}", start))
             for n in range(PROCESSES)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=240)
    assert [proc.exitcode for proc in procs] == [0] * PROCESSES

    total = PROCESSES * THREADS * PER_THREAD
    with AuditLog(postgres_database) as log:
        report = log.verify()
        assert (report.ok, report.checked, report.problem) == (True, total, "")
        for n in range(PROCESSES):
            for t in range(THREADS):
                seqs = [e.data["seq"] for e in log.list(limit=total, kind="step")
                        if e.actor == f"r{n}-{t}"]
                assert seqs == list(range(PER_THREAD - 1, -1, -1))
    links = run_sql(postgres_database, "SELECT COUNT(DISTINCT prev_hash), MAX(id) FROM "
                                       "audit_events")
    assert links == [(total, total)]


def test_a_fork_is_refused_by_the_database(postgres_database: str) -> None:
    with AuditLog(postgres_database) as log:
        first = log.append("message", data={"n": 1})
        log.append("message", data={"n": 2})
    # A second event after the first: what a writer reading a stale chain end would add.
    ts = "2025-03-01T10:00:00.000000Z"
    forged = chain_hash(event_id=3, ts=ts, kind="message", actor=None, run_id=None,
                        thread=None, data={"n": 3}, prev_hash=first.hash)
    with pytest.raises(psycopg.errors.UniqueViolation):
        run_sql(postgres_database, "INSERT INTO audit_events VALUES (3, %s, 'message', NULL, "
                                   "NULL, NULL, '{\"n\": 3}', %s, %s)", (ts, first.hash, forged))
    with AuditLog(postgres_database) as log:
        assert log.verify().checked == 2
