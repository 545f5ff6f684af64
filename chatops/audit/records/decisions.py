"""Audit records of plans and their approval: proposed, approved, denied, rejected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chatops.audit.records.base import AuditRecord


@dataclass(frozen=True)
class Planned(AuditRecord):
    """A runbook rendered into a plan (`Plan.to_json()` and its digest)."""

    kind: ClassVar[str] = "plan"
    plan: Mapping[str, Any] = field(hash=False)
    digest: str

    def data(self) -> dict[str, Any]:
        return {**self.plan, "digest": self.digest}


@dataclass(frozen=True)
class Proposed(AuditRecord):
    """A change waiting for approval, with its dry-run preview."""

    kind: ClassVar[str] = "proposed"
    digest: str
    needed: int
    preview: Sequence[Mapping[str, Any]] = field(hash=False)


@dataclass(frozen=True)
class Unchanged(AuditRecord):
    """A change whose dry-run showed nothing to change: nothing was proposed."""

    kind: ClassVar[str] = "unchanged"
    digest: str
    preview: Sequence[Mapping[str, Any]] = field(hash=False)


@dataclass(frozen=True)
class Previewed(AuditRecord):
    """A change previewed only (a question of what it would do): its dry-run as the asker;
    nothing was proposed."""

    kind: ClassVar[str] = "previewed"
    digest: str
    preview: Sequence[Mapping[str, Any]] = field(hash=False)


@dataclass(frozen=True)
class Approved(AuditRecord):
    """One approver's approval of the exact plan (`digest`)."""

    kind: ClassVar[str] = "approval"
    digest: str
    approver: str


@dataclass(frozen=True)
class Adopted(AuditRecord):
    """An alert's proposal taken on by its first approver, who becomes its requester."""

    kind: ClassVar[str] = "adopted"
    requester: str
    identity: str


@dataclass(frozen=True)
class Denied(AuditRecord):
    """An approver denied the run."""

    kind: ClassVar[str] = "denied"


@dataclass(frozen=True)
class Expired(AuditRecord):
    """The run waited longer than the policy's expiry."""

    kind: ClassVar[str] = "expired"


@dataclass(frozen=True)
class Cancelled(AuditRecord):
    """The requester cancelled the run (`reason` "edited" when a new plan replaced it)."""

    kind: ClassVar[str] = "cancelled"
    reason: str | None = None

    def data(self) -> dict[str, Any]:
        return {} if self.reason is None else {"reason": self.reason}


@dataclass(frozen=True)
class Rejected(AuditRecord):
    """Something refused before it could act: a forged or stale click, a request at the
    HTTP door, a run whose identity no longer matches the policy. `details` are the facts
    of that kind of refusal."""

    kind: ClassVar[str] = "rejected"
    what: str
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def data(self) -> dict[str, Any]:
        return {"what": self.what, "reason": self.reason, **self.details}


@dataclass(frozen=True)
class RejectionsSuppressed(AuditRecord):
    """Refusals counted but not recorded one by one (their rate limit)."""

    kind: ClassVar[str] = "rejected"
    count: int

    def data(self) -> dict[str, Any]:
        return {"what": "more refused requests", "count": self.count,
                "reason": "not recorded one by one (rate limit)"}


@dataclass(frozen=True)
class Replanned(AuditRecord):
    """The plan was rendered and previewed again at approval time and differed."""

    kind: ClassVar[str] = "replanned"
    old_binding: str
    binding: str
    plan_digest: str
    preview: Sequence[Mapping[str, Any]] = field(hash=False)
