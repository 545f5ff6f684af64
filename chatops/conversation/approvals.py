"""Approvals: who may decide on a proposed run, counting approvals of distinct people on
the exact plan (each of whom could make the change themselves), taking on an alert's
proposal, and the checks before anything runs (the identity against the policy, the plan
rendered and dry-run again)."""

from __future__ import annotations

from typing import Any, Literal

from chatops.audit.records import (
    Adopted,
    Approved,
    Cancelled,
    Denied,
    Expired,
    Rejected,
    Replanned,
    Unchanged,
)
from chatops.conversation.base import Collaborators, Updates, run_thread
from chatops.conversation.planning import Planner, binding
from chatops.conversation.presenting import Presenter
from chatops.conversation.running import Runner
from chatops.errors import ClusterError, Refusal
from chatops.messages import (
    ADOPT_HINT,
    ASK_AGAIN_HINT,
    IDENTITY_MISMATCH_RESULT,
    NOTHING_LEFT_RESULT,
    OWN_BUTTONS_HINT,
    READ_NEW_DIFF_HINT,
    adopted_text,
    adopter_rights_text,
    already_decided_text,
    approved_twice_text,
    approver_rights_text,
    denied_result_text,
    expired_update_text,
    foreign_button_text,
    identity_mismatch_text,
    may_not_adopt_text,
    may_not_approve_text,
    may_not_deny_text,
    nothing_to_change_now_text,
    own_approval_text,
    replanned_text,
    rights_unchecked_text,
    run_view_text,
    stale_click_text,
    too_late_text,
)
from chatops.metrics import METRICS
from chatops.model import Message, Plan
from chatops.policy import Requester
from chatops.replies import Reply
from chatops.runs import ApprovalDecision, Run, RunState

Decision = Literal["approve", "deny"]


class Approvals:
    """Decisions on proposed runs, and running them once they are approved."""

    def __init__(self, parts: Collaborators, presenter: Presenter, planner: Planner,
                 runner: Runner) -> None:
        self.parts = parts
        self.presenter = presenter
        self.planner = planner
        self.runner = runner

    def check_click(self, run_id: str, message: Message, decision: Decision,
                    origin: str | None, shown: str | None) -> None:
        """Refuse a click from a message that is not the run's own (audited), or an
        approval clicked on a message that showed an older plan."""
        run = self.parts.run(run_id)
        if origin is not None:
            self._check_origin(run, message, origin)
        if shown and decision == "approve" and not run.digest.startswith(shown):
            raise Refusal(stale_click_text(run_id), READ_NEW_DIFF_HINT)

    def _check_origin(self, run: Run, message: Message, origin: str) -> None:
        channel = origin.split(":", 1)[0]
        if channel == run.channel and (run.message_ref is None or origin == run.message_ref):
            return
        self.parts.audit.record(
            Rejected("click", "the button is not on this run's message",
                     {"origin": origin, "message_ref": run.message_ref}),
            actor=message.user, run_id=run.id, thread=run_thread(run))
        raise Refusal(foreign_button_text(run.id), OWN_BUTTONS_HINT)

    def decide(self, run_id: str, message: Message, decision: Decision,
               on_update: Updates | None) -> list[Reply]:
        """Apply one person's decision; run the plan when it completes the approvals."""
        run = self.parts.run(run_id)
        approver = self.parts.policy.requester(message)
        if run.state is not RunState.PROPOSED:
            return [Reply("notice", already_decided_text(run_id, run.state.value),
                          ephemeral=True)]
        if self.parts.clock() > run.expires_at:
            return self._expired(run, message)
        if decision == "approve" and run.act_as_approver:
            adopted = self._adopt(run, approver, message, on_update)
            if adopted is not None:
                return adopted
            run = self.parts.run(run_id)
        if decision == "deny":
            return self._deny(run, approver, message)
        return self._approve(run, approver, message, on_update)

    def _expired(self, run: Run, message: Message) -> list[Reply]:
        if self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.EXPIRED):
            METRICS.runs.labels(run.runbook, RunState.EXPIRED.value).inc()
            self.parts.audit.record(Expired(), actor=message.user, run_id=run.id,
                                    thread=run_thread(run))
        minutes = int(self.parts.policy.expiry.total_seconds() // 60)
        return [Reply("update", expired_update_text(run.id), run=self.presenter.view(run.id)),
                Reply("refusal", too_late_text(run.id, minutes))]

    def _deny(self, run: Run, approver: Requester, message: Message) -> list[Reply]:
        risk = run.risk
        own = approver.key == run.requester
        if not (own or self.parts.policy.may_approve(approver, risk)):
            return [Reply("refusal",
                          may_not_deny_text(run.id, self.parts.policy.approvers_text(risk)),
                          ephemeral=True)]
        if self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.DENIED,
                                       result={"text": denied_result_text(approver.name)}):
            self.parts.store.add_decision(run.id, approver.key, approver.name, run.digest,
                                          ApprovalDecision.DENY)
            METRICS.approvals.labels("deny").inc()
            METRICS.runs.labels(run.runbook, RunState.DENIED.value).inc()
            self.parts.audit.record(Denied(), actor=message.user, run_id=run.id,
                                    thread=run_thread(run))
        return [self.presenter.reply("update", run.id)]

    def _approve(self, run: Run, approver: Requester, message: Message,
                 on_update: Updates | None) -> list[Reply]:
        policy, risk = self.parts.policy, run.risk
        if not policy.may_approve(approver, risk):
            return [Reply("refusal", may_not_approve_text(risk, policy.approvers_text(risk)),
                          ephemeral=True)]
        own = approver.key == run.requester
        if own and not policy.may_self_approve(risk):
            return [Reply("refusal", own_approval_text(risk, policy.approvers_text(risk)),
                          ephemeral=True)]
        # The requester's own rights were tried by the preview's dry-run and are again by
        # the run itself (it impersonates them); another approver's are asked here.
        if not own and (refused := self._rights_refusal(run, approver, message)):
            return refused
        if not self.parts.store.add_decision(run.id, approver.key, approver.name, run.digest,
                                             ApprovalDecision.APPROVE):
            return [Reply("notice", approved_twice_text(run.id), ephemeral=True)]
        METRICS.approvals.labels("approve").inc()
        self.parts.audit.record(Approved(run.digest, approver.name), actor=message.user,
                                run_id=run.id, thread=run_thread(run))
        run = self.parts.run(run.id)
        if len(self.parts.valid_approvals(run)) < run.needed:
            return [self.presenter.reply("update", run.id)]
        return self.approved(run, on_update)

    def _adopt(self, run: Run, person: Requester, message: Message,
               on_update: Updates | None) -> list[Reply] | None:
        """The first approval of a proposal nobody asked for (an alert's) makes its author
        the requester: the policy must let them request it, it runs as them, and others'
        approvals are counted exactly as for their own request. Returns the answer, or None
        when someone else adopted it first (the click then counts as an approval)."""
        policy, store, risk = self.parts.policy, self.parts.store, run.risk
        if not policy.may_request(person, risk):
            raise Refusal(may_not_adopt_text(risk, run.runbook, run.id), ADOPT_HINT)
        # The preview ran as the alert's preview identity, never as this person: their own
        # rights are asked before they take it on (and their click may count as approval).
        if refused := self._rights_refusal(run, person, message, adopting=True):
            return refused
        if not store.adopt(run.id, person.key, person.name, person.identity):
            return None
        self.parts.audit.record(Adopted(person.name, person.identity.user), actor=message.user,
                                run_id=run.id, thread=run_thread(run))
        run = self.parts.run(run.id)
        if run.needed == 0:
            return self.approved(run, on_update)
        if (policy.may_self_approve(risk) and policy.may_approve(person, risk)
                and store.add_decision(run.id, person.key, person.name, run.digest,
                                       ApprovalDecision.APPROVE)):
            METRICS.approvals.labels("approve").inc()
            self.parts.audit.record(Approved(run.digest, person.name), actor=message.user,
                                    run_id=run.id, thread=run_thread(run))
            run = self.parts.run(run.id)
            if len(self.parts.valid_approvals(run)) >= run.needed:
                return self.approved(run, on_update)
        return [self.presenter.reply("update", run.id),
                Reply("notice", adopted_text(run.id, policy.approvers_text(risk)),
                      ephemeral=True)]

    def _rights_refusal(self, run: Run, person: Requester, message: Message, *,
                        adopting: bool = False) -> list[Reply] | None:
        """None when `person`'s own cluster identity could make every step of the run's plan
        (the executor asks the API server, a SubjectAccessReview per request); else their
        private refusal, audited, and nothing else changes. When the API server can't be
        asked, the click fails closed: it doesn't count either, and they may try again."""
        steps = Plan.from_record(run.plan).steps
        try:
            denied = self.parts.executor.first_denied(person.identity, steps)
        except ClusterError as exc:
            self._reject_approval(run, person, message, "the approver's own cluster rights "
                                  "could not be checked", {"error": exc.message})
            return [Reply("refusal", rights_unchecked_text(run.id), ephemeral=True)]
        if denied is None:
            return None
        self._reject_approval(run, person, message, f"{person.name} may not {denied}",
                              {"denied": denied, "adopting": adopting})
        text = adopter_rights_text if adopting else approver_rights_text
        return [Reply("refusal", text(person.name, denied, run.id), ephemeral=True)]

    def _reject_approval(self, run: Run, person: Requester, message: Message, reason: str,
                         details: dict[str, Any]) -> None:
        identity = person.identity
        self.parts.audit.record(
            Rejected("approval", reason, {"approver": person.name, "user": identity.user,
                                          "groups": list(identity.groups), **details}),
            actor=message.user, run_id=run.id, thread=run_thread(run))

    def approved(self, run: Run, on_update: Updates | None) -> list[Reply]:
        """Enough approvals: render and dry-run again, then run what was approved.

        Nothing stored in the database is trusted as is: the identity must be one the policy
        gives the requester, and the steps run are the runbook rendered again from the slot
        values (the stored plan only serves the messages), bound to the approved digest.
        """
        if not self.parts.policy.could_be(run.requester, run.identity):
            self.parts.audit.record(
                Rejected("run", "its identity is not one the policy gives its requester",
                         {"identity": run.identity.user, "requester": run.requester}),
                run_id=run.id, thread=run_thread(run))
            if self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.FAILED,
                                           result={"text": IDENTITY_MISMATCH_RESULT}):
                METRICS.runs.labels(run.runbook, RunState.FAILED.value).inc()
            raise Refusal(identity_mismatch_text(run.id), ASK_AGAIN_HINT)
        if self.parts.scheduled is not None:
            # A schedule's proposal (or a change to one) activates it rather than running.
            taken = self.parts.scheduled(run, lambda: self._replan_if_drifted(run))
            if taken is not None:
                return taken
        checked = self._replan_if_drifted(run, close_if_unchanged=True)
        if not isinstance(checked, Plan):
            return checked
        if not self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.APPROVED):
            return []
        return self.runner.execute(run.id, checked, on_update)

    def _replan_if_drifted(self, run: Run, *, close_if_unchanged: bool = False
                           ) -> Plan | list[Reply]:
        """Render and dry-run again: the plan if nothing differs from what was approved,
        else the new plan is stored and shown, to be approved again. With
        `close_if_unchanged`, a plan whose new dry-run changes nothing is cancelled instead
        (the cluster already is as it asks: the same change made by another run or by
        hand); a schedule's plan is not, as the cluster may differ when it acts."""
        runbook = self.parts.catalogue.get(run.runbook)
        plan = self.planner.render(runbook, run.raw_slots, run.identity)
        preview = [p.to_json() for p in self.planner.preview(plan, run.identity)]
        bound = binding(plan, preview)
        if bound == run.digest:
            return plan
        if close_if_unchanged and not any(p.get("changes") for p in preview):
            # A user trial: "it needs approval again" with an empty diff, a click on nothing.
            if not self.parts.store.transition(run.id, (RunState.PROPOSED,), RunState.CANCELLED,
                                               result={"text": NOTHING_LEFT_RESULT}):
                return []
            self.parts.audit.record(Unchanged(plan.digest, preview), run_id=run.id,
                                    thread=run_thread(run))
            self.parts.audit.record(Cancelled("unchanged"), run_id=run.id,
                                    thread=run_thread(run))
            METRICS.runs.labels(run.runbook, RunState.CANCELLED.value).inc()
            view = self.presenter.view(run.id)
            return [Reply("update", run_view_text(view), run=view),
                    Reply("notice", nothing_to_change_now_text(run.id))]
        # Approvals are stored against the old binding, so none of them counts any more.
        self.parts.store.update(
            run.id, plan=plan.to_record(), digest=bound, preview=preview,
            expires_at=self.parts.clock() + self.parts.policy.expiry.total_seconds())
        self.parts.audit.record(Replanned(run.digest, bound, plan.digest, preview),
                                run_id=run.id, thread=run_thread(run))
        view = self.presenter.view(run.id)
        return [Reply("update", run_view_text(view), run=view),
                Reply("notice", replanned_text(run.id, view.changes))]
