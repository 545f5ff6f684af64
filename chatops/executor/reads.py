"""Read verbs: typed records from the cluster, never raw API objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from chatops.errors import ClusterError, NotFound, Refusal
from chatops.executor import convert as cv
from chatops.executor.client import Kube, Target
from chatops.executor.redact import redact, redact_lines
from chatops.executor.registry import Call, registry
from chatops.results import (
    DeploymentInfo,
    EventInfo,
    ImageInfo,
    LogLines,
    NodeInfo,
    PodInfo,
    Record,
    RevisionInfo,
)

__all__ = ["Target"]

DEFAULT_LOG_LINES = 50
MAX_LOG_LINES = 500
MAX_LOG_PODS = 3
MAX_EVENTS = 50


def read_deployment(kube: Kube, namespace: str, name: str) -> dict[str, Any]:
    """The deployment as JSON."""
    return kube.json(Target("get", "deployments", namespace, name),
                     kube.apps.read_namespaced_deployment, name, namespace)


def read_pod(kube: Kube, namespace: str, name: str) -> dict[str, Any]:
    """The pod as JSON."""
    return kube.json(Target("get", "pods", namespace, name),
                     kube.core.read_namespaced_pod, name, namespace)


MAX_POD_EVENTS = 10


@registry.read("describe_pod")
def _describe_pod(c: Call) -> tuple[Record, ...]:
    namespace, name = c.params.s("namespace"), c.params.s("pod")
    info = cv.pod_info(read_pod(c.kube, namespace, name), c.now)
    try:
        # What happened to it (scheduling, pulls, kills), as `kubectl describe` ends with;
        # only the pod itself is what the runbook needs the right to read.
        events = list_events(c.kube, namespace, deployment=None, pod=name,
                             warnings_only=False, now=c.now)[:MAX_POD_EVENTS]
    except ClusterError:
        events = ()
    return (info, *events)


@registry.read("get_deployment")
def _get_deployment(c: Call) -> tuple[DeploymentInfo]:
    dep = read_deployment(c.kube, c.params.s("namespace"), c.params.s("deployment"))
    info = cv.deployment_info(dep)
    running = _ready_images(c.kube, dep)
    if running and set(running) != set(info.images):
        info = replace(info, running_images=running)
    return (info,)


def _ready_images(kube: Kube, dep: Mapping[str, Any]) -> tuple[str, ...]:
    """The images the deployment's ready pods run in the template's containers, each once
    ((): none, or not listable: the status itself needs only the deployment). Injected
    sidecars (not in the template), pods no ReplicaSet controls and pods being deleted (an
    old one in its grace period after a finished rollout) are not counted."""
    try:
        pods = deployment_pods(kube, dep)
    except ClusterError:
        return ()
    names = {str(c.get("name")) for c in
             cv.get(dep, "spec", "template", "spec", "containers", default=[]) or []}
    seen: dict[str, None] = {}
    for pod in pods:
        owner = cv.controller(pod)
        if (owner is not None and owner.get("kind") == "ReplicaSet" and cv.pod_ready(pod)
                and not cv.get(pod, "metadata", "deletionTimestamp")):
            seen.update(dict.fromkeys(str(c.get("image")) for c in
                                      cv.get(pod, "spec", "containers", default=[])
                                      if c.get("name") in names))
    return tuple(seen)


def read_node(kube: Kube, name: str) -> dict[str, Any]:
    """The node as JSON."""
    return kube.json(Target("get", "nodes", None, name), kube.core.read_node, name)


def items(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The `items` of a list response."""
    return list(data.get("items") or [])


def deployment_pods(kube: Kube, dep: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Pods selected by the selector of `dep` (a deployment or a replicaset), oldest first."""
    ns = cv.get(dep, "metadata", "namespace")
    selector = cv.selector_string(cv.get(dep, "spec", "selector"))
    pods = items(kube.json(Target("list", "pods", ns), kube.core.list_namespaced_pod, ns,
                           label_selector=selector))
    return sorted(pods, key=lambda p: (cv.get(p, "metadata", "creationTimestamp", default=""),
                                       cv.get(p, "metadata", "name")))


def replica_sets(kube: Kube, dep: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The deployment's ReplicaSets (by owner reference), newest revision first."""
    ns = cv.get(dep, "metadata", "namespace")
    uid = cv.get(dep, "metadata", "uid")
    selector = cv.selector_string(cv.get(dep, "spec", "selector"))
    found = items(kube.json(Target("list", "replicasets", ns),
                            kube.apps.list_namespaced_replica_set, ns, label_selector=selector))
    owned = [rs for rs in found if cv.owned_by(rs, uid)]
    return sorted(owned, key=cv.revision, reverse=True)


def list_pods(kube: Kube, namespace: str, deployment: str | None,
              now: datetime) -> tuple[PodInfo, ...]:
    """Pods in the namespace, or of one deployment."""
    if deployment:
        pods = deployment_pods(kube, read_deployment(kube, namespace, deployment))
    else:
        pods = items(kube.json(Target("list", "pods", namespace),
                               kube.core.list_namespaced_pod, namespace))
    return tuple(cv.pod_info(p, now) for p in pods)


@registry.read("list_pods")
def _list_pods(c: Call) -> tuple[PodInfo, ...]:
    return list_pods(c.kube, c.params.s("namespace"), c.params.opt_s("deployment"), c.now)


def default_container(pod: Mapping[str, Any]) -> str:
    """The container `kubectl logs` picks: the default-container annotation, else the first."""
    annotated = cv.get(pod, "metadata", "annotations", "kubectl.kubernetes.io/default-container")
    names = [c["name"] for c in cv.get(pod, "spec", "containers", default=[])]
    return str(annotated) if annotated in names else (names[0] if names else "")


def logs(kube: Kube, namespace: str, pod: Mapping[str, Any], *, container: str | None,
         lines: int | None, since_seconds: int | None = None,
         previous: bool = False, explain_unstarted: bool = True) -> LogLines:
    """The last log lines of one container, secrets redacted (`explain_unstarted`: one line
    saying why a container that never ran has none, instead of the API's 400)."""
    name = str(cv.get(pod, "metadata", "name"))
    names = [c["name"] for c in cv.get(pod, "spec", "containers", default=[])]
    chosen = container or default_container(pod)
    if chosen not in names:
        raise NotFound(f"container {chosen} not found in pod {name} in namespace {namespace}",
                       tuple(names), f"Containers: {', '.join(names)}.")
    unstarted = _not_started(pod, chosen) if explain_unstarted and not previous else None
    if unstarted is not None:
        # The API answers 400 "is waiting to start", which reads like a refusal.
        return LogLines(name, chosen, (unstarted,))
    tail = max(1, min(lines or DEFAULT_LOG_LINES, MAX_LOG_LINES))
    kwargs: dict[str, Any] = {"container": chosen, "tail_lines": tail}
    if since_seconds:
        kwargs["since_seconds"] = since_seconds
    if previous:
        kwargs["previous"] = True
    text = kube.text(Target("get", "pods", namespace, name, "log"),
                     kube.core.read_namespaced_pod_log, name, namespace, **kwargs)
    return LogLines(name, chosen, redact_lines(text.splitlines()))


def _not_started(pod: Mapping[str, Any], container: str) -> str | None:
    """Why `container` has no logs at all (never created, or waiting for its first start),
    as a line to show instead; None when it ran at least once."""
    status = next((c for c in cv.get(pod, "status", "containerStatuses", default=[]) or []
                   if c.get("name") == container), None)
    if status is None:
        phase = cv.get(pod, "status", "phase", default="Pending")
        return f"(no logs: container {container} has not been created yet; the pod is {phase})"
    waiting = cv.get(status, "state", "waiting")
    if (waiting is None or cv.get(status, "lastState", "terminated") is not None
            or int(status.get("restartCount") or 0) > 0):
        return None
    reason = str(waiting.get("reason") or "waiting")
    # Redacted before it is cut, so that a cut never leaves half a secret unrecognised.
    detail = redact(str(waiting.get("message") or "").strip())[:200]
    return (f"(no logs: container {container} has not started yet: {reason}"
            + (f": {detail}" if detail else "") + ")")


def pod_logs(kube: Kube, namespace: str, *, pod: str | None, deployment: str | None,
             container: str | None, lines: int | None,
             since_seconds: int | None) -> tuple[LogLines, ...]:
    """Logs of one pod, or of up to three pods of a deployment (newest first)."""
    if pod:
        pods = [read_pod(kube, namespace, pod)]
    elif deployment:
        pods = deployment_pods(kube, read_deployment(kube, namespace, deployment))[::-1]
        pods = [p for p in pods if cv.get(p, "status", "containerStatuses")][:MAX_LOG_PODS]
    else:
        raise Refusal("name a pod or a deployment to read logs from.",
                      "For example: logs of deployment web in namespace prod.")
    out: list[LogLines] = []
    for p in pods:
        current = logs(kube, namespace, p, container=container, lines=lines,
                       since_seconds=since_seconds)
        out += _with_previous(kube, namespace, p, current, lines=lines,
                              since_seconds=since_seconds)
    return tuple(out)


def _ended(terminated: Mapping[str, Any]) -> str:
    """How a container instance ended, as `kubectl describe` words it."""
    reason = str(terminated.get("reason") or "terminated")
    code = terminated.get("exitCode")
    at = str(terminated.get("finishedAt") or "")
    # The runtime writes these; redacted like every other text read back from the cluster.
    return redact(f"{reason[:60]}" + (f", exit code {code}" if code is not None else "")
                  + (f", at {at[:40]}" if at else ""))


def _with_previous(kube: Kube, namespace: str, pod: Mapping[str, Any], current: LogLines, *,
                   lines: int | None, since_seconds: int | None) -> list[LogLines]:
    """`current`, and when its container restarted, the instance before it: its last lines
    come first (they are older, and the crash is what one looks for), with how it ended. A
    container that is not running has no newer instance: the kubelet serves the one that
    ended, and the note says how."""
    status = next((c for c in cv.get(pod, "status", "containerStatuses", default=[]) or []
                   if c.get("name") == current.container), None) or {}
    ended_now = cv.get(status, "state", "terminated")
    if isinstance(ended_now, Mapping):
        return [replace(current, note=f"the container has ended: {_ended(ended_now)}")]
    last = cv.get(status, "lastState", "terminated")
    if not isinstance(last, Mapping):
        return [current]
    ended = _ended(last)
    if cv.get(status, "state", "running") is None:
        # Cluster text: redacted and cut like any other.
        waiting = redact(str(cv.get(status, "state", "waiting", "reason", default="") or ""))[:60]
        why = f" ({waiting})" if waiting else ""
        return [replace(current, note=f"the container is waiting to restart{why}; this is "
                                      f"the instance that ended: {ended}")]
    try:
        before = logs(kube, namespace, pod, container=current.container,
                      lines=min(lines or DEFAULT_LOG_LINES, DEFAULT_LOG_LINES),
                      since_seconds=since_seconds, previous=True)
    except ClusterError:
        # The kubelet keeps one previous instance, and not across a node's restart; the
        # current lines stand on their own.
        return [current]
    restarts = int(status.get("restartCount") or 0)
    return [replace(before, previous=True,
                    note=f"the instance before the last restart ({restarts} so far); it "
                         f"ended {ended}"),
            current]


@registry.read("pod_logs")
def _pod_logs(c: Call) -> tuple[LogLines, ...]:
    p = c.params
    return pod_logs(c.kube, p.s("namespace"), pod=p.opt_s("pod"),
                    deployment=p.opt_s("deployment"), container=p.opt_s("container"),
                    lines=p.opt_i("lines"), since_seconds=p.opt_i("since_seconds"))


def raw_events(kube: Kube, namespace: str) -> list[dict[str, Any]]:
    """All events of the namespace, newest first."""
    evs = items(kube.json(Target("list", "events", namespace),
                          kube.core.list_namespaced_event, namespace))
    return sorted(evs, key=cv.event_sort_key, reverse=True)


def related_names(kube: Kube, namespace: str, deployment: str) -> set[str]:
    """The deployment, its ReplicaSets and its pods: what its events may be about."""
    dep = read_deployment(kube, namespace, deployment)
    names = {deployment}
    names.update(str(cv.get(rs, "metadata", "name")) for rs in replica_sets(kube, dep))
    names.update(str(cv.get(p, "metadata", "name")) for p in deployment_pods(kube, dep))
    return names


def list_events(kube: Kube, namespace: str, *, deployment: str | None, pod: str | None,
                warnings_only: bool, now: datetime) -> tuple[EventInfo, ...]:
    """Recent events, newest first, optionally about one deployment or pod."""
    wanted: set[str] | None = None
    if pod:
        read_pod(kube, namespace, pod)  # a clear NotFound beats an empty list
        wanted = {pod}
    elif deployment:
        wanted = related_names(kube, namespace, deployment)
    out = []
    for ev in raw_events(kube, namespace):
        if warnings_only and ev.get("type") != "Warning":
            continue
        if wanted is not None and cv.get(ev, "involvedObject", "name") not in wanted:
            continue
        out.append(cv.event_info(ev, now))
        if len(out) >= MAX_EVENTS:
            break
    return tuple(out)


@registry.read("list_events")
def _list_events(c: Call) -> tuple[EventInfo, ...]:
    p = c.params
    return list_events(c.kube, p.s("namespace"), deployment=p.opt_s("deployment"),
                       pod=p.opt_s("pod"), warnings_only=bool(p.get("warnings_only")),
                       now=c.now)


def list_nodes(kube: Kube, node: str | None,
               now: datetime) -> tuple[NodeInfo | PodInfo, ...]:
    """Nodes with readiness, schedulability, pressure and the number of pods on each; one
    node is followed by the pods that run on it, of every namespace ("what's on node-3?",
    asked before a drain)."""
    if node:
        nodes = [read_node(kube, node)]
        pods = items(kube.json(Target("list", "pods"), kube.core.list_pod_for_all_namespaces,
                               field_selector=f"spec.nodeName={node}"))
    else:
        nodes = items(kube.json(Target("list", "nodes"), kube.core.list_node))
        pods = items(kube.json(Target("list", "pods"), kube.core.list_pod_for_all_namespaces))
    live = [p for p in pods if cv.get(p, "status", "phase") not in ("Succeeded", "Failed")]
    counts: dict[str, int] = {}
    for p in live:
        n = str(cv.get(p, "spec", "nodeName", default=""))
        counts[n] = counts.get(n, 0) + 1
    infos = tuple(cv.node_info(n, counts.get(str(cv.get(n, "metadata", "name")), 0))
                  for n in sorted(nodes, key=lambda n: str(cv.get(n, "metadata", "name"))))
    if not node:
        return infos
    on_it = sorted(live, key=lambda p: (str(cv.get(p, "metadata", "namespace")),
                                        str(cv.get(p, "metadata", "name"))))
    return (*infos, *(cv.pod_info(p, now) for p in on_it))


@registry.read("list_nodes")
def _list_nodes(c: Call) -> tuple[NodeInfo | PodInfo, ...]:
    return list_nodes(c.kube, c.params.opt_s("node"), c.now)


INHERITED_CAUSE = "(inherited, not this revision's own: {})"
"""A change-cause an older revision carries too (`rollout_history`)."""


def rollout_history(kube: Kube, namespace: str, deployment: str,
                    now: datetime) -> tuple[RevisionInfo, ...]:
    """The deployment's revisions, newest first. A cause that an older revision has too is
    marked inherited: the annotation stays on the deployment, and the controller copies it
    onto every later revision, also one made elsewhere (a patch, CI), which the cause's run
    never made."""
    dep = read_deployment(kube, namespace, deployment)
    current = cv.revision(dep)
    sets = replica_sets(kube, dep)
    infos = [cv.revision_info(rs, current, now) for rs in sets]
    made = {info.revision: cv.first_revision(rs) for info, rs in zip(infos, sets, strict=True)}
    first: dict[str, int] = {}
    # The first-made ReplicaSet carrying a cause made it: by the revision it was made as,
    # not its revision number now (a ReplicaSet a later change reuses is renumbered, and
    # kept its cause; an attacker review: CI's revision between the two was credited to
    # the run), nor its creation time, which two made within a second share (a CI run).
    for info in sorted(infos, key=lambda i: (made[i.revision], -(i.age_seconds or 0))):
        if info.change_cause:
            first.setdefault(info.change_cause, info.revision)
    return tuple(replace(info, change_cause=INHERITED_CAUSE.format(info.change_cause))
                 if info.change_cause and first[info.change_cause] != info.revision else info
                 for info in infos)


@registry.read("rollout_history")
def _rollout_history(c: Call) -> tuple[RevisionInfo, ...]:
    p = c.params
    return rollout_history(c.kube, p.s("namespace"), p.s("deployment"), c.now)


def list_images(kube: Kube, namespace: str | None) -> tuple[ImageInfo, ...]:
    """Which images the running (and starting) pods run, one row per workload and
    container: what is running, whatever owns it (deployments, statefulsets, daemonsets,
    jobs, bare pods), and both images of a deployment in the middle of a rollout. A
    workload with no pod now (scaled to zero, a cronjob between runs) runs no image."""
    if namespace:
        pods = items(kube.json(Target("list", "pods", namespace),
                               kube.core.list_namespaced_pod, namespace))
    else:
        pods = items(kube.json(Target("list", "pods"), kube.core.list_pod_for_all_namespaces))
    rows: set[ImageInfo] = set()
    # A finished pod (a completed job's, one evicted from an old ReplicaSet) runs nothing.
    for pod in (p for p in pods if cv.get(p, "status", "phase") in ("Running", "Pending")):
        ns, workload = str(cv.get(pod, "metadata", "namespace")), cv.pod_workload(pod)
        spec = cv.get(pod, "spec", default={})
        for c in spec.get("initContainers") or []:
            rows.add(ImageInfo(ns, workload, f"{c['name']} (init)", str(c.get("image", ""))))
        for c in spec.get("containers") or []:
            rows.add(ImageInfo(ns, workload, str(c["name"]), str(c.get("image", ""))))
    return tuple(sorted(rows, key=lambda r: (r.namespace, r.workload, r.container, r.image)))


@registry.read("list_images")
def _list_images(c: Call) -> tuple[ImageInfo, ...]:
    return list_images(c.kube, c.params.opt_s("namespace"))

