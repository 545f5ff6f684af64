"""Where the SQL of one database engine differs from another's, and nothing else.

Stores write portable SQL with `?` placeholders and ask the dialect for the few statements
that differ between engines: insert-or-ignore, upsert, an auto-numbered key, null-safe
equality, the catalogue queries, insertion order, and how a write transaction takes its
lock. `chatops.storage.postgres.PostgresDialect` (`ON CONFLICT DO NOTHING`, identity
columns, `DOUBLE PRECISION`, advisory locks) implements the same protocol; its backend
translates `?` to the driver's `%s` in one place, its connection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Dialect(Protocol):
    """The SQL a backend speaks where engines disagree."""

    @property
    def name(self) -> str:
        """The engine's name, for messages ("sqlite")."""
        ...

    @property
    def placeholder(self) -> str:
        """The parameter marker stores write: "?" for every backend (one whose driver wants
        another, like psycopg's "%s", translates it in its connection)."""
        ...

    @property
    def begin_write(self) -> str:
        """Starts a transaction that holds the write lock from its first statement, so that
        concurrent writers queue up instead of failing at commit."""
        ...

    @property
    def begin_read(self) -> str:
        """Starts a read transaction: one consistent snapshot for several queries."""
        ...

    @property
    def serializes_writers(self) -> bool:
        """Whether `begin_write` alone queues every writer behind every other (SQLite's
        database lock). Where it does not, read-then-write transactions name a lock
        (`Database.tx(lock=...)`) and append-only chains keep a UNIQUE backstop."""
        ...

    @property
    def named_lock(self) -> str | None:
        """A statement with one parameter (a 64-bit key) that takes a lock held until the
        transaction ends, run as a write transaction's first statement; None where
        `begin_write` already serializes all writers."""
        ...

    @property
    def null_safe_eq(self) -> str:
        """The operator for "equal, or both NULL" (`thread IS ?`)."""
        ...

    @property
    def insertion_order(self) -> str:
        """An expression ordering a table's rows by insertion (a tie-break for equal
        timestamps); tables that need it declare `{insertion_order}` in their DDL."""
        ...

    @property
    def has_table(self) -> str:
        """A query with one parameter, a table name, giving a row when the table exists."""
        ...

    @property
    def column_names(self) -> str:
        """A query with one parameter, a table name, giving one row per column (`name`)."""
        ...

    def marks(self, count: int) -> str:
        """`count` placeholders separated by commas (for `IN (...)` and `VALUES (...)`)."""
        ...

    def insert_or_ignore(self, table: str, columns: Sequence[str]) -> str:
        """An INSERT of one row that does nothing when the row's key exists already."""
        ...

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        """An INSERT of one row that replaces the other columns when `key` exists already."""
        ...

    def ddl(self, template: str) -> str:
        """`template` with `{id_pk}` replaced by the engine's auto-numbered primary key,
        `{insertion_order}` by the column `insertion_order` needs (if any), and column types
        spelled for the engine."""
        ...


class _Statements:
    """What both engines spell alike: `?` placeholders (the PostgreSQL connection
    translates them) and `INSERT ... ON CONFLICT (key) DO UPDATE`."""

    placeholder = "?"

    def marks(self, count: int) -> str:
        """`count` placeholders separated by commas."""
        return ", ".join(self.placeholder for _ in range(count))

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        """`INSERT ... ON CONFLICT (key) DO UPDATE` of one row."""
        return _upsert(table, columns, key, self.marks(len(columns)))


class SQLiteDialect(_Statements):
    """SQLite 3.24 or newer, through the standard library's `sqlite3`."""

    name = "sqlite"
    placeholder = "?"
    begin_write = "BEGIN IMMEDIATE"
    begin_read = "BEGIN DEFERRED"
    # BEGIN IMMEDIATE takes the database's one write lock: writers already queue up.
    serializes_writers = True
    named_lock: str | None = None
    null_safe_eq = "IS"
    # Every table without an INTEGER PRIMARY KEY has one, in insertion order.
    insertion_order = "rowid"
    id_pk = "INTEGER PRIMARY KEY AUTOINCREMENT"
    has_table = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    column_names = "SELECT name FROM pragma_table_info(?)"

    def insert_or_ignore(self, table: str, columns: Sequence[str]) -> str:
        """`INSERT OR IGNORE` of one row."""
        _identifiers(table, *columns)
        return (f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({self.marks(len(columns))})")

    def ddl(self, template: str) -> str:
        """`template` with `{id_pk}` spelled for SQLite (`rowid` needs no column)."""
        return template.replace("{insertion_order}", "").replace("{id_pk}", self.id_pk)


_PG_TYPES = ((re.compile(r"\bREAL\b"), "DOUBLE PRECISION"), (re.compile(r"\bINTEGER\b"), "BIGINT"))
"""SQLite's REAL is 8 bytes (PostgreSQL's is 4: timestamps would lose their fractions) and
its INTEGER up to 8 bytes."""

PG_INSERTION_COLUMN = "row_seq"
"""The identity column PostgreSQL tables that need `insertion_order` get (they have no rowid)."""


class PostgresDialect(_Statements):
    """PostgreSQL 13 or newer, through psycopg 3 (`chatops.storage.postgres`)."""

    name = "postgresql"
    placeholder = "?"
    # READ COMMITTED, spelled out: each statement sees what committed before it, so a
    # transaction whose first statement waited for a named lock then reads the newest rows
    # (REPEATABLE READ would read the snapshot taken before the wait).
    begin_write = "BEGIN ISOLATION LEVEL READ COMMITTED"
    begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
    serializes_writers = False
    named_lock: str | None = "SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))"
    null_safe_eq = "IS NOT DISTINCT FROM"
    insertion_order = PG_INSERTION_COLUMN
    id_pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    has_table = ("SELECT 1 FROM information_schema.tables "
                 "WHERE table_schema = current_schema() AND table_name = ?")
    column_names = ("SELECT column_name AS name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = ? "
                    "ORDER BY ordinal_position")

    def insert_or_ignore(self, table: str, columns: Sequence[str]) -> str:
        """`INSERT ... ON CONFLICT DO NOTHING` of one row."""
        _identifiers(table, *columns)
        return (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({self.marks(len(columns))}) ON CONFLICT DO NOTHING")

    def ddl(self, template: str) -> str:
        """`template` with PostgreSQL's types, identity key and insertion-order column."""
        for pattern, spelled in _PG_TYPES:
            template = pattern.sub(spelled, template)
        order = f",\n    {PG_INSERTION_COLUMN} BIGINT GENERATED ALWAYS AS IDENTITY"
        return template.replace("{insertion_order}", order).replace("{id_pk}", self.id_pk)


def _upsert(table: str, columns: Sequence[str], key: Sequence[str], marks: str) -> str:
    _identifiers(table, *columns, *key)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")


def _identifiers(*names: str) -> None:
    """Table and column names come from the stores' code, never from input; anything else
    is a bug, refused before it can become SQL."""
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain SQL identifier: {name!r}")


SQLITE = SQLiteDialect()
"""The embedded default's dialect."""

POSTGRES = PostgresDialect()
"""The dialect of `postgresql://` databases."""
