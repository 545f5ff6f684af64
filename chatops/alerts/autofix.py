"""Guarded automatic remediation: an alert rule with `auto: true` runs its write runbook
without a click, in its named namespaces only, as its own identity, at most `max_per_hour`
times per target, and only proposes for a target whose automatic run failed.

A *target* is the runbook and its slot values (`restart_deployment namespace=dev
deployment=api`). `AutoFixStore.begin` decides, in one locked transaction, whether this
alert may run it now: each alert's fix is claimed once by its key (the alert thread and
fingerprint), so a post retried by another replica never runs it twice; the target's runs
of the last hour are counted against the limit; a demoted target is refused. The run itself
is stored like a proposal and moved `proposed -> approved -> running` by conditional
transitions, as every run is, and executed on a worker thread so that a long verification
(a rollout that takes minutes) does not hold up the alert outbox. How it ended is posted in
the alert thread (with an Undo button when the runbook has an undo), and a failed run
demotes the target, in the database: a restart keeps it demoted, and only an operator
lifts it (`chatops autofix restore RULE TARGET`, audited `AutoFixRestored`). Everything is
audited (`AutoFixRan`, `AutoFixHeld`, `AutoFixDemoted`) and counted
(`chatops_auto_fixes{outcome}`).

Only the Lease holder pumps the outbox, so only it starts automatic fixes; a run it started
finishes even if it loses the Lease (as an approved run would). The approved run is owned
by the process that approved it while it waits for the worker: a process that dies before
running it, or mid-run, leaves it `approved` or `running` for the orphan sweep to mark
interrupted (the sweep's conditional move and `approved -> running` exclude each other, so
it runs at most once).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from chatops.alerts.auto_rules import AutoFix
from chatops.alerts.ports import AlertPorts
from chatops.alerts.rules import AlertRule
from chatops.alerts.store import AlertStore
from chatops.audit.records import AutoFixDemoted, AutoFixHeld, AutoFixRan
from chatops.errors import SlotError
from chatops.messages import (
    auto_already_text,
    auto_demoted_held_text,
    auto_note_text,
    auto_rate_limited_text,
    auto_result_text,
    auto_started_text,
)
from chatops.metrics import METRICS
from chatops.model import Plan
from chatops.runbook.render import validate_slots
from chatops.runbook.schema import Runbook
from chatops.runs.model import RunState
from chatops.storage import Database, Migration, StoreSchema, migrate, open_database

log = logging.getLogger(__name__)

ACTOR = "chatops:auto"
"""Who the audit log names as the actor of automatic fixes (no person clicked)."""
HOUR = 3600.0
UNDO_CHOICE = "undo"
"""The button under a fix that has an undo: clicking it says `undo` in the thread."""

SCHEMA = StoreSchema("autofix", (
    Migration(1, "automatic fixes: runs per target and demoted targets", (
        """CREATE TABLE IF NOT EXISTS auto_fixes (
    key TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    rule TEXT NOT NULL,
    run_id TEXT,
    created_at REAL NOT NULL
)""",
        "CREATE INDEX IF NOT EXISTS auto_fixes_target ON auto_fixes(target, created_at)",
        """CREATE TABLE IF NOT EXISTS auto_demotions (
    target TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    run_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at REAL NOT NULL
)""",
    )),
))
"""The automatic-fix store's tables, oldest version first."""


def target_of(runbook: str, slots: Mapping[str, str]) -> str:
    """The target of a fix: the runbook and its slot values, in a stable order."""
    return " ".join([runbook, *(f"{k}={v}" for k, v in sorted(slots.items()))])


def canonical_slots(runbook: Runbook, slots: Mapping[str, str]) -> dict[str, str]:
    """`slots` as the run reads them (names trimmed and lower-cased): one target has one
    spelling, so `Checkout` in a label shares `checkout`'s limit and demotion. Values that
    don't parse are kept as they are (planning refuses them)."""
    try:
        typed = validate_slots(runbook, slots)
    except SlotError:
        return dict(slots)
    return {name: str(typed[name]) for name in slots}


@dataclass(frozen=True)
class Decision:
    """What `begin` decided: `go` (claimed: run it), `done` (this alert's fix was claimed
    before), `rate_limit` or `demoted` (propose instead), with the facts of the reason."""

    verdict: Literal["go", "done", "rate_limit", "demoted"]
    runs: int = 0
    run_id: str | None = None


class AutoFixStore:
    """Automatic runs per target and demoted targets, in the state database."""

    def __init__(self, path: str | Path | Database, *,
                 clock: Callable[[], float] = time.time) -> None:
        """Open (creating or migrating) the tables at `path` or in an open `Database`."""
        self.clock = clock
        self.database: Database = open_database(path)
        migrate(self.database, SCHEMA)

    def begin(self, key: str, target: str, rule: str, limit: int) -> Decision:
        """Claim this alert's fix on `target` if it may run now (one transaction, under the
        target's lock: two replicas never both pass the limit)."""
        since = self.clock() - HOUR
        with self.database.tx(lock=f"chatops:autofix:{target}") as db:
            done = db.execute("SELECT run_id FROM auto_fixes WHERE key = ?", (key,)).fetchone()
            if done is not None:
                return Decision("done", run_id=done["run_id"])
            demoted = db.execute("SELECT run_id FROM auto_demotions WHERE target = ?",
                                 (target,)).fetchone()
            if demoted is not None:
                return Decision("demoted", run_id=demoted["run_id"])
            runs = int(db.execute(
                "SELECT COUNT(*) AS n FROM auto_fixes WHERE target = ? AND created_at > ? "
                "AND run_id IS NOT NULL", (target, since)).fetchone()["n"])
            if runs >= limit:
                return Decision("rate_limit", runs=runs)
            db.execute("INSERT INTO auto_fixes (key, target, rule, run_id, created_at) "
                       "VALUES (?, ?, ?, NULL, ?)", (key, target, rule, self.clock()))
            return Decision("go", runs=runs)

    def started(self, key: str, run_id: str) -> None:
        """The claimed fix became run `run_id` (from now on it counts against the limit)."""
        with self.database.tx() as db:
            db.execute("UPDATE auto_fixes SET run_id = ? WHERE key = ?", (run_id, key))

    def demote(self, target: str, rule: str, run_id: str, reason: str) -> bool:
        """Only propose on `target` from now on; False when it was demoted already."""
        sql = self.database.dialect.insert_or_ignore(
            "auto_demotions", ("target", "rule", "run_id", "reason", "created_at"))
        with self.database.tx() as db:
            return bool(db.execute(sql, (target, rule, run_id, reason,
                                         self.clock())).rowcount == 1)

    def demoted(self, target: str) -> str | None:
        """The failed run that demoted `target`, or None."""
        row = self.database.conn().execute(
            "SELECT run_id FROM auto_demotions WHERE target = ?", (target,)).fetchone()
        return str(row["run_id"]) if row is not None else None

    def restore(self, target: str) -> bool:
        """Let `target` run automatically again (an operator fixed what failed)."""
        with self.database.tx() as db:
            return bool(db.execute("DELETE FROM auto_demotions WHERE target = ?",
                                   (target,)).rowcount)

    def demotions(self) -> list[Demotion]:
        """Every demoted target, oldest first."""
        rows = self.database.conn().execute(
            "SELECT target, rule, run_id, reason, created_at FROM auto_demotions "
            "ORDER BY created_at, target").fetchall()
        return [_demotion(row) for row in rows]

    def lift(self, rule: str, target: str) -> Demotion | None:
        """Lift `rule`'s demotion on `target` (`chatops autofix restore`): the demotion
        lifted, or None when `rule` has none there (nothing changes then)."""
        with self.database.tx(lock=f"chatops:autofix:{target}") as db:
            row = db.execute("SELECT target, rule, run_id, reason, created_at FROM "
                             "auto_demotions WHERE target = ? AND rule = ?",
                             (target, rule)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM auto_demotions WHERE target = ? AND rule = ?",
                       (target, rule))
            return _demotion(row)


@dataclass(frozen=True)
class Demotion:
    """A target an alert rule only proposes for, since its automatic run `run_id` failed
    (`reason`: the run's end state) at `created_at`."""

    target: str
    rule: str
    run_id: str
    reason: str
    created_at: float


def _demotion(row: Any) -> Demotion:
    return Demotion(str(row["target"]), str(row["rule"]), str(row["run_id"]),
                    str(row["reason"]), float(row["created_at"]))


@dataclass(frozen=True)
class Attempt:
    """What `AutoFixer.attempt` did: `text` for the thread; `started` when a run was
    started now or before (no proposal then); otherwise the caller proposes as usual."""

    text: str
    started: bool


@dataclass(frozen=True)
class _Job:
    run_id: str
    rule: AlertRule
    target: str
    channel: str
    group: str


class AutoFixer:
    """Runs alert rules' automatic fixes; results are queued in the alert outbox."""

    def __init__(self, ports: AlertPorts, store: AutoFixStore, outbox: AlertStore) -> None:
        self.ports = ports
        self.store = store
        self.outbox = outbox
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

    def attempt(self, rule: AlertRule, auto: AutoFix, slots: Mapping[str, str], *,
                channel: str, thread: str, group: str, key: str) -> Attempt:
        """Start `rule`'s remediation on `slots` automatically if it may run now."""
        assert rule.remediation is not None
        runbook = rule.remediation
        slots = canonical_slots(self.ports.runbooks.get(runbook), slots)
        target = target_of(runbook, slots)
        decision = self.store.begin(key, target, rule.name, auto.max_per_hour)
        audit_thread = f"{channel}:{thread}"
        if decision.verdict == "done":
            return Attempt(auto_already_text(decision.run_id), True)
        if decision.verdict == "rate_limit":
            METRICS.auto_fixes.labels("held").inc()
            self.ports.audit.record(
                AutoFixHeld(rule.name, target, "rate_limit",
                            {"runs": decision.runs, "limit": auto.max_per_hour}),
                actor=ACTOR, thread=audit_thread)
            return Attempt(auto_rate_limited_text(runbook, decision.runs, auto.max_per_hour),
                           False)
        if decision.verdict == "demoted":
            METRICS.auto_fixes.labels("held").inc()
            self.ports.audit.record(
                AutoFixHeld(rule.name, target, "demoted", {"run": decision.run_id}),
                actor=ACTOR, thread=audit_thread)
            return Attempt(auto_demoted_held_text(runbook, str(decision.run_id), rule.name,
                                                  target), False)
        run_id, replies = self.ports.conversation.start_for_alert(
            runbook, slots, identity=auto.identity, channel=channel, thread=thread,
            actor=ACTOR, notes=[auto_note_text(rule.name)])
        if run_id is None:
            # Not planned (a label missing, a dry-run refused): people decide instead.
            return Attempt(" ".join(r.text for r in replies), False)
        self.store.started(key, run_id)
        METRICS.auto_fixes.labels("ran").inc()
        self.ports.audit.record(
            AutoFixRan(rule.name, runbook, target, auto.identity.user, auto.identity.groups,
                       "approved"), actor=ACTOR, run_id=run_id, thread=audit_thread)
        self._submit(_Job(run_id, rule, target, channel, group))
        return Attempt(auto_started_text(runbook, run_id, auto.identity, rule.name), True)

    def _submit(self, job: _Job) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="auto-fixes",
                                                daemon=True)
                self._worker.start()
        self._jobs.put(job)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                self.finish(job.run_id, job.rule, job.target, job.channel, job.group)
            except Exception:
                log.exception("automatic fix %s failed", job.run_id)

    def finish(self, run_id: str, rule: AlertRule, target: str, channel: str,
               group: str) -> RunState:
        """Execute the approved run, audit how it ended, demote the target when it failed,
        and queue the result in the alert thread (with Undo when the runbook has one)."""
        executed = self.ports.conversation.execute_approved(run_id)
        run = self.ports.runs.get(run_id)
        assert run is not None
        if not executed:
            # Not run here: the orphan sweep took it (it says so in the thread), or another
            # caller ran it and reports it. Nothing ran on this worker: no verdict, no demotion.
            log.warning("automatic fix %s was not executed here (it is %s)", run_id,
                        run.state.value)
            return run.state
        ok = run.state is RunState.SUCCEEDED
        thread = f"{run.channel}:{run.thread or 'main'}"
        self.ports.audit.record(
            AutoFixRan(rule.name, run.runbook, target, run.identity.user,
                       run.identity.groups, run.state.value),
            actor=ACTOR, run_id=run_id, thread=thread)
        if not ok:
            METRICS.auto_fixes.labels("failed").inc()
        if not ok and self.store.demote(target, rule.name, run_id, run.state.value):
            METRICS.auto_fixes.labels("demoted").inc()
            self.ports.audit.record(
                AutoFixDemoted(rule.name, target, run_id, run.state.value),
                actor=ACTOR, run_id=run_id, thread=thread)
        plan = Plan.from_record(run.plan)
        undo = plan.undo.runbook if plan.undo is not None and ok else None
        body: dict[str, object] = {"text": auto_result_text(run.runbook, run_id, ok, undo,
                                                            rule=rule.name, target=target),
                                   "run": run_id}
        if undo:
            body["choices"] = [UNDO_CHOICE]
        self.outbox.enqueue(channel, group, "work", body)
        return run.state

    def close(self) -> None:
        """Let the worker end after the job in hand (a run cut short is swept later)."""
        self._jobs.put(None)
