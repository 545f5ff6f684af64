"""Schedule changes: the approval hook that activates, resumes, deletes or re-binds a
schedule, the list, and pause (an immediate brake), resume and delete as asked in chat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from chatops.audit.records import Cancelled, Rejected, ScheduleBlocked, ScheduleChanged
from chatops.conversation.base import Turn, run_thread
from chatops.conversation.scheduling.base import SHOWN_FIRINGS, SchedulePart
from chatops.errors import Refusal
from chatops.messages.schedules import (
    NO_SCHEDULES,
    REQUESTER_MAY_NO_LONGER,
    SCHEDULE_ID_HINT,
    activated_text,
    cannot_change_text,
    change_asked_text,
    change_note_text,
    change_pending_text,
    deleted_text,
    how_to_stop_text,
    no_such_schedule_text,
    not_your_schedule_text,
    paused_text,
    policy_blocked_text,
    rebind_frozen_text,
    rebind_inactive_text,
    resume_only_by_requester_text,
    resumed_text,
    schedule_line_text,
    schedule_time_passed_text,
    schedules_text,
    timing_text,
    when_text,
)
from chatops.model import Plan
from chatops.replies import Reply
from chatops.runs import Asked, Run, RunState
from chatops.schedules import Change, Person, Schedule, ScheduleState, Timing


class ScheduleChanges(SchedulePart):
    """Schedules listed and changed in chat, and the approvals that change them."""

    def on_approved(self, run: Run, replan: Callable[[], Plan | list[Reply]]
                    ) -> list[Reply] | None:
        """A proposed run has its approvals: when it stands for a schedule change, make the
        change (activate, resume, delete) and say so; None for any other run (it runs, and
        a drifted firing's plan also re-binds its schedule)."""
        linked = self.store.change_of(run.id)
        if linked is None:
            return None
        schedule, change = linked
        if change is Change.DELETE:
            return self._approved_change(run, schedule, change)
        if change is Change.REBIND:
            refused = self._rebind_refused(run, schedule)
            if refused is not None:
                return refused
        checked = replan()
        if not isinstance(checked, Plan):
            return checked  # the plan changed since it was approved: approve it again
        run = self.parts.run(run.id)
        if change is Change.REBIND:
            self.store.update(schedule.id, digest=run.digest,
                              approvers=self._approvers(run))
            self.parts.audit.record(ScheduleChanged(schedule.id, "rebound", "approvers"),
                                    run_id=run.id, thread=run_thread(run))
            # It runs here, not in the caller, so that its own change is bound afterwards.
            if not self.parts.store.transition(run.id, (RunState.PROPOSED,),
                                               RunState.APPROVED):
                return []
            replies = self.runner.execute(run.id, checked, None)
            self._bind_after_run(schedule, run.id)
            return replies
        return self._approved_change(run, schedule, change)

    def _rebind_refused(self, run: Run, schedule: Schedule) -> list[Reply] | None:
        """The firing's checks again, at the moment a drifted firing's approved plan would
        run (approval may come hours after the firing): the schedule still active, the
        policy still allowing its requester (its approvers are the ones who just approved),
        and no freeze now. None when it may run; else the run is cancelled, said and
        audited, and nothing runs."""
        now = self.parts.clock()
        due = self.store.firing_of(run.id) or now
        fresh = self.store.get(schedule.id) or schedule
        approvers = self._approvers(run)
        if fresh.state is not ScheduleState.ACTIVE:
            reason, details = "inactive", {"state": fresh.state.value}
            text = rebind_inactive_text(fresh.id, run.id, fresh.state.value)
        elif (blocked := self._policy_block(replace(fresh, approvers=approvers))) is not None:
            reason, details = "policy", {"reason": blocked}
            text = policy_blocked_text(fresh.id, when_text(now, fresh.timing.zone), blocked)
            if self.store.transition(fresh.id, (ScheduleState.ACTIVE,), ScheduleState.PAUSED,
                                     note=blocked):
                self.parts.audit.record(ScheduleChanged(fresh.id, "paused", "scheduler",
                                                        blocked))
        elif (freeze := self.parts.policy.frozen_at(now)) is not None:
            reason, details = "freeze", {"freeze": freeze.reason}
            text = rebind_frozen_text(fresh.id, run.id, freeze.reason)
            # The plan is approved, only not now: the next firing runs it without asking.
            self.store.update(fresh.id, digest=run.digest, approvers=approvers)
            self.parts.audit.record(ScheduleChanged(fresh.id, "rebound", "approvers"),
                                    run_id=run.id, thread=run_thread(run))
        else:
            return None
        if not self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.CANCELLED,
                                           result={"text": text}):
            return []
        self.parts.audit.record(ScheduleBlocked(fresh.id, due, reason,
                                                {**details, "run_id": run.id}),
                                run_id=run.id, thread=run_thread(run))
        return [self.presenter.reply("update", run.id), Reply("notice", text)]

    def _approvers(self, run: Run) -> tuple[Person, ...]:
        # Approvers are mapped people (the policy lets no one else approve): their name is
        # how the policy finds them again at each firing.
        return tuple(Person(a.approver, a.approver_name, a.approver)
                     for a in self.parts.valid_approvals(run))

    def _approved_change(self, run: Run, schedule: Schedule, change: Change) -> list[Reply]:
        if change is not Change.DELETE and not schedule.timing.firings(self.parts.clock(), 1):
            # Approved after its only time (a second trial: "is active. Next firings: none
            # left", and the change never came): nothing is activated, and it says so.
            text = schedule_time_passed_text(schedule.id)
            if not self.parts.store.transition(run.id, (RunState.PROPOSED,),
                                               RunState.CANCELLED, result={"text": text}):
                return []
            self.parts.audit.record(Cancelled("its time has passed"), run_id=run.id,
                                    thread=run_thread(run))
            return [self.presenter.reply("update", run.id), Reply("notice", text)]
        if not self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.SCHEDULED,
                                           result={"text": f"schedule {schedule.id}: "
                                                           f"{change.value}"}):
            return []
        now = self.parts.clock()
        thread = run_thread(run)
        nxt = schedule.timing.firings(now, 1)
        next_at = nxt[0].at if nxt else None
        if change is Change.DELETE:
            moved = self.store.transition(schedule.id, (ScheduleState.ACTIVE,
                                                        ScheduleState.PAUSED),
                                          ScheduleState.DELETED)
            text = deleted_text(schedule.id)
        else:
            origin = (ScheduleState.PROPOSED,) if change is Change.ACTIVATE \
                else (ScheduleState.PAUSED,)
            moved = self.store.transition(schedule.id, origin, ScheduleState.ACTIVE,
                                          approvers=self._approvers(run), digest=run.digest,
                                          next_at=next_at, note="")
            shown = self._next_words(schedule.timing, now)
            text = (activated_text(schedule.id, shown) if change is Change.ACTIVATE
                    else resumed_text(schedule.id, shown))
        if not moved:
            state = self.store.get(schedule.id)
            return [Reply("notice", cannot_change_text(
                schedule.id, change.value, state.state.value if state else "gone"))]
        word = {"activate": "activated", "resume": "resumed", "delete": "deleted"}[change.value]
        self.parts.audit.record(ScheduleChanged(schedule.id, word, "approvers"),
                                run_id=run.id, thread=thread)
        return [self.presenter.reply("update", run.id), Reply("notice", text)]

    def _next_words(self, timing: Timing, now: float) -> list[str]:
        return [when_text(f.at, timing.zone) for f in timing.firings(now, SHOWN_FIRINGS)]

    def listing(self, turn: Turn) -> Reply:
        """Schedules of this channel, and the asker's own anywhere."""
        lines = self._lines(turn)
        return Reply("answer", schedules_text(lines) if lines else NO_SCHEDULES)

    def how_to_stop(self, turn: Turn) -> Reply:
        """The answer to a cancel of something scheduled, said in words: the schedules the
        person sees here and how to stop each (nothing is changed by it)."""
        return Reply("answer", how_to_stop_text(self._lines(turn), [
            s.id for s in self.store.live() if s.state is ScheduleState.ACTIVE
            and (s.channel == turn.message.channel
                 or s.requester.key == turn.requester.key)]))

    def _lines(self, turn: Turn) -> list[str]:
        lines = []
        for schedule in self.store.live():
            if schedule.state is ScheduleState.PROPOSED and self._lapsed(schedule):
                continue
            if (schedule.channel != turn.message.channel
                    and schedule.requester.key != turn.requester.key):
                continue
            nxt = (when_text(schedule.next_at, schedule.timing.zone)
                   if schedule.next_at is not None and schedule.state is ScheduleState.ACTIVE
                   else "-")
            slots = " ".join(f"{k}={v}" for k, v in sorted(schedule.raw_slots.items()))
            lines.append(schedule_line_text(
                f"{schedule.id} {schedule.state.value}", f"{schedule.runbook} {slots}",
                timing_text(schedule.timing), nxt,
                [schedule.requester.name, *(p.name for p in schedule.approvers)]))
        return lines

    def manage(self, turn: Turn, word: str, schedule_id: str) -> list[Reply]:
        """`pause`, `resume` or `delete` a schedule, as its requester or an approver of its
        runbook's risk; a forged or foreign id changes nothing."""
        schedule = self.store.get(schedule_id)
        if schedule is None:
            raise Refusal(no_such_schedule_text(schedule_id), SCHEDULE_ID_HINT)
        person, policy = turn.requester, self.parts.policy
        risk = self._risk(schedule)
        if person.key != schedule.requester.key and not policy.may_approve(person, risk):
            self.parts.audit.record(
                Rejected("schedule", f"{person.name} may not change it",
                         {"schedule_id": schedule.id, "change": word}),
                actor=turn.message.user, thread=turn.thread)
            raise Refusal(not_your_schedule_text(schedule_id))
        if word == "pause":
            return self._pause(turn, schedule)
        if word == "resume" and person.key != schedule.requester.key:
            # The resume's run is the requester's (it runs as them), so an approver asking
            # for it could approve it alone: resuming is the requester's request only.
            self.parts.audit.record(
                Rejected("schedule", f"{person.name} may not resume another's schedule",
                         {"schedule_id": schedule.id, "change": word}),
                actor=turn.message.user, thread=turn.thread)
            raise Refusal(resume_only_by_requester_text(schedule_id, schedule.requester.name))
        change = Change.RESUME if word == "resume" else Change.DELETE
        allowed = ((ScheduleState.PAUSED,) if change is Change.RESUME
                   else (ScheduleState.ACTIVE, ScheduleState.PAUSED))
        if schedule.state not in allowed:
            raise Refusal(cannot_change_text(schedule_id, change.value, schedule.state.value))
        needed = policy.approvals_needed(risk)
        if change is Change.RESUME and not self._requester_may(schedule, risk):
            raise Refusal(policy_blocked_text(schedule.id, "resume",
                                              REQUESTER_MAY_NO_LONGER))
        waiting = self._waiting_change(schedule, change)
        if waiting is not None:
            return [Reply("notice", change_pending_text(schedule.id, change.value,
                                                        waiting.id))]
        return self._ask_change(turn, schedule, change, needed)

    def _waiting_change(self, schedule: Schedule, change: Change) -> Run | None:
        """A request for the same change to the schedule that still waits for approval."""
        for run_id in self.store.proposals_of(schedule.id, change):
            run = self.parts.store.get(run_id)
            if (run is not None and run.state is RunState.PROPOSED
                    and self.parts.clock() <= run.expires_at):
                return run
        return None

    def _pause(self, turn: Turn, schedule: Schedule) -> list[Reply]:
        # An immediate brake: stopping a change from happening needs nobody's approval.
        if not self.store.transition(schedule.id, (ScheduleState.ACTIVE,),
                                     ScheduleState.PAUSED, note=f"paused by "
                                                                f"{turn.requester.name}"):
            raise Refusal(cannot_change_text(schedule.id, "pause", schedule.state.value))
        self.parts.audit.record(ScheduleChanged(schedule.id, "paused", turn.requester.name),
                                actor=turn.message.user, thread=turn.thread)
        return [Reply("answer", paused_text(schedule.id, turn.requester.name))]

    def _ask_change(self, turn: Turn, schedule: Schedule, change: Change,
                    needed: int) -> list[Reply]:
        """A resume or delete: at once when the runbook needs no approvals, else a proposed
        run of the schedule's plan (as its requester) whose approval makes the change."""
        proposal = self.parts.store.get(schedule.proposal)
        assert proposal is not None
        if change is Change.RESUME:
            # Resuming binds the schedule to the plan as it is now: render and dry-run it.
            runbook = self.parts.catalogue.get(schedule.runbook)
            plan = self.planner.render(runbook, schedule.raw_slots, schedule.identity)
            preview = [p.to_json() for p in self.planner.preview(plan, schedule.identity)]
        else:
            # Deleting changes nothing on the cluster (its target may be gone): the
            # approved plan is shown as it was.
            plan = Plan.from_record(proposal.plan)
            preview = [dict(p) for p in proposal.preview]
        note = change_note_text(schedule.id, change.value)
        run = self._propose(schedule.requester, plan, preview, dict(schedule.raw_slots),
                            [note], where=(schedule.channel, schedule.thread), needed=needed,
                            identity=schedule.identity, asked=Asked.COMMAND)
        self.store.link(run.id, schedule.id, change)
        self.parts.audit.record(ScheduleChanged(schedule.id, f"asked:{change.value}",
                                                turn.requester.name),
                                actor=turn.message.user, run_id=run.id, thread=turn.thread)
        if needed == 0:
            return self._approved_change(self.parts.run(run.id), schedule, change)
        return [self.presenter.reply("plan", run.id),
                Reply("notice", change_asked_text(schedule.id, change.value, run.id))]
