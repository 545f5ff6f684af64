"""Runs as a state machine in the state database (SQLite or PostgreSQL), with
transactional conditional transitions.

Every change of state is one `UPDATE ... WHERE id = ? AND state IN (...)`: of two processes
(or two clicks) racing for the same transition, exactly one sees a changed row and goes on
(PostgreSQL makes the second UPDATE wait for the first and re-check its WHERE). That, not
locks in memory, is what keeps a run from executing twice, also across bot replicas sharing
the database.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol

from chatops.model import Identity, Risk, frozen_map
from chatops.runs.model import (
    BEFORE_START,
    TRANSITIONS,
    Approval,
    ApprovalDecision,
    Asked,
    IllegalTransition,
    Run,
    RunState,
)
from chatops.runs.workers import STALE_AFTER, ThisWorker, WorkerStore
from chatops.storage import Database, Migration, StoreSchema, migrate, open_database

SCHEMA = StoreSchema("runs", (
    Migration(1, "runs and approvals", (
        """CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    runbook TEXT NOT NULL,
    risk TEXT NOT NULL,
    requester TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    identity TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT,
    raw_slots TEXT NOT NULL,
    plan TEXT NOT NULL,
    digest TEXT NOT NULL,
    preview TEXT NOT NULL DEFAULT '[]',
    needed INTEGER NOT NULL,
    confidence REAL NOT NULL DEFAULT 1.0,
    notes TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    owner TEXT,
    before TEXT NOT NULL DEFAULT '{}',
    result TEXT NOT NULL DEFAULT '{}',
    undo_of TEXT,
    message_ref TEXT,
    act_as_approver INTEGER NOT NULL DEFAULT 0{insertion_order}
)""",
        "CREATE INDEX IF NOT EXISTS runs_thread ON runs(channel, thread)",
        "CREATE INDEX IF NOT EXISTS runs_state ON runs(state)",
        """CREATE TABLE IF NOT EXISTS approvals (
    run_id TEXT NOT NULL,
    approver TEXT NOT NULL,
    approver_name TEXT NOT NULL,
    digest TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_at REAL NOT NULL,
    PRIMARY KEY (run_id, approver, digest)
)""",
    )),
    Migration(2, "how a run was asked for: asked_as", (
        "ALTER TABLE runs ADD COLUMN asked_as TEXT NOT NULL DEFAULT ''",
    )),
))
"""The `runs` store's tables; dedupe keys, workers and threads have their own stores."""

_JSON_FIELDS = {"raw_slots", "plan", "preview", "notes", "before", "result", "identity"}
_RUN_COLUMNS = frozenset(f.name for f in fields(Run)) - {"approvals"}
"""The columns a `Run` is made of (a backend may add its own, like an insertion order)."""


def _decode(row: Any, approvals: tuple[Approval, ...]) -> Run:
    data = {key: row[key] for key in row.keys() if key in _RUN_COLUMNS}  # noqa: SIM118
    for key in _JSON_FIELDS:
        data[key] = json.loads(data[key])
    ident = data["identity"]
    data["identity"] = Identity(ident["user"], tuple(ident["groups"]))
    data["state"] = RunState(data["state"])
    data["risk"] = Risk(data["risk"])
    data["act_as_approver"] = bool(data["act_as_approver"])
    # An unknown value (a newer release's) reads like a run stored before the column.
    data["asked_as"] = (Asked(data["asked_as"])
                        if data.get("asked_as") in Asked.__members__.values() else None)
    data["preview"] = tuple(data["preview"])
    data["notes"] = tuple(data["notes"])
    data["raw_slots"] = frozen_map(data["raw_slots"])
    data["plan"] = frozen_map(data["plan"])
    data["before"] = frozen_map(data["before"])
    data["result"] = frozen_map(data["result"])
    return Run(**data, approvals=approvals)


def _encode(key: str, value: Any) -> Any:
    if key == "identity" and isinstance(value, Identity):
        return json.dumps({"user": value.user, "groups": list(value.groups)})
    if key in _JSON_FIELDS:
        return json.dumps(value, default=json_default, sort_keys=True)
    if isinstance(value, RunState | Asked):
        return value.value
    if key == "asked_as" and value is None:
        return ""
    if isinstance(value, bool):
        return int(value)  # an INTEGER column: PostgreSQL takes no boolean for it
    return value


_APPROVAL_COLUMNS = ("run_id", "approver", "approver_name", "digest", "decision", "decided_at")

_WRITABLE = frozenset({
    "runbook", "risk", "requester", "requester_name", "identity", "channel", "thread",
    "raw_slots", "plan", "digest", "preview", "needed", "confidence", "notes", "expires_at",
    "owner", "before", "result", "undo_of", "message_ref", "act_as_approver", "asked_as"})
"""Columns callers may set; `id`, `state` and the timestamps are the store's."""


def _columns(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` encoded for their columns; an unknown name is a bug, never SQL."""
    unknown = set(fields) - _WRITABLE
    if unknown:
        raise ValueError(f"not a writable column of runs: {', '.join(sorted(unknown))}")
    return {k: _encode(k, v) for k, v in fields.items()}


def json_default(value: Any) -> Any:
    """Encodes what JSON does not know of a run's fields (frozen mappings, tuples, sets)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Liveness(Protocol):
    """Which workers are alive, as the orphan sweep asks it (`runs.workers.ThisWorker`)."""

    @property
    def worker_id(self) -> str:
        """This process's worker id."""
        ...

    def alive(self, worker_id: str | None, stale_after: float) -> bool:
        """Whether `worker_id` still runs (this process always does)."""
        ...


class RunStore:
    """Runs and approvals. Dedupe keys, worker heartbeats and thread contexts are stores of
    their own (`chatops.runs.dedupe`, `workers`, `threads`), opened beside it.

    One database may be shared by several bot processes. Each thread gets its own
    connection; every write is a short transaction.
    """

    def __init__(self, path: str | Path | Database, *,
                 clock: Callable[[], float] = time.time,
                 workers: Liveness | None = None) -> None:
        """Open (creating or migrating) the state database at `path`: an SQLite file, a
        `postgresql://` URL, or a `Database` already open. `workers` tells the orphan
        sweep whose runs are still owned (`chatops.stores.open_state` passes this
        process's; without it the sweep takes a worker id of its own)."""
        self.clock = clock
        self.workers = workers
        self.database: Database = open_database(path)
        self.path = self.database.path  # never a password: fit for messages
        self._db = self.database.conn
        self._tx = self.database.tx
        migrate(self.database, SCHEMA)

    def create(self, *, state: RunState, **fields: Any) -> Run:
        """Insert a new run and return it; `fields` are the columns of `runs`."""
        now = self.clock()
        run_id = f"r-{uuid.uuid4().hex[:8]}"
        if state not in (RunState.PROPOSED, RunState.RUNNING):
            raise IllegalTransition(f"a run starts proposed or running, not {state}")
        row = {"id": run_id, "state": state.value, "created_at": now, "updated_at": now,
               **_columns(fields)}
        columns = ", ".join(row)
        marks = self.database.dialect.marks(len(row))
        with self._tx() as db:
            db.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})",  # noqa: S608
                       tuple(row.values()))
        run = self.get(run_id)
        assert run is not None
        return run

    def get(self, run_id: str) -> Run | None:
        """The run with `run_id`, or None."""
        db = self._db()
        row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        approvals = tuple(
            Approval(r["approver"], r["approver_name"], r["digest"],
                     ApprovalDecision(r["decision"]), r["decided_at"])
            # Ties in the order SQLite's primary-key index gives them, on every backend.
            for r in db.execute("SELECT * FROM approvals WHERE run_id = ? "
                                "ORDER BY decided_at, approver, digest", (run_id,))
        )
        return _decode(row, approvals)

    def transition(self, run_id: str, from_states: tuple[RunState, ...], to_state: RunState,
                   **fields: Any) -> bool:
        """Move the run to `to_state` only if it is in one of `from_states`.

        Returns True for exactly one of any number of concurrent callers. Asking for a move
        that `TRANSITIONS` does not allow raises `IllegalTransition`, whatever the run's state.
        """
        for state in from_states:
            if to_state not in TRANSITIONS[state]:
                raise IllegalTransition(f"a run can't go from {state} to {to_state}")
        sets = {"state": to_state.value, "updated_at": self.clock(), **_columns(fields)}
        assignments = ", ".join(f"{k} = ?" for k in sets)
        marks = self.database.dialect.marks(len(from_states))
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE runs SET {assignments} WHERE id = ? AND state IN ({marks})",  # noqa: S608
                (*sets.values(), run_id, *(s.value for s in from_states)),
            )
            return cur.rowcount == 1

    def update(self, run_id: str, **fields: Any) -> None:
        """Change non-state columns of a run (message reference, progress notes)."""
        sets = {"updated_at": self.clock(), **_columns(fields)}
        assignments = ", ".join(f"{k} = ?" for k in sets)
        with self._tx() as db:
            db.execute(f"UPDATE runs SET {assignments} WHERE id = ?",  # noqa: S608
                       (*sets.values(), run_id))

    def adopt(self, run_id: str, requester: str, requester_name: str,
              identity: Identity) -> bool:
        """Make `requester` the requester of a proposed run nobody asked for (an alert's).

        True for exactly one of any number of concurrent callers.
        """
        with self._tx() as db:
            cur = db.execute(
                "UPDATE runs SET requester = ?, requester_name = ?, identity = ?, "
                "act_as_approver = 0, updated_at = ? WHERE id = ? AND state = ? "
                "AND act_as_approver = 1",
                (requester, requester_name, _encode("identity", identity), self.clock(),
                 run_id, RunState.PROPOSED.value))
            return cur.rowcount == 1

    def add_decision(self, run_id: str, approver: str, approver_name: str, digest: str,
                     decision: ApprovalDecision) -> bool:
        """Record an approver's decision on a plan digest; False if they already decided."""
        with self._tx() as db:
            cur = db.execute(
                self.database.dialect.insert_or_ignore("approvals", _APPROVAL_COLUMNS),
                (run_id, approver, approver_name, digest, decision.value, self.clock()),
            )
            return cur.rowcount == 1

    def runs_in_thread(self, channel: str, thread: str | None, limit: int = 20) -> list[Run]:
        """The thread's runs, newest first."""
        eq = self.database.dialect.null_safe_eq
        return self._newest(f"channel = ? AND thread {eq} ?", (channel, thread), limit)

    def runs_of(self, requester: str, limit: int = 10) -> list[Run]:
        """The runs `requester` (a requester key) asked for, newest first."""
        return self._newest("requester = ?", (requester,), limit)

    def undos_of(self, run_id: str, limit: int = 20) -> list[Run]:
        """The runs that reverse `run_id` (its undos and rollbacks), newest first. Rare
        enough (a window's end asks) to go without an index."""
        return self._newest("undo_of = ?", (run_id,), limit)

    def changes_in_channel(self, channel: str, state: RunState = RunState.SUCCEEDED,
                           limit: int = 200) -> list[Run]:
        """The changes (not reads) in `state` in `channel`, newest first (the `runs_thread`
        index)."""
        return self._newest("channel = ? AND state = ? AND risk != ?",
                            (channel, state.value, Risk.READ.value), limit)

    def runs_in_state(self, state: RunState, limit: int = 50) -> list[Run]:
        """Runs in `state` (the `runs_state` index), newest first."""
        return self._newest("state = ?", (state.value,), limit)

    def _newest(self, where: str, params: tuple[Any, ...], limit: int) -> list[Run]:
        """Runs matching `where` (the store's own conditions, never input), newest first;
        runs created in the same instant (a test's clock) come newest inserted first."""
        order = self.database.dialect.insertion_order
        rows = self._db().execute(
            f"SELECT id FROM runs WHERE {where} "  # noqa: S608
            f"ORDER BY created_at DESC, {order} DESC LIMIT ?", (*params, limit)).fetchall()
        return [run for r in rows if (run := self.get(r["id"])) is not None]

    def interrupt_orphans(self, stale_after: float = STALE_AFTER) -> list[Run]:
        """Mark `running` and `approved` runs whose process is gone as `interrupted`, and
        return them.

        A run belongs to a process on this host that no longer exists, or to a worker
        whose heartbeat is older than `stale_after` seconds. An `approved` run is owned by
        the process that approved it when that process queued it to run later (an automatic
        fix); one approved without an owner is executed by its approver at once, so if it
        is still `approved` after `stale_after` seconds, that process died in between. The
        move is conditional: a run its process starts meanwhile stays its own, and a run
        swept here never starts (`approved -> running` fails), so it never runs twice.
        """
        if self.workers is None:
            # Opened alone (a tool, a test looking as another replica): it sweeps as a
            # worker of its own, owning nothing.
            self.workers = ThisWorker(WorkerStore(self.database, clock=self.clock))
        workers, lost = self.workers, []
        order = self.database.dialect.insertion_order
        rows = self._db().execute(
            f"SELECT id, state, owner, updated_at FROM runs WHERE state IN (?, ?) "  # noqa: S608
            f"ORDER BY {order}", (RunState.RUNNING.value, RunState.APPROVED.value)).fetchall()
        for row in rows:
            owner, state = row["owner"], RunState(row["state"])
            if owner is not None and workers.alive(owner, stale_after):
                continue
            if (state is RunState.APPROVED and owner is None
                    and self.clock() - float(row["updated_at"]) < stale_after):
                continue
            # Whether anything of it ran: a run swept from `approved` never started.
            fields = ({"result": {"interrupted": BEFORE_START}}
                      if state is RunState.APPROVED else {})
            if self.transition(row["id"], (state,), RunState.INTERRUPTED, **fields):
                run = self.get(row["id"])
                if run is not None:
                    lost.append(run)
        return lost

    def close(self) -> None:
        """Close this thread's connection."""
        self.database.close()

