"""The audit log's tables and their versions.

The DDL is the one sqlite-utils wrote before the log moved onto `chatops.storage`, so files
created either way are the same, and stay plain for Datasette. On a backend whose writers
do not queue behind one another (PostgreSQL) `prev_hash` is also UNIQUE: appends are
serialized by a lock, and should that ever fail the chain cannot fork silently.
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


_UNIQUE_LINKS = ('CREATE UNIQUE INDEX IF NOT EXISTS "idx_audit_events_prev_hash" '
                 'ON "audit_events" ("prev_hash")')
"""Two events naming the same previous one would be a fork."""


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
        conn.execute(dialect.ddl(statement))
    if not dialect.serializes_writers:
        conn.execute(_UNIQUE_LINKS)
    if not events and not head:
        conn.execute("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, ?)",
                     (GENESIS_HASH,))


SCHEMA = StoreSchema("audit", (
    Migration(1, "hash-chained events and the chain's head", (create_tables,)),
))
"""The audit store's tables, oldest version first."""
