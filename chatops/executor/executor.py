"""`KubeExecutor`: the `Executor` port over the official Kubernetes client."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from kubernetes import client as k8s

from chatops.errors import ClusterError, Permanent
from chatops.executor import access, reads, verify
from chatops.executor import convert as cv
from chatops.executor.client import ClientPool, Kube, RetryPolicy, Target
from chatops.executor.implementations import registry
from chatops.executor.registry import Call, Params
from chatops.executor.usage import NoSource, UsageSource
from chatops.model import Identity, Step
from chatops.near_names import near_names
from chatops.ports import Executor, Progress, ResourceKind
from chatops.results import Record, StepResult, VerifyResult
from chatops.verbs import HygieneRules

log = logging.getLogger(__name__)

_RESOURCES: dict[str, str] = {
    "namespace": "namespaces", "deployment": "deployments", "pod": "pods", "node": "nodes",
    "cronjob": "cronjobs", "replicaset": "replicasets",
    "autoscaler": "horizontalpodautoscalers",
}


class KubeExecutor:
    """Runs the fixed verb set against a cluster, impersonating the requester.

    `api_client` is the bot's own authenticated client (built from a kubeconfig or the
    in-cluster config by the entry point). Every other dependency that touches time is
    injectable so tests and benchmarks control it. `hygiene` holds the platform team's
    settings that `pod_hygiene` applies (registry allow-list, limit/request ratio);
    `usage` where `rightsize` reads observed usage (`chatops.executor.usage`: Prometheus,
    the metrics.k8s.io API, or none).
    """

    def __init__(self, api_client: k8s.ApiClient, *, retry: RetryPolicy | None = None,
                 names_ttl: float = 5.0, poll_interval: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = cv.utcnow,
                 hygiene: HygieneRules | None = None,
                 usage: UsageSource | None = None) -> None:
        if missing := registry.missing():
            # A runbook could pass validation with such a verb and only fail when it runs.
            raise RuntimeError(f"verbs without an implementation: {', '.join(missing)}")
        if unknown := access.missing():
            # No approval of a plan with such a verb could be checked.
            raise RuntimeError(f"verbs without an entry in ACCESS: {', '.join(unknown)}")
        self._pool = ClientPool(api_client, retry or RetryPolicy(), sleep=sleep,
                                suggest=self._suggest)
        self._names_ttl = names_ttl
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._poller = verify.Poller(clock, sleep, poll_interval)
        self._interval = poll_interval
        self._hygiene = hygiene or HygieneRules()
        self._usage: UsageSource = usage or NoSource()
        self._names: dict[tuple[str, str | None, Identity | None],
                          tuple[float, tuple[str, ...]]] = {}
        self._names_lock = threading.Lock()

    def kube(self, identity: Identity | None) -> Kube:
        """The per-identity view (for tests and benchmarks)."""
        return self._pool.get(identity)

    def run_step(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
                 progress: Progress | None = None, cause: str = "") -> StepResult:
        """Run one read or mutating step; mutating steps honour `dry_run` (server-side)."""
        impl = registry.find(step.verb)
        if impl is None or impl.check is not None:
            raise Permanent(f"{step.verb} is not an action verb.")
        call = self._call(step, identity, dry_run=dry_run, progress=progress, cause=cause)
        log.info("run %s as %s (dry_run=%s)", step.verb, identity or "bot", dry_run)
        if impl.write is not None:
            return impl.write(call)
        if impl.read is not None:
            records = impl.read(call)  # a read changes nothing, so a preview runs it for real
            return StepResult(step.verb, False, _read_summary(step.verb, call.params, records),
                              records=records)
        raise Permanent(f"{step.verb} is not an action verb.")

    def verify(self, step: Step, identity: Identity | None, *,
               progress: Progress | None = None) -> VerifyResult:
        """Poll the verification until it passes or its `timeout_seconds` end."""
        impl = registry.find(step.verb)
        if impl is None or impl.check is None:
            raise Permanent(f"{step.verb} is not a verification verb.")
        call = self._call(step, identity, progress=progress)
        check = impl.check(call)
        return self._poller.run(step.verb, check, call.params.opt_i("timeout_seconds"),
                                progress)

    def _call(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
              progress: Progress | None = None, cause: str = "") -> Call:
        return Call(self.kube(identity), Params(step.params), self._now(), dry_run=dry_run,
                    progress=progress, clock=self._clock, sleep=self._sleep,
                    interval=self._interval, hygiene=self._hygiene, usage=self._usage,
                    cause="" if dry_run else cause)

    def first_denied(self, identity: Identity, steps: Iterable[Step]) -> str | None:
        """The first request of `steps` that `identity` itself may not make, as text
        (`patch deployments web in namespace prod`), or None: SubjectAccessReviews created
        as the bot (`chatops.executor.access`). Raises `ClusterError` when it cannot ask."""
        denied = access.first_denied(self.kube(None), identity, steps)
        return denied.describe() if denied is not None else None

    def current_replicas(self, namespace: str, deployment: str,
                         identity: Identity | None) -> int:
        """The deployment's `spec.replicas`."""
        dep = reads.read_deployment(self.kube(identity), namespace, deployment)
        return int(cv.get(dep, "spec", "replicas", default=1))

    def names(self, kind: ResourceKind, namespace: str | None,
              identity: Identity | None) -> tuple[str, ...]:
        """Sorted names of `kind` in `namespace` (cluster-wide for namespaces and nodes),
        cached for `names_ttl` seconds per identity; `container` lists the container names
        of the namespace's deployments."""
        key = (kind, namespace, identity)
        now = self._clock()
        with self._names_lock:
            hit = self._names.get(key)
            if hit is not None and now - hit[0] < self._names_ttl:
                return hit[1]
        found = _list_names(self.kube(identity), kind, namespace)
        with self._names_lock:
            # Drop expired entries so the cache stays as small as the recent traffic.
            for old in [k for k, (t, _) in self._names.items() if now - t >= self._names_ttl]:
                del self._names[old]
            self._names[key] = (now, found)
        return found

    def _suggest(self, kube: Kube, target: Target) -> Sequence[str]:
        kind = next((k for k, r in _RESOURCES.items() if r == target.resource), None)
        if kind is None or target.name is None or kind == "pod":
            return ()  # a pod one character off is another pod, often its replacement
        try:
            candidates = _list_names(kube, kind, target.namespace)
        except ClusterError:
            return ()  # suggestions are a courtesy; the caller may not be allowed to list
        return near_names(target.name, candidates)


def _list_names(kube: Kube, kind: str, namespace: str | None) -> tuple[str, ...]:
    ns = namespace or ""
    calls: dict[str, tuple[Target, Callable[..., Any], tuple[Any, ...]]] = {
        "namespace": (Target("list", "namespaces"), kube.core.list_namespace, ()),
        "node": (Target("list", "nodes"), kube.core.list_node, ()),
        "deployment": (Target("list", "deployments", ns),
                       kube.apps.list_namespaced_deployment, (ns,)),
        "pod": (Target("list", "pods", ns), kube.core.list_namespaced_pod, (ns,)),
        "cronjob": (Target("list", "cronjobs", ns), kube.batch.list_namespaced_cron_job, (ns,)),
        "statefulset": (Target("list", "statefulsets", ns),
                        kube.apps.list_namespaced_stateful_set, (ns,)),
        "daemonset": (Target("list", "daemonsets", ns),
                      kube.apps.list_namespaced_daemon_set, (ns,)),
        "job": (Target("list", "jobs", ns), kube.batch.list_namespaced_job, (ns,)),
        "replicaset": (Target("list", "replicasets", ns),
                       kube.apps.list_namespaced_replica_set, (ns,)),
        "autoscaler": (Target("list", "horizontalpodautoscalers", ns),
                       kube.autoscaling.list_namespaced_horizontal_pod_autoscaler, (ns,)),
        "container": (Target("list", "deployments", ns),
                      kube.apps.list_namespaced_deployment, (ns,)),
    }
    if kind not in calls:
        raise Permanent(f"cannot list names of {kind}.")
    target, fn, args = calls[kind]
    if target.namespace == "" and kind not in ("namespace", "node"):
        raise Permanent(f"listing {target.resource} needs a namespace.")
    objs = reads.items(kube.json(target, fn, *args))
    if kind == "container":
        return tuple(sorted({str(c["name"]) for d in objs for c in
                             cv.get(d, "spec", "template", "spec", "containers", default=[])}))
    return tuple(sorted(str(cv.get(o, "metadata", "name")) for o in objs))


def _read_summary(verb: str, p: Params, records: tuple[Record, ...]) -> str:
    where = f" in {p.get('namespace')}" if p.get("namespace") else ""
    return f"{verb.replace('_', ' ')}{where}: {len(records)} records"


def _conforms(executor: KubeExecutor) -> Executor:
    """Lets mypy check that `KubeExecutor` satisfies the `Executor` port."""
    return executor
