"""`diagnose` of a whole namespace: which workloads are unhealthy, and a line on the rest.

With only a namespace, `diagnose` lists the namespace's deployments, statefulsets,
daemonsets, jobs, cronjobs and pods as the requester and runs the same deterministic
findings as the diagnosis of one deployment or pod (`diagnose.py`) on each workload's pods:
crash loops, OOM kills, image pulls, unschedulable pods, failing probes, plus failed jobs,
suspended cronjobs, stuck rollouts and autoscalers that do not scale (`autoscalers.py`).
Problems come first (errors, then warnings), at most `MAX_FINDINGS` of them, then a
`HealthSummary` of what is healthy.

The requester must be allowed to list pods (a clear refusal otherwise); a workload kind
they may not list is left out and named in the summary, since a partial scan they can read
is worth more than none.

The `diagnose` verb is registered here, not in `diagnose.py`, so that imports run one way:
this module uses that one's helpers and dispatches to it when a deployment or pod is named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chatops.errors import Forbidden
from chatops.executor import autoscalers as au
from chatops.executor import convert as cv
from chatops.executor import diagnose as dg
from chatops.executor import reads
from chatops.executor.client import Kube, Target
from chatops.executor.registry import Call, registry
from chatops.results import CronjobState, Finding, HealthSummary, Record

MAX_FINDINGS = 10
"""Findings listed in a namespace scan; the rest are counted in the summary."""

WORKLOAD_KINDS = ("deployment", "statefulset", "daemonset", "job", "cronjob")
_RANK = {"deployment": 0, "statefulset": 1, "daemonset": 2, "job": 3, "cronjob": 5}
"""Findings' order within a severity; bare pods and other owners rank 4: a suspended
cronjob is a reminder, never ahead of a pod that is failing now."""
_TERMINAL = ("Succeeded", "Failed")
_SEVERITY = {"error": 0, "warning": 1, "info": 2}

Obj = dict[str, Any]


@dataclass(frozen=True)
class _Namespace:
    """What the requester could read of the namespace."""

    name: str
    pods: list[Obj]
    events: list[Obj]
    workloads: Mapping[str, list[Obj]]
    replicasets: list[Obj]
    autoscalers: list[Obj]
    unchecked: tuple[str, ...]


def _optional(kube: Kube, namespace: str, resource: str,
              fn: Callable[..., Any]) -> list[Obj] | None:
    """The namespace's objects of one kind, or None when the requester may not list them."""
    try:
        return reads.items(kube.json(Target("list", resource, namespace), fn, namespace))
    except Forbidden:
        return None


def _read(kube: Kube, namespace: str) -> _Namespace:
    pods = reads.items(kube.json(Target("list", "pods", namespace),
                                 kube.core.list_namespaced_pod, namespace))
    calls: dict[str, Callable[..., Any]] = {
        "deployment": kube.apps.list_namespaced_deployment,
        "statefulset": kube.apps.list_namespaced_stateful_set,
        "daemonset": kube.apps.list_namespaced_daemon_set,
        "job": kube.batch.list_namespaced_job,
        "cronjob": kube.batch.list_namespaced_cron_job,
    }
    workloads: dict[str, list[Obj]] = {}
    unchecked: list[str] = []
    for kind, fn in calls.items():
        found = _optional(kube, namespace, f"{kind}s", fn)
        if found is None:
            unchecked.append(f"{kind}s")
        workloads[kind] = sorted(found or [], key=lambda o: str(cv.get(o, "metadata", "name")))
    replicasets = _optional(kube, namespace, "replicasets", kube.apps.list_namespaced_replica_set)
    autoscalers = au.listed(kube, namespace)
    if autoscalers is None:
        unchecked.append("autoscalers")
    try:
        events = reads.raw_events(kube, namespace)
    except Forbidden:
        events = []
        unchecked.append("events")
    return _Namespace(namespace, pods, events, workloads, replicasets or [], autoscalers or [],
                      tuple(unchecked))


def _owner(pod: Mapping[str, Any], rs_owner: Mapping[str, str]) -> tuple[str, str]:
    """(kind, name) of the workload that controls the pod; a ReplicaSet's pods belong to its
    deployment, found from the ReplicaSet or, when those cannot be read, from the
    `pod-template-hash` suffix the deployment controller gives the ReplicaSet's name."""
    ref = next((o for o in cv.get(pod, "metadata", "ownerReferences", default=[])
                if o.get("controller")), None)
    if ref is None:
        return "pod", str(cv.get(pod, "metadata", "name"))
    kind, name = str(ref.get("kind", "")).lower(), str(ref.get("name", ""))
    if kind != "replicaset":
        return kind, name
    if name in rs_owner:
        return "deployment", rs_owner[name]
    suffix = f"-{cv.get(pod, 'metadata', 'labels', 'pod-template-hash', default='')}"
    if len(suffix) > 1 and name.endswith(suffix):
        return "deployment", name[: -len(suffix)]
    return kind, name


def _groups(ns: _Namespace) -> dict[tuple[str, str], list[Obj]]:
    rs_owner = {}
    for rs in ns.replicasets:
        dep = next((o for o in cv.get(rs, "metadata", "ownerReferences", default=[])
                    if o.get("kind") == "Deployment"), None)
        if dep is not None:
            rs_owner[str(cv.get(rs, "metadata", "name"))] = str(dep.get("name"))
    groups: dict[tuple[str, str], list[Obj]] = {}
    for pod in ns.pods:
        groups.setdefault(_owner(pod, rs_owner), []).append(pod)
    return groups


def _scheduling(subject: dg.Subject, events: Sequence[Obj]) -> list[Finding]:
    """Unschedulable pods, one per distinct reason (replicas of a workload share it)."""
    first: dict[str, str] = {}
    for name, reason in dg.unschedulable(subject.pods, events):
        first.setdefault(reason, name)
    keep = set(first.values())
    return dg.scheduling_findings(
        [p for p in subject.pods if cv.get(p, "metadata", "name") in keep], events, subject)


def _pod_findings(subject: dg.Subject, events: Sequence[Obj], now: datetime) -> list[Finding]:
    """What `diagnose` finds in one workload's pods, each titled with the workload: in a
    scan, "container app" alone would not say whose (every deployment may have one)."""
    problems = dg.find_problems(subject.pods, now)
    findings = dg.problem_findings(subject, problems, logs_below=False)
    findings += _scheduling(subject, events)
    findings += dg.probe_findings(subject, events, now, problems)
    return [replace(f, subject=f"{subject.label}, {f.subject}")
            if f.subject.startswith("container ") else f for f in findings]


def _deployment(ns: _Namespace, dep: Obj, pods: list[Obj], now: datetime) -> list[Finding]:
    name = str(cv.get(dep, "metadata", "name"))
    uid = cv.get(dep, "metadata", "uid")
    owned = sorted((rs for rs in ns.replicasets if cv.owned_by(rs, uid)), key=cv.revision,
                   reverse=True)
    subject = dg.Subject(ns.name, f"deployment {name}", pods, dep, owned, name)
    findings = _pod_findings(subject, ns.events, now)
    info = cv.deployment_info(dep)
    if dg.stuck(info):
        findings.append(dg.stuck_rollout(ns.name, info, owned))
    if not findings and info.available < info.desired:
        findings.append(Finding(
            "warning", f"deployment {name}",
            f"deployment {name} has {info.available} of {info.desired} replicas available; "
            "its pods show no failure yet, so it may still be starting."))
    return findings


def _replicated(ns: _Namespace, kind: str, obj: Obj, pods: list[Obj],
                now: datetime) -> list[Finding]:
    """A statefulset or daemonset: its pods' findings, else a shortfall of ready pods."""
    name = str(cv.get(obj, "metadata", "name"))
    findings = _pod_findings(dg.Subject(ns.name, f"{kind} {name}", pods), ns.events, now)
    if kind == "statefulset":
        want = int(cv.get(obj, "spec", "replicas", default=1))
        ready = int(cv.get(obj, "status", "readyReplicas", default=0))
    else:
        want = int(cv.get(obj, "status", "desiredNumberScheduled", default=0))
        ready = int(cv.get(obj, "status", "numberReady", default=0))
    if not findings and ready < want:
        findings.append(Finding(
            "warning", f"{kind} {name}",
            f"{kind} {name} has {ready} of {want} pods ready; its pods show no failure yet, "
            "so it may still be starting."))
    return findings


def _job(ns: _Namespace, job: Obj, pods: list[Obj], now: datetime) -> list[Finding]:
    """A failed job says so (with its last pod's exit); a running one gets pod findings."""
    name = str(cv.get(job, "metadata", "name"))
    failed = next((c for c in cv.conditions(job) if c.type == "Failed" and c.status == "True"),
                  None)
    if failed is None:
        live = [p for p in pods if cv.get(p, "status", "phase") not in _TERMINAL]
        return _pod_findings(dg.Subject(ns.name, f"job {name}", live), ns.events, now)
    why = f"{failed.reason}: {failed.message}" if failed.message else failed.reason
    text = f"job {name} failed ({why or 'no reason given'})."
    exits = [(cv.get(p, "metadata", "creationTimestamp", default=""), c)
             for p in pods for c in cv.containers(p)
             if c.exit_code not in (0, None) or c.last_exit_code not in (0, None)]
    if exits:
        _, c = max(exits, key=lambda e: str(e[0]))
        code = c.exit_code if c.exit_code not in (0, None) else c.last_exit_code
        text += f" Container {c.name} of its last failed pod exited with code {code}."
    text += (" Re-running a job is outside the runbook catalogue; its pods' logs show why "
             "it failed.")
    return [Finding("error", f"job {name}", text, None, {}, outside_catalogue=True)]


def _cronjob(ns: _Namespace, cronjob: Obj) -> list[Finding]:
    """A suspended cronjob: it runs nothing and fails nothing, so no other finding shows
    it (a backup paused in an incident and forgotten). Suspension may be meant, so it is a
    warning, with the resume on offer. Its jobs are scanned as jobs."""
    if not cv.get(cronjob, "spec", "suspend", default=False):
        return []
    name = str(cv.get(cronjob, "metadata", "name"))
    last = cv.get(cronjob, "status", "lastScheduleTime", default=None)
    since = f"its last run was scheduled at {last}" if last else "it has never run"
    return [Finding(
        "warning", f"cronjob {name}",
        f"cronjob {name} is suspended: {since}, and it runs no more until it is resumed. "
        "If that is not meant any more, resume_cronjob resumes it (a run that was due "
        "within its starting deadline may start at once).",
        "resume_cronjob", {"namespace": ns.name, "cronjob": name})]


def _cronjob_state(cronjob: Obj) -> CronjobState:
    def text(*path: str) -> str | None:
        value = cv.get(cronjob, *path, default=None)
        return None if value is None else str(value)
    return CronjobState(
        name=str(cv.get(cronjob, "metadata", "name")),
        schedule=str(cv.get(cronjob, "spec", "schedule", default="")),
        suspended=bool(cv.get(cronjob, "spec", "suspend", default=False)),
        last_scheduled=text("status", "lastScheduleTime"),
        last_successful=text("status", "lastSuccessfulTime"))


def _scan(ns: _Namespace, now: datetime) -> tuple[list[tuple[str, str, list[Finding]]],
                                                  dict[str, int]]:
    """(kind, name, findings) of every unhealthy workload, and the healthy count per kind."""
    groups = _groups(ns)
    # Each autoscaler's findings go with its target; those of a target not listed (gone, or
    # of a kind the scan does not list) stand alone.
    scaling: dict[tuple[str, str], list[Finding]] = {}
    for hpa in ns.autoscalers:
        scaling.setdefault(au.target(hpa), []).extend(au.findings(hpa, ns.name))
    unhealthy: list[tuple[str, str, list[Finding]]] = []
    healthy = dict.fromkeys(WORKLOAD_KINDS, 0)
    for kind in WORKLOAD_KINDS:
        for obj in ns.workloads[kind]:
            name = str(cv.get(obj, "metadata", "name"))
            pods = groups.pop((kind, name), [])
            if kind == "deployment":
                found = _deployment(ns, obj, pods, now)
            elif kind == "job":
                found = _job(ns, obj, pods, now)
            elif kind == "cronjob":
                found = _cronjob(ns, obj)
            else:
                found = _replicated(ns, kind, obj, pods, now)
            found += scaling.pop((kind, name), [])
            if found:
                unhealthy.append((kind, name, found))
            else:
                healthy[kind] += 1
    # Pods of nothing listed: bare pods, and workloads of kinds the requester may not list.
    for (kind, name), pods in sorted(groups.items()):
        found = _pod_findings(dg.Subject(ns.name, f"{kind} {name}", pods,
                                         deployment_name=name if kind == "deployment"
                                         else None), ns.events, now)
        if found:
            unhealthy.append((kind, name, found))
    for (kind, name), found in sorted(scaling.items()):
        if found:
            unhealthy.append((kind, name, found))
    return unhealthy, healthy


def scan_namespace(kube: Kube, namespace: str, now: datetime) -> tuple[Record, ...]:
    """The namespace's unhealthy workloads' findings (errors first, at most `MAX_FINDINGS`),
    then a `HealthSummary`."""
    ns = _read(kube, namespace)
    unhealthy, healthy = _scan(ns, now)
    ranked = sorted(((f, kind, name) for kind, name, found in unhealthy for f in found),
                    key=lambda t: (_SEVERITY[t[0].severity], _RANK.get(t[1], 4), t[2]))
    findings = [f for f, _, _ in ranked]
    summary = HealthSummary(
        namespace=namespace, deployments=healthy["deployment"],
        statefulsets=healthy["statefulset"], daemonsets=healthy["daemonset"],
        jobs=healthy["job"], cronjobs=healthy["cronjob"],
        cronjob_states=tuple(_cronjob_state(c) for c in ns.workloads["cronjob"]),
        pods_ready=sum(cv.pod_ready(p) for p in ns.pods),
        pods_completed=sum(cv.get(p, "status", "phase") == "Succeeded" for p in ns.pods),
        pods=len(ns.pods), problems=len(unhealthy),
        more=max(0, len(findings) - MAX_FINDINGS), unchecked=ns.unchecked)
    return (*findings[:MAX_FINDINGS], summary)


@registry.read("diagnose")
def _diagnose(c: Call) -> tuple[Record, ...]:
    p = c.params
    deployment, pod = p.opt_s("deployment"), p.opt_s("pod")
    if deployment is None and pod is None:
        return scan_namespace(c.kube, p.s("namespace"), c.now)
    return dg.diagnose(c.kube, p.s("namespace"), deployment, pod, c.now)

