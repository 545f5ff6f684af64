"""The PostgreSQL backend: every store on one server, through psycopg 3.

`open_database` picks it for a `postgresql://` (or `postgres://`) URL. The connection
policy mirrors SQLite's where it can:

- a connection per thread, opened on first use with a connect timeout, in autocommit
  mode: a read outside a transaction is its own statement, and every transaction is an
  explicit `BEGIN ... COMMIT` (`tx`, `snapshot`), rolled back when the block raises. A
  connection found dropped is replaced on its next use (a transaction whose `BEGIN` fails
  on a dropped connection is retried once on a new one; nothing ran in it yet).
- stores write `?` placeholders; `PgConnection` translates them to psycopg's `%s` (and a
  literal `%` to `%%`) in one place. Rows read like `sqlite3.Row`: `row["name"]`, `row[0]`.
- SQLite serializes every writer; READ COMMITTED does not. Conditional UPDATEs (a run's
  state moves, outbox claims) stay exactly-once as they are: a second UPDATE of the same
  row waits for the first and re-checks its WHERE. A transaction that reads and then
  writes what it read decided names a lock (`tx(lock="audit")`): its first statement is
  `pg_advisory_xact_lock` on a stable 64-bit hash of the name, held until it ends, and
  being READ COMMITTED its later statements see what the previous holder committed.
- `path` is the URL without its password, and connection errors never carry it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from chatops.settings_sources import redact_url, url_password
from chatops.storage.database import DatabaseUnavailable
from chatops.storage.dialect import POSTGRES, Dialect

if TYPE_CHECKING:
    from psycopg.rows import RowMaker

CONNECT_TIMEOUT_S = 10
"""Seconds to wait for the server when a connection is opened (libpq's minimum is 2)."""

APPLICATION_NAME = "chatops"
"""What `pg_stat_activity` shows for the bot's connections."""

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


@functools.lru_cache(maxsize=1024)
def to_driver(sql: str) -> str:
    """`sql` as psycopg wants it: each `?` outside quotes becomes `%s`, and every literal
    `%` (psycopg reads them inside quotes too) becomes `%%`."""

    def swap(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece == "?":
            return "%s"
        return piece.replace("%", "%%")

    return _TOKENS.sub(swap, sql)


def lock_key(name: str) -> int:
    """The advisory lock key of a lock name: the first 8 bytes of its SHA-256, signed,
    the same in every process and release."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big",
                          signed=True)


class Row:
    """One result row, read like `sqlite3.Row`: by position, by column name, `keys()`,
    iterated and unpacked as its values."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: Mapping[str, int]) -> None:
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._index)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values and self.keys() == other.keys()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=False))!r})"


def row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    """psycopg's row factory for `Row`s: the column index is built once per result."""
    index: dict[str, int] = {}
    for position, column in enumerate(cursor.description or ()):
        index.setdefault(column.name, position)  # the first of two equal names wins

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


class PgConnection:
    """One psycopg connection, speaking the stores' SQL (`?` placeholders)."""

    def __init__(self, raw: psycopg.Connection[Row]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Row]:
        """Run one statement; `?` marks its parameters."""
        return self.raw.execute(to_driver(sql), tuple(parameters))

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /
                    ) -> psycopg.Cursor[Row]:
        """Run one statement once per parameter tuple."""
        cursor = self.raw.cursor()
        cursor.executemany(to_driver(sql), [tuple(p) for p in parameters])
        return cursor

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (or failed and not rolled back yet)."""
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    @property
    def usable(self) -> bool:
        """False once the connection was closed or found dropped."""
        return not (self.raw.closed or self.raw.broken)

    def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        self.raw.close()


class PostgresDatabase:
    """Per-thread connections to one PostgreSQL database, and its transactions."""

    dialect: Dialect = POSTGRES

    def __init__(self, url: str, *, connect_timeout: int = CONNECT_TIMEOUT_S) -> None:
        self._url = url
        self.path = redact_url(url)
        self._connect_timeout = connect_timeout
        self._local = threading.local()
        # Every connection opened here, by thread id, for `close_all`.
        self._opened: dict[int, PgConnection] = {}
        self._opened_lock = threading.Lock()

    def conn(self) -> PgConnection:
        """This thread's connection (opened on first use, and again once dropped)."""
        db: PgConnection | None = getattr(self._local, "db", None)
        if db is not None and db.usable:
            return db
        if db is not None:
            self._discard(db)
        db = self._connect()
        self._local.db = db
        return db

    def _connect(self) -> PgConnection:
        params: dict[str, Any] = {}
        try:
            given = conninfo_to_dict(self._url)
        except psycopg.ProgrammingError:
            raise DatabaseUnavailable(f"{self.path} is not a PostgreSQL URL psycopg can "
                                      "read (postgresql://USER@HOST:PORT/DATABASE)") from None
        if "connect_timeout" not in given:
            params["connect_timeout"] = self._connect_timeout
        if "application_name" not in given:
            params["application_name"] = APPLICATION_NAME
        try:
            # No server-side prepared statements: a plan cached before another replica
            # migrated a table would fail ("cached plan must not change result type"), and
            # a pooler in transaction mode (PgBouncer) cannot keep them.
            raw = psycopg.connect(self._url, autocommit=True, row_factory=row_factory,
                                  prepare_threshold=None, **params)
        except psycopg.Error as exc:
            # Raised from None: the driver's exception and its arguments stay out of logs.
            raise DatabaseUnavailable(f"cannot connect to the database at {self.path}: "
                                      f"{self._scrub(str(exc).strip())}") from None
        db = PgConnection(raw)
        with self._opened_lock:
            self._forget_finished_threads()
            self._opened[threading.get_ident()] = db
        return db

    def _scrub(self, text: str) -> str:
        password = url_password(self._url)
        if password:
            for spelled in {password, quote(password, safe="")}:
                text = text.replace(spelled, "[redacted]")
        return text.replace(self._url, self.path)

    def _forget_finished_threads(self) -> None:
        alive = {t.ident for t in threading.enumerate()}
        for ident in [i for i in self._opened if i not in alive]:
            self._opened.pop(ident).close()

    def _discard(self, db: PgConnection) -> None:
        db.close()
        self._local.db = None
        with self._opened_lock:
            for ident, opened in list(self._opened.items()):
                if opened is db:
                    del self._opened[ident]

    @contextmanager
    def tx(self, lock: str | None = None) -> Iterator[PgConnection]:
        """A READ COMMITTED write transaction; with `lock`, its first statement waits for
        the advisory lock of that name (held until it ends)."""
        with self._transaction(self.dialect.begin_write, lock) as db:
            yield db

    @contextmanager
    def snapshot(self) -> Iterator[PgConnection]:
        """A REPEATABLE READ, READ ONLY transaction: one snapshot for every query in it."""
        with self._transaction(self.dialect.begin_read) as db:
            yield db

    @contextmanager
    def _transaction(self, begin: str, lock: str | None = None) -> Iterator[PgConnection]:
        db = self._begin(begin)
        try:
            if lock is not None and self.dialect.named_lock is not None:
                db.execute(self.dialect.named_lock, (lock_key(lock),))
            yield db
        except BaseException:
            self._rollback(db)
            raise
        db.execute("COMMIT")

    def _begin(self, begin: str) -> PgConnection:
        db = self.conn()
        try:
            db.execute(begin)
        except psycopg.OperationalError:
            if db.usable:
                raise
            # Dropped since its last use (a server restart, an idle timeout): nothing ran
            # in this transaction yet, so it starts again on a new connection.
            self._discard(db)
            db = self.conn()
            db.execute(begin)
        return db

    def _rollback(self, db: PgConnection) -> None:
        if not db.usable:
            self._discard(db)
            return
        try:
            if db.in_transaction:
                db.execute("ROLLBACK")
        except psycopg.Error:
            self._discard(db)  # the block's own exception is the one to report

    def close(self) -> None:
        """Close this thread's connection."""
        db: PgConnection | None = getattr(self._local, "db", None)
        if db is not None:
            self._discard(db)

    def close_all(self) -> None:
        """Close every connection opened here; closing twice is harmless."""
        with self._opened_lock:
            for db in self._opened.values():
                db.close()
            self._opened = {}
        self._local = threading.local()
