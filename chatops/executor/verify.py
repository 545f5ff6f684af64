"""Verifications: poll a condition until it holds or the timeout ends.

Each check returns (done, what is seen now); the last observation becomes the timeout
message, so a failure says what was still missing ("2 of 5 replicas available after
300 s") rather than only that time ran out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chatops.errors import NotFound, Permanent
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube
from chatops.executor.drain import pods_on, still_on_node
from chatops.executor.hpa import find_hpa
from chatops.executor.registry import Call, Check, registry
from chatops.ports import Progress
from chatops.results import VerifyResult

__all__ = ["Check", "Failed", "Poller"]

DEFAULT_TIMEOUT = 300


class Failed(Exception):
    """A check saw a state that waiting will not fix (e.g. ProgressDeadlineExceeded)."""


@dataclass(frozen=True)
class Poller:
    """Runs checks with an injectable clock and sleep."""

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    interval: float

    def run(self, verb: str, check: Check, timeout: int | None,
            progress: Progress | None) -> VerifyResult:
        """Poll `check` until done, failed, or `timeout` seconds have passed."""
        limit = float(timeout if timeout is not None else DEFAULT_TIMEOUT)
        start = self.clock()
        last = ""
        while True:
            try:
                done, seen = check()
            except Failed as e:
                return VerifyResult(verb, False, str(e), self.clock() - start)
            elapsed = self.clock() - start
            if done:
                return VerifyResult(verb, True, seen, elapsed)
            if seen != last and progress is not None:
                progress(seen)
            last = seen
            if elapsed >= limit:
                return VerifyResult(verb, False, f"{seen} after {limit:.0f} s", elapsed)
            self.sleep(min(self.interval, max(0.0, limit - elapsed)) or self.interval)


def rollout(kube: Kube, namespace: str, name: str) -> Check:
    """`kubectl rollout status`: observed, updated, available, and no old replicas left;
    and, unlike it, no replicas above the count (a scale-down done, not just ordered)."""
    def check() -> tuple[bool, str]:
        d = reads.read_deployment(kube, namespace, name)
        want = int(cv.get(d, "spec", "replicas", default=1))
        st: Mapping[str, Any] = cv.get(d, "status", default={})
        updated = int(st.get("updatedReplicas") or 0)
        total = int(st.get("replicas") or 0)
        available = int(st.get("availableReplicas") or 0)
        for c in st.get("conditions") or []:
            if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                raise Failed(f"the rollout of deployment {name} exceeded its progress "
                             f"deadline: {updated} of {want} replicas updated, "
                             f"{available} available")
        if int(st.get("observedGeneration") or 0) < int(cv.get(d, "metadata", "generation",
                                                               default=0)):
            return False, f"deployment {name}: the controller has not seen the change yet"
        if updated < want:
            return False, f"{updated} of {want} replicas of deployment {name} updated"
        if total > updated:
            old = total - updated
            replicas = "replica" if old == 1 else "replicas"
            if any(cv.get(p, "metadata", "deletionTimestamp")
                   for p in reads.deployment_pods(kube, d)):
                return False, f"{old} old {replicas} of deployment {name} still terminating"
            # Old pods the controller keeps because the new ones are not available (they
            # crash or cannot start): "terminating" would send the reader after the wrong pod.
            stay = "stays" if old == 1 else "stay"
            return False, (f"{old} old {replicas} of deployment {name} {stay} up: the new "
                           "ones are not available yet")
        if total > want:
            # A scale-down whose ReplicaSet has not stopped the extra pods yet (kubectl's
            # rollout status passes here, with "3 of 2 replicas available").
            extra = total - want
            replicas = "replica" if extra == 1 else "replicas"
            return False, f"{extra} {replicas} of deployment {name} above its {want} still stopping"
        if available < updated:
            return False, f"{available} of {want} replicas of deployment {name} available"
        return True, f"deployment {name} rolled out: {available} of {want} replicas available"
    return check


@registry.check("wait_rollout")
def _wait_rollout(c: Call) -> Check:
    return rollout(c.kube, c.params.s("namespace"), c.params.s("deployment"))


def pods_ready(kube: Kube, namespace: str, deployment: str | None) -> Check:
    """Every (non-terminating) pod Ready; for a deployment, as many as it wants."""
    def check() -> tuple[bool, str]:
        want: int | None = None
        if deployment:
            d = reads.read_deployment(kube, namespace, deployment)
            want = int(cv.get(d, "spec", "replicas", default=1))
            pods = reads.deployment_pods(kube, d)
        else:
            pods = reads.items(kube.json(reads.Target("list", "pods", namespace),
                                         kube.core.list_namespaced_pod, namespace))
        live = [p for p in pods if not cv.get(p, "metadata", "deletionTimestamp")
                and cv.get(p, "status", "phase") not in ("Succeeded", "Failed")]
        ready = sum(1 for p in live if cv.pod_ready(p))
        total = want if want is not None else len(live)
        where = f"deployment {deployment}" if deployment else f"namespace {namespace}"
        done = ready == len(live) and ready >= total
        return done, f"{ready} of {total} pods of {where} Ready"
    return check


@registry.check("wait_pods_ready")
def _wait_pods_ready(c: Call) -> Check:
    return pods_ready(c.kube, c.params.s("namespace"), c.params.opt_s("deployment"))


def pod_replaced(kube: Kube, namespace: str, pod: str, *, uid: str | None = None,
                 owner: str | None = None) -> Check:
    """The pod is gone (or recreated under the same name) and its owner is back to full
    strength. `uid` and `owner` ("ReplicaSet/web-7d9f8b6c5") are what the delete step saw of
    the pod; without them the first look decides, and a pod already gone by then has its
    owner guessed from its name."""
    seen: dict[str, Any] = {}
    if uid:
        kind, _, name = (owner or "").partition("/")
        seen["uid"] = uid
        seen["owner"] = {"kind": kind, "name": name} if name else None

    def owner_ready() -> tuple[bool, str]:
        owner = seen.get("owner")
        if not owner or owner.get("kind") != "ReplicaSet":
            return True, f"pod {pod} is gone"
        rs = kube.json(reads.Target("get", "replicasets", namespace, owner["name"]),
                       kube.apps.read_namespaced_replica_set, owner["name"], namespace)
        want = int(cv.get(rs, "spec", "replicas", default=0))
        # Its pods counted here, not its `readyReplicas`: right after a fast delete that
        # status may still count the deleted pod.
        uid = cv.get(rs, "metadata", "uid")
        ready = sum(1 for p in reads.deployment_pods(kube, rs)
                    if cv.owned_by(p, uid) and not cv.get(p, "metadata", "deletionTimestamp")
                    and cv.pod_ready(p))
        return ready >= want, (f"pod {pod} is gone; {ready} of {want} pods of "
                               f"replicaset {owner['name']} Ready")

    def check() -> tuple[bool, str]:
        try:
            p = reads.read_pod(kube, namespace, pod)
        except NotFound:
            if "uid" not in seen:
                # Gone before the first look (a short grace period): its owner is no longer
                # written on it. A replicaset's pods are named after it ("<rs>-<5 chars>"),
                # so "gone" is not taken for "replaced" while that replicaset is short.
                seen["uid"] = None
                seen["owner"] = _deployment_replicaset(kube, namespace, pod)
            return owner_ready()
        uid = cv.get(p, "metadata", "uid")
        if "uid" not in seen:
            seen["uid"] = uid
            seen["owner"] = cv.controller(p)
        if uid != seen["uid"]:
            ready = cv.pod_ready(p)
            return ready, f"pod {pod} was recreated" + ("" if ready else " but is not Ready")
        if cv.get(p, "metadata", "deletionTimestamp"):
            return False, f"pod {pod} is still terminating"
        return False, f"pod {pod} is still running and not being deleted"
    return check


# A deployment's pod: "<replicaset>-<5 generated characters>".
_GENERATED_SUFFIX = re.compile(r"[bcdfghjklmnpqrstvwxz2456789]{5}")


def _deployment_replicaset(kube: Kube, namespace: str, pod: str) -> dict[str, str] | None:
    """The replicaset a gone pod's name says it belonged to, if that is a deployment's
    replicaset (its `pod-template-hash` label ends its name): a daemonset's or a bare
    pod's name has the same shape, and a replicaset merely named like it is not its owner."""
    name, _, suffix = pod.rpartition("-")
    if not name or not _GENERATED_SUFFIX.fullmatch(suffix):
        return None
    try:
        rs = kube.json(reads.Target("get", "replicasets", namespace, name),
                       kube.apps.read_namespaced_replica_set, name, namespace)
    except NotFound:
        return None
    template_hash = cv.get(rs, "metadata", "labels", "pod-template-hash", default="")
    if not template_hash or not name.endswith(f"-{template_hash}"):
        return None
    return {"kind": "ReplicaSet", "name": name}


@registry.check("wait_pod_replaced")
def _wait_pod_replaced(c: Call) -> Check:
    return pod_replaced(c.kube, c.params.s("namespace"), c.params.s("pod"),
                        uid=c.params.opt_s("pod_uid"), owner=c.params.opt_s("pod_owner"))


def node_schedulable(kube: Kube, node: str, cordoned: bool) -> Check:
    """The node's `spec.unschedulable` matches `cordoned`."""
    def check() -> tuple[bool, str]:
        n = reads.read_node(kube, node)
        now = bool(cv.get(n, "spec", "unschedulable", default=False))
        return now == cordoned, f"node {node} is {'cordoned' if now else 'schedulable'}"
    return check


@registry.check("wait_node_cordoned")
def _wait_node_cordoned(c: Call) -> Check:
    return node_schedulable(c.kube, c.params.s("node"), True)


@registry.check("wait_node_uncordoned")
def _wait_node_uncordoned(c: Call) -> Check:
    return node_schedulable(c.kube, c.params.s("node"), False)


def node_drained(kube: Kube, node: str) -> Check:
    """No pods a drain would evict are left on the node (terminating ones count)."""
    def check() -> tuple[bool, str]:
        n = reads.read_node(kube, node)
        if not cv.get(n, "spec", "unschedulable", default=False):
            return False, f"node {node} is not cordoned"
        left = still_on_node(pods_on(kube, node))
        if not left:
            return True, f"node {node} is drained"
        names = ", ".join(f"{cv.get(p, 'metadata', 'namespace')}/{cv.get(p, 'metadata', 'name')}"
                          for p in left[:5])
        return False, f"{len(left)} pods still on node {node} ({names})"
    return check


@registry.check("wait_node_drained")
def _wait_node_drained(c: Call) -> Check:
    return node_drained(c.kube, c.params.s("node"))


def cronjob_suspended(kube: Kube, namespace: str, name: str, suspended: bool) -> Check:
    """The cronjob's `spec.suspend` matches."""
    def check() -> tuple[bool, str]:
        cj = kube.json(reads.Target("get", "cronjobs", namespace, name),
                       kube.batch.read_namespaced_cron_job, name, namespace)
        now = bool(cv.get(cj, "spec", "suspend", default=False))
        return now == suspended, f"cronjob {name} is {'suspended' if now else 'active'}"
    return check


@registry.check("wait_cronjob_suspended")
def _wait_cronjob_suspended(c: Call) -> Check:
    p = c.params
    return cronjob_suspended(c.kube, p.s("namespace"), p.s("cronjob"), bool(p.get("suspended")))


def hpa_bounds(kube: Kube, namespace: str, deployment: str, low: int | None,
               high: int | None) -> Check:
    """The autoscaler of the deployment has the requested bounds (None: not checked)."""
    if low is None and high is None:
        raise Permanent("wait_hpa needs min_replicas or max_replicas to check.")

    def check() -> tuple[bool, str]:
        h = find_hpa(kube, namespace, deployment)
        mn = int(cv.get(h, "spec", "minReplicas", default=1))
        mx = int(cv.get(h, "spec", "maxReplicas", default=0))
        ok = (low is None or mn == low) and (high is None or mx == high)
        return ok, f"autoscaler of deployment {deployment}: min {mn}, max {mx} replicas"
    return check


@registry.check("wait_hpa")
def _wait_hpa(c: Call) -> Check:
    p = c.params
    return hpa_bounds(c.kube, p.s("namespace"), p.s("deployment"), p.opt_i("min_replicas"),
                      p.opt_i("max_replicas"))
