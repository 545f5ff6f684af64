"""Leader election on a `coordination.k8s.io/v1` Lease, for work that must happen once
across replicas (draining the alert outbox, sweeping orphaned runs, checkpoints).

The rules are client-go's, which every Kubernetes controller follows:

- A candidate takes the Lease when it does not exist, has no holder, or its record (holder,
  renew time, transitions) has not changed for `duration` seconds *on the candidate's own
  monotonic clock* since it first saw it: the holder's wall clock is never trusted.
- The holder renews every `retry_period`. Every write carries the resourceVersion it read, so
  of two candidates writing at once one gets 409 and stays a follower.
- The holder counts as leader only while its last renewal started less than
  `renew_deadline` ago; `renew_deadline < duration`, so a holder that cannot reach the API
  server stops its singleton work before anyone else may take over.
- On a clean stop the holder releases the Lease (no holder, duration 1 s), so a successor
  takes over at its next try instead of after `duration`.

Why not `kubernetes.leaderelection` (LeaseLock since kubernetes 37): its `run()` calls
`sys.exit` on bad timings, never releases on shutdown, does not stop the leader's work when
renewal fails (the caller has to poll anyway), and uses the global default client, while the
bot injects its own `ApiClient`. The loop below is that algorithm in one small class with an
injectable clock, so its edges are tested without sleeping.

The elector acts as the bot's own identity, never impersonated. RBAC: `get`, `update` on
`leases` named `<name>` and `create` on `leases` in its namespace.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeaseTimings:
    """How long a Lease lasts, how long its holder may fail to renew before it stops its
    work, and how often everyone tries (seconds)."""

    duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0

    def __post_init__(self) -> None:
        if not (self.duration > self.renew_deadline > 1.2 * self.retry_period > 0):
            raise ValueError(
                "lease timings need duration > renew deadline > 1.2 x retry period > 0 "
                f"(got {self.duration}, {self.renew_deadline}, {self.retry_period})")


@dataclass(frozen=True)
class _Observed:
    """The Lease's record as last read, and when (monotonic) it last changed."""

    holder: str | None
    renew_time: str | None
    transitions: int
    changed_at: float


def _micro_time(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaseElector:
    """One candidate for the Lease `namespace/name`, known as `identity` (the pod name).

    Call `try_once()` every `timings.retry_period` (the Runtime's lease loop does);
    `is_leader()` says whether singleton work may run now.
    """

    def __init__(self, api: k8s.ApiClient, namespace: str, name: str, identity: str,
                 timings: LeaseTimings | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if not identity:
            raise ValueError("a lease candidate needs an identity (the pod name)")
        self.namespace, self.name, self.identity = namespace, name, identity
        self.timings = timings or LeaseTimings()
        # Bodies go in and out as plain JSON dicts (`_preload_content=False` on reads): the
        # Lease's fields are few and this keeps the code off the models' typing.
        self._api: Any = k8s.CoordinationV1Api(api)
        self._clock, self._wall = clock, wall
        self._lock = threading.Lock()
        self._observed: _Observed | None = None
        self._renewed_at: float | None = None

    # ------------------------------------------------------------------ what others ask

    def is_leader(self) -> bool:
        """Whether this replica holds the Lease and renewed it within the renew deadline."""
        with self._lock:
            renewed = self._renewed_at
        return renewed is not None and self._clock() - renewed < self.timings.renew_deadline

    @property
    def holder(self) -> str | None:
        """Who held the Lease when it was last read (None: nobody, or not read yet)."""
        with self._lock:
            return self._observed.holder if self._observed else None

    # ------------------------------------------------------------------ one round

    def try_once(self) -> bool:
        """Acquire or renew the Lease once; True when this replica leads afterwards.

        API errors are logged and count as a failed round: the holder then stops leading
        once its renew deadline has passed without a successful renewal.
        """
        started = self._clock()
        try:
            won = self._round(started)
        except ApiException as exc:
            log.warning("lease %s/%s: API error %s; %s", self.namespace, self.name,
                        exc.status, "still leading" if self.is_leader() else "not leading")
            return self.is_leader()
        except Exception as exc:  # a dropped connection, a timeout
            log.warning("lease %s/%s: %s; %s", self.namespace, self.name,
                        type(exc).__name__, "still leading" if self.is_leader() else
                        "not leading")
            return self.is_leader()
        with self._lock:
            was = self._renewed_at is not None
            self._renewed_at = started if won else None
        if won != was:
            log.info("lease %s/%s: %s", self.namespace, self.name,
                     f"{self.identity} now leads" if won else f"{self.identity} stopped leading")
        return won

    def release(self) -> None:
        """Give the Lease up if this replica holds it (a clean shutdown), so a successor takes
        over at its next try. Errors are logged: the Lease then expires on its own."""
        with self._lock:
            leading, self._renewed_at = self._renewed_at is not None, None
        if not leading:
            return
        try:
            lease = self._read()
            if lease is None or _spec(lease).get("holderIdentity") != self.identity:
                return
            now = _micro_time(self._wall())
            lease["spec"] = {**_spec(lease), "holderIdentity": None,
                             "leaseDurationSeconds": 1, "renewTime": now, "acquireTime": now}
            self._api.replace_namespaced_lease(self.name, self.namespace, lease,
                                               _request_timeout=self._timeout())
            log.info("lease %s/%s released by %s", self.namespace, self.name, self.identity)
        except Exception as exc:
            log.warning("lease %s/%s: could not release (%s); it expires on its own",
                        self.namespace, self.name, exc)

    def _round(self, now: float) -> bool:
        lease = self._read()
        if lease is None:
            return self._create()
        spec = _spec(lease)
        holder = spec.get("holderIdentity") or None
        self._observe(holder, spec.get("renewTime"), int(spec.get("leaseTransitions") or 0),
                      now)
        if holder != self.identity and not self._expired(spec, now):
            return False
        return self._write(lease, spec, taking_over=holder != self.identity)

    def _observe(self, holder: str | None, renew_time: str | None, transitions: int,
                 now: float) -> None:
        with self._lock:
            old = self._observed
            if old is None or (old.holder, old.renew_time, old.transitions) != (
                    holder, renew_time, transitions):
                self._observed = _Observed(holder, renew_time, transitions, now)

    def _expired(self, spec: dict[str, Any], now: float) -> bool:
        if not spec.get("holderIdentity"):
            return True
        observed = self._observed
        assert observed is not None
        duration = float(spec.get("leaseDurationSeconds") or self.timings.duration)
        return now - observed.changed_at >= duration

    def _write(self, lease: dict[str, Any], spec: dict[str, Any], *, taking_over: bool) -> bool:
        now = _micro_time(self._wall())
        new_spec = {**spec, "holderIdentity": self.identity, "renewTime": now,
                    "leaseDurationSeconds": max(1, round(self.timings.duration))}
        if taking_over:
            new_spec["acquireTime"] = now
            new_spec["leaseTransitions"] = int(spec.get("leaseTransitions") or 0) + 1
        lease["spec"] = new_spec
        try:
            self._api.replace_namespaced_lease(self.name, self.namespace, lease,
                                               _request_timeout=self._timeout())
        except ApiException as exc:
            if exc.status == 409:  # someone else wrote it first; they lead
                return False
            raise
        self._observe(self.identity, now, int(new_spec.get("leaseTransitions") or 0),
                      self._clock())
        return True

    def _create(self) -> bool:
        now = _micro_time(self._wall())
        body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": self.name, "namespace": self.namespace},
                "spec": {"holderIdentity": self.identity, "acquireTime": now,
                         "renewTime": now, "leaseTransitions": 0,
                         "leaseDurationSeconds": max(1, round(self.timings.duration))}}
        try:
            self._api.create_namespaced_lease(self.namespace, body,
                                              _request_timeout=self._timeout())
        except ApiException as exc:
            if exc.status == 409:  # created by another candidate in between
                return False
            raise
        self._observe(self.identity, now, 0, self._clock())
        return True

    def _read(self) -> dict[str, Any] | None:
        try:
            resp = self._api.read_namespaced_lease(self.name, self.namespace,
                                                   _preload_content=False,
                                                   _request_timeout=self._timeout())
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        lease: dict[str, Any] = json.loads(resp.data)
        return lease

    def _timeout(self) -> float:
        # One API call may not outlast a retry period: a hung call would otherwise hold the
        # round past the renew deadline while the replica still believed it leads.
        return self.timings.retry_period

    def __repr__(self) -> str:
        return f"LeaseElector({self.namespace}/{self.name} as {self.identity})"


def _spec(lease: dict[str, Any]) -> dict[str, Any]:
    spec = lease.get("spec")
    return spec if isinstance(spec, dict) else {}
