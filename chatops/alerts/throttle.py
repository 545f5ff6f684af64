"""How often alert thread roots may be edited: Slack allows `chat.update` about 50 calls a
minute per workspace (Tier 3), and a storm changes every root on every repeat.

A root is edited at most once per `per_thread` seconds, and all roots together at most
`per_minute` times in any 60 seconds; a root that has to wait stays dirty, so its next edit
shows the latest state (edits in between are dropped, never queued). The roots that waited
longest go first. A root whose *state* changed (an alert resolved or fired again: its
`signature`) skips the per-thread wait, still within the minute's budget: a repeat count
can wait, "resolved" should not. Kept in memory: only the Lease holder pumps the outbox,
and a new holder starting with an empty history at worst edits each root once early.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

WINDOW = 60.0


@dataclass(frozen=True)
class RootUpdateLimits:
    """The two bounds on root edits."""

    per_thread: float = 10.0
    """Seconds between two edits of one root."""
    per_minute: int = 20
    """Edits of all roots in any 60 s: room is left for runs' own message edits."""


class RootThrottle:
    """Picks which dirty roots may be edited now, and remembers the edits."""

    def __init__(self, limits: RootUpdateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._last: dict[str, tuple[float, Hashable]] = {}
        self._recent: deque[float] = deque()

    def due(self, dirty: Mapping[str, Hashable]) -> list[str]:
        """Of the dirty roots (key: state signature), those that may be edited now: state
        changes first, then the longest-waiting."""
        now = self._clock()
        while self._recent and self._recent[0] <= now - WINDOW:
            self._recent.popleft()
        room = self.limits.per_minute - len(self._recent)
        never = (float("-inf"), None)
        changed = [k for k, sig in dirty.items()
                   if k in self._last and self._last[k][1] != sig]
        waited = [k for k in dirty if k not in changed
                  and now - self._last.get(k, never)[0] >= self.limits.per_thread]
        changed.sort(key=lambda k: self._last[k][0])
        waited.sort(key=lambda k: self._last.get(k, never)[0])
        return [*changed, *waited][:max(room, 0)]

    def edited(self, key: str, signature: Hashable = None) -> None:
        """Count an edit of root `key` showing state `signature` (made or attempted: Slack
        counts both)."""
        now = self._clock()
        self._last[key] = (now, signature)
        self._recent.append(now)
