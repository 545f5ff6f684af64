"""The running bot, whatever its surface: the conversation service, its stores, the alert
engine and the background loops that keep a process honest.

`chatops serve`, `chatops shell` (and so `chatops demo`) and the tests build one `Runtime`
through `chatops.cli.wiring.build_runtime` and drive it with `start()` / `stop()`. A surface
attaches itself (`attach`) to say how interrupted runs are announced, which chat the alert
engine posts with, and what to close at the end; it reaches the runtime only through the
narrow methods below (`claim`, `seen`, `run`, `slot_specs`, `record_message_ref`,
`message_ref`), never through the stores: a run is read as a `RunSummary`, not the store's row.

The loops: a heartbeat that tells other replicas this one is alive, sweeps runs orphaned by
a dead replica and prunes old dedupe keys; the alert outbox pump; audit checkpoints written
outside the database. Each loop logs its own failures and keeps going.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from chatops.alerts import AlertEngine, AlertRules, AlertStore
from chatops.audit import AuditTampered, CheckpointWriter
from chatops.conversation import ConversationService
from chatops.ports import AuditSink, ChatSurface
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.schema import SlotSpec
from chatops.runs import Run, RunStore

log = logging.getLogger(__name__)

Announce = Callable[[list[Reply]], None]
"""Says runs were interrupted (the replies of `ConversationService.recover`) on a surface."""


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


@dataclass(frozen=True)
class RunSummary:
    """What a surface may read of a stored run: where it was asked, by whom, with what values
    (not its plan, identity or approvals)."""

    id: str
    runbook: str
    requester: str
    channel: str
    thread: str | None
    raw_slots: Mapping[str, str]
    message_ref: str | None


def _summary(run: Run) -> RunSummary:
    return RunSummary(id=run.id, runbook=run.runbook, requester=run.requester,
                      channel=run.channel, thread=run.thread, raw_slots=dict(run.raw_slots),
                      message_ref=run.message_ref)


def _log_recovered(replies: list[Reply]) -> None:
    for reply in replies:
        log.warning("%s", reply.text)


class Runtime:
    """One bot process: the service and its stores, the alert engine, the loops.

    Build it with `chatops.cli.wiring.build_runtime`; `attach` a surface; `start()`; at the
    end `stop()`. Both are idempotent, and `stop()` joins the loops before the last
    checkpoint is written.
    """

    def __init__(self, service: ConversationService, *, alert_rules: AlertRules | None = None,
                 alert_store: AlertStore | None = None,
                 checkpoints: CheckpointWriter | None = None,
                 intervals: Intervals | None = None) -> None:
        self.service = service
        self.checkpoints = checkpoints
        self.intervals = intervals or Intervals()
        self.alerts: AlertEngine | None = None
        self._alert_rules = alert_rules
        self._alert_store = alert_store
        self._announce: Announce = _log_recovered
        self._closers: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._started = self._stopped = False

    # ------------------------------------------------------------------ parts

    @property
    def runs(self) -> RunStore:
        """The run store (the loops' and the tests'; surfaces use the narrow methods)."""
        return self.service.store

    @property
    def audit(self) -> AuditSink:
        """The audit log the service appends to."""
        return self.service.audit

    @property
    def catalogue(self) -> Catalogue:
        """The live runbook catalogue."""
        return self.service.catalogue

    def attach(self, *, announce: Announce | None = None, chat: ChatSurface | None = None,
               close: Callable[[], None] | None = None) -> None:
        """Plug a surface in (before `start()`).

        `announce` tells people about runs interrupted by a dead process; `chat` is what the
        alert engine posts with (no chat, no alert engine); `close` runs at `stop()`, after
        the loops have finished.
        """
        if announce is not None:
            self._announce = announce
        if chat is not None and self._alert_rules is not None and self._alert_store is not None:
            self.alerts = AlertEngine(service=self.service, rules=self._alert_rules, chat=chat,
                                      store=self._alert_store)
        if close is not None:
            self._closers.append(close)

    # ------------------------------------------------------------------ narrow ports

    def claim(self, key: str) -> bool:
        """Take a dedupe key: True the first time (across replicas), False after."""
        return self.runs.dedupe.claim(key)

    def seen(self, key: str) -> bool:
        """Whether a dedupe key was taken (without taking it)."""
        return self.runs.dedupe.seen(key)

    def run(self, run_id: str) -> RunSummary | None:
        """What a surface reads of a stored run, or None."""
        run = self.runs.get(run_id)
        return _summary(run) if run is not None else None

    def record_message_ref(self, run_id: str, ref: str) -> None:
        """Remember the chat message (`"CHANNEL:TS"`) that shows a run; later edits find it."""
        self.runs.update(run_id, message_ref=ref)

    def message_ref(self, run_id: str) -> str | None:
        """The chat message that shows a run, or None when none was recorded."""
        run = self.runs.get(run_id)
        return run.message_ref if run is not None else None

    def slot_specs(self, runbook: str) -> Sequence[SlotSpec] | None:
        """The slots `runbook` declares, in order; None when no such runbook is loaded."""
        if runbook not in self.catalogue:
            return None
        return tuple(self.catalogue.get(runbook).slots.values())

    # ------------------------------------------------------------------ lifecycle

    def recover(self) -> None:
        """Mark runs left running by a dead process interrupted, and announce them."""
        self._announce(self.service.recover())

    def start(self) -> None:
        """Recover interrupted runs, then start the loops. A second call does nothing."""
        with self._lock:
            if self._started or self._stopped:
                return
            self._started = True
        self.recover()
        self._spawn("heartbeat", self.intervals.heartbeat, self.heartbeat, first=False)
        if self.alerts is not None:
            self._spawn("alert-pump", self.intervals.pump, self.alerts.pump, first=False)
        if self.checkpoints is not None:
            self._spawn("audit-checkpoints", self.intervals.checkpoint, self.checkpoint,
                        first=True)

    def stop(self) -> None:
        """Stop and join the loops, close what surfaces attached, write a last checkpoint.

        A second call does nothing.
        """
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._stop.set()
        for thread in self._threads:
            thread.join(self.intervals.join)
            if thread.is_alive():
                log.warning("background loop %s did not stop in %.0fs", thread.name,
                            self.intervals.join)
        for close in self._closers:
            try:
                close()
            except Exception:
                log.exception("closing a surface failed")
        if self._started:
            self.checkpoint()

    @property
    def stopping(self) -> threading.Event:
        """Set once `stop()` was called (for waits that should end with the runtime)."""
        return self._stop

    # ------------------------------------------------------------------ one turn of each loop

    def heartbeat(self) -> None:
        """Tell other replicas this one is alive, prune old dedupe keys, and sweep runs of
        replicas that died mid-run (noticed by the others, not only at some next start)."""
        self.runs.heartbeat()
        self.runs.dedupe.prune()
        self.recover()

    def checkpoint(self) -> None:
        """Anchor the audit chain's head outside the database (a cut-off tail is then
        detected); a log that no longer verifies gets no new checkpoint."""
        if self.checkpoints is None:
            return
        try:
            self.checkpoints.write_now()
        except AuditTampered as exc:
            log.error("the audit log does not verify; no new checkpoint written: %s", exc)
        except Exception:
            log.exception("audit checkpoint failed")

    def _spawn(self, name: str, every: float, turn: Callable[[], object], *,
               first: bool) -> None:
        def loop() -> None:
            if first:
                self._turn(name, turn)
            while not self._stop.wait(every):
                self._turn(name, turn)

        thread = threading.Thread(target=loop, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    @staticmethod
    def _turn(name: str, turn: Callable[[], object]) -> None:
        try:
            turn()
        except Exception:
            log.exception("%s failed", name)
