"""`diagnose`: why is a deployment or pod unhealthy, in plain words, with the fitting runbook.

The explanations are built from observed facts only (reasons, counts, limits, the
scheduler's message, the kubelet's probe failures), in fixed sentences, so the same cluster
state always reads the same. The helpers here also serve the whole-namespace scan
(`health.py`, which registers the `diagnose` verb and dispatches to `diagnose` below when a
deployment or pod is named).
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
from chatops.quantities import QuantityError, format_memory, memory_bytes, nice_memory
from chatops.results import ContainerInfo, EventInfo, Finding, LogLines, Record

PULL_ERRORS = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName",
                         "ErrImageNeverPull"})
MAX_WARNINGS = 10
LOG_LINES = 20
MAX_LOG_CONTAINERS = 2


@dataclass
class Problem:
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
class Subject:
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


def find_problems(pods: Sequence[Mapping[str, Any]], now: datetime) -> list[Problem]:
    found: dict[tuple[str, str], Problem] = {}
    for p in pods:
        if cv.get(p, "metadata", "deletionTimestamp"):
            continue
        info = cv.pod_info(p, now)
        for c in info.containers:
            kind = _classify(c)
            if not kind:
                continue
            prob = found.setdefault((kind, c.name), Problem(kind, c.name, c.image))
            prob.pods.append(info.name)
            prob.restarts += c.restarts
            prob.exit_code = c.last_exit_code if c.last_exit_code is not None else c.exit_code
            prob.reason = c.reason
            prob.memory_limit = c.memory_limit
    return list(found.values())


def unschedulable(pods: Sequence[Mapping[str, Any]],
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


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def in_pods(pods: Sequence[str]) -> str:
    return f"pod {pods[0]}" if len(pods) == 1 else f"{len(pods)} pods"


def bad_rollout(subject: Subject, problem_pods: Sequence[str]) -> int | None:
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


def problem_findings(subject: Subject, problems: Sequence[Problem], *,
                     logs_below: bool = True) -> list[Finding]:
    """One finding per problem: pulls, then OOM kills, then crashes, by container.
    `logs_below`: whether the answer shows the failing containers' last log lines."""
    order = {"pull": 0, "oom": 1, "crash": 2}
    return [explain(prob, subject, bad_rollout(subject, prob.pods), logs_below=logs_below)
            for prob in sorted(problems, key=lambda p: (order[p.kind], p.container))]


def explain(prob: Problem, subject: Subject, rollback_to: int | None, *,
            logs_below: bool = True) -> Finding:
    ns, dep = subject.namespace, subject.deployment_name
    base = {"namespace": ns, "deployment": dep} if dep else {}
    tail = (f" It started with revision {cv.revision(subject.replicasets[0])}; revision "
            f"{rollback_to} ran before it." if rollback_to is not None else "")
    rollback = ("rollback_deployment", {**base, "revision": str(rollback_to)}) \
        if rollback_to is not None and dep else None
    where = in_pods(prob.pods)
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
        text = (f"container {prob.container} was OOMKilled {plural(prob.restarts, 'time')}"
                .replace("OOMKilled 1 time", "OOMKilled once")
                + (f" in {where}" if len(prob.pods) > 1 else "") + f"; {limit}. "
                "It needs more memory than it is allowed.")
        raised = _raised_memory_limit(prob.memory_limit)
        if dep and raised:
            # Twice the limit: enough to tell a leak (it OOMs again) from a limit set too
            # tight; `rightsize` refines it where usage is measured.
            text += (f" Raising its memory limit to {raised} (set_resources) lets it run; "
                     "keep the manifest in step.")
            return Finding("error", f"container {prob.container}", text, "set_resources",
                           {**base, "container": prob.container, "memory_limit": raised})
        text += (" Raising the memory limit (resources.limits.memory in the workload's "
                 "manifest) is the fix.")
        return Finding("error", f"container {prob.container}", text, None, {},
                       outside_catalogue=True)
    code = f" with exit code {prob.exit_code}" if prob.exit_code is not None else ""
    text = (f"container {prob.container} is crash-looping in {where}: it exited{code} and "
            f"restarted {plural(prob.restarts, 'time')}. "
            + ("The last log lines below show why." if logs_below else
               "Its last log lines (diagnose the deployment, or pod_logs) show why.")
            + tail)
    if rollback is not None:
        runbook, slots = rollback
    elif dep:
        runbook, slots = "restart_deployment", base
        text += " A restart helps only if the cause was transient."
    else:
        runbook, slots = "delete_pod", {"namespace": ns, "pod": prob.pods[0]}
    return Finding("error", f"container {prob.container}", text, runbook, slots)


def _subject(kube: Kube, namespace: str, deployment: str | None, pod: str | None) -> Subject:
    if deployment:
        dep = reads.read_deployment(kube, namespace, deployment)
        return Subject(namespace, f"deployment {deployment}", reads.deployment_pods(kube, dep),
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
        return Subject(namespace, f"pod {pod}", [p], dep, reads.replica_sets(kube, dep),
                        dep_name)
    return Subject(namespace, f"pod {pod}", [p])


def scheduling_findings(pods: Sequence[Mapping[str, Any]],
                         events: Sequence[Mapping[str, Any]]) -> list[Finding]:
    findings = []
    for name, reason in unschedulable(pods, events):
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


PROBE_MESSAGE = 200
"""The kubelet's probe message is cut to this many characters (it may quote a body)."""


def _probe_failures(pod: Mapping[str, Any], events: Sequence[Mapping[str, Any]]
                    ) -> dict[tuple[str, str], str]:
    """(container, "readiness" or "liveness") -> the newest `Unhealthy` event's message."""
    name = cv.get(pod, "metadata", "name")
    containers = [c["name"] for c in cv.get(pod, "spec", "containers", default=[])]
    found: dict[tuple[str, str], str] = {}
    for ev in events:  # newest first
        if ev.get("reason") != "Unhealthy" or cv.get(ev, "involvedObject", "name") != name:
            continue
        message = str(ev.get("message") or "").strip()
        kind = message.split(" ", 1)[0].lower()
        if kind not in ("readiness", "liveness"):
            continue
        field_path = str(cv.get(ev, "involvedObject", "fieldPath", default=""))
        for c in containers:
            if not field_path or field_path.endswith(f"{{{c}}}"):
                found.setdefault((c, kind), redact(message)[:PROBE_MESSAGE])
    return found


def probe_findings(subject: Subject, events: Sequence[Mapping[str, Any]], now: datetime,
                   skip: Sequence[Problem] = ()) -> list[Finding]:
    """Failing liveness probes, and containers running but not ready (a failing readiness
    probe, or one not reported yet), per container over the subject's pods. Containers
    with another problem (`skip`: crash loops, pulls, OOM) are left to that finding."""
    taken = {(pod, prob.container) for prob in skip for pod in prob.pods}
    seen: dict[tuple[str, str], tuple[list[str], str]] = {}
    for p in subject.pods:
        if cv.get(p, "metadata", "deletionTimestamp") or cv.get(p, "status", "phase") != "Running":
            continue
        info = cv.pod_info(p, now)
        failures = _probe_failures(p, events)
        for c in info.containers:
            if (info.name, c.name) in taken:
                continue
            if (c.name, "liveness") in failures:
                kind, message = "liveness", failures[(c.name, "liveness")]
            elif c.state == "running" and not c.ready and (c.name, "readiness") in failures:
                kind, message = "readiness", failures[(c.name, "readiness")]
            elif c.state == "running" and not c.ready and not c.last_reason:
                # (One that ran before is back from a crash: the crash tells the story.)
                kind, message = "starting", ""
            else:
                continue
            seen.setdefault((kind, c.name), ([], message))[0].append(info.name)
    return [_probe_finding(kind, container, pods, message, subject)
            for (kind, container), (pods, message) in sorted(seen.items())]


def _probe_finding(kind: str, container: str, pods: list[str], message: str,
                   subject: Subject) -> Finding:
    where = in_pods(pods)
    if kind == "starting":
        return Finding("warning", f"container {container}",
                       f"container {container} is running but not ready in {where}; no probe "
                       "failure is reported yet, so it may still be starting.")
    if kind == "liveness":
        text = (f"the liveness probe of container {container} fails in {where} ({message}): "
                "the kubelet restarts the container each time it fails.")
    else:
        text = (f"container {container} is running but not ready in {where}: its readiness "
                f"probe fails ({message}), so it gets no traffic.")
    rollback_to = bad_rollout(subject, pods)
    if rollback_to is not None and subject.deployment_name:
        return Finding("error", f"container {container}",
                       text + f" It started with revision "
                       f"{cv.revision(subject.replicasets[0])}; revision {rollback_to} ran "
                       "before it.", "rollback_deployment",
                       {"namespace": subject.namespace,
                        "deployment": subject.deployment_name, "revision": str(rollback_to)})
    return Finding("error", f"container {container}", text + " Its logs may say why.",
                   "pod_logs", {"namespace": subject.namespace, "pod": pods[0],
                                "container": container})


def _healthy(subject: Subject, dep: Mapping[str, Any] | None, warnings: int,
             now: datetime) -> Finding:
    if dep is not None:
        info = cv.deployment_info(dep)
        text = (f"deployment {info.name} is healthy: {info.available} of {info.desired} "
                f"replicas available, revision {info.revision}.")
    else:
        pi = cv.pod_info(subject.pods[0], now)
        text = f"pod {pi.name} is healthy: {pi.phase}, {pi.ready} containers ready."
    if warnings:
        text += f" There were {plural(warnings, 'recent warning event')} (below)."
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
    problems = find_problems(subject.pods, now)
    findings = problem_findings(subject, problems)
    findings.extend(scheduling_findings(subject.pods, events))
    findings.extend(probe_findings(subject, events, now, problems))
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


def _failing_logs(kube: Kube, namespace: str, pods: Sequence[Mapping[str, Any]],
                  problems: Sequence[Problem]) -> list[LogLines]:
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


def _raised_memory_limit(limit: str) -> str | None:
    """Twice `limit`, rounded to a value a person would pick; None when there is no limit
    (then a request is what is missing: `rightsize` says so) or it cannot be read."""
    if not limit:
        return None
    try:
        return format_memory(nice_memory(2 * memory_bytes(limit)))
    except QuantityError:
        return None
