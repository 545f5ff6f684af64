"""The connection policy every store shares: per-thread connections, write transactions
taken at once, WAL, a busy timeout, synchronous=NORMAL (the tests of SQLite's own policy
are `sqlite_only`; tests/storage/test_postgres.py has PostgreSQL's)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from chatops.storage import SQLITE, SQLiteDatabase, open_database


@pytest.mark.sqlite_only
def test_connections_follow_the_policy(db: SQLiteDatabase) -> None:
    conn = db.conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    assert Path(db.path).parent.is_dir()


def test_each_thread_gets_its_own_connection(db: SQLiteDatabase) -> None:
    mine = db.conn()
    theirs: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: theirs.append(db.conn()))
    worker.start()
    worker.join()
    assert db.conn() is mine
    assert theirs[0] is not mine


def test_a_write_transaction_rolls_back_when_the_block_raises(db: SQLiteDatabase) -> None:
    with db.tx() as conn:
        conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    with pytest.raises(RuntimeError), db.tx() as conn:
        conn.execute("INSERT INTO t VALUES ('a')")
        raise RuntimeError("boom")
    assert db.conn().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    assert not db.conn().in_transaction


def test_a_snapshot_does_not_see_later_commits(db: SQLiteDatabase) -> None:
    with db.tx() as conn:
        conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    other = open_database(db.path)
    with db.snapshot() as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
        with other.tx() as writer:
            writer.execute("INSERT INTO t VALUES ('a')")
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    assert db.conn().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1
    other.close_all()


def test_a_memory_database_is_one_database_for_every_thread() -> None:
    db = open_database(":memory:")
    with db.tx() as conn:
        conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")

    def write() -> None:
        with db.tx() as conn:
            conn.execute("INSERT INTO t VALUES (?)", (threading.current_thread().name,))

    workers = [threading.Thread(target=write, name=f"w{i}") for i in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert db.conn().execute("SELECT COUNT(*) FROM t").fetchone()[0] == 8
    db.close_all()


@pytest.mark.sqlite_only
def test_close_all_closes_every_thread_connection(db: SQLiteDatabase) -> None:
    mine = db.conn()
    theirs: list[sqlite3.Connection] = []
    hold = threading.Event()
    worker = threading.Thread(target=lambda: (theirs.append(db.conn()), hold.wait()))
    worker.start()
    while not theirs:
        hold.wait(0.01)
    db.close_all()
    db.close_all()  # twice is harmless
    hold.set()
    worker.join()
    for conn in (mine, theirs[0]):
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
    assert db.conn() is not mine  # a later call opens a new one


@pytest.mark.sqlite_only
def test_dialect_statements(db: SQLiteDatabase) -> None:
    with db.tx() as conn:
        conn.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        ignore = SQLITE.insert_or_ignore("kv", ("k", "v"))
        assert conn.execute(ignore, ("a", "1")).rowcount == 1
        assert conn.execute(ignore, ("a", "2")).rowcount == 0
        conn.execute(SQLITE.upsert("kv", ("k", "v"), ("k",)), ("a", "3"))
    assert db.conn().execute("SELECT v FROM kv").fetchall()[0]["v"] == "3"
    assert SQLITE.marks(3) == "?, ?, ?"
    assert SQLITE.ddl("id {id_pk}") == "id INTEGER PRIMARY KEY AUTOINCREMENT"
    with pytest.raises(ValueError, match="identifier"):
        SQLITE.upsert("kv; DROP TABLE kv", ("k",), ("k",))
