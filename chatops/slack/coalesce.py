"""Coalescing message edits: at most one `chat.update` per message per interval, latest wins.

A run reports progress much faster than anyone reads it, and Slack rate-limits
`chat.update` (about one per second per channel in bursts). Edits are therefore queued per
key (the run id): a new edit replaces a queued one, and a key is sent at most once per
`interval`. One worker thread sends, so edits of one message never overtake each other.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

P = TypeVar("P")


@dataclass
class _Slot(Generic[P]):
    pending: P | None = None
    last_sent: float = float("-inf")
    scheduled: bool = False


class Coalescer(Generic[P]):
    """Sends the latest payload per key through `send`, spaced by `interval` seconds."""

    def __init__(self, send: Callable[[str, P], None], *, interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._send = send
        self.interval = interval
        self._clock = clock
        self._slots: dict[str, _Slot[P]] = {}
        self._due: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._busy = 0
        self._closed = False
        self._worker = threading.Thread(target=self._loop, name="slack-updates", daemon=True)
        self._worker.start()

    def submit(self, key: str, payload: P) -> None:
        """Queue `payload` for `key`, replacing anything not yet sent for it."""
        with self._cond:
            slot = self._slots.setdefault(key, _Slot())
            slot.pending = payload
            if not slot.scheduled:
                slot.scheduled = True
                due = max(self._clock(), slot.last_sent + self.interval)
                heapq.heappush(self._due, (due, key))
                self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued has been sent; False if `timeout` passed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._due or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued (waiting out the spacing), then stop the worker."""
        with self._cond:
            # Shutting down: waiting out the spacing would only delay the last word.
            self._due = [(0.0, key) for _, key in self._due]
            heapq.heapify(self._due)
            self._cond.notify_all()
        self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed and not self._due:
                        return
                    now = self._clock()
                    if self._due and self._due[0][0] <= now:
                        break
                    wait = self._due[0][0] - now if self._due else None
                    self._cond.wait(wait if wait is None else min(wait, 1.0))
                _, key = heapq.heappop(self._due)
                slot = self._slots[key]
                payload, slot.pending = slot.pending, None
                slot.scheduled = False
                slot.last_sent = now
                self._busy += 1
            try:
                if payload is not None:
                    self._send(key, payload)
            except Exception:
                # One failed edit must not stop the edits of every other run.
                log.exception("could not update the message for %s", key)
            finally:
                with self._cond:
                    self._busy -= 1
                    done = self._slots[key]
                    # Keep the spacing information only as long as it matters.
                    if (done.pending is None and not done.scheduled
                            and self._clock() - done.last_sent > self.interval):
                        del self._slots[key]
                    self._cond.notify_all()
