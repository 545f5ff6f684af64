"""Audit records of a run: started, each step, verified, finished or interrupted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chatops.audit.records.base import AuditRecord


@dataclass(frozen=True)
class RunStarted(AuditRecord):
    """Execution begins, as `identity` with `groups`, of the plan `digest`. Every Kubernetes
    request of the run carries this record's id (`Impersonate-Extra-chatops.dev/audit-seq`)."""

    kind: ClassVar[str] = "started"
    identity: str
    groups: Sequence[str] = field(hash=False)
    digest: str


@dataclass(frozen=True)
class StepDone(AuditRecord):
    """One step executed (`StepResult.to_json()`)."""

    kind: ClassVar[str] = "step"
    result: Mapping[str, Any] = field(hash=False)

    def data(self) -> dict[str, Any]:
        return dict(self.result)


@dataclass(frozen=True)
class Verified(AuditRecord):
    """One verification check after the steps."""

    kind: ClassVar[str] = "verify"
    verb: str
    ok: bool
    message: str


@dataclass(frozen=True)
class ChangeFinished(AuditRecord):
    """A change ran to its end state, with what the person was told."""

    kind: ClassVar[str] = "result"
    state: str
    lines: Sequence[str] = field(hash=False)
    elapsed_seconds: float
    before: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class ReadFinished(AuditRecord):
    """A read-only runbook answered (`records` items read)."""

    kind: ClassVar[str] = "result"
    records: int

    def data(self) -> dict[str, Any]:
        return {"state": "succeeded", "records": self.records}


@dataclass(frozen=True)
class ReadFailed(AuditRecord):
    """A read-only runbook failed at the cluster."""

    kind: ClassVar[str] = "result"
    error: str

    def data(self) -> dict[str, Any]:
        return {"state": "failed", "error": self.error}


@dataclass(frozen=True)
class Interrupted(AuditRecord):
    """A run whose process died before it finished."""

    kind: ClassVar[str] = "interrupted"
    reason: str
