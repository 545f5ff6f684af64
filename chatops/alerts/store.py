"""Alert threads and the outbox, in the bot's state database.

`alert_groups` folds alerts: one row (one chat thread) per group key, with every
fingerprint seen in it and how often. `alert_outbox` holds posts in the order they must
appear; the engine posts them only as fast as the channel's burst limit allows, so a storm
delays posts instead of dropping them. Rows are claimed with conditional updates, so two
bot processes never post the same item twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatops.sqlite import SharedDB

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_groups (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT,
    anchor TEXT,
    alerts TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    group_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    claimed_by TEXT,
    posted_at REAL,
    ts TEXT
);
CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox(posted_at, channel);
"""


@dataclass(frozen=True)
class Group:
    """One alert thread: where it is and the alerts folded into it (by fingerprint).

    `ts` is the bot's summary message; `anchor` the message the thread hangs from: the
    summary itself for webhook alerts, the alert bot's own message for chat alerts.
    """

    key: str
    channel: str
    ts: str | None
    anchor: str | None
    alerts: Mapping[str, Mapping[str, Any]]
    dirty: bool


@dataclass(frozen=True)
class OutboxItem:
    """A post waiting for its turn."""

    id: int
    channel: str
    group_key: str
    kind: str
    body: Mapping[str, Any]


class AlertStore:
    """SQLite persistence for alert threads and the outbox."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = str(path)
        self.clock = clock
        self._shared = SharedDB(path, SCHEMA)
        self._db = self._shared.conn
        self.tx = self._shared.tx

    def group(self, key: str) -> Group | None:
        """The thread for `key`, or None."""
        row = self._db().execute("SELECT * FROM alert_groups WHERE key = ?", (key,)).fetchone()
        return _group(row) if row else None

    def record(self, key: str, channel: str, fingerprint: str, alert: Mapping[str, Any],
               anchor: str | None = None) -> tuple[bool, bool]:
        """Fold one alert into its group. Returns (new group, new fingerprint in the group)."""
        now = self.clock()
        with self.tx() as db:
            row = db.execute("SELECT * FROM alert_groups WHERE key = ?", (key,)).fetchone()
            alerts: dict[str, Any] = json.loads(row["alerts"]) if row else {}
            seen = alerts.get(fingerprint)
            count = (seen["count"] if seen else 0) + (1 if alert["status"] == "firing" else 0)
            alerts[fingerprint] = {**alert, "count": max(count, 1)}
            blob = json.dumps(alerts, sort_keys=True)
            if row is None:
                db.execute("INSERT INTO alert_groups VALUES (?, ?, NULL, ?, ?, 0, ?, ?)",
                           (key, channel, anchor, blob, now, now))
            else:
                db.execute("UPDATE alert_groups SET alerts = ?, dirty = 1, updated_at = ? "
                           "WHERE key = ?", (blob, now, key))
            return row is None, seen is None

    def enqueue(self, channel: str, group_key: str, kind: str, body: Mapping[str, Any]) -> None:
        """Queue a post for the group's thread (or its root, for kind `root`)."""
        with self.tx() as db:
            db.execute("INSERT INTO alert_outbox(channel, group_key, kind, body, created_at) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (channel, group_key, kind, json.dumps(body, sort_keys=True), self.clock()))

    def posted_since(self, channel: str, since: float) -> int:
        """How many posts went to `channel` after `since`."""
        row = self._db().execute(
            "SELECT COUNT(*) AS n FROM alert_outbox WHERE channel = ? AND posted_at > ?",
            (channel, since)).fetchone()
        return int(row["n"])

    def claim_next(self, worker: str, channel_ok: Callable[[str], bool]) -> OutboxItem | None:
        """Claim the oldest unposted item whose channel has room and whose thread exists."""
        db = self._db()
        rows = db.execute("SELECT o.*, g.ts AS group_ts FROM alert_outbox o JOIN alert_groups g "
                          "ON g.key = o.group_key WHERE o.posted_at IS NULL AND "
                          "o.claimed_by IS NULL ORDER BY o.id LIMIT 200").fetchall()
        blocked: set[str] = set()
        for row in rows:
            # Posts of one thread keep their order: nothing after an item that must wait.
            if row["group_key"] in blocked:
                continue
            if (row["kind"] != "root" and row["group_ts"] is None) or not channel_ok(
                    row["channel"]):
                blocked.add(row["group_key"])
                continue
            with self.tx() as tx:
                cur = tx.execute("UPDATE alert_outbox SET claimed_by = ? WHERE id = ? AND "
                                 "claimed_by IS NULL", (worker, row["id"]))
            if cur.rowcount == 1:
                return OutboxItem(row["id"], row["channel"], row["group_key"], row["kind"],
                                  json.loads(row["body"]))
        return None

    def mark_posted(self, item: OutboxItem, ts: str) -> None:
        """Record that `item` was posted as message `ts` (a root becomes the thread)."""
        with self.tx() as db:
            db.execute("UPDATE alert_outbox SET posted_at = ?, ts = ? WHERE id = ?",
                       (self.clock(), ts, item.id))
            if item.kind == "root":
                db.execute("UPDATE alert_groups SET ts = ?, anchor = COALESCE(anchor, ?), "
                           "dirty = 0 WHERE key = ?", (ts, ts, item.group_key))

    def set_body(self, item_id: int, body: Mapping[str, Any]) -> None:
        """Replace a claimed item's body (the engine keeps work results there)."""
        with self.tx() as db:
            db.execute("UPDATE alert_outbox SET body = ? WHERE id = ?",
                       (json.dumps(body, sort_keys=True), item_id))

    def release(self, item: OutboxItem) -> None:
        """Give a claimed item back (the post failed; it is tried again later)."""
        with self.tx() as db:
            db.execute("UPDATE alert_outbox SET claimed_by = NULL WHERE id = ?", (item.id,))

    def dirty_groups(self) -> list[Group]:
        """Threads whose root message no longer shows their alerts' state."""
        rows = self._db().execute(
            "SELECT * FROM alert_groups WHERE dirty = 1 AND ts IS NOT NULL").fetchall()
        return [_group(r) for r in rows]

    def clean(self, key: str, seen_updated_at: float) -> bool:
        """Mark a thread's root as current, unless it changed again meanwhile."""
        with self.tx() as db:
            cur = db.execute("UPDATE alert_groups SET dirty = 0 WHERE key = ? AND "
                             "updated_at <= ?", (key, seen_updated_at))
            return cur.rowcount == 1

    def pending(self) -> int:
        """Posts still waiting."""
        row = self._db().execute(
            "SELECT COUNT(*) AS n FROM alert_outbox WHERE posted_at IS NULL").fetchone()
        return int(row["n"])

    def updated_at(self, key: str) -> float:
        """When the group last changed."""
        row = self._db().execute("SELECT updated_at FROM alert_groups WHERE key = ?",
                                 (key,)).fetchone()
        return float(row["updated_at"]) if row else 0.0


def _group(row: sqlite3.Row) -> Group:
    return Group(row["key"], row["channel"], row["ts"], row["anchor"],
                 json.loads(row["alerts"]), bool(row["dirty"]))
