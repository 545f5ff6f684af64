"""The one database interface every store goes through, and its SQLite backend (the
embedded default); `chatops.storage.postgres` is the other.

The connection policy is the same for every store: a connection per thread (one shared
connection, behind a lock, for a private `:memory:` database), short write transactions
that take the write lock at once (`BEGIN IMMEDIATE`), WAL so readers never wait, a busy
timeout so a writer waits for another process's transaction instead of failing, and
`synchronous=NORMAL`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from chatops.errors import ChatOpsError
from chatops.storage.dialect import SQLITE, Dialect

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for another process's transaction before "database is locked"."""

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
"""Where `open_database` opens PostgreSQL; anything else is an SQLite file."""


class DatabaseUnavailable(ChatOpsError):
    """The database cannot be reached or opened; the message says where (never with a
    password) and why."""


class Cursor(Protocol):
    """What a store reads back from a statement. Rows are indexed by name or position."""

    @property
    def rowcount(self) -> int:
        """Rows changed by an INSERT, UPDATE or DELETE."""
        ...

    def fetchone(self) -> Any:
        """The next row, or None."""
        ...

    def fetchall(self) -> list[Any]:
        """The remaining rows."""
        ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection the stores use (statements with `?` placeholders)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor:
        """Run one statement."""
        ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor:
        """Run one statement once per parameter tuple."""
        ...


class Database(Protocol):
    """One database shared by threads and processes: connections and transactions."""

    @property
    def path(self) -> str:
        """Where the database is (a file path, `:memory:`, or a URL without its password),
        fit for messages and logs."""
        ...

    @property
    def dialect(self) -> Dialect:
        """The SQL the backend speaks where engines differ."""
        ...

    def conn(self) -> Connection:
        """This thread's connection, for reads outside a transaction."""
        ...

    def tx(self, lock: str | None = None) -> AbstractContextManager[Connection]:
        """A write transaction holding the write lock from its start; rolled back when the
        block raises.

        A transaction that reads rows and then writes what it read decided (fold into a
        group, append to a chain) names a `lock`: of transactions naming the same one, one
        runs at a time, and each sees what the one before committed. SQLite's write lock
        already serializes every writer and ignores the name; PostgreSQL takes an advisory
        lock on it as the transaction's first statement.
        """
        ...

    def snapshot(self) -> AbstractContextManager[Connection]:
        """A read transaction: every query in the block sees the same state."""
        ...

    def close(self) -> None:
        """Close this thread's connection."""
        ...

    def close_all(self) -> None:
        """Close every connection this object opened (when no other thread uses them)."""
        ...


def open_database(path: str | Path | Database) -> Database:
    """The database at `path`: a `postgresql://` (or `postgres://`) URL, else an SQLite file
    (created with its folder when missing) or `:memory:`. The one place that picks a backend.

    A `Database` already open is returned as it is (stores sharing one database).
    """
    if not isinstance(path, str | Path):
        return path
    if is_postgres_url(path):
        from chatops.storage.postgres import PostgresDatabase

        return PostgresDatabase(str(path))
    return SQLiteDatabase(path)


def has_table(path: str | Path, table: str) -> bool:
    """Whether the database at `path` has `table`, looked up without changing anything: an
    SQLite file is opened read-only (a wrong path is neither created nor converted to WAL).
    Raises `DatabaseUnavailable` when `path` cannot be read as a database."""
    if is_postgres_url(path):
        db = open_database(path)
        try:
            return db.conn().execute(db.dialect.has_table, (table,)).fetchone() is not None
        finally:
            db.close_all()
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            return conn.execute(SQLITE.has_table, (table,)).fetchone() is not None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnavailable(str(exc)) from exc


def is_postgres_url(path: str | Path) -> bool:
    """Whether `path` names a PostgreSQL database rather than an SQLite file."""
    return isinstance(path, str) and path.startswith(POSTGRES_SCHEMES)


class SQLiteDatabase:
    """Per-thread connections to one SQLite file, and its transactions."""

    dialect: Dialect = SQLITE

    def __init__(self, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = str(path)
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        # Every connection opened here, by thread id, for `close_all`.
        self._opened: dict[int, sqlite3.Connection] = {}
        self._memory = self.path == ":memory:"
        # A private in-memory database exists once per connection: all threads share one,
        # and its transactions take turns.
        self._shared: sqlite3.Connection | None = None
        self._shared_lock = threading.RLock()
        if not self._memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        if self._memory:
            with self._shared_lock:
                if self._shared is None:
                    self._shared = self._connect()
                return self._shared
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: the driver opens no implicit transactions, so the explicit
        # BEGINs below are the only transaction control there is.
        db = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None,
                             check_same_thread=False)
        db.row_factory = sqlite3.Row
        _use_wal(db)
        # In WAL mode NORMAL never corrupts the file and loses nothing when the process
        # dies; only an OS crash or power cut can roll back the last commits. It saves
        # an fsync per commit, which was most of the time a message took.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA busy_timeout={int(self._busy_timeout * 1000)}")
        if not self._memory:  # the shared in-memory connection is closed by close_all
            with self._shared_lock:
                self._forget_finished_threads()
                self._opened[threading.get_ident()] = db
        return db

    def _forget_finished_threads(self) -> None:
        # A finished thread's connection is unusable to anyone else; close it rather than
        # hold it open for the life of the process.
        alive = {t.ident for t in threading.enumerate()}
        for ident in [i for i in self._opened if i not in alive]:
            self._opened.pop(ident).close()

    @contextmanager
    def tx(self, lock: str | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once so that concurrent writers queue up (`lock` is
        not needed: SQLite's write lock already serializes every writer)."""
        with self._transaction(self.dialect.begin_write) as db:
            yield db

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent view while other processes write."""
        with self._transaction(self.dialect.begin_read) as db:
            yield db

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        with self._turn():
            db = self.conn()
            db.execute(begin)
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if not self._memory:
            yield
            return
        with self._shared_lock:
            yield

    def close(self) -> None:
        """Close this thread's connection (the shared one of a `:memory:` database)."""
        if self._memory:
            self.close_all()
            return
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def close_all(self) -> None:
        """Close every connection opened here; closing twice is harmless."""
        with self._shared_lock:
            for db in self._opened.values():
                db.close()
            self._opened = {}
            if self._shared is not None:
                self._shared.close()
                self._shared = None
        self._local = threading.local()


def _use_wal(db: sqlite3.Connection, attempts: int = 50) -> None:
    """Switch the file to WAL unless it already is. Switching takes an exclusive lock and
    SQLite may answer "database is locked" at once instead of waiting (two bot processes
    opening a new file together), so it is retried for a few seconds."""
    for attempt in range(attempts):
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] in ("wal", "memory"):
                return
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)
