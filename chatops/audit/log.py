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
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from chatops.audit.checkpoint import Checkpoint
from chatops.audit.schema import (
    EVENTS_TABLE,
    GENESIS_HASH,
    HEAD_TABLE,
    SCHEMA,
    create_tables,
    tables_present,
)
from chatops.errors import ChatOpsError
from chatops.logs import scrub
from chatops.storage import BUSY_TIMEOUT_S, Connection, Database, migrate, open_database

log = logging.getLogger(__name__)

__all__ = ["BUSY_TIMEOUT_S", "EVENTS_TABLE", "GENESIS_HASH", "HEAD_TABLE", "AuditEvent",
           "AuditLog", "AuditTampered", "VerifyReport", "chain_hash"]

_EVENT_COLUMNS: dict[str, type] = {
    "id": int,
    "ts": str,
    "kind": str,
    "actor": str,
    "run_id": str,
    "thread": str,
    "data": str,
    "prev_hash": str,
    "hash": str,
}
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


def _canonical(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, ASCII only, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def chain_hash(*, event_id: int, ts: str, kind: str, actor: str | None, run_id: str | None,
               thread: str | None, data: Mapping[str, Any], prev_hash: str) -> str:
    """The hex SHA-256 of one event: over the canonical JSON of its fields and `prev_hash`.

    Canonical JSON is `json.dumps(obj, sort_keys=True, separators=(",", ":"),
    ensure_ascii=True, allow_nan=False)` of an object with the keys `id, ts, kind, actor,
    run_id, thread, data, prev_hash`, so the chain can be checked by any other tool too.
    """
    record = {
        "id": event_id, "ts": ts, "kind": kind, "actor": actor, "run_id": run_id,
        "thread": thread, "data": data, "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(record).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    """One row of the audit log, as stored (secrets already scrubbed from `data`)."""

    id: int
    ts: str
    kind: str
    actor: str | None
    run_id: str | None
    thread: str | None
    # A dict cannot be hashed; events are identified by `id` and `hash` anyway.
    data: Mapping[str, Any] = field(hash=False)
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """The event as a plain JSON-ready dict (the shape of `export_jsonl` lines)."""
        return {
            "id": self.id, "ts": self.ts, "kind": self.kind, "actor": self.actor,
            "run_id": self.run_id, "thread": self.thread, "data": dict(self.data),
            "prev_hash": self.prev_hash, "hash": self.hash,
        }


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of `AuditLog.verify`.

    `checked` counts the rows found intact before the first problem (all rows when `ok`).
    `first_bad_id` is the first row that was edited, is missing or does not chain; it is
    None when the log is intact, or when only the `audit_head` row itself is missing.
    `head_hash` is the hash at the end of the intact chain: record it elsewhere to detect a
    later rewrite of the whole tail.
    """

    ok: bool
    checked: int
    first_bad_id: int | None
    problem: str
    head_hash: str = GENESIS_HASH


class AuditTampered(ChatOpsError):
    """The audit chain is broken, so no checkpoint is taken: signing it would vouch for the
    tampering. `report` says where."""

    def __init__(self, report: VerifyReport) -> None:
        where = f"row {report.first_bad_id}" if report.first_bad_id is not None else "the head"
        super().__init__(f"the audit log was tampered with at {where}: {report.problem}")
        self.report = report


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _format_ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        # A naive time would be read as local time and silently shifted.
        raise ValueError("the audit clock must return a timezone-aware datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {scrub(k) if isinstance(k, str) else k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(item) for item in value]
    return value


def _scrub_text(value: str | None) -> str | None:
    return None if value is None else scrub(value)


def _prepare_data(kind: str, data: Mapping[str, Any] | None) -> tuple[dict[str, Any], str]:
    """Scrub tokens from `data` and return it as stored: (round-tripped dict, JSON text)."""
    if data is None:
        return {}, "{}"
    if not isinstance(data, Mapping):
        raise TypeError(f"audit data for {kind!r} must be a mapping, not {type(data).__name__}")
    cleaned = _scrub_value(data)
    try:
        # The hash is computed over the stored form, so what `get` returns is exactly
        # what was hashed (tuples become lists, and so on).
        text = json.dumps(cleaned, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
        text.encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"audit data for {kind!r} is not JSON-serialisable: {exc}") from exc
    stored: dict[str, Any] = json.loads(text)
    return stored, text


def _load_data(text: Any) -> dict[str, Any]:
    """Parse a stored `data` cell; a cell edited into non-JSON is shown, not fatal."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"unparseable_data": text}
    return value if isinstance(value, dict) else {"value": value}


def _event_from_row(row: Mapping[str, Any] | tuple[Any, ...]) -> AuditEvent:
    if not isinstance(row, Mapping):
        row = dict(zip(_EVENT_COLUMNS, row, strict=True))
    return AuditEvent(
        id=row["id"], ts=row["ts"], kind=row["kind"], actor=row["actor"],
        run_id=row["run_id"], thread=row["thread"], data=_load_data(row["data"]),
        prev_hash=row["prev_hash"], hash=row["hash"],
    )


def _rows_missing(prev_id: int, next_id: int) -> str:
    first, last = prev_id + 1, next_id - 1
    which = f"row {first} is" if first == last else f"rows {first}-{last} are"
    if prev_id == 0:
        return f"{which} missing (the log starts at row {next_id})"
    return f"{which} missing (ids jump {prev_id} -> {next_id})"


@dataclass(frozen=True)
class _Walk:
    """Where a walk along the chain got to: the last intact row, and how many it checked."""

    prev_id: int = 0
    prev_hash: str = GENESIS_HASH
    checked: int = 0

    def bad(self, first_bad_id: int | None, problem: str) -> VerifyReport:
        return VerifyReport(False, self.checked, first_bad_id, problem, self.prev_hash)


def _walk_rows(rows: Iterable[tuple[Any, ...]],
               start: _Walk | None = None) -> tuple[_Walk, VerifyReport | None]:
    """Check each row's hash and link in id order, from `start` (the genesis by default).

    Returns where the walk got to, and the report of the first problem (None when none).
    """
    at = start or _Walk()
    prev_id, prev_hash, checked = at.prev_id, at.prev_hash, 0

    def bad(first_bad_id: int | None, problem: str) -> tuple[_Walk, VerifyReport]:
        walk = _Walk(prev_id, prev_hash, checked)
        return walk, walk.bad(first_bad_id, problem)

    for row in rows:
        event_id, ts, kind, actor, run_id, thread, data_text, row_prev, row_hash = row
        if event_id != prev_id + 1:
            return bad(prev_id + 1, _rows_missing(prev_id, event_id))
        try:
            expected = chain_hash(event_id=event_id, ts=ts, kind=kind, actor=actor,
                                  run_id=run_id, thread=thread, data=json.loads(data_text),
                                  prev_hash=row_prev)
        except (TypeError, ValueError):
            expected = None  # the data cell is no longer JSON: it was edited
        if expected != row_hash:
            return bad(event_id, f"row {event_id} was edited (hash mismatch)")
        if row_prev != prev_hash:
            if prev_id == 0:
                return bad(event_id, f"row {event_id} does not start the chain")
            return bad(event_id, f"row {event_id} does not chain to row {prev_id}")
        prev_id, prev_hash, checked = event_id, row_hash, checked + 1
    return _Walk(prev_id, prev_hash, checked), None


def _walk_chain(rows: Iterable[tuple[Any, ...]], head: tuple[Any, ...] | None,
                start: _Walk | None = None) -> VerifyReport:
    """Check each row's hash and link in id order, then the chain's end against the head."""
    walk, problem = _walk_rows(rows, start)
    if problem is not None:
        return problem
    prev_id, prev_hash, bad = walk.prev_id, walk.prev_hash, walk.bad
    if head is None:
        return bad(None, f"the {HEAD_TABLE} row is missing, so removed trailing rows "
                         "cannot be ruled out")
    head_id, head_hash = head
    if head_id > prev_id:
        gone = head_id - prev_id
        which = "the last row was" if gone == 1 else f"the last {gone} rows were"
        return bad(prev_id + 1, f"{which} removed ({HEAD_TABLE} says the log ends at row "
                                f"{head_id}, the chain ends at row {prev_id})")
    if head_id < prev_id:
        return bad(head_id + 1, f"row {head_id + 1} was added by hand ({HEAD_TABLE} says "
                                f"the log ends at row {head_id})")
    if head_hash != prev_hash:
        if prev_id == 0:
            return bad(None, f"the {HEAD_TABLE} row was edited (the log is empty)")
        return bad(prev_id, f"row {prev_id} was replaced, or {HEAD_TABLE} edited (their "
                            "hashes differ)")
    return VerifyReport(True, walk.checked, None, "", prev_hash)


class AuditLog:
    """An append-only, hash-chained audit log in one SQLite file.

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
        with self._lock, self._db.tx() as conn:
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
        with self._lock, self._db.tx() as conn:
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
