"""Anchoring the audit chain outside the database: where checkpoints go, and how often.

`CheckpointWriter.write_now` takes a checkpoint of the log and hands it to every
`CheckpointSink`: the log stream (`LogSink`, so it lands in the cluster's log pipeline), a
file of JSON lines (`FileSink`), or a ConfigMap (`chatops.executor.checkpoints`, the only sink
that needs Kubernetes). `chatops audit verify --against` checks the log against one of them.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from chatops.audit.checkpoint import Checkpoint
from chatops.audit.log import AuditLog
from chatops.errors import ChatOpsError

log = logging.getLogger(__name__)


class CheckpointSink(Protocol):
    """Somewhere a checkpoint is kept, out of reach of whoever can write the database."""

    def write(self, checkpoint: Checkpoint) -> None:
        """Store `checkpoint` as the newest one; raise when it could not be stored."""


class LogSink:
    """Writes `audit checkpoint {json}` at INFO, for the cluster's log pipeline to keep.

    The line only leaves the process if the logger lets INFO through: the CLI decides that.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or log

    def write(self, checkpoint: Checkpoint) -> None:
        """Log the checkpoint as one line."""
        self.logger.info("audit checkpoint %s", checkpoint.to_json())

    def __repr__(self) -> str:
        return f"LogSink({self.logger.name})"


class FileSink:
    """Appends each checkpoint as one JSON line (the last line is the newest; earlier lines
    stay as history). Put the file where the database's attacker cannot write, or sign."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, checkpoint: Checkpoint) -> None:
        """Append the checkpoint and flush it to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(checkpoint.to_json() + "\n")
            out.flush()
            os.fsync(out.fileno())

    def __repr__(self) -> str:
        return f"FileSink({str(self.path)!r})"


class CheckpointWriter:
    """Takes checkpoints of one log and writes them to every sink.

    Each checkpoint after the first only walks the rows appended since the previous one and
    must extend it, so a tail cut off between two calls is reported (`AuditTampered`) instead
    of being signed and stored as the new truth. Once that happens every later call raises too,
    and the sinks keep the last honest checkpoint. Safe to call from several threads.
    """

    def __init__(self, log: AuditLog, key: str | None, sinks: Sequence[CheckpointSink]) -> None:
        self._log = log
        self._key = key
        self._sinks = list(sinks)
        self._lock = threading.Lock()
        self._last: Checkpoint | None = None
        # Per sink, the checkpoint it last stored, so a sink that failed gets it next time.
        self._stored: list[Checkpoint | None] = [None] * len(self._sinks)

    @property
    def last(self) -> Checkpoint | None:
        """The newest checkpoint taken, or None before the first `write_now`."""
        return self._last

    def write_now(self) -> Checkpoint:
        """Take a checkpoint and write it to the sinks that do not have it yet.

        When no event was appended since the previous call the previous checkpoint is kept
        and nothing is written (the first call always writes). A sink that fails is logged
        and tried again on the next call; the others still get the checkpoint. Raises
        `AuditTampered` when the chain is broken or no longer extends the previous checkpoint.
        """
        with self._lock:
            current = self._log.checkpoint(self._key, since=self._last)
            last = self._last
            if last is not None and (current.event_id, current.event_hash) == (
                    last.event_id, last.event_hash):
                current = last
            self._last = current
            for index, sink in enumerate(self._sinks):
                if self._stored[index] == current:
                    continue
                try:
                    sink.write(current)
                except Exception as exc:
                    log.error("audit checkpoint #%d was not written to %r: %s",
                              current.event_id, sink, exc,
                              exc_info=not isinstance(exc, ChatOpsError | OSError))
                else:
                    self._stored[index] = current
            return current
