"""The conversation service: everything between "a message arrived" and "it is explained
and audited". Slack, the console and the alert channel are thin surfaces on it.

Per thread it parses (explicit grammar or the model), resolves slot values against the
cluster, asks for what is missing, renders the runbook into a plan, previews it with a
server-side dry-run, collects approvals bound to the plan's digest, runs it exactly once
as the requester, verifies it, and explains each step. Every step is audited.

`ConversationService` is a facade over its stages, each in its own module: `dialogue`
(what a message means), `planning` (slots to a plan, proposed or run), `approvals`
(decisions and the checks before running), `running` (execution) and `presenting` (the
`RunView`); `thread` is the typed context a thread keeps between messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Literal

from chatops.audit.records import MessageReceived
from chatops.conversation.approvals import Approvals
from chatops.conversation.base import (
    Collaborators,
    ConversationStores,
    ServiceConfig,
    Updates,
    run_thread,
    thread_key,
)
from chatops.conversation.dialogue import Dialogue
from chatops.conversation.pasted import split
from chatops.conversation.planning import Planner, alert_turn
from chatops.conversation.presenting import BINDING_SHOWN, Presenter
from chatops.conversation.running import Runner
from chatops.conversation.said import after, planned_or_asked
from chatops.conversation.scheduling import Posting, Scheduling
from chatops.conversation.thread import load_context, save_context
from chatops.errors import Refusal
from chatops.messages import not_automatic_text, not_read_only_text
from chatops.metrics import METRICS
from chatops.model import Identity, Message, Plan, Risk
from chatops.policy import Policy
from chatops.ports import AuditSink, Executor, IntentParser
from chatops.replies import Reply, RunView
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Asked, Run, RunState, RunStore
from chatops.schedules import ScheduleStore

__all__ = ["BINDING_SHOWN", "ConversationService", "ConversationStores", "Posting",
           "ServiceConfig", "Updates"]

log = logging.getLogger(__name__)


class ConversationService:
    """The conversation engine; every collaborator is injected, its stores too (opened by
    the composition root, `chatops.stores`, and owned by the Runtime).

    `catalogue`, `executor`, `policy`, `parser` and `clock` are shared with the stages:
    replacing one on the service replaces it for all. The stores are read-only here.
    """

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        executor: Executor,
        policy: Policy,
        stores: ConversationStores,
        audit: AuditSink,
        parser: IntentParser | None = None,
        config: ServiceConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._stores = stores
        self._parts = Collaborators(catalogue=catalogue, executor=executor, policy=policy,
                                    store=stores.runs, dedupe=stores.dedupe,
                                    threads=stores.threads, worker=stores.worker,
                                    audit=audit, parser=parser,
                                    config=config or ServiceConfig(), clock=clock)
        self._presenter = Presenter(self._parts)
        self._runner = Runner(self._parts, self._presenter)
        self._planner = Planner(self._parts, self._presenter, self._runner)
        self._approvals = Approvals(self._parts, self._presenter, self._planner,
                                    self._runner)
        self._dialogue = Dialogue(self._parts, self._planner, self._approvals, self._runner,
                                  self._presenter)
        self._scheduling = Scheduling(self._parts, self._planner, self._runner,
                                      self._presenter, stores.schedules)
        self._parts.scheduled = self._scheduling.on_approved
        self._parts.schedule_run = self._scheduling.owns
        self._parts.schedule_change = self._scheduling.change

    def handle(self, message: Message, *, on_update: Updates | None = None) -> list[Reply]:
        """Answer one message in its thread. A repeated `event_id` answers nothing."""
        if message.event_id and not self._parts.dedupe.claim(f"event:{message.event_id}"):
            log.info("duplicate event %s ignored", message.event_id)
            return []
        thread = thread_key(message)
        METRICS.messages.labels(message.source).inc()
        self.audit.record(MessageReceived(message.text, message.channel, message.source),
                          actor=message.user, thread=thread)
        if message.source != "alert" and not message.pasted:
            # Only the person's own words are the request; what they pasted is context.
            parts = split(message.text)
            if parts.pasted:
                message = replace(message, text=parts.own, pasted=parts.pasted,
                                  whole=message.text)

        def work() -> list[Reply]:
            replies: list[Reply] = []
            before = self._runs_in(message, limit=1)
            newest = before[0].id if before else None  # a message that adds one ran it
            try:
                # A time phrase makes any request a schedule: it must never run now instead.
                scheduled = self._scheduling.route(message, thread)
                replies = (scheduled if scheduled is not None
                           else self._dialogue.handle(message, thread, on_update))
                return replies
            finally:
                if message.source != "alert":
                    runs = self._runs_in(message)
                    ran = (any(r.kind == "result" for r in replies)
                           or (runs[0].id if runs else None) != newest)
                    self._heard(message, thread, runs, planned=planned_or_asked(replies),
                                ran=ran)
        return self._parts.guard(thread, work, message.user)

    def overhear(self, message: Message) -> None:
        """A person's words in a thread the bot takes part in, said to someone else (Slack's
        surface answers nothing to "<@U0CAROL> should I cancel it?"): a yes or no after them
        may answer them, not the plan (`said`)."""
        self._heard(message, thread_key(message), self._runs_in(message), planned=False,
                    ran=False)

    def _runs_in(self, message: Message, limit: int = 20) -> list[Run]:
        """The runs of `message`'s thread, newest first."""
        return self._parts.store.runs_in_thread(message.channel, message.thread, limit)

    def _heard(self, message: Message, thread: str, runs: Sequence[Run], *, planned: bool,
               ran: bool) -> None:
        """Remember who wrote `message` and whether a yes or no after it may answer it
        (`runs`: the thread's, newest first; `planned`: the bot made a plan of it or asked
        back; `ran`: it answered with a read)."""
        requester = self._parts.policy.requester(message)
        context = load_context(self._parts.threads, thread)
        waiting = [run for run in runs if run.state is RunState.PROPOSED]
        # "approve the restart pls", "approve checkout-api's restart": a plea may name them.
        plan_words = ({part for run in waiting for part in run.runbook.split("_")}
                      | {str(value).lower() for run in waiting
                         for value in run.raw_slots.values()})
        said = after(context.said, requester.key, requester.name, message.text,
                     self._parts.policy.names(), planned=planned, ran=ran,
                     plan_words=plan_words)
        if said != context.said:
            save_context(self._parts.threads, thread, replace(context, said=said))

    def fire_schedules(self, now: float | None = None) -> list[Posting]:
        """Fire the schedules due at `now` (default: the clock); what to post where. Only
        the leader calls it; each firing is claimed in the database, exactly once."""
        return self._scheduling.fire(self.clock() if now is None else now)

    def decide(self, run_id: str, message: Message, decision: Literal["approve", "deny"], *,
               dedupe_key: str | None = None, on_update: Updates | None = None,
               origin: str | None = None, shown: str | None = None) -> list[Reply]:
        """An approver's click (or `approve ID` in the console) on a proposed run.

        `origin` is the chat message the click came from (`channel:ts`); a click whose
        message is not the run's own (a button replayed onto another run, a made-up
        payload) is refused and audited. `shown` is the binding the clicked message showed
        (`RunView.binding`): when the plan changed since, the click approves nothing.
        """
        if dedupe_key and not self._parts.dedupe.claim(f"action:{dedupe_key}"):
            log.info("duplicate action %s ignored", dedupe_key)
            return []

        def work() -> list[Reply]:
            self._approvals.check_click(run_id, message, decision, origin, shown)
            return self._approvals.decide(run_id, message, decision, on_update)
        return self._parts.guard(thread_key(message), work, message.user)

    def edit(self, run_id: str, message: Message, slots: Mapping[str, str], *,
             on_update: Updates | None = None) -> list[Reply]:
        """Re-plan a proposed run with changed slot values (Slack's Edit modal)."""
        return self._parts.guard(
            thread_key(message),
            lambda: self._planner.replace(run_id, message, slots, on_update), message.user)

    def recover(self) -> list[Reply]:
        """At start-up: runs left `running` by a dead process become `interrupted`."""
        return self._runner.recover()

    def view(self, run_id: str) -> RunView:
        """The run as plan and result messages show it."""
        return self._presenter.view(run_id)

    def run_readonly(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                     channel: str, thread: str | None, actor: str) -> Reply:
        """Run a read-only runbook on the bot's initiative (alert diagnostics), as `identity`.

        Refusals (a missing label, an unknown namespace) come back as a reply, not an error.
        """
        turn = alert_turn(intent, identity, channel=channel, thread=thread, actor=actor)

        def work() -> list[Reply]:
            runbook, plan, raw = self._planner.for_alert(turn, intent, slots)
            if runbook.risk is not Risk.READ:
                raise Refusal(not_read_only_text(intent))
            return self._planner.run_read(turn, plan, raw, 1.0, [], asked=Asked.ALERT)
        return self._parts.guard(turn.thread, work, actor)[0]

    def propose_for_alert(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                          channel: str, thread: str | None, actor: str) -> list[Reply]:
        """Propose a remediation under an alert; `identity` makes the dry-run preview only.

        Nobody asked for it, so the first person who approves it becomes its requester: the
        policy must let them request it, it runs as them, and it then needs the same
        approvals from others as if they had asked (see `Approvals._adopt`).
        """
        turn = alert_turn(intent, identity, channel=channel, thread=thread, actor=actor)

        def work() -> list[Reply]:
            _runbook, plan, raw = self._planner.for_alert(turn, intent, slots)
            return self._planner.propose(turn, plan, raw, 1.0, [], asked=Asked.ALERT,
                                         undo_of=None,
                                         act_as_approver=True)
        return self._parts.guard(turn.thread, work, actor)

    def start_for_alert(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                        channel: str, thread: str | None, actor: str,
                        notes: Sequence[str] = ()) -> tuple[str | None, list[Reply]]:
        """Plan an alert rule's automatic remediation as `identity` (the rule's `as`) and
        approve it on the rule's authority: (run id, []) to `execute_approved` next, or
        (None, the refusal) when it cannot be planned (a missing label, a failed dry-run).
        Only `chatops.alerts.autofix` calls this, for rules the strict rules file allows."""
        turn = alert_turn(intent, identity, channel=channel, thread=thread, actor=actor)
        started: list[str] = []

        def work() -> list[Reply]:
            runbook, plan, raw = self._planner.for_alert(turn, intent, slots)
            if runbook.risk is not Risk.WRITE:
                raise Refusal(not_automatic_text(intent))
            started.append(self._planner.start_unattended(turn, plan, raw, list(notes)))
            return []
        replies = self._parts.guard(turn.thread, work, actor)
        return (started[0] if started else None), replies

    def execute_approved(self, run_id: str) -> list[Reply]:
        """Execute an approved run once (an automatic fix's), as the identity stored with it;
        a run another caller already took does nothing."""
        run = self._parts.run(run_id)
        plan = Plan.from_record(run.plan)
        return self._parts.guard(run_thread(run),
                                 lambda: self._runner.execute(run_id, plan, None))

    # The collaborators live in `_parts`, shared with the stages; these keep them
    # readable (and the replaceable ones replaceable) as plain attributes.

    @property
    def catalogue(self) -> Catalogue:
        """The runbooks the bot may run."""
        return self._parts.catalogue

    @catalogue.setter
    def catalogue(self, value: Catalogue) -> None:
        self._parts.catalogue = value

    @property
    def executor(self) -> Executor:
        """Where plans run (the cluster)."""
        return self._parts.executor

    @executor.setter
    def executor(self, value: Executor) -> None:
        self._parts.executor = value

    @property
    def policy(self) -> Policy:
        """Who may request and approve what."""
        return self._parts.policy

    @policy.setter
    def policy(self, value: Policy) -> None:
        self._parts.policy = value

    @property
    def stores(self) -> ConversationStores:
        """The stores it was given (read-only: the Runtime owns them)."""
        return self._stores

    @property
    def store(self) -> RunStore:
        """Runs and approvals."""
        return self._stores.runs

    @property
    def schedules(self) -> ScheduleStore:
        """Schedules, their proposals and firings."""
        return self._stores.schedules

    @property
    def audit(self) -> AuditSink:
        """The audit log every step is appended to."""
        return self._parts.audit

    @property
    def parser(self) -> IntentParser | None:
        """The model that reads plain words; None for explicit commands only."""
        return self._parts.parser

    @parser.setter
    def parser(self, value: IntentParser | None) -> None:
        self._parts.parser = value

    @property
    def config(self) -> ServiceConfig:
        """Knobs of the conversation that are not policy."""
        return self._parts.config

    @property
    def clock(self) -> Callable[[], float]:
        """The time source (seconds since the epoch)."""
        return self._parts.clock

    @clock.setter
    def clock(self, value: Callable[[], float]) -> None:
        self._parts.clock = value

