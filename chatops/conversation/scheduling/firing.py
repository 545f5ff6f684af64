"""Firing: what is due at `now`, each firing claimed once across processes, checked again
(lateness, policy, freeze, drift) and run, with a window's end and a rollback; and the
sweep of firings claimed by a replica that stopped."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from chatops.audit.records import Proposed, ScheduleBlocked, ScheduleChanged, ScheduleFired
from chatops.conversation.base import run_thread
from chatops.conversation.planning import binding
from chatops.conversation.scheduling.base import SchedulePart
from chatops.errors import ChatOpsError
from chatops.messages.schedules import (
    claim_interrupted_text,
    drifted_text,
    end_in_freeze_text,
    fired_note_text,
    firing_error_text,
    firing_failed_text,
    frozen_text,
    may_not_ask_for_reason,
    missed_text,
    nothing_to_end_text,
    policy_blocked_text,
    rolling_back_text,
    start_may_have_acted_text,
    when_text,
)
from chatops.model import Plan
from chatops.policy.freeze import Freeze
from chatops.replies import Reply
from chatops.runbook.render import undo_slots
from chatops.runs import Run, RunState
from chatops.runs.workers import STALE_AFTER
from chatops.schedules import (
    CLAIM_STALE_AFTER,
    Change,
    Firing,
    FiringState,
    Schedule,
    ScheduleState,
    TimingError,
)

log = logging.getLogger(__name__)

MAX_CATCH_UP = 500
"""At most this many firings that came due while no bot ran are looked at per schedule."""


@dataclass(frozen=True)
class Posting:
    """A reply a firing sends on its own initiative, to the schedule's channel and thread."""

    channel: str
    thread: str | None
    reply: Reply


class ScheduleFiring(SchedulePart):
    """The leader's firings of due schedules."""

    def fire(self, now: float) -> list[Posting]:
        """Fire what is due at `now` (the leader's work); what to post where. Proposed
        schedules whose proposal was denied, cancelled or has expired are marked cancelled
        here too, within a turn of the loop (a proposed schedule never fires either way)."""
        for proposed in self.store.proposed():
            self._lapsed(proposed)
        postings = self._sweep_claims()
        for schedule in self.store.due(now):
            try:
                postings += self._fire_schedule(schedule, now)
            except Exception:
                log.exception("schedule %s failed to fire", schedule.id)
        return postings

    def _sweep_claims(self) -> list[Posting]:
        """Firings claimed more than `CLAIM_STALE_AFTER` ago by a worker that is gone (no
        heartbeat), without a run: settled `interrupted` (conditionally, so a process that
        wakes up can no longer settle them as run), audited and said in the thread. They
        are never run late: whether a change meant for then still makes sense is a
        person's call."""
        worker = self.parts.worker
        postings: list[Posting] = []
        # Against the clock claims are stamped with (`now` may be a firing time passed in).
        for claim in self.store.stale_claims(self.parts.clock() - CLAIM_STALE_AFTER):
            if worker.alive(claim.claimed_by, STALE_AFTER):
                continue
            detail = f"claimed by {claim.claimed_by}, which stopped before running it"
            if not self.store.settle(claim.schedule_id, claim.due_at, FiringState.INTERRUPTED,
                                     detail=detail):
                continue
            self.parts.audit.record(ScheduleBlocked(
                claim.schedule_id, claim.due_at, "interrupted",
                {"phase": claim.phase, "claimed_by": claim.claimed_by,
                 "claimed_seconds_ago": round(self.parts.clock() - claim.claimed_at)}))
            schedule = self.store.get(claim.schedule_id)
            if schedule is not None:
                when = when_text(claim.due_at, schedule.timing.zone)
                postings.append(self._post(schedule, Reply(
                    "notice", claim_interrupted_text(schedule.id, when))))
        return postings

    def _fire_schedule(self, schedule: Schedule, now: float) -> list[Posting]:
        assert schedule.next_at is not None
        due = [f for f in schedule.timing.firings(schedule.next_at - 1, MAX_CATCH_UP)
               if f.at <= now]
        later = schedule.timing.firings(now, 1)
        # Advance first, conditionally: whoever advances or not, the claims below decide.
        self.store.advance(schedule.id, schedule.next_at, later[0].at if later else None)
        postings: list[Posting] = []
        superseded = [f for f in due[:-1] if f.phase == "run"]
        if superseded:
            postings += self._missed(schedule, superseded, now, report=False)
        for firing in [f for f in due if f not in superseded]:
            postings += self._fire_one(schedule, firing, now)
            schedule = self.store.get(schedule.id) or schedule
            if schedule.state is not ScheduleState.ACTIVE:
                break
        if not later and self.store.transition(schedule.id, (ScheduleState.ACTIVE,),
                                               ScheduleState.DONE):
            self.parts.audit.record(ScheduleChanged(schedule.id, "done", "scheduler"))
        return postings

    def _post(self, schedule: Schedule, reply: Reply) -> Posting:
        return Posting(schedule.channel, schedule.thread, reply)

    def _missed(self, schedule: Schedule, firings: Sequence[Firing], now: float, *,
                report: bool = True) -> list[Posting]:
        """Firings too late to run: claimed (so nobody runs them later), recorded, and
        reported once for the lot."""
        taken = [f for f in firings if self.store.claim(schedule.id, f.at, f.phase,
                                                        self.parts.worker.worker_id)]
        for firing in taken:
            self.store.settle(schedule.id, firing.at, FiringState.MISSED,
                              detail=f"{now - firing.at:.0f}s late")
            self.parts.audit.record(ScheduleBlocked(schedule.id, firing.at, "missed",
                                                    {"late_seconds": round(now - firing.at)}))
        if not taken or not report:
            return []
        when = when_text(taken[-1].at, schedule.timing.zone)
        return [self._post(schedule, Reply("notice", missed_text(schedule.id, when,
                                                                 len(taken))))]

    def _fire_one(self, schedule: Schedule, firing: Firing, now: float) -> list[Posting]:
        if not self.store.claim(schedule.id, firing.at, firing.phase,
                                self.parts.worker.worker_id):
            return []  # another process (or an earlier turn) has it
        try:
            return self._fire_claimed(schedule, firing, now)
        except Exception:
            # Only the sweep settles a claim left behind, and only a dead process's: without
            # this a bug in a live one would leave the firing `claimed` forever.
            return self._internal_error(schedule, firing)

    def _internal_error(self, schedule: Schedule, firing: Firing) -> list[Posting]:
        """A claimed firing stopped by a bug (not a refusal): logged with its traceback under
        a reference, settled `interrupted` so it is never run late, audited and said once in
        the schedule's thread, without the error's text. A firing whose run had already
        started keeps its outcome (`ran`); the thread still hears that something broke."""
        ref = uuid.uuid4().hex[:8]
        log.exception("schedule %s: its firing at %s failed with an internal error "
                      "(reference %s)", schedule.id, firing.at, ref)
        when = when_text(firing.at, schedule.timing.zone)
        if self.store.settle(schedule.id, firing.at, FiringState.INTERRUPTED,
                             detail=f"internal error (reference {ref})"):
            self.parts.audit.record(ScheduleBlocked(
                schedule.id, firing.at, "interrupted",
                {"phase": firing.phase, "error": "internal", "reference": ref}))
        return [self._post(schedule, Reply("notice", firing_error_text(schedule.id, when,
                                                                       ref)))]

    def _fire_claimed(self, schedule: Schedule, firing: Firing, now: float) -> list[Posting]:
        """The checks and the run of a firing this process has claimed."""
        when = when_text(firing.at, schedule.timing.zone)
        if now - firing.at > self.parts.config.schedule_grace:
            self.store.settle(schedule.id, firing.at, FiringState.MISSED,
                              detail=f"{now - firing.at:.0f}s late")
            self.parts.audit.record(ScheduleBlocked(schedule.id, firing.at, "missed",
                                                    {"late_seconds": round(now - firing.at)}))
            return [self._post(schedule, Reply("notice", missed_text(schedule.id, when, 1)))]
        blocked = self._policy_block(schedule)
        if blocked is not None:
            return self._blocked_by_policy(schedule, firing, when, blocked)
        freeze = self.parts.policy.frozen_at(now)
        # A window's end is not held by a freeze: its start ran (else there is nothing to
        # end), so the freeze began or was written after it, and the end puts the target
        # back the way it was approved to be. Everything else is checked as usual.
        if freeze is not None and firing.phase != "end":
            self.store.settle(schedule.id, firing.at, FiringState.BLOCKED, detail="freeze")
            self.parts.audit.record(ScheduleBlocked(schedule.id, firing.at, "freeze",
                                                    {"freeze": freeze.reason}))
            return [self._post(schedule, Reply("notice", frozen_text(schedule.id, when,
                                                                     freeze.reason)))]
        try:
            return self._run_firing(schedule, firing, when, freeze)
        except (ChatOpsError, TimingError) as exc:
            text = getattr(exc, "message", str(exc))
            self.store.settle(schedule.id, firing.at, FiringState.BLOCKED, detail=text)
            self.parts.audit.record(ScheduleBlocked(schedule.id, firing.at, "failed",
                                                    {"error": text}))
            return [self._post(schedule, Reply("notice", firing_failed_text(schedule.id, when,
                                                                            text)))]

    def _blocked_by_policy(self, schedule: Schedule, firing: Firing, when: str,
                           reason: str) -> list[Posting]:
        self.store.settle(schedule.id, firing.at, FiringState.BLOCKED, detail=reason)
        self.parts.audit.record(ScheduleBlocked(schedule.id, firing.at, "policy",
                                                {"reason": reason}))
        if self.store.transition(schedule.id, (ScheduleState.ACTIVE,), ScheduleState.PAUSED,
                                 note=reason):
            self.parts.audit.record(ScheduleChanged(schedule.id, "paused", "scheduler",
                                                    reason))
        return [self._post(schedule, Reply("notice", policy_blocked_text(schedule.id, when,
                                                                         reason)))]

    def _run_firing(self, schedule: Schedule, firing: Firing, when: str,
                    freeze: Freeze | None = None) -> list[Posting]:
        identity = schedule.identity
        if firing.phase == "end":
            return self._end_window(schedule, firing, when, freeze)
        runbook = self.parts.catalogue.get(schedule.runbook)
        plan = self.planner.render(runbook, schedule.raw_slots, identity)
        preview = [p.to_json() for p in self.planner.preview(plan, identity)]
        if binding(plan, preview) != schedule.digest:
            return self._drifted(schedule, firing, when, plan, preview)
        run = self._execute(schedule, firing, plan, preview, dict(schedule.raw_slots),
                            when=when, undo_of=None)
        self.store.update(schedule.id, last_run=run.id)
        postings = [self._post(schedule, self.presenter.reply("result", run.id))]
        done = self.parts.run(run.id)
        self._bind_after_run(schedule, run.id)
        if (done.state is RunState.FAILED and runbook.rollback_on_failure
                and plan.undo is not None):
            postings += self._roll_back(schedule, firing, when, done, plan)
        return postings

    def _execute(self, schedule: Schedule, firing: Firing, plan: Plan,
                 preview: list[dict[str, object]], values: dict[str, str], *, when: str,
                 undo_of: str | None, rollback: bool = False,
                 freeze: Freeze | None = None) -> Run:
        """Run `plan` as the schedule's requester on the schedule's approvals (the run needs
        none of its own), and settle the firing with it. A firing the sweep settled
        meanwhile (this process was taken for dead) is not run: its run is cancelled."""
        approvers = [p.name for p in schedule.approvers]
        run = self._propose(schedule.requester, plan, preview, values,
                            [fired_note_text(schedule.id, when, approvers)],
                            where=(schedule.channel, schedule.thread), needed=0,
                            identity=schedule.identity)
        if undo_of is not None:
            self.parts.store.update(run.id, undo_of=undo_of)
        if not rollback and not self.store.settle(schedule.id, firing.at, FiringState.RAN,
                                                  run_id=run.id):
            log.warning("schedule %s: the firing at %s was settled elsewhere; not run",
                        schedule.id, when)
            self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.CANCELLED,
                                        result={"text": "its firing was settled elsewhere"})
            return self.parts.run(run.id)
        phase = "rollback" if rollback else firing.phase
        self.parts.audit.record(ScheduleFired(schedule.id, firing.at, phase, approvers,
                                              freeze.reason if freeze else ""),
                                actor="scheduler", run_id=run.id, thread=run_thread(run))
        if self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.APPROVED):
            self.runner.execute(run.id, plan, None)
        return self.parts.run(run.id)

    def _drifted(self, schedule: Schedule, firing: Firing, when: str, plan: Plan,
                 preview: list[dict[str, object]]) -> list[Posting]:
        needed = self.parts.policy.approvals_needed(self._risk(schedule))
        run = self._propose(schedule.requester, plan, preview, dict(schedule.raw_slots),
                            [drifted_text(schedule.id, when, "this plan")],
                            where=(schedule.channel, schedule.thread), needed=needed,
                            identity=schedule.identity)
        self.store.link(run.id, schedule.id, Change.REBIND)
        self.parts.audit.record(Proposed(plan.digest, needed, preview), actor="scheduler",
                                run_id=run.id, thread=run_thread(run))
        self.parts.audit.record(ScheduleBlocked(schedule.id, firing.at, "drift",
                                                {"approved": schedule.digest,
                                                 "now": run.digest, "run_id": run.id}),
                                run_id=run.id)
        self.store.settle(schedule.id, firing.at, FiringState.DRIFTED, run_id=run.id)
        return [self._post(schedule, self.presenter.reply("plan", run.id)),
                self._post(schedule, Reply("notice", drifted_text(schedule.id, when,
                                                                  run.id)))]

    def _end_window(self, schedule: Schedule, firing: Firing, when: str,
                    freeze: Freeze | None = None) -> list[Posting]:
        start = self.parts.store.get(schedule.last_run) if schedule.last_run else None
        skipped = self._not_to_end(schedule, start, when)
        if skipped is not None:
            detail, text = skipped
            self.store.settle(schedule.id, firing.at, FiringState.SKIPPED, detail=detail)
            return [self._post(schedule, Reply("notice", text))]
        assert start is not None
        started = Plan.from_record(start.plan)
        assert started.undo is not None
        undo_runbook = self.parts.catalogue.get(started.undo.runbook)
        slots = undo_slots(started, start.before)
        if not self.parts.policy.may_request(self._person(schedule.requester,
                                                          schedule.channel),
                                             undo_runbook.risk):
            return self._blocked_by_policy(schedule, firing, when,
                                           may_not_ask_for_reason(schedule.requester.name,
                                                                  undo_runbook.name))
        plan = self.planner.render(undo_runbook, slots, schedule.identity)
        preview = [p.to_json() for p in self.planner.preview(plan, schedule.identity)]
        run = self._execute(schedule, firing, plan, preview, slots, when=when,
                            undo_of=start.id, freeze=freeze)
        postings = [self._post(schedule, self.presenter.reply("result", run.id))]
        if freeze is not None:
            postings.append(self._post(schedule, Reply("notice", end_in_freeze_text(
                schedule.id, when, freeze.reason, undo_runbook.name))))
        return postings

    def _not_to_end(self, schedule: Schedule, start: Run | None,
                    when: str) -> tuple[str, str] | None:
        """Why a window's end reverses nothing (the firing's detail and the thread's
        notice), or None when it reverses its start. A start that took a step is reversed
        even if its verification failed (its change is in the cluster), unless a rollback
        or someone's `undo` already did: reversing again would overwrite whatever the
        target became since. A start that may have acted (interrupted, or its step timed
        out) is left to a person: the end does not guess."""
        if start is None or not start.reached_the_cluster():
            return "the start did not run", nothing_to_end_text(schedule.id, when)
        undone = next((run for run in self.parts.store.undos_of(start.id)
                       if run.took_a_step()), None)
        if undone is not None:
            return (f"the start was reversed by {undone.id}",
                    nothing_to_end_text(schedule.id, when, reversed_by=undone.id))
        if not start.took_a_step():
            return ("the start may have acted",
                    start_may_have_acted_text(schedule.id, when, start.id))
        return None

    def _roll_back(self, schedule: Schedule, firing: Firing, when: str, failed: Run,
                   plan: Plan) -> list[Posting]:
        """Verification failed and the runbook says to roll back: its undo, at once."""
        assert plan.undo is not None
        undo_runbook = self.parts.catalogue.get(plan.undo.runbook)
        undo = self.planner.render(undo_runbook, undo_slots(plan, failed.before),
                                   schedule.identity)
        preview = [p.to_json() for p in self.planner.preview(undo, schedule.identity)]
        notice = self._post(schedule, Reply("notice", rolling_back_text(failed.id,
                                                                        undo_runbook.name)))
        run = self._execute(schedule, firing, undo, preview,
                            {k: str(v) for k, v in undo.slots.items()}, when=when,
                            undo_of=failed.id, rollback=True)
        return [notice, self._post(schedule, self.presenter.reply("result", run.id))]
