"""The storage seam: one database interface (`Database`), the SQL that differs between
engines (`Dialect`), and schema versions (`StoreSchema`, `migrate`). SQLite is the embedded
default; a `postgresql://` URL opens `chatops.storage.postgres` (imported only then).

Every store (runs, approvals, dedupe keys, workers, threads, alerts and their outbox, the
audit log) opens its database with `open_database` and migrates its tables with `migrate`.
"""

from chatops.storage.database import (
    BUSY_TIMEOUT_S,
    POSTGRES_SCHEMES,
    Connection,
    Cursor,
    Database,
    DatabaseUnavailable,
    SQLiteDatabase,
    has_table,
    is_postgres_url,
    open_database,
)
from chatops.storage.dialect import POSTGRES, SQLITE, Dialect, PostgresDialect, SQLiteDialect
from chatops.storage.migrations import (
    MIGRATION_LOCK,
    VERSIONS_TABLE,
    Migration,
    SchemaTooNew,
    StoreSchema,
    migrate,
    migrate_all,
    schema_version,
)

__all__ = [
    "BUSY_TIMEOUT_S",
    "MIGRATION_LOCK",
    "POSTGRES",
    "POSTGRES_SCHEMES",
    "SQLITE",
    "VERSIONS_TABLE",
    "Connection",
    "Cursor",
    "Database",
    "DatabaseUnavailable",
    "Dialect",
    "Migration",
    "PostgresDialect",
    "SQLiteDatabase",
    "SQLiteDialect",
    "SchemaTooNew",
    "StoreSchema",
    "has_table",
    "is_postgres_url",
    "migrate",
    "migrate_all",
    "open_database",
    "schema_version",
]
