"""Where the SQL of one database engine differs from another's, and nothing else.

Stores write portable SQL with `?` placeholders and ask the dialect for the few statements
that differ between engines: insert-or-ignore, upsert, an auto-numbered key, and how a
write transaction takes its lock. A PostgreSQL dialect (`%s` placeholders, `ON CONFLICT`,
`BIGSERIAL`, an advisory lock in a plain `BEGIN`) implements the same protocol; its backend
translates `?` to its own placeholder in one place, its connection.
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
        """The driver's parameter marker ("?" for sqlite3, "%s" for psycopg)."""
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
        """`template` with `{id_pk}` replaced by the engine's auto-numbered primary key."""
        ...


class SQLiteDialect:
    """SQLite 3.24 or newer, through the standard library's `sqlite3`."""

    name = "sqlite"
    placeholder = "?"
    begin_write = "BEGIN IMMEDIATE"
    begin_read = "BEGIN DEFERRED"
    id_pk = "INTEGER PRIMARY KEY AUTOINCREMENT"
    has_table = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    column_names = "SELECT name FROM pragma_table_info(?)"

    def marks(self, count: int) -> str:
        """`count` placeholders separated by commas."""
        return ", ".join(self.placeholder for _ in range(count))

    def insert_or_ignore(self, table: str, columns: Sequence[str]) -> str:
        """`INSERT OR IGNORE` of one row."""
        _identifiers(table, *columns)
        return (f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({self.marks(len(columns))})")

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        """`INSERT ... ON CONFLICT (key) DO UPDATE` of one row."""
        _identifiers(table, *columns, *key)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        return (f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({self.marks(len(columns))}) "
                f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")

    def ddl(self, template: str) -> str:
        """`template` with `{id_pk}` spelled for SQLite."""
        return template.replace("{id_pk}", self.id_pk)


def _identifiers(*names: str) -> None:
    """Table and column names come from the stores' code, never from input; anything else
    is a bug, refused before it can become SQL."""
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise ValueError(f"not a plain SQL identifier: {name!r}")


SQLITE = SQLiteDialect()
"""The dialect every store uses today."""
