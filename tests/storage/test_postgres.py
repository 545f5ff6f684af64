"""The PostgreSQL backend's own policy: `?` translated in one place, rows read like
sqlite3.Row, autocommit outside explicit transactions, named locks, reconnection after a
dropped connection, no password in `path` or errors, and migrations by several processes
or threads at once."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import psycopg
import pytest

from chatops.alerts.store import AlertStore
from chatops.audit import AuditLog
from chatops.runs import RunStore
from chatops.runs.dedupe import DedupeStore
from chatops.runs.threads import ThreadStore
from chatops.runs.workers import WorkerStore
from chatops.settings_sources import redact_url, url_password
from chatops.storage import (
    POSTGRES,
    DatabaseUnavailable,
    Migration,
    StoreSchema,
    migrate,
    open_database,
)
from chatops.storage.postgres import PostgresDatabase, Row, lock_key, to_driver
from tests.plugins.postgres_fixtures import PostgresServer, run_sql
from tests.storage.conftest import versions

STATE_VERSIONS = {"runs": 2, "dedupe": 1, "workers": 1, "threads": 1, "alerts": 3}


@pytest.fixture
def pg(postgres_database: str) -> PostgresDatabase:
    db = open_database(postgres_database)
    assert isinstance(db, PostgresDatabase)
    return db


def test_placeholders_are_translated_outside_quotes_only() -> None:
    assert to_driver("SELECT a FROM t WHERE b = ? AND c IN (?, ?)") == \
        "SELECT a FROM t WHERE b = %s AND c IN (%s, %s)"
    assert to_driver("SELECT '?', 'it''s ?', \"odd?\" FROM t WHERE b = ?") == \
        "SELECT '?', 'it''s ?', \"odd?\" FROM t WHERE b = %s"
    assert to_driver("SELECT '100%' WHERE x LIKE 'a%' AND y = ?") == \
        "SELECT '100%%' WHERE x LIKE 'a%%' AND y = %s"


def test_literal_percent_signs_reach_the_server(pg: PostgresDatabase) -> None:
    row = pg.conn().execute("SELECT '100%' AS a, ? AS b, 'why?' AS c", ("5% off",)).fetchone()
    assert (row["a"], row["b"], row["c"]) == ("100%", "5% off", "why?")
    assert pg.conn().execute("SELECT 'no parameters, 1%'").fetchone()[0] == "no parameters, 1%"


def test_rows_read_like_sqlite_rows(pg: PostgresDatabase) -> None:
    row = pg.conn().execute("SELECT 1 AS one, 'two' AS two").fetchone()
    assert isinstance(row, Row)
    assert (row[0], row["one"], row[1], row["two"]) == (1, 1, "two", "two")
    assert row.keys() == ["one", "two"]
    assert tuple(row) == (1, "two") and len(row) == 2
    one, two = row
    assert (one, two) == (1, "two")
    assert dict(zip(row.keys(), row, strict=True)) == {"one": 1, "two": "two"}


def test_connections_follow_the_policy(pg: PostgresDatabase) -> None:
    conn = pg.conn()
    assert conn.raw.autocommit
    assert conn.execute("SHOW application_name").fetchone()[0] == "chatops"
    assert conn.raw.info.get_parameters().get("connect_timeout") == "10"
    conn.execute("SELECT 1")
    assert not conn.in_transaction  # a read outside `tx` leaves no transaction open
    with pg.tx() as tx:
        level = tx.execute("SHOW transaction_isolation").fetchone()[0]
    assert level == "read committed"
    with pg.snapshot() as snap:
        level = snap.execute("SHOW transaction_isolation").fetchone()[0]
        read_only = snap.execute("SHOW transaction_read_only").fetchone()[0]
    assert (level, read_only) == ("repeatable read", "on")


def test_each_thread_gets_its_own_connection_and_close_all_closes_them(
        pg: PostgresDatabase) -> None:
    mine = pg.conn()
    theirs = []
    worker = threading.Thread(target=lambda: theirs.append(pg.conn()))
    worker.start()
    worker.join()
    assert pg.conn() is mine and theirs[0] is not mine
    pg.close_all()
    pg.close_all()  # twice is harmless
    with pytest.raises(psycopg.OperationalError):
        mine.execute("SELECT 1")
    assert pg.conn() is not mine


def test_a_dropped_connection_is_replaced_on_next_use(pg: PostgresDatabase,
                                                      postgres_database: str) -> None:
    with pg.tx() as conn:
        conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    first = pg.conn()
    pid = first.raw.info.backend_pid
    run_sql(postgres_database, "SELECT pg_terminate_backend(%s)", (pid,))
    deadline = time.monotonic() + 10
    while run_sql(postgres_database, "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The transaction's BEGIN finds the connection gone, and starts again on a new one.
    with pg.tx() as conn:
        conn.execute("INSERT INTO t VALUES ('a')")
    assert pg.conn() is not first
    assert pg.conn().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1


def test_a_failed_statement_rolls_the_transaction_back(pg: PostgresDatabase) -> None:
    with pg.tx() as conn:
        conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    with pytest.raises(psycopg.errors.UniqueViolation), pg.tx() as conn:
        conn.execute("INSERT INTO t VALUES ('a')")
        conn.execute("INSERT INTO t VALUES ('a')")
    assert not pg.conn().in_transaction
    assert pg.conn().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0


def test_dialect_statements(pg: PostgresDatabase) -> None:
    with pg.tx() as conn:
        conn.execute(POSTGRES.ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL, "
                                  "at REAL, n INTEGER)"))
        ignore = POSTGRES.insert_or_ignore("kv", ("k", "v"))
        assert conn.execute(ignore, ("a", "1")).rowcount == 1
        assert conn.execute(ignore, ("a", "2")).rowcount == 0
        conn.execute(POSTGRES.upsert("kv", ("k", "v"), ("k",)), ("a", "3"))
        conn.execute(f"UPDATE kv SET at = ? WHERE n {POSTGRES.null_safe_eq} ?",
                     (1712345678.123456, None))
    row = pg.conn().execute("SELECT v, at FROM kv").fetchone()
    assert (row["v"], row["at"]) == ("3", 1712345678.123456)  # REAL is 8 bytes, as in SQLite
    types = dict(pg.conn().execute("SELECT column_name, data_type FROM information_schema."
                                   "columns WHERE table_name = 'kv'").fetchall())
    assert types == {"k": "text", "v": "text", "at": "double precision", "n": "bigint"}
    assert [r["name"] for r in pg.conn().execute(POSTGRES.column_names, ("kv",))] == \
        ["k", "v", "at", "n"]
    assert pg.conn().execute(POSTGRES.has_table, ("kv",)).fetchone() is not None
    assert pg.conn().execute(POSTGRES.has_table, ("nope",)).fetchone() is None
    assert "GENERATED" in POSTGRES.ddl("id {id_pk}")
    with pytest.raises(ValueError, match="identifier"):
        POSTGRES.upsert("kv; DROP TABLE kv", ("k",), ("k",))


def test_a_named_lock_serializes_read_then_write_transactions(pg: PostgresDatabase) -> None:
    with pg.tx() as conn:
        conn.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        conn.execute("INSERT INTO counter VALUES (0)")
    start = threading.Barrier(4)

    def bump() -> None:
        start.wait()
        for _ in range(25):
            with pg.tx(lock="counter") as conn:
                n = conn.execute("SELECT n FROM counter").fetchone()[0]
                time.sleep(0.001)  # let the others try to read the same value
                conn.execute("UPDATE counter SET n = ?", (n + 1,))

    workers = [threading.Thread(target=bump) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert pg.conn().execute("SELECT n FROM counter").fetchone()[0] == 100
    assert lock_key("counter") == lock_key("counter") != lock_key("counters")


def test_the_url_password_never_shows() -> None:
    secret = "pa%24%24-w0rd"  # "pa$$-w0rd", percent-encoded
    url = f"postgresql://chatops:{secret}@127.0.0.1:1/state?sslmode=disable&password=also"
    assert redact_url(url) == "postgresql://chatops@127.0.0.1:1/state?sslmode=disable"
    assert url_password(url) == "pa$$-w0rd"
    db = open_database(url)
    assert db.path == "postgresql://chatops@127.0.0.1:1/state?sslmode=disable"
    with pytest.raises(DatabaseUnavailable) as caught:
        db.conn()
    message = str(caught.value)
    assert "postgresql://chatops@127.0.0.1:1/state" in message
    assert "pa$$" not in message and secret not in message and "also" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_migration_by_a_newer_release_is_refused_naming_no_password(
        postgres_database: str) -> None:
    url = postgres_database.replace("postgres@", "postgres:hunter2@")
    db = open_database(url)
    migrate(db, StoreSchema("toy", (Migration(1, "t", ("CREATE TABLE t (k TEXT)",)),
                                    Migration(2, "u", ("CREATE TABLE u (k TEXT)",)))))
    with pytest.raises(Exception, match="version 2 of the 'toy' tables") as caught:
        migrate(db, StoreSchema("toy", (Migration(1, "t", ("CREATE TABLE t (k TEXT)",)),)))
    assert "hunter2" not in str(caught.value)
    db.close_all()


def _open_all(url: str, results: multiprocessing.Queue[str]) -> None:
    try:
        store = RunStore(url)
        DedupeStore(store.database).claim("k")
        WorkerStore(store.database)
        ThreadStore(store.database)
        AlertStore(url).pending()
        with AuditLog(url) as log:
            log.append("opened")
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(repr(exc))


def test_processes_migrating_one_new_database_together_all_succeed(
        postgres_server: PostgresServer) -> None:
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(3):
        name = f"migrate_race_{round_}_{time.monotonic_ns()}"
        postgres_server.admin(f"CREATE DATABASE {name}")
        url = postgres_server.url(name)
        results: multiprocessing.Queue[str] = ctx.Queue()
        procs = [ctx.Process(target=_open_all, args=(url, results)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [results.get(timeout=5) for _ in procs] == ["ok"] * 4
        assert versions(url) == {**STATE_VERSIONS, "audit": 1}
        with AuditLog(url) as log:
            assert log.verify().checked == 4
        postgres_server.admin(f"DROP DATABASE {name} WITH (FORCE)")


def test_threads_migrating_one_new_database_together_all_succeed(
        postgres_database: str, tmp_path: Path) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(6)
    results: multiprocessing.Queue[str] = multiprocessing.Queue()

    def open_() -> None:
        start.wait()
        try:
            _open_all(postgres_database, results)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=open_) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert [results.get(timeout=5) for _ in workers] == ["ok"] * 6
    assert versions(postgres_database) == {**STATE_VERSIONS, "audit": 1}
