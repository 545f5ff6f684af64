"""Alert threads and the outbox, in the bot's state database.

`alert_groups` folds alerts: one row (one chat thread) per group key, with every
fingerprint seen in it and how often. `alert_outbox` holds posts in the order they must
appear; the engine posts them only as fast as the channel's burst limit allows, so a storm
delays posts instead of dropping them. Rows are claimed with conditional updates, so two
bot processes never post the same item twice. A post that failed waits until its
`next_attempt_at` (holding back the rest of its thread only); one given up keeps its row,
marked `failed_at`, with the last error.

Folding an alert, queueing a post and giving up a thread's root read a group's rows and
then write what they read decided; they take the group's lock (`group_lock`) so that on
PostgreSQL, whose writers do not queue behind one another as SQLite's do, two processes
never fold over each other's alerts, and a group's posts are numbered in commit order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatops.storage import (
    Connection,
    Database,
    Dialect,
    Migration,
    StoreSchema,
    migrate,
    open_database,
)

_GROUPS_V1 = """CREATE TABLE IF NOT EXISTS alert_groups (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT,
    anchor TEXT,
    alerts TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL{insertion_order}
)"""
_OUTBOX_V1 = """CREATE TABLE IF NOT EXISTS alert_outbox (
    id {id_pk},
    channel TEXT NOT NULL,
    group_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at REAL NOT NULL,
    claimed_by TEXT,
    posted_at REAL,
    ts TEXT
)"""

_OUTBOX_RETRY_COLUMNS = {
    "attempts": "INTEGER NOT NULL DEFAULT 0",
    "next_attempt_at": "REAL",
    "last_error": "TEXT",
    "failed_at": "REAL",
}


def _add_retry_columns(conn: Connection, dialect: Dialect) -> None:
    # Files written before versions were recorded may have some of these already (the
    # table was created with them), so each is added only when missing.
    have = {row["name"] for row in conn.execute(dialect.column_names, ("alert_outbox",))}
    for name, decl in _OUTBOX_RETRY_COLUMNS.items():
        if name not in have:
            conn.execute(dialect.ddl(f"ALTER TABLE alert_outbox ADD COLUMN {name} {decl}"))


SCHEMA = StoreSchema("alerts", (
    Migration(1, "alert groups and the outbox", (
        _GROUPS_V1,
        _OUTBOX_V1,
        "CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox(posted_at, channel)",
    )),
    Migration(2, "outbox retries: attempts, next_attempt_at, last_error, failed_at", (
        _add_retry_columns,
    )),
    Migration(3, "outbox items a dead replica may have posted: in_doubt", (
        "ALTER TABLE alert_outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0",
    )),
))
"""The alert store's tables, oldest version first."""


def group_lock(key: str) -> str:
    """The name of the lock a group's read-then-write transactions take."""
    return f"chatops:alert-group:{key}"


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
    attempts: int = 0
    """Failed attempts so far."""
    in_doubt: bool = False
    """Claimed before by a replica that died: it may have been posted already (look first)."""


@dataclass(frozen=True)
class OutboxStats:
    """The outbox at a glance: posts waiting (`retrying` of them after a failure), posts
    given up, and posts made."""

    pending: int
    retrying: int
    failed: int
    posted: int


class AlertStore:
    """Alert threads and the outbox, in the state database (SQLite or PostgreSQL)."""

    def __init__(self, path: str | Path | Database, *,
                 clock: Callable[[], float] = time.time) -> None:
        """Open (creating or migrating) the alert tables at `path`: an SQLite file, a
        `postgresql://` URL, or a `Database` already open (the run store's)."""
        self.clock = clock
        self.database: Database = open_database(path)
        self.path = self.database.path  # never a password: fit for messages
        self._db = self.database.conn
        self.tx = self.database.tx
        migrate(self.database, SCHEMA)

    def group(self, key: str) -> Group | None:
        """The thread for `key`, or None."""
        row = self._db().execute("SELECT * FROM alert_groups WHERE key = ?", (key,)).fetchone()
        return _group(row) if row else None

    def record(self, key: str, channel: str, fingerprint: str, alert: Mapping[str, Any],
               anchor: str | None = None) -> tuple[bool, bool]:
        """Fold one alert into its group. Returns (new group, new fingerprint in the group)."""
        now = self.clock()
        with self.tx(lock=group_lock(key)) as db:
            row = db.execute("SELECT * FROM alert_groups WHERE key = ?", (key,)).fetchone()
            alerts: dict[str, Any] = json.loads(row["alerts"]) if row else {}
            seen = alerts.get(fingerprint)
            count = (seen["count"] if seen else 0) + (1 if alert["status"] == "firing" else 0)
            alerts[fingerprint] = {**alert, "count": max(count, 1)}
            blob = json.dumps(alerts, sort_keys=True)
            if row is None:
                db.execute("INSERT INTO alert_groups (key, channel, ts, anchor, alerts, dirty, "
                           "created_at, updated_at) VALUES (?, ?, NULL, ?, ?, 0, ?, ?)",
                           (key, channel, anchor, blob, now, now))
            else:
                db.execute("UPDATE alert_groups SET alerts = ?, dirty = 1, updated_at = ? "
                           "WHERE key = ?", (blob, now, key))
            return row is None, seen is None

    def enqueue(self, channel: str, group_key: str, kind: str, body: Mapping[str, Any]) -> None:
        """Queue a post for the group's thread (or its root, for kind `root`)."""
        with self.tx(lock=group_lock(group_key)) as db:
            db.execute("INSERT INTO alert_outbox(channel, group_key, kind, body, created_at) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (channel, group_key, kind, json.dumps(body, sort_keys=True), self.clock()))

    def enqueue_once(self, channel: str, group_key: str, kind: str,
                     body: Mapping[str, Any]) -> bool:
        """Queue a post unless the same post (kind and body) is queued or posted already;
        True when it was queued now. For posts an in-doubt item may have queued before."""
        text = json.dumps(body, sort_keys=True)
        with self.tx(lock=group_lock(group_key)) as db:
            if db.execute("SELECT 1 FROM alert_outbox WHERE group_key = ? AND kind = ? AND "
                          "body = ?", (group_key, kind, text)).fetchone() is not None:
                return False
            db.execute("INSERT INTO alert_outbox(channel, group_key, kind, body, created_at) "
                       "VALUES (?, ?, ?, ?, ?)", (channel, group_key, kind, text, self.clock()))
            return True

    def posted_since(self, channel: str, since: float) -> int:
        """How many posts went to `channel` after `since`."""
        row = self._db().execute(
            "SELECT COUNT(*) AS n FROM alert_outbox WHERE channel = ? AND posted_at > ?",
            (channel, since)).fetchone()
        return int(row["n"])

    def claim_next(self, worker: str, channel_ok: Callable[[str], bool]) -> OutboxItem | None:
        """Claim the oldest waiting item that is due, whose channel has room (`channel_ok`,
        asked once per channel) and whose thread exists."""
        now = self.clock()
        # Every waiting row, not the first few: rows backing off at the head must not hide
        # other channels' rows behind them. The outbox is bounded, so this stays small.
        rows = self._db().execute(
            "SELECT o.id, o.channel, o.group_key, o.kind, o.body, o.attempts, o.in_doubt, "
            "o.next_attempt_at, g.ts AS group_ts FROM alert_outbox o JOIN alert_groups g "
            "ON g.key = o.group_key WHERE o.posted_at IS NULL AND o.failed_at IS NULL AND "
            "o.claimed_by IS NULL ORDER BY o.id").fetchall()
        blocked: set[str] = set()
        room: dict[str, bool] = {}
        for row in rows:
            # Posts of one thread keep their order: nothing after an item that must wait.
            if row["group_key"] in blocked:
                continue
            channel = row["channel"]
            if channel not in room:
                room[channel] = channel_ok(channel)
            backing_off = row["next_attempt_at"] is not None and row["next_attempt_at"] > now
            if backing_off or not room[channel] or (
                    row["kind"] != "root" and row["group_ts"] is None):
                blocked.add(row["group_key"])
                continue
            with self.tx() as tx:
                cur = tx.execute("UPDATE alert_outbox SET claimed_by = ? WHERE id = ? AND "
                                 "claimed_by IS NULL", (worker, row["id"]))
            if cur.rowcount == 1:
                return OutboxItem(row["id"], channel, row["group_key"], row["kind"],
                                  json.loads(row["body"]), int(row["attempts"]),
                                  bool(row["in_doubt"]))
        return None

    def mark_posted(self, item: OutboxItem, ts: str) -> None:
        """Record that `item` was posted as message `ts` (a root becomes the thread)."""
        with self.tx() as db:
            db.execute("UPDATE alert_outbox SET posted_at = ?, ts = ? WHERE id = ?",
                       (self.clock(), ts, item.id))
            if item.kind == "root":
                db.execute("UPDATE alert_groups SET ts = ?, anchor = COALESCE(anchor, ?), "
                           "dirty = 0 WHERE key = ?", (ts, ts, item.group_key))

    def release_claims(self, alive: Callable[[str], bool]) -> list[int]:
        """Give back the items claimed by workers that are gone (`alive` says no): a replica
        killed between claiming an item and recording its post. Returns their ids.

        The item comes back `in_doubt`: the dead replica may have posted it before it could
        record the post, so whoever claims it next looks for the post (by its marker) before
        posting it again.
        """
        rows = self._db().execute(
            "SELECT id, claimed_by FROM alert_outbox WHERE claimed_by IS NOT NULL AND "
            "posted_at IS NULL AND failed_at IS NULL").fetchall()
        released = []
        for row in rows:
            if alive(row["claimed_by"]):
                continue
            with self.tx() as db:
                cur = db.execute("UPDATE alert_outbox SET claimed_by = NULL, in_doubt = 1 "
                                 "WHERE id = ? AND claimed_by = ? AND posted_at IS NULL",
                                 (row["id"], row["claimed_by"]))
            if cur.rowcount == 1:
                released.append(int(row["id"]))
        return released

    def set_body(self, item_id: int, body: Mapping[str, Any]) -> None:
        """Replace a claimed item's body (the engine keeps work results there)."""
        with self.tx() as db:
            db.execute("UPDATE alert_outbox SET body = ? WHERE id = ?",
                       (json.dumps(body, sort_keys=True), item_id))

    def retry_later(self, item: OutboxItem, error: str, delay: float) -> None:
        """Give a claimed item back after a failed attempt; it is due again in `delay`
        seconds, and the rest of its thread waits for it."""
        with self.tx() as db:
            db.execute("UPDATE alert_outbox SET claimed_by = NULL, attempts = ?, "
                       "next_attempt_at = ?, last_error = ? WHERE id = ?",
                       (item.attempts + 1, self.clock() + delay, error, item.id))

    def give_up(self, item: OutboxItem, error: str) -> list[int]:
        """Mark a claimed item failed after its last attempt. A thread whose root is given
        up cannot exist: the items queued for it fail with it, and the group is forgotten,
        so the group's next alert starts a new thread. Returns the ids failed with it."""
        now = self.clock()
        with self.tx(lock=group_lock(item.group_key)) as db:
            db.execute("UPDATE alert_outbox SET claimed_by = NULL, attempts = ?, "
                       "failed_at = ?, last_error = ? WHERE id = ?",
                       (item.attempts + 1, now, error, item.id))
            if item.kind != "root":
                return []
            behind = [int(r["id"]) for r in db.execute(
                "SELECT id FROM alert_outbox WHERE group_key = ? AND posted_at IS NULL AND "
                "failed_at IS NULL ORDER BY id", (item.group_key,))]
            db.executemany("UPDATE alert_outbox SET failed_at = ?, last_error = ? WHERE id = ?",
                           [(now, f"thread root {item.id} failed: {error}", i) for i in behind])
            db.execute("DELETE FROM alert_groups WHERE key = ? AND ts IS NULL",
                       (item.group_key,))
            return behind

    def dirty_groups(self) -> list[Group]:
        """Threads whose root message no longer shows their alerts' state."""
        rows = self._db().execute(
            "SELECT * FROM alert_groups WHERE dirty = 1 AND ts IS NOT NULL "  # noqa: S608
            f"ORDER BY {self.database.dialect.insertion_order}").fetchall()
        return [_group(r) for r in rows]

    def clean(self, key: str, seen_updated_at: float) -> bool:
        """Mark a thread's root as current, unless it changed again meanwhile."""
        with self.tx() as db:
            cur = db.execute("UPDATE alert_groups SET dirty = 0 WHERE key = ? AND "
                             "updated_at <= ?", (key, seen_updated_at))
            return cur.rowcount == 1

    def pending(self, channel: str | None = None) -> int:
        """Posts still waiting (for `channel`, or for all channels); given up ones are not."""
        waiting = "SELECT COUNT(*) AS n FROM alert_outbox WHERE posted_at IS NULL AND " \
                  "failed_at IS NULL"
        db = self._db()
        row = (db.execute(waiting).fetchone() if channel is None else
               db.execute(f"{waiting} AND channel = ?", (channel,)).fetchone())
        return int(row["n"])

    def failed_count(self) -> int:
        """Posts given up (after their last attempt, or with their thread's root)."""
        row = self._db().execute(
            "SELECT COUNT(*) AS n FROM alert_outbox WHERE failed_at IS NOT NULL").fetchone()
        return int(row["n"])

    def stats(self) -> OutboxStats:
        """Counts of waiting, retrying, given up and posted items."""
        waiting = "posted_at IS NULL AND failed_at IS NULL"
        row = self._db().execute(
            f"SELECT {_count(waiting)} AS pending, {_count(waiting + ' AND attempts > 0')} "  # noqa: S608
            f"AS retrying, {_count('failed_at IS NOT NULL')} AS failed, "
            f"{_count('posted_at IS NOT NULL')} AS posted FROM alert_outbox").fetchone()
        return OutboxStats(int(row["pending"]), int(row["retrying"]), int(row["failed"]),
                           int(row["posted"]))

    def firing(self, channel: str, label: str, value: str) -> list[tuple[str, dict[str, str]]]:
        """The alerts still firing in `channel`'s threads whose `label` is `value`, as
        (fingerprint, labels): what a watch raised and has not resolved yet."""
        order = self.database.dialect.insertion_order
        rows = self._db().execute(
            f"SELECT alerts FROM alert_groups WHERE channel = ? AND alerts LIKE ? "  # noqa: S608
            f"ORDER BY {order}", (channel, f"%{value}%")).fetchall()
        found = []
        for row in rows:
            for fp, alert in json.loads(row["alerts"]).items():
                labels = alert.get("labels") or {}
                if alert.get("status") == "firing" and labels.get(label) == value:
                    found.append((str(fp), {str(k): str(v) for k, v in labels.items()}))
        return found

    def updated_at(self, key: str) -> float:
        """When the group last changed."""
        row = self._db().execute("SELECT updated_at FROM alert_groups WHERE key = ?",
                                 (key,)).fetchone()
        return float(row["updated_at"]) if row else 0.0


def _count(condition: str) -> str:
    """How many rows meet `condition` (a sum of booleans is SQLite's alone)."""
    return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _group(row: Any) -> Group:
    return Group(row["key"], row["channel"], row["ts"], row["anchor"],
                 json.loads(row["alerts"]), bool(row["dirty"]))
