"""Deduplication keys: Slack event ids, clicks and thread markers, each taken once."""

from __future__ import annotations

import time
from collections.abc import Callable

from chatops.storage import Database, Migration, StoreSchema, migrate

DEDUPE_TTL = 7 * 24 * 3600.0
"""How long an event id, click or thread marker is remembered (Slack retries for an hour;
a thread the bot took part in is followed for a week)."""

SCHEMA = StoreSchema("dedupe", (
    Migration(1, "dedupe keys", (
        """CREATE TABLE IF NOT EXISTS dedupe (
    key TEXT PRIMARY KEY,
    created_at REAL NOT NULL
)""",
    )),
))


class DedupeStore:
    """Keys claimed once across every process sharing the database."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Use `db`, creating or migrating the `dedupe` table."""
        self.db = db
        self.clock = clock
        migrate(db, SCHEMA)

    def claim(self, key: str) -> bool:
        """Record `key`; False if it was claimed before (by any process)."""
        sql = self.db.dialect.insert_or_ignore("dedupe", ("key", "created_at"))
        with self.db.tx() as conn:
            return conn.execute(sql, (key, self.clock())).rowcount == 1

    def seen(self, key: str) -> bool:
        """Whether `key` was claimed before (a read-only `claim`, for fast paths)."""
        row = self.db.conn().execute("SELECT 1 FROM dedupe WHERE key = ?", (key,)).fetchone()
        return row is not None

    def prune(self, older_than: float = DEDUPE_TTL) -> int:
        """Forget keys older than `older_than` seconds; returns how many."""
        with self.db.tx() as conn:
            cur = conn.execute("DELETE FROM dedupe WHERE created_at < ?",
                               (self.clock() - older_than,))
            return cur.rowcount
