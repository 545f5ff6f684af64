"""Thread contexts: what the conversation remembers about each chat thread."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from chatops.storage import Database, Migration, StoreSchema, migrate

SCHEMA = StoreSchema("threads", (
    Migration(1, "thread contexts", (
        """CREATE TABLE IF NOT EXISTS threads (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at REAL NOT NULL
)""",
    )),
))


class ThreadStore:
    """Conversation contexts as JSON, one per thread key."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time,
                 json_default: Callable[[Any], Any] | None = None) -> None:
        """Use `db`, creating or migrating the `threads` table; `json_default` encodes
        values JSON does not know (frozen mappings, tuples)."""
        self.db = db
        self.clock = clock
        self._json_default = json_default
        migrate(db, SCHEMA)

    def load(self, key: str) -> dict[str, Any]:
        """The saved context of a thread (empty when none)."""
        row = self.db.conn().execute("SELECT data FROM threads WHERE key = ?",
                                     (key,)).fetchone()
        return dict(json.loads(row["data"])) if row else {}

    def save(self, key: str, data: Mapping[str, Any]) -> None:
        """Replace the context of a thread."""
        sql = self.db.dialect.upsert("threads", ("key", "data", "updated_at"), ("key",))
        with self.db.tx() as conn:
            conn.execute(sql, (key, json.dumps(data, default=self._json_default), self.clock()))
