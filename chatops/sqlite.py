"""One SQLite file shared by threads and processes: a connection per thread, short
write transactions taken at once (`BEGIN IMMEDIATE`), WAL so readers never wait."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SharedDB:
    """Per-thread connections to one database file, and its write transactions."""

    def __init__(self, path: str | Path, schema: str = "") -> None:
        self.path = str(path)
        self._local = threading.local()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        if schema:
            # executescript manages its own transaction; CREATE ... IF NOT EXISTS is idempotent.
            self.conn().executescript(schema)

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            db.row_factory = sqlite3.Row
            _use_wal(db)
            # In WAL mode NORMAL never corrupts the file and loses nothing when the process
            # dies; only an OS crash or power cut can roll back the last commits. It saves
            # an fsync per commit, which was most of the time a message took.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once so that concurrent writers queue up."""
        db = self.conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _use_wal(db: sqlite3.Connection, attempts: int = 50) -> None:
    """Switch the file to WAL unless it already is. Switching takes an exclusive lock and
    SQLite may answer "database is locked" at once instead of waiting (two bot processes
    opening a new file together), so it is retried for a few seconds."""
    for attempt in range(attempts):
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)
