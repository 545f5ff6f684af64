"""API JSON (camelCase dicts) to the typed records in `chatops.results`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chatops.executor.redact import redact
from chatops.results import (
    Condition,
    ContainerInfo,
    DeploymentInfo,
    EventInfo,
    NodeInfo,
    PodInfo,
    RevisionInfo,
)

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
CHANGE_CAUSE = "kubernetes.io/change-cause"


def get(obj: Any, *path: str, default: Any = None) -> Any:
    """`obj[path[0]][path[1]]...`, or `default` where anything is missing."""
    node = obj
    for key in path:
        if not isinstance(node, Mapping) or key not in node or node[key] is None:
            return default
        node = node[key]
    return node


def age_seconds(timestamp: str | None, now: datetime) -> int:
    """Seconds since an RFC 3339 timestamp (0 when absent)."""
    if not timestamp:
        return 0
    when = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return max(0, int((now - when).total_seconds()))


def utcnow() -> datetime:
    """The wall clock, timezone-aware."""
    return datetime.now(UTC)


def conditions(obj: Mapping[str, Any]) -> tuple[Condition, ...]:
    """Status conditions of any object."""
    return tuple(
        Condition(str(c.get("type", "")), str(c.get("status", "")), str(c.get("reason") or ""),
                  redact(str(c.get("message") or "")))
        for c in get(obj, "status", "conditions", default=[])
    )


def controller(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The owner reference that controls `obj` (the one that replaces a pod), if any."""
    return next((o for o in get(obj, "metadata", "ownerReferences", default=[]) or []
                 if o.get("controller")), None)


def pod_ready(pod: Mapping[str, Any]) -> bool:
    """Whether the pod's Ready condition holds."""
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in get(pod, "status", "conditions", default=[]) or [])


def pod_workload(pod: Mapping[str, Any]) -> str:
    """`deployment/web` for a deployment's pod (by the ReplicaSet's `pod-template-hash`
    suffix), `statefulset/db`, `job/x`, else `pod/name`."""
    ref = controller(pod)
    if ref is None:
        return f"pod/{get(pod, 'metadata', 'name')}"
    kind, name = str(ref.get("kind", "")).lower(), str(ref.get("name", ""))
    suffix = f"-{get(pod, 'metadata', 'labels', 'pod-template-hash', default='')}"
    if kind == "replicaset" and len(suffix) > 1 and name.endswith(suffix):
        return f"deployment/{name[: -len(suffix)]}"
    return f"{kind}/{name}"


def revision(obj: Mapping[str, Any]) -> int:
    """The `deployment.kubernetes.io/revision` annotation as an int (0 when absent)."""
    try:
        return int(get(obj, "metadata", "annotations", REVISION, default="0"))
    except ValueError:
        return 0


def first_revision(rs: Mapping[str, Any]) -> int:
    """The revision a ReplicaSet was made as: the lowest of its revision and those of
    `deployment.kubernetes.io/revision-history`, where the deployment controller keeps
    the numbers of a ReplicaSet that a change back to its template reused. Revisions are
    numbered in the order they are made, so this orders ReplicaSets by when they were
    made, where creation times (to the second) can tie."""
    numbers = [revision(rs)]
    history = str(get(rs, "metadata", "annotations", REVISION_HISTORY, default=""))
    numbers += [int(n) for n in history.split(",") if n.strip().isdigit()]
    made = [n for n in numbers if n > 0]
    return min(made) if made else 0


def containers(pod: Mapping[str, Any]) -> tuple[ContainerInfo, ...]:
    """Each container of a pod with its state, restarts and memory limit."""
    specs = {c["name"]: c for c in get(pod, "spec", "containers", default=[])}
    statuses = {s["name"]: s for s in get(pod, "status", "containerStatuses", default=[])}
    out: list[ContainerInfo] = []
    for name, spec in specs.items():
        st = statuses.get(name, {})
        state = get(st, "state", default={})
        kind = next((k for k in ("running", "waiting", "terminated") if k in state), "unknown")
        detail = state.get(kind) or {} if kind != "unknown" else {}
        last = get(st, "lastState", "terminated", default={})
        out.append(ContainerInfo(
            name=name,
            image=str(spec.get("image", "")),
            ready=bool(st.get("ready", False)),
            restarts=int(st.get("restartCount", 0)),
            state=kind,  # type: ignore[arg-type]
            reason=str(detail.get("reason") or ""),
            message=redact(str(detail.get("message") or "")),
            exit_code=detail.get("exitCode"),
            last_reason=str(last.get("reason") or ""),
            last_exit_code=last.get("exitCode"),
            memory_limit=str(get(spec, "resources", "limits", "memory", default="")),
        ))
    return tuple(out)


def pod_reason(pod: Mapping[str, Any], infos: tuple[ContainerInfo, ...]) -> str:
    """What `kubectl get pods` shows in STATUS: a waiting reason, else the phase."""
    if get(pod, "metadata", "deletionTimestamp"):
        return "Terminating"
    for c in infos:
        if c.state in ("waiting", "terminated") and c.reason:
            return c.reason
    return str(get(pod, "status", "reason", default="") or get(pod, "status", "phase",
                                                                 default="Unknown"))


def pod_info(pod: Mapping[str, Any], now: datetime) -> PodInfo:
    """A pod as a `PodInfo` record."""
    infos = containers(pod)
    owners = get(pod, "metadata", "ownerReferences", default=[])
    owner = f"{owners[0]['kind']}/{owners[0]['name']}" if owners else ""
    return PodInfo(
        name=str(get(pod, "metadata", "name")),
        namespace=str(get(pod, "metadata", "namespace", default="")),
        phase=str(get(pod, "status", "phase", default="Unknown")),
        ready=f"{sum(c.ready for c in infos)}/{len(infos)}",
        restarts=sum(c.restarts for c in infos),
        node=str(get(pod, "spec", "nodeName", default="")),
        age_seconds=age_seconds(get(pod, "metadata", "creationTimestamp"), now),
        reason=pod_reason(pod, infos),
        containers=infos,
        conditions=conditions(pod),
        owner=owner,
    )


def deployment_info(dep: Mapping[str, Any]) -> DeploymentInfo:
    """A deployment as a `DeploymentInfo` record."""
    return DeploymentInfo(
        name=str(get(dep, "metadata", "name")),
        namespace=str(get(dep, "metadata", "namespace", default="")),
        desired=int(get(dep, "spec", "replicas", default=1)),
        updated=int(get(dep, "status", "updatedReplicas", default=0)),
        ready=int(get(dep, "status", "readyReplicas", default=0)),
        available=int(get(dep, "status", "availableReplicas", default=0)),
        revision=revision(dep),
        images=tuple(str(c.get("image", "")) for c in
                     get(dep, "spec", "template", "spec", "containers", default=[])),
        conditions=conditions(dep),
        generation=int(get(dep, "metadata", "generation", default=0)),
        observed_generation=int(get(dep, "status", "observedGeneration", default=0)),
    )


def event_info(ev: Mapping[str, Any], now: datetime) -> EventInfo:
    """An event as an `EventInfo` record, message redacted."""
    involved = ev.get("involvedObject") or ev.get("regarding") or {}
    last = (ev.get("lastTimestamp") or get(ev, "series", "lastObservedTime")
            or ev.get("eventTime") or get(ev, "metadata", "creationTimestamp"))
    return EventInfo(
        type=str(ev.get("type") or "Normal"),
        reason=str(ev.get("reason") or ""),
        object=f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        message=redact(str(ev.get("message") or ev.get("note") or "")).strip(),
        count=int(ev.get("count") or get(ev, "series", "count", default=1) or 1),
        age_seconds=age_seconds(last, now),
    )


def event_sort_key(ev: Mapping[str, Any]) -> str:
    """Sort key: the time the event was last seen (ISO strings sort chronologically)."""
    return str(ev.get("lastTimestamp") or get(ev, "series", "lastObservedTime")
               or ev.get("eventTime") or get(ev, "metadata", "creationTimestamp") or "")


_PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


def node_info(node: Mapping[str, Any], pods: int = 0) -> NodeInfo:
    """A node as a `NodeInfo` record."""
    conds = {c.type: c.status for c in conditions(node)}
    return NodeInfo(
        name=str(get(node, "metadata", "name")),
        ready=conds.get("Ready") == "True",
        unschedulable=bool(get(node, "spec", "unschedulable", default=False)),
        pressure=tuple(t for t in _PRESSURE if conds.get(t) == "True"),
        cpu=str(get(node, "status", "allocatable", "cpu", default="")),
        memory=str(get(node, "status", "allocatable", "memory", default="")),
        pods=pods,
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def revision_info(rs: Mapping[str, Any], current: int, now: datetime) -> RevisionInfo:
    """A ReplicaSet as one `RevisionInfo` of its deployment's history."""
    rev = revision(rs)
    return RevisionInfo(
        revision=rev,
        replicaset=str(get(rs, "metadata", "name")),
        images=tuple(str(c.get("image", "")) for c in
                     get(rs, "spec", "template", "spec", "containers", default=[])),
        # One line: a cause is anyone's text, and a newline in it could forge a line of
        # the history as shown (an attacker review).
        change_cause=" ".join(_CONTROL.sub(" ", str(get(rs, "metadata", "annotations",
                                                        CHANGE_CAUSE, default=""))).split()),
        current=rev == current,
        age_seconds=age_seconds(get(rs, "metadata", "creationTimestamp"), now),
    )


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """A label selector as the `a=b,c in (d)` string list calls take."""
    if not selector:
        return ""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr["operator"], expr["key"], expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def owned_by(obj: Mapping[str, Any], uid: str) -> bool:
    """Whether `obj` has an owner reference to `uid`."""
    return any(ref.get("uid") == uid for ref in get(obj, "metadata", "ownerReferences",
                                                     default=[]))
