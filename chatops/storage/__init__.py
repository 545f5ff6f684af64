"""The storage seam: one database interface (`Database`), the SQL that differs between
engines (`Dialect`), and schema versions (`StoreSchema`, `migrate`).

Every store (runs, approvals, dedupe keys, workers, threads, alerts and their outbox, the
audit log) opens its database with `open_database` and migrates its tables with `migrate`.
"""

from chatops.storage.database import (
    BUSY_TIMEOUT_S,
    Connection,
    Cursor,
    Database,
    SQLiteDatabase,
    open_database,
)
from chatops.storage.dialect import SQLITE, Dialect, SQLiteDialect
from chatops.storage.migrations import (
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
    "SQLITE",
    "VERSIONS_TABLE",
    "Connection",
    "Cursor",
    "Database",
    "Dialect",
    "Migration",
    "SQLiteDatabase",
    "SQLiteDialect",
    "SchemaTooNew",
    "StoreSchema",
    "migrate",
    "migrate_all",
    "open_database",
    "schema_version",
]
