"""Audit records of schedules: changes, firings and why one did not run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chatops.audit.records.base import AuditRecord


@dataclass(frozen=True)
class ScheduleChanged(AuditRecord):
    """A schedule changed state (`activated`, `paused`, `resumed`, `deleted`, `done`,
    `cancelled`, `rebound` to a new plan) or a change was asked for (`asked:resume`,
    `asked:delete`), by `by` (a person's name, or `scheduler`), and why."""

    kind: ClassVar[str] = "schedule"
    schedule_id: str
    change: str
    by: str
    reason: str = ""


@dataclass(frozen=True)
class ScheduleFired(AuditRecord):
    """A firing passed its checks at `due` (epoch seconds) and runs as the requester;
    `approvers` are the schedule's approvals it runs on; `freeze` the reason of a freeze it
    ran during (only a window's end does: it restores the approved state)."""

    kind: ClassVar[str] = "schedule_fired"
    schedule_id: str
    due: float
    phase: str
    approvers: Sequence[str] = field(default=(), hash=False)
    freeze: str = ""

    def data(self) -> dict[str, Any]:
        data = {"schedule_id": self.schedule_id, "due": self.due, "phase": self.phase,
                "approvers": list(self.approvers)}
        return {**data, "freeze": self.freeze} if self.freeze else data


@dataclass(frozen=True)
class ScheduleBlocked(AuditRecord):
    """A firing did not run: `reason` is `freeze`, `policy`, `drift`, `missed`, `failed`
    (its checks could not be made), `interrupted` (claimed by a process that stopped before
    running it, or stopped by an internal error: `reference` finds it in the log) or, for a
    drifted firing's approved plan, `inactive` (the schedule is no longer active), with the
    facts of that reason."""

    kind: ClassVar[str] = "schedule_blocked"
    schedule_id: str
    due: float
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def data(self) -> dict[str, Any]:
        return {"schedule_id": self.schedule_id, "due": self.due, "reason": self.reason,
                **self.details}
