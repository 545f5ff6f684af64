"""What the conversation's stages share: their collaborators, the turn being answered, and
how runs and messages name their thread."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from chatops.audit.records import InternalError, Refused
from chatops.conversation.placed import placed_where_it_is
from chatops.errors import ClusterError, NotFound, Refusal, SlotError
from chatops.messages import (
    EXPLICIT_ONLY,
    EXPLICIT_ONLY_HINT,
    RUN_ID_HINT,
    cluster_refused_text,
    internal_error_text,
    no_such_run_text,
    not_found_text,
    refusal_text,
)
from chatops.model import Identity, Message, ParsedIntent, Plan
from chatops.policy import Policy, Requester
from chatops.ports import AuditSink, Executor, IntentParser
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.grammar import is_explicit, parse_explicit, starts_with_run
from chatops.runs import Approval, Asked, Run, RunStore
from chatops.runs.dedupe import DedupeStore
from chatops.runs.threads import ThreadStore
from chatops.runs.workers import ThisWorker
from chatops.schedules import ScheduleStore

log = logging.getLogger(__name__)

Updates = Callable[[Reply], None]
"""Receives replies while a run is in progress (Slack edits the plan message with them)."""

ApprovedHook = Callable[[Run, Callable[[], Plan | list[Reply]]], list[Reply] | None]
"""Takes an approved run before it executes (given a way to render and dry-run it again):
the replies when it took it, None to let it execute."""


@dataclass(frozen=True)
class ServiceConfig:
    """Knobs of the conversation that are not policy."""

    progress_interval: float = 2.0
    """Seconds between progress updates to a surface while a run is going."""
    schedule_zone: str = "UTC"
    """The time zone of a schedule's times when its message names none."""
    schedule_grace: float = 900.0
    """Seconds after its time a firing missed (the bot was down) may still run; later, it
    is reported as missed instead."""


@dataclass(frozen=True)
class ConversationStores:
    """What the conversation keeps, opened by the composition root (`chatops.stores`) and
    handed in: runs and approvals, dedupe keys, thread contexts, this process as a worker
    (heartbeat, and the owner of what it runs), and schedules."""

    runs: RunStore
    dedupe: DedupeStore
    threads: ThreadStore
    worker: ThisWorker
    schedules: ScheduleStore


@dataclass
class Collaborators:
    """Everything the stages use from outside, shared by all of them.

    Deliberately mutable and shared: `ConversationService`'s attributes read and write
    these, so a collaborator replaced on the service (a test's clock or parser) reaches
    every stage.
    """

    catalogue: Catalogue
    executor: Executor
    policy: Policy
    store: RunStore
    dedupe: DedupeStore
    threads: ThreadStore
    worker: ThisWorker
    audit: AuditSink
    parser: IntentParser | None
    config: ServiceConfig
    clock: Callable[[], float]
    scheduled: ApprovedHook | None = None
    """Asked first when a proposed run has its approvals: a schedule's proposal is taken
    there (`conversation.scheduling.changes`); None lets the run execute."""
    schedule_run: Callable[[str], bool] = lambda _run_id: False
    """Whether a run is a schedule's proposal (`Scheduling.owns`)."""
    schedule_change: Callable[[str], tuple[str, str] | None] = lambda _run_id: None
    """The schedule id and change (`delete`, `resume`, ...) a proposed run stands for
    (`Scheduling.change`); None for any other run."""

    def parse(self, text: str, identity: Identity | None = None) -> ParsedIntent:
        """What `text` asks for: the explicit grammar, else the model (refused when the bot
        runs without one). A change's namespace the model's reading took by its place
        alone stays only where the cluster has the object in it, as `identity` can list it
        (`placed.placed_where_it_is`); without an identity it goes (the bot asks)."""
        if is_explicit(text) or (self.parser is None and starts_with_run(text)):
            return parse_explicit(text, self.catalogue)
        if self.parser is None:
            raise Refusal(EXPLICIT_ONLY, EXPLICIT_ONLY_HINT)
        return placed_where_it_is(self.parser.parse(text), self.catalogue.runbooks,
                                  self.executor, identity)

    def run(self, run_id: str) -> Run:
        """The stored run, or a refusal naming the id that matched none."""
        run = self.store.get(run_id)
        if run is None:
            raise Refusal(no_such_run_text(run_id), RUN_ID_HINT)
        return run

    def valid_approvals(self, run: Run) -> list[Approval]:
        """The run's approvals of its current binding that have not expired."""
        horizon = self.clock() - self.policy.expiry.total_seconds()
        return [a for a in run.approvers() if a.decided_at >= horizon]

    def guard(self, thread: str, work: Callable[[], list[Reply]], actor: str | None = None
              ) -> list[Reply]:
        """Do `work`; refusals and cluster errors become audited replies (by `actor`, the
        person whose message it was), and a bug becomes a reply with a reference to the
        log, never a traceback."""
        try:
            return work()
        except Refusal as exc:
            cause = "value" if isinstance(exc, SlotError) else "policy"
            self.audit.record(Refused(refusal_text(exc), cause), actor=actor, thread=thread)
            return [Reply("refusal", refusal_text(exc))]
        except NotFound as exc:
            text = not_found_text(exc)
            self.audit.record(Refused(text, "value"), actor=actor, thread=thread)
            return [Reply("refusal", text)]
        except ClusterError as exc:
            text = cluster_refused_text(exc)
            self.audit.record(Refused(text, "cluster"), actor=actor, thread=thread)
            return [Reply("refusal", text)]
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("internal error (reference %s)", ref)
            self.audit.record(InternalError(ref), thread=thread)
            return [Reply("refusal", internal_error_text(ref))]


@dataclass(frozen=True)
class Turn:
    """One message being answered: who sent it, where, and where progress goes."""

    message: Message
    requester: Requester
    thread: str
    on_update: Updates | None


def asked_by(parsed: ParsedIntent) -> Asked:
    """How a parsed request came about: read by the model, or typed as a command."""
    return Asked.MODEL if parsed.source == "model" else Asked.COMMAND


def thread_key(message: Message) -> str:
    """The key of the thread a message belongs to (its context and audit thread)."""
    return f"{message.channel}:{message.thread or 'main'}"


def run_thread(run: Run) -> str:
    """The key of the thread a run was asked in."""
    return f"{run.channel}:{run.thread or 'main'}"
