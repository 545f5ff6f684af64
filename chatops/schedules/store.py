"""Schedules in the state database (SQLite or PostgreSQL), next to the runs.

Three tables: `schedules` (one row per schedule, moved between states by conditional
updates checked against `TRANSITIONS`), `schedule_changes` (which proposed run, once
approved, activates, resumes, deletes or re-binds which schedule) and `schedule_firings`,
whose primary key is the firing's identity: schedule id + due time (whole epoch seconds).
Firing is claimed by inserting that row, insert-or-ignore: of any number of processes (a
leader and the one taking over from it, a restarted one) exactly one inserts it, and only
that one acts. Nothing in memory is trusted for this.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatops.model import Identity, Risk, frozen_map
from chatops.schedules.model import (
    TRANSITIONS,
    Change,
    FiringState,
    IllegalScheduleMove,
    Person,
    Schedule,
    ScheduleState,
)
from chatops.schedules.timing import Timing
from chatops.storage import Database, Migration, StoreSchema, migrate, open_database

SCHEDULE_SCHEMA = StoreSchema("schedules", (
    Migration(1, "schedules, their changes and firings", (
        """CREATE TABLE IF NOT EXISTS schedules (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    runbook TEXT NOT NULL,
    risk TEXT NOT NULL,
    raw_slots TEXT NOT NULL,
    timing TEXT NOT NULL,
    requester TEXT NOT NULL,
    identity TEXT NOT NULL,
    approvers TEXT NOT NULL DEFAULT '[]',
    digest TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT,
    proposal TEXT NOT NULL,
    next_at REAL,
    last_run TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL{insertion_order}
)""",
        "CREATE INDEX IF NOT EXISTS schedules_due ON schedules(state, next_at)",
        """CREATE TABLE IF NOT EXISTS schedule_changes (
    run_id TEXT PRIMARY KEY,
    schedule_id TEXT NOT NULL,
    change TEXT NOT NULL,
    created_at REAL NOT NULL
)""",
        """CREATE TABLE IF NOT EXISTS schedule_firings (
    schedule_id TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    phase TEXT NOT NULL,
    state TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at REAL NOT NULL,
    run_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule_id, due_at)
)""",
    )),
))
"""The schedule store's tables."""

_FIRING_COLUMNS = ("schedule_id", "due_at", "phase", "state", "claimed_by", "claimed_at")

CLAIM_STALE_AFTER = 300.0
"""Seconds after which a firing still `claimed` without a run is looked at by the sweep.

Between its claim and its run (or another outcome) a firing only re-reads the policy,
renders and dry-runs its plan: seconds, and each Kubernetes call is bounded by the client's
request timeout (under a minute). Five minutes is several times the slowest such start,
so a claim this old has lost its process, not just a slow cluster; the sweep also asks
that its worker's heartbeat be gone (`chatops.runs.workers`), so a live replica keeps it."""


@dataclass(frozen=True)
class Claim:
    """A firing claimed and not settled: whose it is and since when."""

    schedule_id: str
    due_at: float
    phase: str
    claimed_by: str
    claimed_at: float


def _decode(row: Any) -> Schedule:
    ident = json.loads(row["identity"])
    return Schedule(
        id=row["id"], state=ScheduleState(row["state"]), runbook=row["runbook"],
        risk=Risk(row["risk"]), raw_slots=frozen_map(json.loads(row["raw_slots"])),
        timing=Timing.from_json(json.loads(row["timing"])),
        requester=Person.from_json(json.loads(row["requester"])),
        identity=Identity(ident["user"], tuple(ident["groups"])),
        approvers=tuple(Person.from_json(p) for p in json.loads(row["approvers"])),
        digest=row["digest"], channel=row["channel"], thread=row["thread"],
        proposal=row["proposal"], next_at=row["next_at"], last_run=row["last_run"],
        created_at=row["created_at"], updated_at=row["updated_at"], note=row["note"])


class ScheduleStore:
    """Schedules, their pending changes and their firings, on the runs' database."""

    def __init__(self, path: str | Path | Database, *,
                 clock: Callable[[], float] = time.time) -> None:
        """Open (creating or migrating) the schedule tables at `path`: an SQLite file, a
        `postgresql://` URL, or a `Database` already open (the run store's)."""
        self.clock = clock
        self.database = open_database(path)
        migrate(self.database, SCHEDULE_SCHEMA)

    def create(self, *, runbook: str, risk: Risk, raw_slots: Mapping[str, str],
               timing: Timing, requester: Person, identity: Identity, digest: str,
               channel: str, thread: str | None, proposal: str) -> Schedule:
        """A new `proposed` schedule, to be activated by approving run `proposal`."""
        now = self.clock()
        schedule_id = f"s-{uuid.uuid4().hex[:8]}"
        row = {
            "id": schedule_id, "state": ScheduleState.PROPOSED.value, "runbook": runbook,
            "risk": risk.value, "raw_slots": json.dumps(dict(raw_slots), sort_keys=True),
            "timing": json.dumps(timing.to_json(), sort_keys=True),
            "requester": json.dumps(requester.to_json(), sort_keys=True),
            "identity": json.dumps({"user": identity.user, "groups": list(identity.groups)}),
            "approvers": "[]", "digest": digest, "channel": channel, "thread": thread,
            "proposal": proposal, "created_at": now, "updated_at": now}
        marks = self.database.dialect.marks(len(row))
        with self.database.tx() as db:
            db.execute(f"INSERT INTO schedules ({', '.join(row)}) VALUES ({marks})",  # noqa: S608
                       tuple(row.values()))
        self.link(proposal, schedule_id, Change.ACTIVATE)
        created = self.get(schedule_id)
        assert created is not None
        return created

    def get(self, schedule_id: str) -> Schedule | None:
        """The schedule with `schedule_id`, or None."""
        row = self.database.conn().execute("SELECT * FROM schedules WHERE id = ?",
                                           (schedule_id,)).fetchone()
        return _decode(row) if row is not None else None

    def live(self, limit: int = 50) -> list[Schedule]:
        """Proposed, active and paused schedules, oldest first."""
        order = self.database.dialect.insertion_order
        rows = self.database.conn().execute(
            f"SELECT * FROM schedules WHERE state IN (?, ?, ?) "  # noqa: S608
            f"ORDER BY created_at, {order} LIMIT ?",
            (ScheduleState.PROPOSED.value, ScheduleState.ACTIVE.value,
             ScheduleState.PAUSED.value, limit)).fetchall()
        return [_decode(r) for r in rows]

    def due(self, now: float, limit: int = 50) -> list[Schedule]:
        """Active schedules whose next firing is at or before `now`."""
        rows = self.database.conn().execute(
            "SELECT * FROM schedules WHERE state = ? AND next_at IS NOT NULL AND next_at <= ? "
            "ORDER BY next_at LIMIT ?", (ScheduleState.ACTIVE.value, now, limit)).fetchall()
        return [_decode(r) for r in rows]

    def transition(self, schedule_id: str, from_states: tuple[ScheduleState, ...],
                   to_state: ScheduleState, **fields: Any) -> bool:
        """Move the schedule to `to_state` only if it is in one of `from_states`: True for
        exactly one of any number of concurrent callers."""
        for state in from_states:
            if to_state not in TRANSITIONS[state]:
                raise IllegalScheduleMove(f"a schedule can't go from {state} to {to_state}")
        sets = {"state": to_state.value, "updated_at": self.clock(), **_columns(fields)}
        marks = self.database.dialect.marks(len(from_states))
        with self.database.tx() as db:
            cur = db.execute(
                f"UPDATE schedules SET {', '.join(f'{k} = ?' for k in sets)} "  # noqa: S608
                f"WHERE id = ? AND state IN ({marks})",
                (*sets.values(), schedule_id, *(s.value for s in from_states)))
            return cur.rowcount == 1

    def advance(self, schedule_id: str, was: float | None, next_at: float | None) -> bool:
        """Set the next firing, only if it is still `was` (another process advanced it
        otherwise); True when this call did."""
        eq = self.database.dialect.null_safe_eq
        with self.database.tx() as db:
            cur = db.execute(
                f"UPDATE schedules SET next_at = ?, updated_at = ? "  # noqa: S608
                f"WHERE id = ? AND next_at {eq} ?",
                (next_at, self.clock(), schedule_id, was))
            return cur.rowcount == 1

    def update(self, schedule_id: str, **fields: Any) -> None:
        """Change non-state columns (the bound digest, the last run, a note)."""
        sets = {"updated_at": self.clock(), **_columns(fields)}
        with self.database.tx() as db:
            db.execute(f"UPDATE schedules SET {', '.join(f'{k} = ?' for k in sets)} "  # noqa: S608
                       "WHERE id = ?", (*sets.values(), schedule_id))

    def link(self, run_id: str, schedule_id: str, change: Change) -> None:
        """Say that approving proposed run `run_id` makes `change` to the schedule."""
        with self.database.tx() as db:
            db.execute(self.database.dialect.insert_or_ignore(
                "schedule_changes", ("run_id", "schedule_id", "change", "created_at")),
                (run_id, schedule_id, change.value, self.clock()))

    def proposed(self) -> list[Schedule]:
        """Every schedule still waiting for the approval of its proposal."""
        rows = self.database.conn().execute("SELECT * FROM schedules WHERE state = ?",
                                            (ScheduleState.PROPOSED.value,)).fetchall()
        return [_decode(r) for r in rows]

    def proposals_of(self, schedule_id: str, change: Change) -> list[str]:
        """The proposed runs that would make `change` to the schedule, newest first (some
        may be decided or expired by now: the run store says)."""
        rows = self.database.conn().execute(
            "SELECT run_id FROM schedule_changes WHERE schedule_id = ? AND change = ? "
            "ORDER BY created_at DESC", (schedule_id, change.value)).fetchall()
        return [str(r["run_id"]) for r in rows]

    def change_of(self, run_id: str) -> tuple[Schedule, Change] | None:
        """The schedule and change a proposed run stands for, or None (an ordinary run)."""
        row = self.database.conn().execute(
            "SELECT schedule_id, change FROM schedule_changes WHERE run_id = ?",
            (run_id,)).fetchone()
        if row is None:
            return None
        schedule = self.get(row["schedule_id"])
        return (schedule, Change(row["change"])) if schedule is not None else None

    def claim(self, schedule_id: str, due_at: float, phase: str, owner: str) -> bool:
        """Take the firing (schedule, due time): True for exactly one caller, ever."""
        with self.database.tx() as db:
            cur = db.execute(
                self.database.dialect.insert_or_ignore("schedule_firings", _FIRING_COLUMNS),
                (schedule_id, int(due_at), phase, FiringState.CLAIMED.value, owner,
                 self.clock()))
            return cur.rowcount == 1

    def settle(self, schedule_id: str, due_at: float, state: FiringState, *,
               run_id: str | None = None, detail: str = "") -> bool:
        """Record how a claimed firing ended, only while it is still `claimed`: True for
        exactly one caller (its process, or the sweep of a claim whose process is gone)."""
        with self.database.tx() as db:
            cur = db.execute("UPDATE schedule_firings SET state = ?, run_id = ?, detail = ? "
                             "WHERE schedule_id = ? AND due_at = ? AND state = ?",
                             (state.value, run_id, detail, schedule_id, int(due_at),
                              FiringState.CLAIMED.value))
            return cur.rowcount == 1

    def stale_claims(self, before: float, limit: int = 100) -> list[Claim]:
        """Firings claimed before `before` and still not settled, oldest first."""
        rows = self.database.conn().execute(
            "SELECT schedule_id, due_at, phase, claimed_by, claimed_at FROM schedule_firings "
            "WHERE state = ? AND run_id IS NULL AND claimed_at < ? ORDER BY claimed_at LIMIT ?",
            (FiringState.CLAIMED.value, before, limit)).fetchall()
        return [Claim(str(r["schedule_id"]), float(r["due_at"]), str(r["phase"]),
                      str(r["claimed_by"]), float(r["claimed_at"])) for r in rows]

    def firing_of(self, run_id: str) -> float | None:
        """The due time of the firing settled with `run_id` (a drifted firing's proposal)."""
        row = self.database.conn().execute(
            "SELECT due_at FROM schedule_firings WHERE run_id = ?", (run_id,)).fetchone()
        return float(row["due_at"]) if row is not None else None

    def firings(self, schedule_id: str) -> list[dict[str, Any]]:
        """The schedule's firings, oldest first (for lists and tests)."""
        rows = self.database.conn().execute(
            "SELECT * FROM schedule_firings WHERE schedule_id = ? ORDER BY due_at",
            (schedule_id,)).fetchall()
        return [{key: r[key] for key in r.keys()} for r in rows]  # noqa: SIM118


_WRITABLE = frozenset({"approvers", "digest", "next_at", "last_run", "note", "identity"})


def _columns(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - _WRITABLE
    if unknown:
        raise ValueError(f"not a writable column of schedules: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "approvers":
            out[key] = json.dumps([p.to_json() for p in value], sort_keys=True)
        elif key == "identity":
            out[key] = json.dumps({"user": value.user, "groups": list(value.groups)})
        else:
            out[key] = value
    return out
