"""The audit log's tables and their versions.

The DDL is the one sqlite-utils wrote before the log moved onto `chatops.storage`, so files
created either way are the same, and stay plain for Datasette.
"""

from __future__ import annotations

from chatops.storage import Connection, Dialect, Migration, StoreSchema

EVENTS_TABLE = "audit_events"
HEAD_TABLE = "audit_head"
GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first event: there is no row before it."""

_CREATE = (
    """CREATE TABLE IF NOT EXISTS "audit_events" (
   "id" INTEGER PRIMARY KEY,
   "ts" TEXT NOT NULL,
   "kind" TEXT NOT NULL,
   "actor" TEXT,
   "run_id" TEXT,
   "thread" TEXT,
   "data" TEXT NOT NULL,
   "prev_hash" TEXT NOT NULL,
   "hash" TEXT NOT NULL
)""",
    'CREATE INDEX IF NOT EXISTS "idx_audit_events_run_id" ON "audit_events" ("run_id")',
    'CREATE INDEX IF NOT EXISTS "idx_audit_events_kind" ON "audit_events" ("kind")',
    """CREATE TABLE IF NOT EXISTS "audit_head" (
   "id" INTEGER PRIMARY KEY,
   "last_id" INTEGER NOT NULL,
   "last_hash" TEXT NOT NULL
)""",
)


def tables_present(conn: Connection, dialect: Dialect) -> tuple[bool, bool]:
    """Whether the events table and the head table exist."""
    return (conn.execute(dialect.has_table, (EVENTS_TABLE,)).fetchone() is not None,
            conn.execute(dialect.has_table, (HEAD_TABLE,)).fetchone() is not None)


def create_tables(conn: Connection, dialect: Dialect) -> None:
    """Create whichever of the tables and indexes are missing, inside a write transaction.

    Only a brand-new log gets a head row: a head missing next to existing events (or events
    missing next to a head) is evidence that `verify` must report, not repair.
    """
    events, head = tables_present(conn, dialect)
    for statement in _CREATE:
        conn.execute(statement)
    if not events and not head:
        conn.execute("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, ?)",
                     (GENESIS_HASH,))


SCHEMA = StoreSchema("audit", (
    Migration(1, "hash-chained events and the chain's head", (create_tables,)),
))
"""The audit store's tables, oldest version first."""
