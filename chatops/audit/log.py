"""A tamper-evident, append-only audit log in SQLite.

Every event is one row of the `audit_events` table. Each row carries the hash of the row
before it (`prev_hash`) and its own hash, a SHA-256 over a canonical JSON of
`(id, ts, kind, actor, run_id, thread, data, prev_hash)`; see `chain_hash`. Editing a row,
removing one from the middle or re-linking one breaks the chain at that row. Removing the
last rows leaves a shorter chain that is still intact, so a one-row `audit_head` table,
written in the same transaction as each event, records where the chain ends.

A chain in the same file cannot stop someone who rewrites every hash after their edit, or
who cuts off the newest rows and points `audit_head` at the new end: what is left is a valid
chain. `AuditLog.checkpoint` records the chain's end (signed with a key the database does not
hold) for keeping elsewhere, and `AuditLog.verify_against` proves the log still reaches it
unchanged; see `chatops.audit.checkpoint` and `chatops.audit.anchor`.

The tables are plain (TEXT/INTEGER columns, `data` as JSON text) so the file opens in
Datasette as it is.

An event, its hash and how its data is stored are in `chatops.audit.events`; walking the
chain is `chatops.audit.chain`. Both are re-exported here.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from chatops.audit.chain import _Walk, _walk_chain, _walk_rows
from chatops.audit.checkpoint import Checkpoint
from chatops.audit.events import (
    AuditEvent,
    AuditTampered,
    VerifyReport,
    _event_from_row,
    _format_ts,
    _prepare_data,
    _scrub_text,
    _utc_now,
    chain_hash,
)
from chatops.audit.schema import (
    EVENTS_TABLE,
    GENESIS_HASH,
    HEAD_TABLE,
    SCHEMA,
    create_tables,
    tables_present,
)
from chatops.logs import scrub
from chatops.ports import AuditRecord
from chatops.storage import (
    BUSY_TIMEOUT_S,
    MIGRATION_LOCK,
    Connection,
    Database,
    migrate,
    open_database,
)

log = logging.getLogger(__name__)

__all__ = ["BUSY_TIMEOUT_S", "EVENTS_TABLE", "GENESIS_HASH", "HEAD_TABLE", "AuditEvent",
           "AuditLog", "AuditTampered", "VerifyReport", "chain_hash"]

_SELECT_EVENTS = (
    "select id, ts, kind, actor, run_id, thread, data, prev_hash, hash "
    "from audit_events order by id"
)
_SELECT_EVENTS_AFTER = (
    "select id, ts, kind, actor, run_id, thread, data, prev_hash, hash "
    "from audit_events where id > ? order by id"
)
_SELECT_EVENTS_UP_TO = (
    "select id, ts, kind, actor, run_id, thread, data, prev_hash, hash "
    "from audit_events where id <= ? order by id"
)
_SELECT_EVENT = (
    "select id, ts, kind, actor, run_id, thread, data, prev_hash, hash "
    "from audit_events where id = ?"
)
_SELECT_HEAD = "select last_id, last_hash from audit_head where id = 1"
_SELECT_COLUMNS = "select id, ts, kind, actor, run_id, thread, data, prev_hash, hash "


_INSERT_EVENT = ("insert into audit_events (id, ts, kind, actor, run_id, thread, data, "
                 "prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_UPDATE_HEAD = "update audit_head set last_id = ?, last_hash = ? where id = 1"

AUDIT_LOCK = "chatops:audit-chain"
"""The lock every append takes before it reads the chain's end (`Database.tx(lock=...)`):
on PostgreSQL an advisory lock, as the transaction's first statement, under READ COMMITTED,
so the next writer reads the new end. `FOR UPDATE` on the end row would not do: a writer
that waited for it still reads the old end. A UNIQUE `prev_hash` is the backstop."""


class AuditLog:
    """An append-only, hash-chained audit log in one SQLite file or PostgreSQL database.

    Safe to share between threads (a connection per thread, appends behind a lock) and
    between processes (each append takes the database's write lock before reading the
    chain's end). Use it as a context manager, or call `close`.
    """

    def __init__(self, path: str | Path, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        """Open (or create) the log at `path`; `":memory:"` gives a private in-memory log.

        `clock` returns the current time as an aware datetime (tests pass a fixed one).
        Creates the tables and their indexes when missing.
        """
        self.path = str(path)
        self._clock = clock or _utc_now
        self._lock = threading.RLock()
        self._warned_no_head = False
        # WAL lets readers (the CLI, Datasette) work while a replica appends. With WAL,
        # synchronous=NORMAL keeps the file consistent and loses nothing when the process
        # dies; an OS crash or power cut may drop the newest events, which `verify` then
        # reports as removed (the head row is written with them).
        self._db: Database = open_database(self.path)
        self.path = self._db.path  # a PostgreSQL URL without its password
        try:
            migrate(self._db, SCHEMA)
            self._ensure_schema()
        except BaseException:
            self._db.close_all()
            raise

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _ensure_schema(self) -> None:
        # A migrated file whose tables were dropped since gets them back, empty and without
        # a head row unless both were gone: `verify` reports what was removed.
        if all(tables_present(self._db.conn(), self._db.dialect)):
            return
        with self._lock, self._db.tx(lock=MIGRATION_LOCK) as conn:
            create_tables(conn, self._db.dialect)

    def _next_slot(self, conn: Connection) -> tuple[int, str, bool]:
        """(next id, previous hash, head present), read under the write lock."""
        head = conn.execute(_SELECT_HEAD).fetchone()
        max_id = conn.execute("select max(id) from audit_events").fetchone()[0] or 0
        if head is None:
            if not self._warned_no_head:
                log.warning("the %s row is missing in %s; `chatops audit verify` will report "
                            "it", HEAD_TABLE, self.path)
                self._warned_no_head = True
            last = conn.execute(
                "select hash from audit_events order by id desc limit 1").fetchone()
            return max_id + 1, last[0] if last else GENESIS_HASH, False
        head_id, head_hash = head
        # The head, not the table, is the chain's end: after trailing rows were removed the
        # next event still links to the removed row's hash and keeps its id, so the gap stays
        # visible. max() keeps appends working if someone added a row by hand.
        return max(head_id, max_id) + 1, head_hash, True

    def record(self, event: AuditRecord, *, actor: str | None = None,
               run_id: str | None = None, thread: str | None = None) -> AuditEvent:
        """Append one typed event (see `chatops.audit.records`) and return it as stored."""
        return self.append(event.kind, actor=actor, run_id=run_id, thread=thread,
                           data=event.data())

    def append(self, kind: str, *, actor: str | None = None, run_id: str | None = None,
               thread: str | None = None, data: Mapping[str, Any] | None = None) -> AuditEvent:
        """Append one event and return it as stored.

        `data` must be JSON-serialisable (TypeError otherwise). Callers redact secrets; as
        a safety net, anything that looks like a Slack or bearer token is replaced with
        `[redacted]` in every string before the event is hashed and written.
        """
        if not kind:
            raise ValueError("an audit event needs a kind")
        stored_data, data_text = _prepare_data(kind, data)
        kind_s = scrub(kind)
        actor_s, run_id_s, thread_s = _scrub_text(actor), _scrub_text(run_id), _scrub_text(thread)
        with self._lock, self._db.tx(lock=AUDIT_LOCK) as conn:
            event_id, prev_hash, head_present = self._next_slot(conn)
            # The clock is read under the write lock so that ts order follows id order.
            ts = _format_ts(self._clock())
            digest = chain_hash(event_id=event_id, ts=ts, kind=kind_s, actor=actor_s,
                                run_id=run_id_s, thread=thread_s, data=stored_data,
                                prev_hash=prev_hash)
            conn.execute(_INSERT_EVENT, (event_id, ts, kind_s, actor_s, run_id_s, thread_s,
                                         data_text, prev_hash, digest))
            if head_present:
                conn.execute(_UPDATE_HEAD, (event_id, digest))
        return AuditEvent(id=event_id, ts=ts, kind=kind_s, actor=actor_s, run_id=run_id_s,
                          thread=thread_s, data=stored_data, prev_hash=prev_hash, hash=digest)

    def list(self, *, limit: int = 50, run_id: str | None = None, kind: str | None = None,
             since_id: int | None = None) -> list[AuditEvent]:
        """The newest `limit` events (newest first), optionally for one run, of one kind,
        or only those with an id greater than `since_id`."""
        if limit < 0:
            raise ValueError("limit must be zero or more")
        if limit == 0:
            return []
        clauses: list[str] = []
        args: list[Any] = []
        if run_id is not None:
            clauses.append("run_id = ?")
            args.append(run_id)
        if kind is not None:
            clauses.append("kind = ?")
            args.append(kind)
        if since_id is not None:
            clauses.append("id > ?")
            args.append(since_id)
        where = f"where {' and '.join(clauses)} " if clauses else ""
        with self._lock:
            rows = self._db.conn().execute(
                f"{_SELECT_COLUMNS}from audit_events {where}order by id desc limit ?",
                (*args, limit)).fetchall()
        return [_event_from_row(row) for row in rows]

    def get(self, event_id: int) -> AuditEvent | None:
        """The event with this id, or None."""
        with self._lock:
            row = self._db.conn().execute(_SELECT_EVENT, (event_id,)).fetchone()
        return _event_from_row(row) if row is not None else None

    def verify(self) -> VerifyReport:
        """Walk the whole chain, oldest first, and report the first row that was edited, is
        missing, does not chain to the row before it, or was removed from the end."""
        with self._lock, self._db.snapshot() as conn:
            # One read transaction is one snapshot: rows and head agree even while
            # another replica keeps appending.
            head = conn.execute(_SELECT_HEAD).fetchone()
            return _walk_chain(conn.execute(_SELECT_EVENTS), head)

    def checkpoint(self, key: str | None = None, *,
                   since: Checkpoint | None = None) -> Checkpoint:
        """Record where the chain ends now, signed with `key` (HMAC-SHA256) unless None.

        The chain is checked first and `AuditTampered` raised when it is broken, so a
        checkpoint never vouches for tampering. With `since` (an earlier checkpoint of this
        log, trusted as it is) only the rows after it are walked, and the new checkpoint must
        extend it: the row `since` names must still be there with the same hash.
        """
        with self._lock, self._db.snapshot() as conn:
            head = conn.execute(_SELECT_HEAD).fetchone()
            start, count_before = None, 0
            if since is not None and since.event_id > 0:
                row = conn.execute(_SELECT_EVENT, (since.event_id,)).fetchone()
                problem = self._checkpoint_row_problem(conn, row, since)
                if problem is not None:
                    raise AuditTampered(problem)
                start, count_before = _Walk(since.event_id, since.event_hash), since.count
                rows = conn.execute(_SELECT_EVENTS_AFTER, (since.event_id,))
            else:
                rows = conn.execute(_SELECT_EVENTS)
            report = _walk_chain(rows, head, start)
            if not report.ok:
                raise AuditTampered(report)
            taken_at = _format_ts(self._clock())
        end_id = head[0] if head is not None else 0
        return Checkpoint.create(event_id=end_id, event_hash=report.head_hash,
                                 count=count_before + report.checked, taken_at=taken_at,
                                 key=key)

    def _checkpoint_row_problem(self, conn: Connection, row: tuple[Any, ...] | None,
                                checkpoint: Checkpoint) -> VerifyReport | None:
        """Whether the row a checkpoint names is gone, edited, or not the one it saw."""
        event_id = checkpoint.event_id
        if row is None:
            last = conn.execute("select max(id) from audit_events").fetchone()[0]
            return VerifyReport(False, 0, event_id, f"truncated: event #{event_id} is missing "
                                f"(the log ends at event #{last or 0})")
        walk, problem = _walk_rows([row], _Walk(event_id - 1, row[7]))
        if problem is not None:
            return problem
        if walk.prev_hash != checkpoint.event_hash:
            return VerifyReport(False, 0, event_id,
                                f"event #{event_id} differs from the checkpoint")
        return None

    def verify_against(self, checkpoint: Checkpoint, key: str | None = None) -> VerifyReport:
        """Check that the log still holds the chain `checkpoint` saw, unchanged.

        Fails when `key` is given and the checkpoint is unsigned or not signed with it ("bad
        signature"), when a row up to the checkpoint's event is edited or missing (the
        checkpoint's own event: "truncated"), or when that event's hash is not the one the
        checkpoint recorded (the chain was rewritten). Events appended after the checkpoint
        are not looked at: `verify` checks those.
        """
        if key is not None and not checkpoint.signature_valid(key):
            why = ("bad signature: the checkpoint is not signed, but a key was given"
                   if checkpoint.signature is None else
                   "bad signature: the checkpoint was not signed with this key (forged, or "
                   "signed with another key)")
            return VerifyReport(False, 0, None, why)
        event_id = checkpoint.event_id
        with self._lock, self._db.snapshot() as conn:
            walk, problem = _walk_rows(conn.execute(_SELECT_EVENTS_UP_TO, (event_id,)))
        if problem is not None:
            return problem
        if walk.prev_id < event_id:
            return walk.bad(walk.prev_id + 1, f"truncated: event #{event_id} is missing (the "
                                              f"chain ends at event #{walk.prev_id})")
        if walk.prev_hash != checkpoint.event_hash:
            return walk.bad(event_id, f"event #{event_id} differs from the checkpoint (the "
                                      "chain was rewritten up to it)")
        if walk.checked != checkpoint.count:
            return walk.bad(None, f"the checkpoint counts {checkpoint.count} events up to "
                                  f"#{event_id}, the log holds {walk.checked}")
        return VerifyReport(True, walk.checked, None, "", walk.prev_hash)

    def export_jsonl(self, out: TextIO) -> int:
        """Write every event to `out`, one JSON object per line, oldest first; return the
        number written."""
        count = 0
        with self._lock, self._db.snapshot() as conn:
            for row in conn.execute(_SELECT_EVENTS):
                out.write(json.dumps(_event_from_row(row).to_dict(), ensure_ascii=False))
                out.write("\n")
                count += 1
        return count

    def close(self) -> None:
        """Close the database connections. Closing twice is harmless."""
        with self._lock:
            self._db.close_all()
