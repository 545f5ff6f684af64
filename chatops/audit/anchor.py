"""Anchoring the audit chain outside the database: where checkpoints go, and how often.

`CheckpointWriter.write_now` takes a checkpoint of the log and hands it to every
`CheckpointSink`: the log stream (`LogSink`, so it lands in the cluster's log pipeline), a
file of JSON lines (`FileSink`), or a ConfigMap (`chatops.executor.checkpoints`, the only sink
that needs Kubernetes). `chatops audit verify --against` checks the log against one of them.

Before its first write the writer reads what the sinks that can be read back (the file, the
ConfigMap; not the log stream) already hold, so a log cut while the bot was down is refused
instead of being signed again at its shorter head.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol, runtime_checkable

from chatops.audit.checkpoint import Checkpoint, newest_checkpoint
from chatops.audit.log import AuditLog, AuditTampered, VerifyReport
from chatops.errors import ChatOpsError

log = logging.getLogger(__name__)


class CheckpointSink(Protocol):
    """Somewhere a checkpoint is kept, out of reach of whoever can write the database."""

    def write(self, checkpoint: Checkpoint) -> None:
        """Store `checkpoint` as the newest one; raise when it could not be stored."""


@runtime_checkable
class ReadableCheckpointSink(CheckpointSink, Protocol):
    """A sink that can say which checkpoint it already holds (the file, the ConfigMap)."""

    def read(self) -> str | None:
        """The JSON of the newest checkpoint stored, or None when none is; raise when the
        store cannot be read."""


class CheckpointStoreTampered(AuditTampered):
    """A sink holds a checkpoint that the key did not sign: whoever wrote it there did not
    hold the key. No checkpoint is written until someone looks."""

    def __init__(self, report: VerifyReport) -> None:
        super().__init__(report)
        self.args = (f"an audit checkpoint store was tampered with: {report.problem}",)


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
    """Appends each checkpoint as one JSON line; earlier lines stay as history, and the line
    with the highest event id is the newest (`read_checkpoint_file`). Put the file where the
    database's attacker cannot write, or sign: a signature stops forged lines, but whoever
    can write the file can still delete its newest ones."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str | None:
        """The JSON of the line with the highest event id, or None when there is no file or
        no line is a checkpoint (lines that are not are logged and skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        checkpoint, problems = newest_checkpoint(text)
        for problem in problems:
            log.warning("%s: skipped %s", self.path, problem)
        return None if checkpoint is None else checkpoint.to_json()

    def write(self, checkpoint: Checkpoint) -> None:
        """Append the checkpoint and flush it to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as out:
            line = checkpoint.to_json().encode("ascii") + b"\n"
            if out.tell() > 0:
                out.seek(-1, os.SEEK_END)
                if out.read(1) != b"\n":
                    # A line cut short by a crash: end it, so this one stays a line of its own.
                    line = b"\n" + line
            out.write(line)
            out.flush()
            os.fsync(out.fileno())

    def __repr__(self) -> str:
        return f"FileSink({str(self.path)!r})"


class CheckpointWriter:
    """Takes checkpoints of one log and writes them to every sink.

    Before a sink that can be read back (`ReadableCheckpointSink`: the file, the ConfigMap)
    is first written, the checkpoint it already holds is read: when a key is set its
    signature must be the key's (`CheckpointStoreTampered`, an `AuditTampered`, otherwise),
    and the chain must extend it, its event still there with the same hash (`AuditTampered`
    otherwise: a log cut or rewritten while no writer watched, say during a restart). The
    newest stored checkpoint is then where the next one starts from, so the rows before it
    are not walked again (`chatops audit verify` does that). A sink that cannot be read is
    logged and neither read nor written until it can be; the log stream is never read.

    Each checkpoint after that only walks the rows appended since the previous one and must
    extend it, so a tail cut off between two calls is reported (`AuditTampered`) instead of
    being signed and stored as the new truth. Once that happens every later call raises too,
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
        # Per sink, what can read back what it held at start-up, until that was read and
        # checked (None: read already, or a sink that cannot be read, like the log stream).
        self._unread: list[ReadableCheckpointSink | None] = [
            sink if isinstance(sink, ReadableCheckpointSink) else None for sink in self._sinks]

    @property
    def last(self) -> Checkpoint | None:
        """The newest checkpoint taken or found in a sink, or None before either."""
        return self._last

    def load(self) -> Checkpoint | None:
        """Read and check what the sinks not read yet already hold (`write_now` does it
        first); return the newest checkpoint known, or None when there is none yet.

        Raises `AuditTampered` as described on the class; nothing is written then.
        """
        with self._lock:
            self._load()
            return self._last

    def write_now(self) -> Checkpoint:
        """Take a checkpoint and write it to the sinks that do not have it yet.

        Reads what the sinks hold first (see `load`). When no event was appended since the
        previous checkpoint (taken, or found in a sink) it is kept and only the sinks that do
        not hold it get it. A sink that fails is logged and tried again on the next call;
        the others still get the checkpoint. Raises `AuditTampered` when the chain is broken
        or no longer extends the previous checkpoint or one a sink holds.
        """
        with self._lock:
            self._load()
            current = self._log.checkpoint(self._key, since=self._last)
            last = self._last
            if last is not None and (current.event_id, current.event_hash) == (
                    last.event_id, last.event_hash):
                current = last
            self._last = current
            for index, sink in enumerate(self._sinks):
                if self._unread[index] is not None or self._stored[index] == current:
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

    def _load(self) -> None:
        found: list[tuple[int, Checkpoint]] = []
        for index, sink in enumerate(self._unread):
            if sink is None:
                continue
            try:
                text = sink.read()
            except Exception as exc:
                log.error("cannot read the audit checkpoint %r holds: %s; nothing is written "
                          "to it until it can be read", sink, exc,
                          exc_info=not isinstance(exc, ChatOpsError | OSError))
                continue
            stored = _parse(text, sink)
            if stored is None:
                self._unread[index] = None  # it holds nothing: written from now on
                continue
            self._check_signature(stored, sink)
            found.append((index, stored))
        for index, stored in sorted(found, key=lambda item: item[1].event_id):
            _check_extended(self._log, stored, self._sinks[index])
            self._stored[index] = stored
            self._unread[index] = None
            if self._last is None or stored.event_id > self._last.event_id:
                self._last = stored

    def _check_signature(self, stored: Checkpoint, sink: CheckpointSink) -> None:
        if self._key is None or stored.signature_valid(self._key):
            return
        why = ("it is not signed, but CHATOPS_AUDIT_CHECKPOINT_KEY is set (if it was written "
               "before the key was, move it aside)" if stored.signature is None else
               "it was not signed with this key (forged, or signed with another key)")
        raise CheckpointStoreTampered(VerifyReport(
            False, 0, None, f"bad signature on the checkpoint of event #{stored.event_id} "
                            f"that {sink!r} holds: {why}"))


def _parse(text: str | None, sink: CheckpointSink) -> Checkpoint | None:
    """The checkpoint a sink holds, or None when it holds none (what is there instead is
    logged: it was damaged, or is not ours, and is written over like an empty store)."""
    if text is None:
        return None
    try:
        return Checkpoint.from_json(text)
    except ValueError as exc:
        log.warning("%r holds no usable audit checkpoint (%s); it is written as if empty",
                    sink, exc)
        return None


def _check_extended(audit: AuditLog, stored: Checkpoint, sink: CheckpointSink) -> None:
    """Raise `AuditTampered` unless the chain still holds `stored`'s event unchanged and is
    intact from there to its head (only the rows after it are walked)."""
    try:
        audit.checkpoint(None, since=stored)
    except AuditTampered as exc:
        problem = (f"{exc.report.problem} (checked from the checkpoint of event "
                   f"#{stored.event_id}, taken at {stored.taken_at}, that {sink!r} holds)")
        raise AuditTampered(replace(exc.report, problem=problem)) from exc
