"""Audit records of automatic fixes (alert rules with `auto: true`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chatops.audit.records.base import AuditRecord


@dataclass(frozen=True)
class AutoFixRan(AuditRecord):
    """An alert rule ran its remediation without approval, as `user` and `groups` (the
    rule's `as`), on `target` (runbook and slot values); `outcome` is the run's end state
    (`succeeded`, `failed`, or `approved` when it was only started)."""

    kind: ClassVar[str] = "auto_fix"
    rule: str
    runbook: str
    target: str
    user: str
    groups: Sequence[str] = field(default=(), hash=False)
    outcome: str = "approved"

    def data(self) -> dict[str, Any]:
        return {"rule": self.rule, "runbook": self.runbook, "target": self.target,
                "user": self.user, "groups": list(self.groups), "outcome": self.outcome}


@dataclass(frozen=True)
class AutoFixHeld(AuditRecord):
    """An automatic fix was proposed behind approval instead: `reason` is `rate_limit`
    (with `runs` in the last hour and `limit`) or `demoted` (with the failed `run`)."""

    kind: ClassVar[str] = "auto_fix_held"
    rule: str
    target: str
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def data(self) -> dict[str, Any]:
        return {"rule": self.rule, "target": self.target, "reason": self.reason,
                **self.details}


@dataclass(frozen=True)
class AutoFixDemoted(AuditRecord):
    """After a failed automatic run (`run`), the rule only proposes for `target` from now on
    (kept in the database, so a restart keeps it demoted)."""

    kind: ClassVar[str] = "auto_fix_demoted"
    rule: str
    target: str
    run: str
    reason: str


@dataclass(frozen=True)
class AutoFixRestored(AuditRecord):
    """An operator lifted a demotion (`chatops autofix restore`): `rule` runs automatically
    on `target` again; `run` is the failed run that had demoted it, `via` where it was
    lifted (`cli`). The actor of the record is who ran the command."""

    kind: ClassVar[str] = "auto_fix_restored"
    rule: str
    target: str
    run: str
    via: str = "cli"
