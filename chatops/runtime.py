"""The running bot, whatever its surface: the conversation service, its stores, the alert
engine and the background loops that keep a process honest.

`chatops serve`, `chatops shell` (and so `chatops demo`) and the tests build one `Runtime`
through `chatops.cli.wiring.build_runtime` and drive it with `start()` / `stop()`. A surface
attaches itself (`attach`) to say how interrupted runs are announced, which chat the alert
engine posts with, and what to close at the end; it reaches the runtime only through the
narrow methods below (`claim`, `seen`, `run`, `slot_specs`, `record_message_ref`,
`message_ref`, and a person's overview: `home`, `run_line`, `home_audience`, `run_audit`),
never through the stores: a run is read as a `RunSummary` or a `RunLine`, not the store's row.

The loops: a heartbeat that tells other replicas this one is alive, sweeps runs orphaned by
a dead replica and prunes old dedupe keys; the alert outbox pump; audit checkpoints written
outside the database; with several replicas, the Lease round. Work that must happen once
(the orphan sweep, the outbox, checkpoints) runs only while this replica leads
(`Leadership`); a sole replica always does. Each loop logs its own failures and keeps going.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from chatops.alerts import AlertEngine, AlertPorts, AlertRules
from chatops.audit import AuditLog, AuditTampered, CheckpointWriter
from chatops.conversation import ConversationService
from chatops.conversation.overview import (
    AUDIT_EVENTS,
    AuditLine,
    HomeFacts,
    RunLine,
    audience,
    audit_lines,
    home_facts,
    may_edit,
    may_see,
    person,
)
from chatops.conversation.overview import run_line as line_of
from chatops.conversation.presenting import BINDING_SHOWN
from chatops.loops import Intervals, SoleReplica
from chatops.metrics import METRICS
from chatops.ports import AuditSink, ChatSurface, Leadership
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.schema import SlotSpec
from chatops.runs import Run, RunStore
from chatops.stores import Stores
from chatops.watches import WatchLoop

__all__ = ["Announce", "Intervals", "RunSummary", "Runtime", "SoleReplica"]

log = logging.getLogger(__name__)

Announce = Callable[[list[Reply]], None]
"""Says runs were interrupted (the replies of `ConversationService.recover`) on a surface."""


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
    state: str = ""
    binding: str = ""
    """The first hex digits of the plan binding, as the run's buttons carry them."""


def _summary(run: Run) -> RunSummary:
    return RunSummary(id=run.id, runbook=run.runbook, requester=run.requester,
                      channel=run.channel, thread=run.thread, raw_slots=dict(run.raw_slots),
                      message_ref=run.message_ref, state=run.state.value,
                      binding=run.digest[:BINDING_SHOWN])


def _log_recovered(replies: list[Reply]) -> None:
    for reply in replies:
        log.warning("%s", reply.text)


class Runtime:
    """One bot process: the service and its stores, the alert engine, the loops.

    Build it with `chatops.cli.wiring.build_runtime`; `attach` a surface; `start()`; at the
    end `stop()`. Both are idempotent, and `stop()` joins the loops before the last
    checkpoint is written.
    """

    def __init__(self, service: ConversationService, stores: Stores, *,
                 alert_ports: AlertPorts | None = None,
                 alert_rules: AlertRules | None = None,
                 checkpoints: CheckpointWriter | None = None,
                 intervals: Intervals | None = None,
                 leadership: Leadership | None = None,
                 watches: WatchLoop | None = None) -> None:
        self.service = service
        self.stores = stores
        """Every store of the process, opened by `wiring` and handed to the service."""
        self.watches = watches
        """The cluster watch (`chatops.watches`): alerts of its own, on the leader only."""
        self.checkpoints = checkpoints
        self.leadership: Leadership = leadership or SoleReplica()
        self.intervals = intervals or Intervals()
        self.alerts: AlertEngine | None = None
        self._alert_rules = alert_rules
        self._alert_ports = alert_ports
        self._announce: Announce = _log_recovered
        self._chat: ChatSurface | None = None
        self._closers: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._loader: threading.Thread | None = None
        self._lock = threading.Lock()
        self._started = self._stopped = False
        self._model_loaded = threading.Event()

    # ------------------------------------------------------------------ parts

    @property
    def runs(self) -> RunStore:
        """The run store (the loops' and the tests'; surfaces use the narrow methods)."""
        return self.stores.runs

    @property
    def audit(self) -> AuditSink:
        """The audit log the service appends to."""
        return self.stores.audit

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
        if chat is not None:
            self._chat = chat
        rules, ports, store = self._alert_rules, self._alert_ports, self.stores.alerts
        if chat is not None and rules is not None and ports is not None and store is not None:
            self.alerts = AlertEngine(ports=ports, rules=rules, chat=chat, store=store,
                                      autofix=self.stores.autofix)
        if close is not None:
            self._closers.append(close)

    # ------------------------------------------------------------------ narrow ports

    def claim(self, key: str) -> bool:
        """Take a dedupe key: True the first time (across replicas), False after."""
        return self.stores.dedupe.claim(key)

    def seen(self, key: str) -> bool:
        """Whether a dedupe key was taken (without taking it)."""
        return self.stores.dedupe.seen(key)

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

    # ------------------------------------------------------------------ a person's overview
    # (the Home tab, `/ops runs`, `/ops audit`): who sees what is `conversation.overview`'s.

    def home(self, user: str, groups: Sequence[str] = ()) -> HomeFacts:
        """The chat user's pending approvals, recent runs and the runbooks they may ask for
        (`groups`: their chat user groups)."""
        policy = self.service.policy
        return home_facts(self.runs, self.catalogue, policy, person(policy, user, groups),
                          self.service.clock())

    def may_edit(self, run_id: str, user: str, groups: Sequence[str] = ()) -> bool:
        """Whether the chat user may edit the run's values (its requester only)."""
        run = self.runs.get(run_id)
        policy = self.service.policy
        return run is not None and may_edit(policy, person(policy, user, groups), run)

    def run_line(self, run_id: str) -> RunLine | None:
        """A stored run as an overview lists it, or None."""
        run = self.runs.get(run_id)
        return line_of(run, self.service.policy, self.service.clock()) if run else None

    def home_audience(self, run_id: str,
                      viewers: Mapping[str, Sequence[str]] | None = None) -> frozenset[str]:
        """The chat users whose overview a change of the run changes (its requester and
        who may decide on it; `viewers`: chat id -> user groups of people to consider too)."""
        run = self.runs.get(run_id)
        if run is None:
            return frozenset()
        return audience(self.service.policy, run, self.service.clock(), viewers or {})

    def run_audit(self, run_id: str, user: str,
                  groups: Sequence[str] = ()) -> tuple[AuditLine, ...] | None:
        """The run's newest audit events, oldest first, if the chat user may see them;
        None for a run that does not exist or that they may not see (alike)."""
        run = self.runs.get(run_id)
        policy = self.service.policy
        if run is None or not may_see(policy, person(policy, user, groups), run):
            return None
        audit = self.audit
        if not isinstance(audit, AuditLog):
            return ()
        return audit_lines(audit.list(run_id=run.id, limit=AUDIT_EVENTS))

    # ------------------------------------------------------------------ lifecycle

    def recover(self) -> None:
        """Mark runs left running by a dead process interrupted, and announce them (the
        leader's work: two replicas must not announce the same run twice)."""
        if self.leadership.is_leader():
            self._announce(self.service.recover())

    def start(self) -> None:
        """Recover interrupted runs, then start the loops. A second call does nothing."""
        with self._lock:
            if self._started or self._stopped:
                return
            self._started = True
        METRICS.watch_leadership(self.leadership.is_leader)
        if self.stores.alerts is not None:
            METRICS.watch_outbox(self.stores.alerts.pending)
        loader = threading.Thread(target=self._load_model, name="nlu-load", daemon=True)
        self._loader = loader
        loader.start()
        self._turn("lease", self.leadership.try_once)
        self.recover()
        if not isinstance(self.leadership, SoleReplica):
            self._spawn("lease", self.intervals.lease, self._lease_turn, first=False)
        self._spawn("heartbeat", self.intervals.heartbeat, self.heartbeat, first=False)
        if self.alerts is not None:
            self._spawn("alert-pump", self.intervals.pump, self.pump, first=False)
            if self.watches is not None:
                self.watches.connect(self.alerts)
                self._spawn("cluster-watch", self.intervals.watch, self.watch_turn, first=True)
        self._spawn("schedules", self.intervals.schedules, self.fire_schedules, first=False)
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
        if self.watches is not None:
            self.watches.stop()
        if self.alerts is not None:
            self.alerts.close()
        for close in self._closers:
            try:
                close()
            except Exception:
                log.exception("closing a surface failed")
        if self._started:
            self.checkpoint()
            self.leadership.release()
        # The model's load is waited for last, once the lease is handed over: a process
        # that exits while ONNX Runtime is still building its session aborts in the C++
        # teardown (exit 134), though the thread is a daemon, e.g. a shell session that
        # never needed the model.
        if self._loader is not None:
            self._loader.join(self.intervals.join)

    def ready(self) -> bool:
        """Whether this replica can answer: the database answers and the NLU model is
        loaded (a bot configured without a model is ready without one). Logged when not."""
        try:
            self.runs.database.conn().execute("SELECT 1").fetchone()
        except Exception as exc:
            log.warning("not ready: the database does not answer (%s)", type(exc).__name__)
            return False
        if not self._model_loaded.is_set():
            log.info("not ready: the NLU model is still loading")
            return False
        return True

    def _load_model(self) -> None:
        """Load the NLU model now rather than on the first message (readiness waits)."""
        parser = self.service.parser
        try:
            if parser is not None:
                parser.parse("hello")
        except Exception:
            log.exception("the NLU model could not be loaded; only `run NAME key=value` works")
        self._model_loaded.set()

    @property
    def stopping(self) -> threading.Event:
        """Set once `stop()` was called (for waits that should end with the runtime)."""
        return self._stop

    # ------------------------------------------------------------------ one turn of each loop

    def heartbeat(self) -> None:
        """Tell other replicas this one is alive, prune old dedupe keys, and sweep runs of
        replicas that died mid-run (noticed by the others, not only at some next start)."""
        self.stores.worker.heartbeat()
        self.stores.dedupe.prune()
        self.recover()

    def _lease_turn(self) -> None:
        """One Lease round; a replica that has just become the leader sweeps the runs the
        previous one may have left running at once, not at its next heartbeat."""
        was = self.leadership.is_leader()
        if self.leadership.try_once() and not was:
            self.recover()

    def watch_turn(self) -> None:
        """Stream the cluster watch while this replica leads, stop it when it does not
        (the leader's work: one replica raises each watch alert)."""
        if self.watches is not None:
            self.watches.turn(self.leadership.is_leader() and not self._stop.is_set())

    def pump(self) -> None:
        """Post what the alert outbox holds (the leader's work: one replica drains it)."""
        if self.alerts is not None and self.leadership.is_leader():
            self.alerts.pump(self.leadership.is_leader)

    def fire_schedules(self, now: float | None = None) -> int:
        """Fire the schedules due at `now` and post what they say in their threads (the
        leader's work; a takeover mid-turn can't fire twice: each firing is claimed in the
        database). Returns how many replies were posted or logged."""
        if not self.leadership.is_leader():
            return 0
        postings = self.service.fire_schedules(now)
        for posting in postings:
            if self._chat is None:
                log.info("schedule: %s", posting.reply.text)
                continue
            try:
                self._chat.post(posting.channel, posting.reply, thread=posting.thread)
            except Exception:
                log.exception("could not post a schedule's reply in %s", posting.channel)
        return len(postings)

    def checkpoint(self) -> None:
        """Anchor the audit chain's head outside the database (a cut-off tail is then
        detected); a log that no longer verifies gets no new checkpoint. The leader's work."""
        if self.checkpoints is None or not self.leadership.is_leader():
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
