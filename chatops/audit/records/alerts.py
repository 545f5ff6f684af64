"""Audit records of alerts: received, refused, and posts that failed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chatops.audit.records.base import AuditRecord


@dataclass(frozen=True)
class AlertReceived(AuditRecord):
    """One alert of a webhook delivery."""

    kind: ClassVar[str] = "alert"
    source: str
    status: str
    fingerprint: str
    labels: Mapping[str, str] = field(hash=False)
    group: str


@dataclass(frozen=True)
class AlertsRefused(AuditRecord):
    """A delivery refused because the outbox was full (answered 429)."""

    kind: ClassVar[str] = "alert_refused"
    source: str
    alerts: int
    would_queue: int
    bound: str
    limit: int
    queued: int


@dataclass(frozen=True)
class AlertPostFailed(AuditRecord):
    """An outbox item Slack kept refusing; `dropped` when the bot gave up on it."""

    kind: ClassVar[str] = "alert_failed"
    item: int
    item_kind: str
    attempts: int
    error: str
    dropped: Sequence[int] = field(hash=False)
    """The items queued behind it in the same thread, given up with it."""

    def data(self) -> dict[str, Any]:
        return {"item": self.item, "kind": self.item_kind, "attempts": self.attempts,
                "error": self.error, "dropped": list(self.dropped)}
