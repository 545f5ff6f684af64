"""Schema versions: each store declares an ordered list of migrations, and opening a
database brings the store's tables up to the newest one.

The versions live in one table, `schema_versions` (store name, version), because several
stores share one file (runs, dedupe keys, workers, threads and alerts live in the state
database, and every store in a PostgreSQL one). Migrating takes the write lock (and, on
PostgreSQL, the `MIGRATION_LOCK` advisory lock, as concurrent DDL there is not serialized)
before reading the store's version, so of two processes opening the same new database
together one migrates and the other then finds the work done. Version 1 of every store is
the schema as it was before versions were recorded, written so that it leaves such a file
as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chatops.errors import ChatOpsError
from chatops.storage.database import Connection, Database
from chatops.storage.dialect import Dialect

VERSIONS_TABLE = "schema_versions"

MIGRATION_LOCK = "chatops:schema"
"""The lock every schema change takes (`Database.tx(lock=...)`): one at a time."""

_CREATE_VERSIONS = (f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} ("
                    "store TEXT PRIMARY KEY, version INTEGER NOT NULL)")

Step = str | Callable[[Connection, Dialect], None]
"""One statement (DDL, `{id_pk}` spelled by the dialect) or a function of the connection."""


class SchemaTooNew(ChatOpsError):
    """The database was migrated by a newer release than this one: running on it could
    corrupt what that release relies on."""


@dataclass(frozen=True)
class Migration:
    """One numbered change to a store's tables, applied inside the migration transaction."""

    version: int
    description: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class StoreSchema:
    """A store's name (its row in `schema_versions`) and its migrations, oldest first."""

    store: str
    migrations: tuple[Migration, ...]

    def __post_init__(self) -> None:
        numbers = [m.version for m in self.migrations]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"{self.store}: migrations must be numbered 1, 2, 3... in order, "
                             f"not {numbers}")

    @property
    def latest(self) -> int:
        """The version a migrated database is at."""
        return len(self.migrations)


def schema_version(db: Database, store: str) -> int:
    """The version `store`'s tables are at in `db`; 0 when none was recorded."""
    return _read_version(db.conn(), db.dialect, store)


def migrate(db: Database, schema: StoreSchema) -> int:
    """Bring `schema.store`'s tables in `db` to the newest version; returns that version.

    Idempotent and safe to run from several processes at once. Raises `SchemaTooNew` when
    the database is at a version this code does not know.
    """
    if _read_version(db.conn(), db.dialect, schema.store) == schema.latest:
        return schema.latest  # the common case: no write lock needed
    with db.tx(lock=MIGRATION_LOCK) as conn:
        conn.execute(db.dialect.ddl(_CREATE_VERSIONS))
        current = _read_version(conn, db.dialect, schema.store)
        if current > schema.latest:
            raise SchemaTooNew(
                f"{db.path} has version {current} of the {schema.store!r} tables; this "
                f"release knows up to version {schema.latest}. Run a newer chatops on it.")
        for migration in schema.migrations[current:]:
            _apply(conn, db.dialect, migration.steps)
        if current < schema.latest:
            conn.execute(db.dialect.upsert(VERSIONS_TABLE, ("store", "version"), ("store",)),
                         (schema.store, schema.latest))
    return schema.latest


def migrate_all(db: Database, schemas: Sequence[StoreSchema]) -> None:
    """`migrate` each of `schemas`, in order."""
    for schema in schemas:
        migrate(db, schema)


def _apply(conn: Connection, dialect: Dialect, steps: Sequence[Step]) -> None:
    for step in steps:
        if isinstance(step, str):
            conn.execute(dialect.ddl(step))
        else:
            step(conn, dialect)


def _read_version(conn: Connection, dialect: Dialect, store: str) -> int:
    if conn.execute(dialect.has_table, (VERSIONS_TABLE,)).fetchone() is None:
        return 0
    row = conn.execute(f"SELECT version FROM {VERSIONS_TABLE} WHERE store = ?",  # noqa: S608
                       (store,)).fetchone()
    return int(row[0]) if row else 0
