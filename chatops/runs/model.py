"""A run and its state machine: `Run`, `RunState` and the legal moves (`TRANSITIONS`).

The store that keeps runs (`chatops.runs.store`) checks every move against this table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chatops.errors import ChatOpsError
from chatops.model import Identity, Risk, frozen_map


class RunState(enum.StrEnum):
    """Where a run is; terminal states never change again."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    SCHEDULED = "scheduled"
    """Approved as a schedule (or a change to one): the schedule acts later, not this run."""

    @property
    def terminal(self) -> bool:
        """Whether nothing can happen to the run any more."""
        return self in TERMINAL


TERMINAL = frozenset({RunState.SUCCEEDED, RunState.FAILED, RunState.DENIED, RunState.EXPIRED,
                      RunState.CANCELLED, RunState.INTERRUPTED, RunState.SCHEDULED})

class Asked(enum.StrEnum):
    """How a run's request came about, as its plan's "Understood" line tells the approver:
    only a request typed as a command is an explicit command."""

    COMMAND = "command"
    """Typed as an explicit command (`run scale_deployment ...`)."""
    MODEL = "model"
    """Read from plain words by the model (its confidence is shown)."""
    FOLLOW_UP = "follow-up"
    """A follow-up that repeats the thread's last request ("and in staging?")."""
    FIX = "fix"
    """The fix a diagnosis suggested, taken by its requester."""
    CHOICE = "choice"
    """A runbook picked from the ones offered for a message the bot was unsure of."""
    PREVIEW = "preview"
    """A change asked for after its preview (a question of what it would do)."""
    UNDO = "undo"
    """The undo of an earlier run (`Run.undo_of` says which)."""
    ALERT = "alert"
    """Proposed for an alert; nobody asked for it."""
    ALERT_RULE = "alert-rule"
    """An alert rule's automatic remediation."""
    SCHEDULE = "schedule"
    """A schedule's firing."""


BEFORE_START = "before_start"
"""`result["interrupted"]` of a run the sweep found `approved`: nothing of it ran."""

TRANSITIONS: Mapping[RunState, frozenset[RunState]] = frozen_map({
    RunState.PROPOSED: frozenset({RunState.APPROVED, RunState.DENIED, RunState.EXPIRED,
                                  RunState.CANCELLED, RunState.FAILED, RunState.SCHEDULED}),
    # Interrupted from approved: the process that approved it died before it ran (swept).
    RunState.APPROVED: frozenset({RunState.RUNNING, RunState.INTERRUPTED}),
    RunState.RUNNING: frozenset({RunState.SUCCEEDED, RunState.FAILED, RunState.INTERRUPTED}),
    **{state: frozenset() for state in TERMINAL},
})
"""The legal moves. A run is created `proposed` (changes) or `running` (read-only runbooks,
which need no approval); `failed` from `proposed` is a run refused at approval time."""

class IllegalTransition(ChatOpsError):
    """A state change the run state machine does not allow: a bug in the caller."""


class ApprovalDecision(enum.StrEnum):
    """What an approver decided; the value is what the `approvals` table stores."""

    APPROVE = "approve"
    DENY = "deny"


@dataclass(frozen=True)
class Approval:
    """One approver's decision on one exact plan (its digest)."""

    approver: str
    approver_name: str
    digest: str
    decision: ApprovalDecision
    decided_at: float


@dataclass(frozen=True)
class Run:
    """A snapshot of one row of `runs`, decoded."""

    id: str
    state: RunState
    runbook: str
    risk: Risk
    requester: str
    requester_name: str
    identity: Identity
    channel: str
    thread: str | None
    raw_slots: Mapping[str, str]
    plan: Mapping[str, Any]
    digest: str
    preview: tuple[Mapping[str, Any], ...]
    needed: int
    confidence: float
    notes: tuple[str, ...]
    created_at: float
    expires_at: float
    updated_at: float
    owner: str | None
    before: Mapping[str, Any]
    result: Mapping[str, Any]
    undo_of: str | None
    message_ref: str | None
    act_as_approver: bool = False
    """True while the run has no requester yet: an alert's proposal, until its first
    approver takes it on (the column keeps its first name)."""
    asked_as: Asked | None = None
    """How the request came about; None for a run stored before this was kept."""
    approvals: tuple[Approval, ...] = field(default=())

    def reached_the_cluster(self) -> bool:
        """Whether some step of the run may have changed the cluster: it succeeded, failed
        after a step was taken (its verification, say) or while one timed out, or was
        interrupted once started."""
        if self.took_a_step():
            return True
        if self.state is RunState.FAILED:
            return bool(self.result.get("uncertain"))
        if self.state is RunState.INTERRUPTED:
            return self.result.get("interrupted") != BEFORE_START
        return False

    def took_a_step(self) -> bool:
        """Whether a step of the run certainly completed: it succeeded, or failed after a
        step (its verification, say). An interrupted run, or one whose first step timed
        out, may have acted or not: only `reached_the_cluster` holds for it."""
        if self.state is RunState.SUCCEEDED:
            return True
        return (self.state is RunState.FAILED
                and int(self.result.get("steps_done", 0) or 0) > 0)

    def approvers(self) -> tuple[Approval, ...]:
        """Approvals that count: given for the current plan digest."""
        return tuple(a for a in self.approvals
                     if a.decision is ApprovalDecision.APPROVE and a.digest == self.digest)
