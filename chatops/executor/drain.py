"""`drain`: cordon, then evict the node's pods through the Eviction API, as kubectl does.

PodDisruptionBudgets are respected because the Eviction API enforces them: a 429 means
"not now", and the eviction is retried until the timeout. DaemonSet pods (their controller
would put them straight back) and mirror pods (the kubelet owns them) are left alone. Pods
that no controller would replace are refused up front, before anything changes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from chatops.errors import Refusal, Retryable
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube, Target, map_api_error
from chatops.executor.patch import say
from chatops.executor.registry import Call, registry
from chatops.executor.writes import set_unschedulable
from chatops.ports import Progress
from chatops.results import FieldChange, StepResult

log = logging.getLogger(__name__)

MIRROR = "kubernetes.io/config.mirror"
DEFAULT_TIMEOUT = 300
MAX_NAMED = 10
"""Pods a PodDisruptionBudget blocks that a drain's preview names (then "and N more")."""


def _key(pod: Mapping[str, Any]) -> str:
    return f"{cv.get(pod, 'metadata', 'namespace')}/{cv.get(pod, 'metadata', 'name')}"


def skipped_reason(pod: Mapping[str, Any]) -> str:
    """Why a drain leaves this pod alone, or "" when it must be evicted."""
    if cv.get(pod, "metadata", "annotations", MIRROR):
        return "mirror pod"
    owners = cv.get(pod, "metadata", "ownerReferences", default=[])
    if any(o.get("kind") == "DaemonSet" and o.get("controller") for o in owners):
        return "DaemonSet pod"
    if cv.get(pod, "status", "phase") in ("Succeeded", "Failed"):
        return "finished"
    if cv.get(pod, "metadata", "deletionTimestamp"):
        return "already terminating"
    return ""


def still_on_node(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods that keep a node from counting as drained: all but DaemonSet, mirror and
    finished pods (terminating pods count until they are gone)."""
    return [p for p in pods if skipped_reason(p) in ("", "already terminating")]


def pods_on(kube: Kube, node: str) -> list[dict[str, Any]]:
    """Every pod bound to the node, all namespaces."""
    return reads.items(kube.json(Target("list", "pods"), kube.core.list_pod_for_all_namespaces,
                                 field_selector=f"spec.nodeName={node}"))


def evictable(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pods a drain must evict (not DaemonSet, mirror or finished pods)."""
    return [p for p in pods if not skipped_reason(p)]


def _namespace_terminating(e: ApiException) -> bool:
    """An eviction in a namespace being deleted is refused with 403; the namespace
    controller deletes the pod anyway, so the drain only has to wait (as kubectl does)."""
    try:
        details = json.loads(e.body or "{}").get("details") or {}
    except ValueError:
        return False
    return any(c.get("reason") == "NamespaceTerminating" for c in details.get("causes") or [])


def _evict(kube: Kube, pod: Mapping[str, Any], dry_run: bool) -> None:
    ns = str(cv.get(pod, "metadata", "namespace"))
    name = str(cv.get(pod, "metadata", "name"))
    body = k8s.V1Eviction(metadata=k8s.V1ObjectMeta(name=name, namespace=ns),
                          delete_options=k8s.V1DeleteOptions(
                              dry_run=["All"] if dry_run else None))
    target = Target("create", "pods", ns, name, "eviction")
    try:
        kube.json(target, kube.core.create_namespaced_pod_eviction, name, ns, body,
                  passthrough=(429, 404, 403),
                  **({"dry_run": "All"} if dry_run else {}))
    except ApiException as e:
        if e.status == 404 or _namespace_terminating(e):
            return  # already gone, or going with its namespace
        if e.status == 403:
            raise map_api_error(e, target, kube.who) from e
        raise


def _blocked_now(kube: Kube, pods: list[dict[str, Any]]) -> list[str]:
    """The pods whose eviction a PodDisruptionBudget refuses right now (dry-run evictions)."""
    blocked = []
    for p in pods:
        try:
            _evict(kube, p, dry_run=True)
        except ApiException as e:
            if e.status == 429:
                blocked.append(_key(p))
    return blocked


def drain(kube: Kube, node: str, *, timeout: int | None, dry_run: bool,
          progress: Progress | None, clock: Callable[[], float],
          sleep: Callable[[float], None], interval: float) -> StepResult:
    """Cordon the node and evict its pods; raise `Retryable` if the timeout ends first."""
    limit = float(timeout or DEFAULT_TIMEOUT)
    say_progress = progress or (lambda _line: None)
    reads.read_node(kube, node)
    pods = pods_on(kube, node)
    todo = evictable(pods)
    bare = [_key(p) for p in todo if not cv.get(p, "metadata", "ownerReferences")]
    if bare:
        raise Refusal(f"node {node} runs pods that no controller would replace: "
                      f"{', '.join(bare)}; draining would lose them.",
                      "Delete or move those pods first, then drain again.")
    cordoned = set_unschedulable(kube, node, True, dry_run)
    changes = [*cordoned.changes,
               *(FieldChange(f"pods[{_key(p)}]", node, "evicted") for p in todo)]
    affected = tuple(_key(p) for p in todo)
    skipped = [f"{_key(p)} ({r})" for p in pods if (r := skipped_reason(p))]
    left = f"; left alone: {', '.join(skipped)}" if skipped else ""
    if dry_run:
        blocked = _blocked_now(kube, todo)
        shown = ", ".join(blocked[:MAX_NAMED]) + (
            f" and {len(blocked) - MAX_NAMED} more" if len(blocked) > MAX_NAMED else "")
        warning = (f"a PodDisruptionBudget blocks {shown} right now, so the drain would wait "
                   f"for it (up to {limit:.0f} s)" if blocked else "")
        note = f"; {warning}" if warning else ""
        text = f"drain node {node}: cordon it and evict {len(todo)} pods{left}{note}"
        return StepResult("drain", True, say(text, True), tuple(changes), affected,
                          warnings=(warning,) if warning else ())

    start = clock()
    pending = {_key(p): p for p in todo}
    evicted: set[str] = set()
    while True:
        blocked = []
        for key, p in list(pending.items()):
            try:
                _evict(kube, p, dry_run=False)
            except ApiException as e:
                if e.status == 429:
                    blocked.append(key)
                    continue
            evicted.add(key)
            del pending[key]
        # An eviction only starts the deletion; the drain is done when the pods are gone.
        remaining = {_key(p) for p in pods_on(kube, node)} & set(affected)
        say_progress(f"node {node}: {len(todo) - len(remaining)} of {len(todo)} pods gone"
                     + (f", {len(blocked)} waiting for a PodDisruptionBudget" if blocked else ""))
        if not pending and not remaining:
            break
        if clock() - start > limit:
            still = sorted(pending) or sorted(remaining)
            why = ("blocked by a PodDisruptionBudget" if pending else "still terminating")
            raise Retryable(
                f"drain of node {node} did not finish within {limit:.0f} s: "
                f"{len(still)} pods {why}: {', '.join(still)}.",
                "The node stays cordoned. Check the PodDisruptionBudgets, then drain again "
                "or uncordon it.")
        sleep(interval)
    text = f"drain node {node}: cordoned, evicted {len(evicted)} pods{left}"
    return StepResult("drain", False, say(text, False), tuple(changes), affected)


@registry.write("drain")
def _drain(c: Call) -> StepResult:
    return drain(c.kube, c.params.s("node"), timeout=c.params.opt_i("timeout_seconds"),
                 dry_run=c.dry_run, progress=c.progress, clock=c.clock, sleep=c.sleep,
                 interval=c.interval)
