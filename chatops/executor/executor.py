"""`KubeExecutor`: the `Executor` port over the official Kubernetes client."""

from __future__ import annotations

import difflib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from kubernetes import client as k8s

from chatops.errors import ClusterError, Permanent
from chatops.executor import convert as cv
from chatops.executor import diagnose as diag
from chatops.executor import reads, verify, writes
from chatops.executor.client import ClientPool, Kube, RetryPolicy, Target
from chatops.executor.drain import drain
from chatops.model import Identity, ParamValue, Step
from chatops.ports import Executor, Progress, ResourceKind
from chatops.results import Record, StepResult, VerifyResult
from chatops.verbs import VERBS

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
    injectable so tests and benchmarks control it.
    """

    def __init__(self, api_client: k8s.ApiClient, *, retry: RetryPolicy | None = None,
                 names_ttl: float = 5.0, poll_interval: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = cv.utcnow) -> None:
        self._pool = ClientPool(api_client, retry or RetryPolicy(), sleep=sleep,
                                suggest=self._suggest)
        self._names_ttl = names_ttl
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._poller = verify.Poller(clock, sleep, poll_interval)
        self._interval = poll_interval
        self._names: dict[tuple[str, str | None, Identity | None],
                          tuple[float, tuple[str, ...]]] = {}
        self._names_lock = threading.Lock()

    def kube(self, identity: Identity | None) -> Kube:
        """The per-identity view (for tests and benchmarks)."""
        return self._pool.get(identity)

    def run_step(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
                 progress: Progress | None = None) -> StepResult:
        """Run one read or mutating step; mutating steps honour `dry_run` (server-side)."""
        spec = VERBS.get(step.verb)
        if spec is None or spec.kind == "verify":
            raise Permanent(f"{step.verb} is not an action verb.")
        p = _Params(step.params)
        kube = self.kube(identity)
        log.info("run %s as %s (dry_run=%s)", step.verb, identity or "bot", dry_run)
        if spec.kind == "read":
            records = self._read(kube, step.verb, p)
            return StepResult(step.verb, False, _read_summary(step.verb, p, records),
                              records=records)
        return self._write(kube, step.verb, p, dry_run, progress)

    def _read(self, kube: Kube, verb: str, p: _Params) -> tuple[Record, ...]:
        now = self._now()
        if verb == "list_pods":
            return reads.list_pods(kube, p.s("namespace"), p.opt_s("deployment"), now)
        if verb == "get_deployment":
            return (cv.deployment_info(reads.read_deployment(kube, p.s("namespace"),
                                                             p.s("deployment"))),)
        if verb == "describe_pod":
            return (cv.pod_info(reads.read_pod(kube, p.s("namespace"), p.s("pod")), now),)
        if verb == "pod_logs":
            return reads.pod_logs(kube, p.s("namespace"), pod=p.opt_s("pod"),
                                  deployment=p.opt_s("deployment"),
                                  container=p.opt_s("container"), lines=p.opt_i("lines"),
                                  since_seconds=p.opt_i("since_seconds"))
        if verb == "list_events":
            return reads.list_events(kube, p.s("namespace"), deployment=p.opt_s("deployment"),
                                     pod=p.opt_s("pod"),
                                     warnings_only=bool(p.get("warnings_only")), now=now)
        if verb == "list_nodes":
            return reads.list_nodes(kube, p.opt_s("node"))
        if verb == "rollout_history":
            return reads.rollout_history(kube, p.s("namespace"), p.s("deployment"), now)
        if verb == "list_images":
            return reads.list_images(kube, p.opt_s("namespace"))
        if verb == "diagnose":
            return diag.diagnose(kube, p.s("namespace"), p.opt_s("deployment"),
                                 p.opt_s("pod"), now)
        raise Permanent(f"{verb} is not implemented.")

    def _write(self, kube: Kube, verb: str, p: _Params, dry_run: bool,
               progress: Progress | None) -> StepResult:
        if verb == "rollout_restart":
            return writes.rollout_restart(kube, p.s("namespace"), p.s("deployment"), dry_run,
                                          self._now())
        if verb == "scale":
            return writes.scale(kube, p.s("namespace"), p.s("deployment"), p.i("replicas"),
                                dry_run)
        if verb == "rollout_undo":
            return writes.rollout_undo(kube, p.s("namespace"), p.s("deployment"),
                                       p.opt_i("revision"), dry_run)
        if verb == "set_image":
            return writes.set_image(kube, p.s("namespace"), p.s("deployment"), p.s("image"),
                                    container=p.opt_s("container"), dry_run=dry_run)
        if verb == "delete_pod":
            return writes.delete_pod(kube, p.s("namespace"), p.s("pod"), dry_run)
        if verb in ("cordon", "uncordon"):
            return writes.cordon(kube, p.s("node"), verb == "cordon", dry_run)
        if verb == "drain":
            return drain(kube, p.s("node"), timeout=p.opt_i("timeout_seconds"), dry_run=dry_run,
                         progress=progress, clock=self._clock, sleep=self._sleep,
                         interval=self._interval)
        if verb in ("suspend_cronjob", "resume_cronjob"):
            return writes.suspend_cronjob(kube, p.s("namespace"), p.s("cronjob"),
                                          verb == "suspend_cronjob", dry_run)
        if verb == "patch_hpa":
            return writes.patch_hpa(kube, p.s("namespace"), p.s("deployment"),
                                    min_replicas=p.opt_i("min_replicas"),
                                    max_replicas=p.opt_i("max_replicas"), dry_run=dry_run)
        raise Permanent(f"{verb} is not implemented.")

    def verify(self, step: Step, identity: Identity | None, *,
               progress: Progress | None = None) -> VerifyResult:
        """Poll the verification until it passes or its `timeout_seconds` end."""
        p = _Params(step.params)
        kube = self.kube(identity)
        v = step.verb
        check: verify.Check
        if v == "wait_rollout":
            check = verify.rollout(kube, p.s("namespace"), p.s("deployment"))
        elif v == "wait_pods_ready":
            check = verify.pods_ready(kube, p.s("namespace"), p.opt_s("deployment"))
        elif v == "wait_pod_replaced":
            check = verify.pod_replaced(kube, p.s("namespace"), p.s("pod"))
        elif v in ("wait_node_cordoned", "wait_node_uncordoned"):
            check = verify.node_schedulable(kube, p.s("node"), v == "wait_node_cordoned")
        elif v == "wait_node_drained":
            check = verify.node_drained(kube, p.s("node"))
        elif v == "wait_cronjob_suspended":
            check = verify.cronjob_suspended(kube, p.s("namespace"), p.s("cronjob"),
                                             bool(p.get("suspended")))
        elif v == "wait_hpa":
            check = verify.hpa_bounds(kube, p.s("namespace"), p.s("deployment"),
                                      p.opt_i("min_replicas"), p.opt_i("max_replicas"))
        else:
            raise Permanent(f"{v} is not a verification verb.")
        return self._poller.run(v, check, p.opt_i("timeout_seconds"), progress)

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
        if kind is None or target.name is None:
            return ()
        try:
            candidates = _list_names(kube, kind, target.namespace)
        except ClusterError:
            return ()  # suggestions are a courtesy; the caller may not be allowed to list
        return tuple(difflib.get_close_matches(target.name, candidates, n=3, cutoff=0.5))


def _list_names(kube: Kube, kind: str, namespace: str | None) -> tuple[str, ...]:
    ns = namespace or ""
    calls: dict[str, tuple[Target, Callable[..., Any], tuple[Any, ...]]] = {
        "namespace": (Target("list", "namespaces"), kube.core.list_namespace, ()),
        "node": (Target("list", "nodes"), kube.core.list_node, ()),
        "deployment": (Target("list", "deployments", ns),
                       kube.apps.list_namespaced_deployment, (ns,)),
        "pod": (Target("list", "pods", ns), kube.core.list_namespaced_pod, (ns,)),
        "cronjob": (Target("list", "cronjobs", ns), kube.batch.list_namespaced_cron_job, (ns,)),
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


def _read_summary(verb: str, p: _Params, records: tuple[Record, ...]) -> str:
    where = f" in {p.get('namespace')}" if p.get("namespace") else ""
    return f"{verb.replace('_', ' ')}{where}: {len(records)} records"


class _Params:
    """Typed access to a step's rendered parameters (None means not given)."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._p = params

    def get(self, name: str) -> ParamValue:
        return self._p.get(name)

    def s(self, name: str) -> str:
        value = self._p.get(name)
        if value is None or value == "":
            raise Permanent(f"parameter {name} is required.")
        return str(value)

    def opt_s(self, name: str) -> str | None:
        value = self._p.get(name)
        return None if value is None or value == "" else str(value)

    def i(self, name: str) -> int:
        value = self.opt_i(name)
        if value is None:
            raise Permanent(f"parameter {name} is required.")
        return value

    def opt_i(self, name: str) -> int | None:
        value = self._p.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError as e:
            raise Permanent(f"parameter {name} must be a whole number.") from e


def _conforms(executor: KubeExecutor) -> Executor:
    """Lets mypy check that `KubeExecutor` satisfies the `Executor` port."""
    return executor
