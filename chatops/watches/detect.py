"""What is wrong with one watched object: conditions, each the labels of the alert it raises.

The labels follow kube-state-metrics / kube-prometheus alert names (`KubePodCrashLooping`,
`KubeJobFailed`, ...), so the alert rules written for Alertmanager match watch alerts too.
A pod that belongs to a deployment raises its condition for the deployment (one alert for
all its crash-looping pods, labelled `deployment`); any other pod raises it for itself
(`pod`). A pod belongs to a deployment only through its controller ReplicaSet, as the
watcher read it (`WatchEvent.replicasets`): the uid the pod names, and a Deployment as the
ReplicaSet's own controller. A pod's owner reference, labels and name are its own to write,
so a pod that merely claims a ReplicaSet (or one whose ReplicaSet no Deployment controls) is
alerted on by its own name. Only names (which the API server validates as DNS names) and
reasons from closed sets below are copied from the object into labels: everything else the
cluster says is hostile text and stays out of the alert.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatops.messages.alerts import WATCH_SUMMARIES
from chatops.model import frozen_map

SOURCE = "chatops-watch"
"""The `source` label of every alert a watch raises (rules may match on it)."""

CRASH_LOOP = "KubePodCrashLooping"
OOM_KILLED = "KubePodOOMKilled"
IMAGE_PULL = "KubeImagePullBackOff"
PENDING = "KubePodNotReady"
JOB_FAILED = "KubeJobFailed"
NODE_NOT_READY = "KubeNodeNotReady"

PULL_ERRORS = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName",
                         "ErrImageNeverPull"})
_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")

SUMMARIES: Mapping[str, str] = {name: WATCH_SUMMARIES[name] for name in (
    CRASH_LOOP, OOM_KILLED, IMAGE_PULL, PENDING, JOB_FAILED, NODE_NOT_READY)}
"""Fixed sentences (worded in `chatops.messages.alerts`): the alert's summary never quotes
the cluster. Built from the alert names, so one without a sentence fails at import."""

RESOURCE_OF = {CRASH_LOOP: "pods", OOM_KILLED: "pods", IMAGE_PULL: "pods", PENDING: "pods",
               JOB_FAILED: "jobs", NODE_NOT_READY: "nodes"}
"""Which watched resource shows each condition (whose list settles it)."""


@dataclass(frozen=True)
class Condition:
    """One problem of one object while it lasts: the alert labels it raises (sorted pairs,
    so that equal conditions are equal and hash alike)."""

    items: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, labels: Mapping[str, str]) -> Condition:
        """The condition with these labels."""
        return cls(tuple(sorted(labels.items())))

    @property
    def labels(self) -> Mapping[str, str]:
        """The alert's labels."""
        return frozen_map(dict(self.items))

    @property
    def alertname(self) -> str:
        """The alert's name."""
        return self.labels["alertname"]


def _get(obj: Any, *path: str) -> Any:
    node = obj
    for key in path:
        if not isinstance(node, Mapping) or node.get(key) is None:
            return None
        node = node[key]
    return node


def _name(value: Any) -> str | None:
    """A Kubernetes name, or None for anything else (never copied into a label then)."""
    return value if isinstance(value, str) and _NAME.fullmatch(value) else None


def _condition(alertname: str, **labels: str) -> Condition:
    return Condition.of({"alertname": alertname, "severity": "warning", "source": SOURCE,
                         **labels})


def controller_of(obj: Mapping[str, Any], kind: str) -> tuple[str, str] | None:
    """The (name, uid) of `obj`'s controller when it is an `apps/v1` `kind`, else None.

    Only the owner reference marked `controller: true` counts (an object has at most one);
    other owner references are bookkeeping anyone creating the object may write."""
    for owner in _get(obj, "metadata", "ownerReferences") or []:
        if not isinstance(owner, Mapping) or owner.get("controller") is not True:
            continue
        name, uid = _name(owner.get("name")), owner.get("uid")
        if (owner.get("kind") == kind and owner.get("apiVersion") == "apps/v1" and name
                and isinstance(uid, str) and uid):
            return name, uid
        return None
    return None


def owner_deployment(pod: Mapping[str, Any],
                     replicasets: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The deployment a pod belongs to, or None: its controller ReplicaSet, found in
    `replicasets` (the watcher's reads, by uid) under the uid the pod names, with that name
    and namespace, controlled in turn by a Deployment."""
    ref = controller_of(pod, "ReplicaSet")
    if ref is None:
        return None
    name, uid = ref
    rs = replicasets.get(uid)
    if (rs is None or _get(rs, "metadata", "uid") != uid or _get(rs, "metadata", "name") != name
            or _get(rs, "metadata", "namespace") != _get(pod, "metadata", "namespace")):
        return None
    deployment = controller_of(rs, "Deployment")
    return deployment[0] if deployment is not None else None


def _statuses(pod: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("initContainerStatuses", "containerStatuses"):
        for status in _get(pod, "status", key) or []:
            if isinstance(status, Mapping):
                yield status


def _created(obj: Mapping[str, Any]) -> datetime | None:
    text = _get(obj, "metadata", "creationTimestamp")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def pod_conditions(pod: Mapping[str, Any], now: datetime, pending_after: float,
                   replicasets: Mapping[str, Mapping[str, Any]] | None = None
                   ) -> frozenset[Condition]:
    """A pod's problems: crash loop, OOM kill, image pull failure, Pending too long; for its
    deployment when `replicasets` (the watcher's reads, by uid) shows it has one."""
    namespace = _name(_get(pod, "metadata", "namespace"))
    name = _name(_get(pod, "metadata", "name"))
    if namespace is None or name is None or _get(pod, "metadata", "deletionTimestamp"):
        return frozenset()
    deployment = owner_deployment(pod, replicasets or {})
    subject = {"deployment": deployment} if deployment else {"pod": name}
    found: set[str] = set()
    for status in _statuses(pod):
        waiting = _get(status, "state", "waiting", "reason")
        if waiting == "CrashLoopBackOff":
            found.add(CRASH_LOOP)
        elif waiting in PULL_ERRORS:
            found.add(IMAGE_PULL)
        if "OOMKilled" in (_get(status, "state", "terminated", "reason"),
                           _get(status, "lastState", "terminated", "reason")):
            found.add(OOM_KILLED)
    created = _created(pod)
    if (_get(pod, "status", "phase") == "Pending" and IMAGE_PULL not in found
            and created is not None and (now - created).total_seconds() >= pending_after):
        found.add(PENDING)
    return frozenset(_condition(alert, namespace=namespace, **subject) for alert in found)


def job_conditions(job: Mapping[str, Any]) -> frozenset[Condition]:
    """A job whose `Failed` condition is true; a cronjob's job names its cronjob too."""
    namespace = _name(_get(job, "metadata", "namespace"))
    name = _name(_get(job, "metadata", "name"))
    if namespace is None or name is None:
        return frozenset()
    failed = any(isinstance(c, Mapping) and c.get("type") == "Failed" and c.get("status") == "True"
                 for c in _get(job, "status", "conditions") or [])
    if not failed:
        return frozenset()
    labels = {"namespace": namespace, "job_name": name}
    for owner in _get(job, "metadata", "ownerReferences") or []:
        if isinstance(owner, Mapping) and owner.get("kind") == "CronJob":
            cronjob = _name(owner.get("name"))
            if cronjob:
                labels["cronjob"] = cronjob
    return frozenset({_condition(JOB_FAILED, **labels)})


def node_conditions(node: Mapping[str, Any]) -> frozenset[Condition]:
    """A node whose `Ready` condition is not `True` (False or Unknown)."""
    name = _name(_get(node, "metadata", "name"))
    if name is None:
        return frozenset()
    for c in _get(node, "status", "conditions") or []:
        if isinstance(c, Mapping) and c.get("type") == "Ready":
            if c.get("status") != "True":
                return frozenset({_condition(NODE_NOT_READY, node=name)})
            return frozenset()
    return frozenset()
