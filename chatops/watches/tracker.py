"""Conditions over time: which are active, who supports them, and the alerts their changes
raise (firing when the first object shows one, resolved when the last stops).

One alert per condition per object while it lasts: a condition already firing is not
raised again by later events of the same object, or by a second pod of the same
deployment; it is resolved when no object shows it any more (fixed, deleted, or missing
from a re-list). Alerts carry `fingerprint(labels)`, so a new Lease holder, whose tracker
starts empty and re-raises what is still wrong, folds into the threads already open.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from chatops.alerts.payloads import Alert, fingerprint
from chatops.ports import WatchedResource, WatchEvent
from chatops.watches.detect import (
    SUMMARIES,
    Condition,
    job_conditions,
    node_conditions,
    pod_conditions,
)

ObjectKey = tuple[str, str | None, str]
"""(resource, namespace, name) of a watched object."""
ReplicaSets = Mapping[str, Mapping[str, Any]]
"""ReplicaSets the watcher read, by uid (`WatchEvent.replicasets`)."""


class Tracker:
    """Turns watch events into firing and resolved alerts. Not thread-safe: one caller."""

    def __init__(self, *, pending_after: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.pending_after = pending_after
        self.clock = clock
        self._shows: dict[ObjectKey, frozenset[Condition]] = {}
        self._supporters: dict[Condition, set[ObjectKey]] = {}
        self._pending: dict[ObjectKey, tuple[Mapping[str, Any], ReplicaSets]] = {}
        """Pods that are Pending and not yet long enough (with the ReplicaSets their event
        carried): looked at again by `tick`."""

    def apply(self, event: WatchEvent) -> list[Alert]:
        """The alerts a watch event raises (firing and resolved)."""
        changes: list[Alert] = []
        if event.type == "RELISTED":
            listed = {_key(event.resource, obj) for obj in event.objects}
            known = {*self._shows, *self._pending}
            for key in [k for k in known if k[0] == event.resource
                        and (event.namespace is None or k[1] == event.namespace)
                        and k not in listed]:
                changes += self._forget(key)
            for obj in event.objects:
                changes += self._see(event.resource, obj, event.replicasets)
            return changes
        for obj in event.objects:
            if event.type == "DELETED":
                changes += self._forget(_key(event.resource, obj))
            else:
                changes += self._see(event.resource, obj, event.replicasets)
        return changes

    def tick(self) -> list[Alert]:
        """Pods that have now been Pending long enough (time passes without events)."""
        changes: list[Alert] = []
        for obj, replicasets in list(self._pending.values()):
            changes += self._see("pods", obj, replicasets)
        return changes

    def active(self) -> list[Condition]:
        """The conditions firing now."""
        return sorted(self._supporters, key=lambda c: c.items)

    def resolved(self, condition: Condition) -> Alert:
        """The resolved alert of `condition` (one raised before this tracker started)."""
        return self._alert(condition, "resolved")

    def _see(self, resource: WatchedResource, obj: Mapping[str, Any],
             replicasets: ReplicaSets) -> list[Alert]:
        key = _key(resource, obj)
        now = datetime.fromtimestamp(self.clock(), UTC)
        if resource == "pods":
            shows = pod_conditions(obj, now, self.pending_after, replicasets)
            phase = (obj.get("status") or {}).get("phase")
            if phase == "Pending" and not shows:
                self._pending[key] = (obj, replicasets)
            else:
                self._pending.pop(key, None)
        elif resource == "jobs":
            shows = job_conditions(obj)
        else:
            shows = node_conditions(obj)
        return self._set(key, shows)

    def _forget(self, key: ObjectKey) -> list[Alert]:
        self._pending.pop(key, None)
        return self._set(key, frozenset())

    def _set(self, key: ObjectKey, shows: frozenset[Condition]) -> list[Alert]:
        before = self._shows.get(key, frozenset())
        if shows:
            self._shows[key] = shows
        else:
            self._shows.pop(key, None)
        changes = []
        for condition in shows - before:
            supporters = self._supporters.setdefault(condition, set())
            if not supporters:
                changes.append(self._alert(condition, "firing"))
            supporters.add(key)
        for condition in before - shows:
            supporters = self._supporters.get(condition, set())
            supporters.discard(key)
            if not supporters:
                self._supporters.pop(condition, None)
                changes.append(self._alert(condition, "resolved"))
        return changes

    def _alert(self, condition: Condition, status: str) -> Alert:
        started = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Alert(fingerprint=fingerprint(condition.labels),
                     status="firing" if status == "firing" else "resolved",
                     labels=condition.labels,
                     annotations={"summary": SUMMARIES[condition.alertname]},
                     starts_at=started)


def _key(resource: str, obj: Mapping[str, Any]) -> ObjectKey:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace")
    return (resource, namespace if isinstance(namespace, str) else None,
            str(meta.get("name", "")))
