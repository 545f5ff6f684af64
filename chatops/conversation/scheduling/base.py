"""What every part of scheduling shares: the collaborators, proposing a run for a schedule,
and the policy's checks made again on a schedule's people (at a firing, a resume, a
drifted plan's approval)."""

from __future__ import annotations

import logging

from chatops.audit.records import ScheduleChanged
from chatops.conversation.base import Collaborators
from chatops.conversation.planning import Planner, binding
from chatops.conversation.presenting import Presenter
from chatops.conversation.running import Runner
from chatops.errors import ChatOpsError
from chatops.messages.schedules import (
    approvals_short_reason,
    requester_may_no_longer_reason,
    runbook_gone_reason,
)
from chatops.model import Identity, Message, Plan, Risk
from chatops.policy import Requester
from chatops.runs import Asked, Run, RunState
from chatops.schedules import Person, Schedule, ScheduleState, ScheduleStore

log = logging.getLogger(__name__)

SHOWN_FIRINGS = 3
"""How many next firings a proposal and an activation show."""


class SchedulePart:
    """The collaborators of one part of scheduling (requests, changes, firing) and the
    checks they share."""

    def __init__(self, parts: Collaborators, planner: Planner, runner: Runner,
                 presenter: Presenter, store: ScheduleStore) -> None:
        self.parts = parts
        self.planner = planner
        self.runner = runner
        self.presenter = presenter
        self.store = store

    def _propose(self, requester: Person | Requester, plan: Plan,
                 preview: list[dict[str, object]], values: dict[str, str], notes: list[str],
                 *, where: tuple[str, str | None], needed: int, confidence: float = 1.0,
                 asked: Asked = Asked.SCHEDULE, identity: Identity | None = None) -> Run:
        """A proposed run of `plan` bound to its dry-run, asked by `requester` (a schedule's
        runs act as `identity`, the schedule's), in `where` (channel, thread)."""
        channel, thread = where
        ident = identity if identity is not None else getattr(requester, "identity", None)
        assert ident is not None
        return self.parts.store.create(
            state=RunState.PROPOSED, runbook=plan.runbook, risk=plan.risk,
            requester=requester.key, requester_name=requester.name, identity=ident,
            channel=channel, thread=thread, raw_slots=dict(values), plan=plan.to_record(),
            digest=binding(plan, preview), preview=preview, needed=needed,
            confidence=confidence, notes=notes, asked_as=asked,
            expires_at=self.parts.clock() + self.parts.policy.expiry.total_seconds())

    def _risk(self, schedule: Schedule) -> Risk:
        # The runbook's risk now: a runbook made critical since needs critical rules.
        runbook = self.parts.catalogue.runbooks.get(schedule.runbook)
        return runbook.risk if runbook is not None else schedule.risk

    def _person(self, person: Person, channel: str) -> Requester:
        """Who `person` is under the policy as it is now."""
        return self.parts.policy.requester(Message(user=person.chat_user, text="",
                                                   channel=channel,
                                                   groups=person.chat_groups))

    def _requester_may(self, schedule: Schedule, risk: Risk) -> bool:
        policy = self.parts.policy
        requester = self._person(schedule.requester, schedule.channel)
        return (requester.key == schedule.requester.key and policy.may_request(requester, risk)
                and policy.could_be(requester.key, schedule.identity))

    def _policy_block(self, schedule: Schedule) -> str | None:
        """Why the policy as it is now no longer allows the schedule to fire, or None."""
        policy = self.parts.policy
        if schedule.runbook not in self.parts.catalogue:
            return runbook_gone_reason(schedule.runbook)
        risk = self._risk(schedule)
        if not self._requester_may(schedule, risk):
            return requester_may_no_longer_reason(schedule.requester.name, risk.value)
        valid = set()
        for approver in schedule.approvers:
            person = self._person(approver, schedule.channel)
            own = person.key == schedule.requester.key
            if (person.key == approver.key and policy.may_approve(person, risk)
                    and (not own or policy.may_self_approve(risk))):
                valid.add(person.key)
        if len(valid) < policy.approvals_needed(risk):
            return approvals_short_reason(len(valid), policy.approvals_needed(risk))
        return None

    def _lapsed(self, schedule: Schedule) -> bool:
        """A proposed schedule whose proposal was denied, expired or cancelled: it is
        cancelled too (checked lazily, when it is looked at)."""
        run = self.parts.store.get(schedule.proposal)
        if run is not None and (run.state is RunState.PROPOSED
                                and self.parts.clock() <= run.expires_at):
            return False
        if self.store.transition(schedule.id, (ScheduleState.PROPOSED,),
                                 ScheduleState.CANCELLED):
            self.parts.audit.record(ScheduleChanged(schedule.id, "cancelled", "scheduler",
                                                    "its proposal was not approved"),
                                    run_id=schedule.proposal)
        return True

    def _bind_after_run(self, schedule: Schedule, run_id: str) -> None:
        """After the schedule's own run succeeded, bind it to its plan's dry-run as that run
        left the cluster: the next firing then sees its own change as no drift (a daily
        restart's new timestamp, a scale already at its count) and anyone else's as drift.
        A failed run keeps the old binding, so the next firing asks again."""
        if self.parts.run(run_id).state is not RunState.SUCCEEDED:
            return
        runbook = self.parts.catalogue.get(schedule.runbook)
        try:
            plan = self.planner.render(runbook, schedule.raw_slots, schedule.identity)
            preview = [p.to_json() for p in self.planner.preview(plan, schedule.identity)]
        except ChatOpsError as exc:
            log.warning("schedule %s keeps its binding: its dry-run after %s failed: %s",
                        schedule.id, run_id, exc)
            return
        self.store.update(schedule.id, digest=binding(plan, preview))
        self.parts.audit.record(ScheduleChanged(schedule.id, "rebound", "scheduler",
                                                "to the plan as its own run left it"),
                                run_id=run_id)
