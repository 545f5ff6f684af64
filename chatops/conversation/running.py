"""Running: an approved plan executed exactly once as its requester, with progress, then
verified; runs a dead process left behind; what `undo` would reverse."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chatops.audit.records import (
    ChangeFinished,
    Interrupted,
    ReadFailed,
    ReadFinished,
    RunStarted,
    StepDone,
    Verified,
)
from chatops.conversation.base import Collaborators, Updates, run_thread
from chatops.conversation.presenting import Presenter
from chatops.conversation.provenance import checked_causes
from chatops.errors import ClusterError, Refusal, Retryable
from chatops.messages import (
    NO_UNDO_HINT,
    READ_RUN_DONE,
    change_cause_text,
    interrupted_text,
    no_undo_text,
    run_internal_error_text,
    run_result_text,
    running_text,
    step_failed_text,
    verified_text,
    why_failed_text,
)
from chatops.metrics import METRICS
from chatops.model import Identity, Plan, Risk, Step
from chatops.replies import Reply
from chatops.results import Finding, Record
from chatops.runbook.render import observed_check, undo_slots, undo_warning
from chatops.runs import Asked, Run, RunState
from chatops.runs.model import BEFORE_START
from chatops.tracing import RunTrace, traced
from chatops.verbs import summarize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UndoRequest:
    """The request that reverses a completed change: its runbook and slot values, and the
    runbook's warning about it ("" when none)."""

    of: Run
    runbook: str
    slots: dict[str, str]
    warning: str = ""


@dataclass
class _Outcome:
    """What a run did so far: its result lines, the values it replaced, how it ends."""

    lines: list[str] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    state: RunState = RunState.SUCCEEDED
    steps_done: int = 0
    """Steps the cluster took (a run that failed after one changed something: undoable)."""
    uncertain: bool = False
    """Whether a step failed in a way that may come after a write (a timeout: a drain that
    cordoned, then waited); a refusal (403, 404, invalid) comes before any."""


class Runner:
    """Executes approved runs and explains how they ended."""

    def __init__(self, parts: Collaborators, presenter: Presenter) -> None:
        self.parts = parts
        self.presenter = presenter

    def execute(self, run_id: str, plan: Plan, on_update: Updates | None) -> list[Reply]:
        """Run `plan`, the approved run's plan as rendered just now, as the requester."""
        store, worker = self.parts.store, self.parts.worker
        if not store.transition(run_id, (RunState.APPROVED,), RunState.RUNNING,
                                owner=worker.worker_id):
            return []
        worker.heartbeat()
        run = self.parts.run(run_id)
        started = self.parts.clock()
        progress = self._progress(run_id, on_update)
        if on_update is not None:
            on_update(Reply("update", running_text(run_id), run=self.presenter.view(run_id)))
        outcome = _Outcome()
        try:
            self._steps(run, plan, progress, outcome)
        except ClusterError as exc:
            outcome.state = RunState.FAILED
            outcome.uncertain = isinstance(exc, Retryable)
            outcome.lines.append(step_failed_text(exc))
        except Exception:
            # A bug must not leave the run `running` until a restart notices it.
            ref = uuid.uuid4().hex[:8]
            log.exception("run %s failed with an internal error (reference %s)", run_id, ref)
            outcome.state = RunState.FAILED
            outcome.lines.append(run_internal_error_text(ref))
        self._finish(run, outcome, self.parts.clock() - started)
        return [self.presenter.reply("result", run_id)]

    def _progress(self, run_id: str, on_update: Updates | None) -> Callable[[str], None]:
        """Where the executor reports progress: stored always, sent to the surface at most
        every `progress_interval` seconds."""
        last_sent = [0.0]

        def progress(line: str) -> None:
            self.parts.store.update(run_id, result={"progress": line})
            now = self.parts.clock()
            if (on_update is not None
                    and now - last_sent[0] >= self.parts.config.progress_interval):
                last_sent[0] = now
                on_update(Reply("update", line, run=self.presenter.view(run_id)))
        return progress

    def _steps(self, run: Run, plan: Plan, progress: Callable[[str], None],
               outcome: _Outcome) -> None:
        """Run the steps, then the checks, auditing each; a failed check fails the run."""
        with traced(self._started(run, plan, run.identity)):
            self._steps_traced(run, plan, progress, outcome)

    def _started(self, run: Run, plan: Plan, identity: Identity) -> RunTrace:
        """Audit the start of execution; its record's id traces every request of the run."""
        event = self.parts.audit.record(RunStarted(identity.user, identity.groups, plan.digest),
                                        actor=identity.user, run_id=run.id,
                                        thread=run_thread(run))
        return RunTrace(run.id, int(getattr(event, "id", 0) or 0))

    def _steps_traced(self, run: Run, plan: Plan, progress: Callable[[str], None],
                      outcome: _Outcome) -> None:
        identity, thread, executor = run.identity, run_thread(run), self.parts.executor
        approvers = [a.approver_name for a in self.parts.valid_approvals(run)]
        # A schedule's firing needs no approval of its own: its note names the schedule and
        # the approvals it runs on.
        basis = (run.notes[0] if run.asked_as is Asked.SCHEDULE and run.notes and not approvers
                 else "")
        for step in plan.steps:
            # Left on what the step changes where the cluster keeps one (a new revision's
            # change-cause): someone reading the cluster finds the run, and who agreed.
            cause = change_cause_text(run.id, summarize(step.verb, step.params),
                                      run.requester_name, approvers, basis)
            result = executor.run_step(step, identity, progress=progress, cause=cause)
            for key, value in result.before.items():
                outcome.before.setdefault(key, value)
            outcome.steps_done += 1
            # Kept as the run goes: a process that dies before the end leaves an
            # interrupted run whose undo still knows the values from before.
            self.parts.store.update(run.id, before=dict(outcome.before))
            outcome.lines.append(result.summary)
            self.parts.audit.record(StepDone(result.to_json()), actor=identity.user,
                                    run_id=run.id, thread=thread)
        for check in plan.verify:
            with METRICS.verify_seconds.time():
                verdict = executor.verify(observed_check(check, outcome.before), identity,
                                          progress=progress)
            self.parts.audit.record(Verified(verdict.verb, verdict.ok, verdict.message),
                                    actor=identity.user, run_id=run.id, thread=thread)
            outcome.lines.append(verified_text(verdict.ok, verdict.message))
            if not verdict.ok:
                outcome.state = RunState.FAILED
                why = self._why(check, identity)
                if why:
                    outcome.lines.append(why)

    def _why(self, check: Step, identity: Identity) -> str:
        """Why a deployment's verification failed, from a diagnosis of it as the requester
        (its first error finding: an OOM kill, a crash loop, an image that cannot be
        pulled); "" when the check is about no deployment or nothing explains it. A user
        trial: "1 of 2 replicas updated after 300 s" said nothing of the OOM-killed pod."""
        namespace, deployment = check.params.get("namespace"), check.params.get("deployment")
        if not namespace or not deployment:
            return ""
        try:
            result = self.parts.executor.run_step(
                Step("diagnose", {"namespace": namespace, "deployment": deployment}), identity)
        except (ClusterError, Refusal):
            return ""  # advice only: the verification's own line says it failed
        finding = next((r for r in result.records
                        if isinstance(r, Finding) and r.severity == "error"), None)
        return why_failed_text(finding.explanation) if finding is not None else ""

    def _finish(self, run: Run, outcome: _Outcome, elapsed: float) -> None:
        """Audit the result and store the run's end state with its outcome."""
        event = self.parts.audit.record(
            ChangeFinished(outcome.state.value, outcome.lines, round(elapsed, 2),
                           outcome.before),
            run_id=run.id, thread=run_thread(run))
        audit_id = getattr(event, "id", None)
        text = run_result_text(outcome.state is RunState.SUCCEEDED, elapsed, audit_id,
                               outcome.lines)
        if self.parts.store.transition(run.id, (RunState.RUNNING,), outcome.state,
                                       before=outcome.before,
                                       result={"text": text, "audit_id": audit_id,
                                               "lines": outcome.lines,
                                               "steps_done": outcome.steps_done,
                                               "uncertain": outcome.uncertain}):
            METRICS.runs.labels(run.runbook, outcome.state.value).inc()
            METRICS.run_seconds.labels(run.runbook).observe(elapsed)

    def read(self, run: Run, plan: Plan, identity: Identity) -> tuple[Record, ...]:
        """Run a read-only plan, stored as `running`, as `identity`, and return its records."""
        thread = run_thread(run)
        records: list[Record] = []
        try:
            with traced(self._started(run, plan, identity)):
                for step in plan.steps:
                    result = self.parts.executor.run_step(step, identity)
                    records.extend(checked_causes(result.records, step.params,
                                                  self.parts.store.get)
                                   if step.verb == "rollout_history" else result.records)
                    self.parts.audit.record(StepDone(result.to_json()), actor=identity.user,
                                            run_id=run.id, thread=thread)
        except ClusterError as exc:
            if self.parts.store.transition(run.id, (RunState.RUNNING,), RunState.FAILED,
                                           result={"text": exc.message}):
                METRICS.runs.labels(run.runbook, RunState.FAILED.value).inc()
            self.parts.audit.record(ReadFailed(exc.message), run_id=run.id, thread=thread)
            raise
        event = self.parts.audit.record(ReadFinished(len(records)), run_id=run.id,
                                        thread=thread)
        if self.parts.store.transition(run.id, (RunState.RUNNING,), RunState.SUCCEEDED,
                                       result={"text": READ_RUN_DONE,
                                               "audit_id": getattr(event, "id", None)}):
            METRICS.runs.labels(run.runbook, RunState.SUCCEEDED.value).inc()
        return tuple(records)

    def recover(self) -> list[Reply]:
        """Runs a dead process left `running`, or `approved` and not yet started (an
        automatic fix queued to run), become `interrupted`; one reply each to announce."""
        self.parts.worker.heartbeat()
        replies = []
        for run in self.parts.store.interrupt_orphans():
            started = run.result.get("interrupted") != BEFORE_START
            METRICS.runs.labels(run.runbook, RunState.INTERRUPTED.value).inc()
            reason = ("the bot process stopped during the run" if started else
                      "the bot process stopped after the run was approved, before it started")
            self.parts.audit.record(Interrupted(reason), run_id=run.id, thread=run_thread(run))
            replies.append(Reply("update", interrupted_text(run.id, run.runbook,
                                                            started=started),
                                 run=self.presenter.view(run.id)))
        return replies

    def undo_request(self, channel: str, thread: str | None) -> UndoRequest | None:
        """What reverses the thread's newest change that reached the cluster; None when
        there is none: a run that succeeded, failed after a step was taken (its
        verification, say), or was interrupted once started (its step may have been
        taken: the undo's own dry-run says whether anything is left to reverse)."""
        for run in self.parts.store.runs_in_thread(channel, thread):
            if run.risk is Risk.READ or not run.reached_the_cluster():
                continue
            plan = Plan.from_record(run.plan)
            if plan.undo is None:
                raise Refusal(no_undo_text(run.runbook, run.id), NO_UNDO_HINT)
            return UndoRequest(run, plan.undo.runbook, undo_slots(plan, run.before),
                               undo_warning(plan, run.before))
        return None
