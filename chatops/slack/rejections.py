"""Refused requests, written to the audit log without letting a flood of them fill it.

Whatever is refused at the door (a bad signature, a stale timestamp, another workspace, a
click that doesn't match its run) is someone probing or something misconfigured; both are
worth a record. A flood is recorded as its first `burst` events per window and then one
summary with the count of the rest, so an attacker can't grow the audit log without bound.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from chatops.audit.records import Rejected, RejectionsSuppressed
from chatops.ports import AuditSink

log = logging.getLogger(__name__)


class Rejections:
    """Audits refused requests, at most `burst` per `window` seconds."""

    def __init__(self, audit: AuditSink, *, burst: int = 60, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.audit = audit
        self.burst = burst
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._started = float("-inf")
        self._count = 0
        self._suppressed = 0

    def record(self, what: str, reason: str, status: int, *, client: str = "") -> None:
        """Audit one refused request (`what`: the kind or path; never its body)."""
        log.warning("refused %s from %s: %s (%d)", what, client or "?", reason, status)
        with self._lock:
            now = self._clock()
            suppressed = 0
            if now - self._started >= self.window:
                suppressed, self._suppressed = self._suppressed, 0
                self._started, self._count = now, 0
            self._count += 1
            take = self._count <= self.burst
            if not take:
                self._suppressed += 1
        if suppressed:
            self.audit.record(RejectionsSuppressed(suppressed), actor="-")
        if take:
            self.audit.record(Rejected(what[:200], reason[:300], {
                "status": status, "client": client[:100]}), actor="-")
