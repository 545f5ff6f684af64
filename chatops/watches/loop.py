"""The watch as a Runtime loop: streaming while this replica holds the Lease, stopped when
it loses it or the bot stops; alerts go into the alert engine like Alertmanager's.

Each `turn` (the Runtime calls it every few seconds) starts the cluster watch when this
replica leads and it is not running, stops it when it no longer leads, re-looks at pods
that are Pending (time passes without events), and sends what could not be sent before
(the outbox was full: the engine refused the batch and recorded nothing).

A (re)started watch has an empty tracker, so it never saw what a previous Lease holder (or
this replica, before) raised. It reads the watch alerts still open in the alert store when
it starts, and each stream's first full list resolves those of its resource and namespace
whose condition is no longer there: a condition that cleared while no replica watched is
resolved, not left open for ever. What is still wrong is raised again by the list and
folds into its open thread (same fingerprint).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from chatops.alerts import AlertBacklogFull, AlertEngine
from chatops.alerts.payloads import Alert, fingerprint
from chatops.metrics import METRICS
from chatops.ports import ClusterWatch, WatchEvent
from chatops.watches.detect import RESOURCE_OF, Condition
from chatops.watches.detect import SOURCE as SOURCE_LABEL
from chatops.watches.tracker import Tracker

log = logging.getLogger(__name__)

SOURCE = "watch"
"""The `source` of watch alerts in the audit log (`AlertReceived`)."""


class WatchLoop:
    """The cluster watch of one replica, feeding the alert engine of `channel`."""

    def __init__(self, source: ClusterWatch, *, channel: str, pending_after: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.source = source
        self.channel = channel
        self.pending_after = pending_after
        self.clock = clock
        self.engine: AlertEngine | None = None
        self.events = 0
        """Watch events handled (for tests and the benchmark)."""
        self.on_alerts: Callable[[list[Alert]], None] | None = None
        """Told of each batch of alerts sent (the benchmark times them)."""
        self._tracker = Tracker(pending_after=pending_after, clock=clock)
        self._carried: dict[tuple[str, str | None], list[Condition]] = {}
        """Watch alerts open when the watch started, by the stream whose list settles them."""
        self._unsent: list[Alert] = []
        self._lock = threading.Lock()

    def connect(self, engine: AlertEngine) -> None:
        """Where the alerts go (the Runtime's engine, once a chat surface is attached)."""
        self.engine = engine

    def turn(self, leading: bool) -> None:
        """Start or stop streaming as leadership says; send what time or a full outbox held."""
        if not leading:
            if self.source.running:
                log.info("not the leader any more: stopping the cluster watch")
                self.stop()
            return
        if not self.source.running:
            carried = self._open_conditions()
            with self._lock:
                # A fresh start re-lists everything: what is still wrong is raised again
                # and folds into its open thread (same fingerprint); what is open but gone
                # is resolved by the first list of its stream.
                self._tracker = Tracker(pending_after=self.pending_after, clock=self.clock)
                self._carried = carried
            log.info("leading: starting the cluster watch")
            self.source.start(self.handle)
        with self._lock:
            alerts = self._tracker.tick()
        self._send(alerts)

    def handle(self, event: WatchEvent) -> None:
        """One watch event (called from the watcher's threads)."""
        METRICS.watch_events.labels(event.resource, event.type).inc()
        with self._lock:
            self.events += 1
            alerts = self._tracker.apply(event)
            if event.type == "RELISTED":
                alerts += self._settle(event.resource, event.namespace)
        self._send(alerts)

    def _open_conditions(self) -> dict[tuple[str, str | None], list[Condition]]:
        """The watch alerts still firing in the alert store, by the stream that shows them.

        Only alerts a watch can have raised: the `source` label, a condition name of its
        own, and the fingerprint a watch gives those labels (an Alertmanager alert that
        copies the label has its own fingerprint, and is left alone)."""
        if self.engine is None:
            return {}
        try:
            firing = self.engine.store.firing(self.channel, "source", SOURCE_LABEL)
        except Exception:
            log.exception("could not read the open watch alerts; they resolve only when "
                          "their condition is seen to clear")
            return {}
        carried: dict[tuple[str, str | None], list[Condition]] = {}
        for fp, labels in firing:
            resource = RESOURCE_OF.get(labels.get("alertname", ""))
            if resource is None or fp != fingerprint(labels):
                continue
            namespace = None if resource == "nodes" else labels.get("namespace")
            carried.setdefault((resource, namespace), []).append(Condition.of(labels))
        return carried

    def _settle(self, resource: str, namespace: str | None) -> list[Alert]:
        """After a stream's first full list: resolve the open alerts of that stream whose
        condition the list did not show (it cleared while nobody watched). Under the lock."""
        carried = self._carried.pop((resource, namespace), [])
        active = set(self._tracker.active())
        return [self._tracker.resolved(c) for c in carried if c not in active]

    def stop(self) -> None:
        """Stop streaming (joins the watcher's threads)."""
        self.source.stop()

    def _send(self, alerts: list[Alert]) -> None:
        with self._lock:
            batch, self._unsent = [*self._unsent, *alerts], []
        if not batch or self.engine is None:
            with self._lock:
                self._unsent = batch + self._unsent
            return
        try:
            self.engine.receive(batch, channel=self.channel, source=SOURCE)
        except AlertBacklogFull:
            log.warning("the alert outbox is full; %d watch alerts wait for the next turn",
                        len(batch))
            with self._lock:
                self._unsent = batch + self._unsent
            return
        for alert in batch:
            name = alert.labels.get("alertname", "")
            METRICS.watch_alerts.labels(name if name in RESOURCE_OF else "other",
                                        alert.status).inc()
        if self.on_alerts is not None:
            self.on_alerts(batch)
