"""`diagnose`: why is a deployment or pod unhealthy, in plain words, with the fitting runbook.

The explanations are built from observed facts only (reasons, counts, limits, the
scheduler's message), in fixed sentences, so the same cluster state always reads the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatops.errors import ClusterError, Refusal
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube
from chatops.executor.redact import redact
from chatops.executor.registry import Call, registry
from chatops.results import ContainerInfo, EventInfo, Finding, LogLines, Record

PULL_ERRORS = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName",
                         "ErrImageNeverPull"})
MAX_WARNINGS = 10
LOG_LINES = 20
MAX_LOG_CONTAINERS = 2


@dataclass
class _Problem:
    """One failure mode of one container, aggregated over the pods that show it."""

    kind: str  # "pull", "oom", "crash"
    container: str
    image: str = ""
    pods: list[str] = field(default_factory=list)
    restarts: int = 0
    exit_code: int | None = None
    reason: str = ""
    memory_limit: str = ""


@dataclass(frozen=True)
class _Subject:
    """What is diagnosed: a deployment (with its pods and history) or one pod."""

    namespace: str
    label: str
    pods: list[dict[str, Any]]
    deployment: dict[str, Any] | None = None
    replicasets: list[dict[str, Any]] = field(default_factory=list)
    deployment_name: str | None = None


def _classify(c: ContainerInfo) -> str:
    if c.reason in PULL_ERRORS:
        return "pull"
    if c.reason == "OOMKilled" or (c.reason == "CrashLoopBackOff"
                                   and c.last_reason == "OOMKilled"):
        return "oom"
    if c.reason in ("CrashLoopBackOff", "Error", "RunContainerError",
                    "CreateContainerConfigError", "CreateContainerError"):
        return "crash"
    if c.state == "terminated" and c.exit_code not in (0, None):
        return "crash"
    return ""


def _problems(pods: Sequence[Mapping[str, Any]], now: datetime) -> list[_Problem]:
    found: dict[tuple[str, str], _Problem] = {}
    for p in pods:
        if cv.get(p, "metadata", "deletionTimestamp"):
            continue
        info = cv.pod_info(p, now)
        for c in info.containers:
            kind = _classify(c)
            if not kind:
                continue
            prob = found.setdefault((kind, c.name), _Problem(kind, c.name, c.image))
            prob.pods.append(info.name)
            prob.restarts += c.restarts
            prob.exit_code = c.last_exit_code if c.last_exit_code is not None else c.exit_code
            prob.reason = c.reason
            prob.memory_limit = c.memory_limit
    return list(found.values())


def _unschedulable(pods: Sequence[Mapping[str, Any]],
                   events: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(pod, the scheduler's reason) for each Pending pod the scheduler could not place."""
    out = []
    for p in pods:
        if cv.get(p, "status", "phase") != "Pending" or cv.get(p, "spec", "nodeName"):
            continue
        name = str(cv.get(p, "metadata", "name"))
        reason = ""
        for c in cv.get(p, "status", "conditions", default=[]):
            if c.get("type") == "PodScheduled" and c.get("status") == "False":
                reason = str(c.get("message") or c.get("reason") or "")
        for ev in events:
            if (ev.get("reason") == "FailedScheduling"
                    and cv.get(ev, "involvedObject", "name") == name):
                reason = str(ev.get("message") or reason)
                break
        if reason:
            out.append((name, redact(reason.strip())))
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _in_pods(pods: Sequence[str]) -> str:
    return f"pod {pods[0]}" if len(pods) == 1 else f"{len(pods)} pods"


def _bad_rollout(subject: _Subject, problem_pods: Sequence[str]) -> int | None:
    """The revision to go back to when the newest revision fails and an older one worked."""
    if subject.deployment is None or len(subject.replicasets) < 2:
        return None
    newest, previous = subject.replicasets[0], subject.replicasets[1]
    newest_name = str(cv.get(newest, "metadata", "name"))
    owners = {str(cv.get(p, "metadata", "name")):
              next((o["name"] for o in cv.get(p, "metadata", "ownerReferences", default=[])
                    if o.get("kind") == "ReplicaSet"), "")
              for p in subject.pods}
    if not problem_pods or any(owners.get(p) != newest_name for p in problem_pods):
        return None
    return cv.revision(previous)


def _explain(prob: _Problem, subject: _Subject, rollback_to: int | None) -> Finding:
    ns, dep = subject.namespace, subject.deployment_name
    base = {"namespace": ns, "deployment": dep} if dep else {}
    tail = (f" It started with revision {cv.revision(subject.replicasets[0])}; revision "
            f"{rollback_to} ran before it." if rollback_to is not None else "")
    rollback = ("rollback_deployment", {**base, "revision": str(rollback_to)}) \
        if rollback_to is not None and dep else None
    where = _in_pods(prob.pods)
    if prob.kind == "pull":
        text = (f"container {prob.container} cannot start in {where}: the image "
                f"{prob.image} cannot be pulled ({prob.reason}). The tag probably does "
                f"not exist or the registry refuses access.{tail}")
        runbook, slots = rollback or (
            ("set_image", {**base, "container": prob.container}) if dep else (None, {}))
        return Finding("error", f"container {prob.container}", text, runbook, slots,
                       outside_catalogue=runbook is None)
    if prob.kind == "oom":
        limit = (f"its memory limit is {prob.memory_limit}" if prob.memory_limit
                 else "it has no memory limit, so the node ran out of memory")
        text = (f"container {prob.container} was OOMKilled {_plural(prob.restarts, 'time')}"
                .replace("OOMKilled 1 time", "OOMKilled once")
                + (f" in {where}" if len(prob.pods) > 1 else "") + f"; {limit}. "
                "It needs more memory than it is allowed: raising the memory limit is "
                "outside the runbook catalogue (change resources.limits.memory in the "
                "workload's manifest).")
        return Finding("error", f"container {prob.container}", text, None, {},
                       outside_catalogue=True)
    code = f" with exit code {prob.exit_code}" if prob.exit_code is not None else ""
    text = (f"container {prob.container} is crash-looping in {where}: it exited{code} and "
            f"restarted {_plural(prob.restarts, 'time')}. The last log lines below show why."
            + tail)
    if rollback is not None:
        runbook, slots = rollback
    elif dep:
        runbook, slots = "restart_deployment", base
        text += " A restart helps only if the cause was transient."
    else:
        runbook, slots = "delete_pod", {"namespace": ns, "pod": prob.pods[0]}
    return Finding("error", f"container {prob.container}", text, runbook, slots)


def _subject(kube: Kube, namespace: str, deployment: str | None, pod: str | None) -> _Subject:
    if deployment:
        dep = reads.read_deployment(kube, namespace, deployment)
        return _Subject(namespace, f"deployment {deployment}", reads.deployment_pods(kube, dep),
                        dep, reads.replica_sets(kube, dep), deployment)
    if not pod:
        raise Refusal("name a deployment or a pod to diagnose.",
                      "For example: diagnose deployment web in namespace prod.")
    p = reads.read_pod(kube, namespace, pod)
    owner = next((o for o in cv.get(p, "metadata", "ownerReferences", default=[])
                  if o.get("controller")), None)
    dep_name = None
    if owner and owner.get("kind") == "ReplicaSet":
        rs = kube.json(reads.Target("get", "replicasets", namespace, owner["name"]),
                       kube.apps.read_namespaced_replica_set, owner["name"], namespace)
        dep_owner = next((o for o in cv.get(rs, "metadata", "ownerReferences", default=[])
                          if o.get("kind") == "Deployment"), None)
        dep_name = dep_owner["name"] if dep_owner else None
    if dep_name:
        dep = reads.read_deployment(kube, namespace, dep_name)
        return _Subject(namespace, f"pod {pod}", [p], dep, reads.replica_sets(kube, dep),
                        dep_name)
    return _Subject(namespace, f"pod {pod}", [p])


def _scheduling_findings(pods: Sequence[Mapping[str, Any]],
                         events: Sequence[Mapping[str, Any]]) -> list[Finding]:
    findings = []
    for name, reason in _unschedulable(pods, events):
        cordoned = "unschedulable" in reason.lower() and "node(s)" in reason
        text = (f"pod {name} cannot be scheduled: {reason or 'no node fits it'}. "
                + ("Some nodes are cordoned; uncordoning one would make room."
                   if cordoned else
                   "No node matches its node selector, affinity or resource requests; "
                   "changing those or adding capacity is outside the runbook catalogue."))
        # Which node to uncordon is the user's call; the runbook will ask for it.
        findings.append(Finding("error", f"pod {name}", text,
                                "uncordon_node" if cordoned else None, {},
                                outside_catalogue=not cordoned))
    return findings


def _healthy(subject: _Subject, dep: Mapping[str, Any] | None, warnings: int,
             now: datetime) -> Finding:
    if dep is not None:
        info = cv.deployment_info(dep)
        text = (f"deployment {info.name} is healthy: {info.available} of {info.desired} "
                f"replicas available, revision {info.revision}.")
    else:
        pi = cv.pod_info(subject.pods[0], now)
        text = f"pod {pi.name} is healthy: {pi.phase}, {pi.ready} containers ready."
    if warnings:
        text += f" There were {_plural(warnings, 'recent warning event')} (below)."
    return Finding("info", subject.label, text)


def diagnose(kube: Kube, namespace: str, deployment: str | None, pod: str | None,
             now: datetime) -> tuple[Record, ...]:
    """Findings first, then recent Warning events and the last log lines of failing
    containers."""
    subject = _subject(kube, namespace, deployment, pod)
    names = {str(cv.get(p, "metadata", "name")) for p in subject.pods}
    if subject.deployment is not None and not pod:
        names.add(str(deployment))
        names.update(str(cv.get(rs, "metadata", "name")) for rs in subject.replicasets)
    events = [e for e in reads.raw_events(kube, namespace)
              if cv.get(e, "involvedObject", "name") in names]
    findings: list[Finding] = []
    problems = _problems(subject.pods, now)
    for prob in sorted(problems, key=lambda p: ({"pull": 0, "oom": 1, "crash": 2}[p.kind],
                                                 p.container)):
        findings.append(_explain(prob, subject, _bad_rollout(subject, prob.pods)))
    findings.extend(_scheduling_findings(subject.pods, events))
    dep = subject.deployment
    if dep is not None and not pod:
        info = cv.deployment_info(dep)
        for c in info.conditions:
            if c.type == "Progressing" and c.reason == "ProgressDeadlineExceeded":
                findings.append(Finding(
                    "error", f"deployment {info.name}",
                    f"the rollout of deployment {info.name} is stuck: it exceeded its progress "
                    f"deadline with {info.updated} of {info.desired} replicas updated.",
                    "rollback_deployment", {"namespace": namespace, "deployment": info.name}))
        if not findings and info.available < info.desired:
            findings.append(Finding(
                "warning", f"deployment {info.name}",
                f"deployment {info.name} has {info.available} of {info.desired} replicas "
                "available; its pods show no failure yet, so it may still be starting."))
    warnings = [e for e in events if e.get("type") == "Warning"]
    if not findings:
        findings.append(_healthy(subject, dep if not pod else None, len(warnings), now))
    records: list[Record] = list(findings)
    seen: set[tuple[str, str]] = set()
    evs: list[EventInfo] = []
    for e in warnings:
        info_e = cv.event_info(e, now)
        key = (info_e.reason, info_e.message)
        if key not in seen:
            seen.add(key)
            evs.append(info_e)
    records.extend(evs[:MAX_WARNINGS])
    records.extend(_failing_logs(kube, namespace, subject.pods, problems))
    return tuple(records)


@registry.read("diagnose")
def _diagnose(c: Call) -> tuple[Record, ...]:
    p = c.params
    return diagnose(c.kube, p.s("namespace"), p.opt_s("deployment"), p.opt_s("pod"), c.now)


def _failing_logs(kube: Kube, namespace: str, pods: Sequence[Mapping[str, Any]],
                  problems: Sequence[_Problem]) -> list[LogLines]:
    """The last lines of the crashed instance of each crashing container (one pod each)."""
    out: list[LogLines] = []
    by_name = {str(cv.get(p, "metadata", "name")): p for p in pods}
    for prob in problems:
        if prob.kind == "pull" or len(out) >= MAX_LOG_CONTAINERS:
            continue
        pod = by_name[prob.pods[0]]
        for previous in (True, False):
            try:
                lines = reads.logs(kube, namespace, pod, container=prob.container,
                                   lines=LOG_LINES, previous=previous)
            except ClusterError:
                continue
            if lines.lines:
                out.append(lines)
                break
    return out
