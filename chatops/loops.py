"""How the Runtime's background loops are paced (`Intervals`), and the leadership of a bot
that runs as one process (`SoleReplica`): the leader's loops always run there.

With several replicas the leadership is a Lease (`chatops.executor.lease`, chosen by
`chatops.cli.leadership`); the Runtime asks either one the same `Leadership` questions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intervals:
    """How often each background loop runs, in seconds."""

    heartbeat: float = 30.0
    """Liveness for other replicas (they treat 120 s as dead), orphan sweep, dedupe pruning."""
    pump: float = 1.0
    """Queued alert posts are tried against the channel's burst limit."""
    checkpoint: float = 300.0
    """The audit chain's head is anchored outside the database."""
    join: float = 30.0
    """How long `stop()` waits for each loop to finish its current turn."""
    lease: float = 2.0
    """A Lease round (acquire or renew): the Lease's retry period."""
    schedules: float = 20.0
    """Due schedules are fired (cron has minutes; a firing is claimed once in the database)."""
    watch: float = 5.0
    """The cluster watch is started or stopped as leadership says; Pending pods looked at."""


class SoleReplica:
    """The leadership of a bot that runs as one process: always the leader."""

    def is_leader(self) -> bool:
        """Always."""
        return True

    def try_once(self) -> bool:
        """Nothing to acquire."""
        return True

    def release(self) -> None:
        """Nothing to give up."""
