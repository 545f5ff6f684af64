"""`diagnose`: why is a deployment or pod unhealthy, in plain words, with the fitting runbook.

The explanations are built from observed facts only (reasons, counts, limits, the
scheduler's message, the kubelet's probe failures), in fixed sentences, so the same cluster
state always reads the same. The helpers here also serve the whole-namespace scan
(`health.py`, which registers the `diagnose` verb and dispatches to `diagnose` below when a
deployment or pod is named).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from chatops.errors import ClusterError, Refusal
from chatops.executor import autoscalers as au
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube
from chatops.executor.probes import probe_findings
from chatops.executor.symptoms import (
    PULL_ERRORS,
    Problem,
    Subject,
    bad_rollout,
    find_problems,
    in_newest,
    in_pods,
    plural,
    unschedulable,
)
from chatops.quantities import (
    QuantityError,
    format_memory,
    memory_bytes,
    millicores,
    nice_memory,
)
from chatops.results import DeploymentInfo, EventInfo, Finding, LogLines, Record

TRANSIENT = " A restart helps only if the cause was transient."
_DEPENDENCY = re.compile(
    r"connection refused|could ?n[o']t connect|cannot connect|connection reset|"
    r"no such host|name or service not known|i/o timeout|econnrefused|"
    r"temporary failure in name resolution", re.IGNORECASE)


MAX_WARNINGS = 10
LOG_LINES = 20
MAX_LOG_CONTAINERS = 2

# The symptoms and probe findings moved to their own modules; these names stay importable
# from here for the namespace scan (`health.py`) and the tests.
__all__ = [
    "PULL_ERRORS",
    "Problem",
    "Subject",
    "bad_rollout",
    "diagnose",
    "explain",
    "find_problems",
    "in_pods",
    "plural",
    "probe_findings",
    "problem_findings",
    "scheduling_findings",
    "unschedulable",
]


def stuck(info: DeploymentInfo) -> bool:
    """Whether the deployment's rollout exceeded its progress deadline."""
    return any(c.type == "Progressing" and c.reason == "ProgressDeadlineExceeded"
               for c in info.conditions)


def stuck_rollout(namespace: str, info: DeploymentInfo,
                  replicasets: Sequence[Mapping[str, Any]]) -> Finding:
    """A rollout past its progress deadline: the rollback to the revision before it is the
    fix offered, only when there is one (a first revision that never came up has nothing
    to go back to, and the offer would only fail when planned)."""
    text = (f"the rollout of deployment {info.name} is stuck: it exceeded its progress "
            f"deadline with {info.updated} of {info.desired} replicas updated.")
    revisions = sorted({r for r in map(cv.revision, replicasets) if r > 0}, reverse=True)
    if len(revisions) < 2:
        return Finding("error", f"deployment {info.name}",
                       f"{text} It has no earlier revision to roll back to.")
    return Finding("error", f"deployment {info.name}", text, "rollback_deployment",
                   {"namespace": namespace, "deployment": info.name,
                    "revision": str(revisions[1])})


def problem_findings(subject: Subject, problems: Sequence[Problem], *,
                     logs_below: bool = True) -> list[Finding]:
    """One finding per problem: those of the newest revision's pods first (mid-rollout,
    what the last change started), then pulls, OOM kills and crashes, by container.
    `logs_below`: whether the answer shows the failing containers' last log lines."""
    order = {"pull": 0, "oom": 1, "crash": 2}
    return [explain(prob, subject, bad_rollout(subject, prob.pods), logs_below=logs_below)
            for prob in sorted(problems, key=lambda p: (not in_newest(subject, p.pods),
                                                        order[p.kind], p.container))]


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
        text += TRANSIENT
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
                         events: Sequence[Mapping[str, Any]],
                         subject: Subject | None = None) -> list[Finding]:
    """A finding per pod the scheduler cannot place, with the runbook that helps: uncordon
    when nodes are cordoned; for a deployment's pod, the rollback when its newest revision
    is what no node fits (an earlier one ran), else lower requests no node has room for."""
    findings = []
    for name, reason in unschedulable(pods, events):
        cordoned = "unschedulable" in reason.lower() and "node(s)" in reason
        short = sorted(r for r in ("cpu", "memory") if f"insufficient {r}" in reason.lower())
        deployment = subject.deployment_name if subject is not None else None
        back = (bad_rollout(subject, [name]) if subject is not None and deployment
                and short and _asks_more(subject, short) else None)
        head = f"pod {name} cannot be scheduled: {reason or 'no node fits it'}. "
        if cordoned:
            # Which node to uncordon is the user's call; the runbook will ask for it.
            findings.append(Finding("error", f"pod {name}", head + "Some nodes are "
                                    "cordoned; uncordoning one would make room.",
                                    "uncordon_node", {}))
        elif deployment and back is not None:
            findings.append(Finding(
                "error", f"pod {name}", head + f"Its revision is the newest of deployment "
                f"{deployment}, and revision {back} ran: rolling back undoes the change "
                "no node fits.", "rollback_deployment",
                {"namespace": subject.namespace, "deployment": deployment,
                 "revision": str(back)} if subject is not None else {}))
        elif deployment and short and subject is not None:
            findings.append(Finding(
                "error", f"pod {name}", head + f"No node has enough free "
                f"{' or '.join(short)} for its requests: lower them (set_resources), or add "
                "capacity.", "set_resources",
                {"namespace": subject.namespace, "deployment": deployment}))
        else:
            findings.append(Finding("error", f"pod {name}", head + "No node matches its node "
                                    "selector, affinity or resource requests; changing those "
                                    "or adding capacity is outside the runbook catalogue.",
                                    None, {}, outside_catalogue=True))
    return findings


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


def _requests(rs: Mapping[str, Any], resource: str) -> int:
    """What a ReplicaSet's pods request of `resource` in all (millicores or bytes)."""
    total = 0
    for c in cv.get(rs, "spec", "template", "spec", "containers", default=[]) or []:
        value = cv.get(c, "resources", "requests", resource)
        if value:
            try:
                total += millicores(str(value)) if resource == "cpu" else memory_bytes(str(value))
            except QuantityError:
                continue
    return total


def _asks_more(subject: Subject, short: Sequence[str]) -> bool:
    """Whether the newest revision requests more of a resource no node has room for than
    the one before it: then that change is what no node fits (a full cluster after a
    scale-up is not, and no rollback fixes it)."""
    if len(subject.replicasets) < 2:
        return False
    newest, previous = subject.replicasets[0], subject.replicasets[1]
    return any(_requests(newest, r) > _requests(previous, r) for r in short)


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
    findings.extend(scheduling_findings(subject.pods, events, subject))
    findings.extend(probe_findings(subject, events, now, problems))
    dep = subject.deployment
    if dep is not None and not pod:
        info = cv.deployment_info(dep)
        if stuck(info):
            findings.append(stuck_rollout(namespace, info, subject.replicasets))
        if not findings and info.available < info.desired:
            findings.append(Finding(
                "warning", f"deployment {info.name}",
                f"deployment {info.name} has {info.available} of {info.desired} replicas "
                "available; its pods show no failure yet, so it may still be starting."))
    warnings = [e for e in events if e.get("type") == "Warning"]
    if not findings:
        findings.append(_healthy(subject, dep if not pod else None, len(warnings), now))
    if dep is not None and not pod:
        # Its pods may be fine while its autoscaler is not: said after them, as warnings.
        hpas = au.listed(kube, namespace) or []
        findings.extend(f for h in au.targeting(hpas, "deployment", str(deployment))
                        for f in au.findings(h, namespace))
    logs = _failing_logs(kube, namespace, subject.pods, problems)
    findings = [_with_dependency(f, logs) for f in findings]
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
    records.extend(logs)
    return tuple(records)


def _with_dependency(finding: Finding, logs: Sequence[LogLines]) -> Finding:
    """A crash loop whose last log lines say a dependency refuses or cannot be found: a
    restart does not fix that (the kubelet restarts it anyway), so the finding says so, and
    when a restart does help."""
    if TRANSIENT not in finding.explanation:
        return finding
    for lines in logs:
        if not finding.explanation.startswith(f"container {lines.container} "):
            continue
        line = next((ln for ln in reversed(lines.lines) if _DEPENDENCY.search(ln)), None)
        if line is not None:
            quoted = line.strip()[-160:]
            # The restart stays offered, for when the dependency is back: it skips the
            # kubelet's back-off (a user trial read "does not help" next to the offer as
            # a contradiction, so the text says when it does).
            return replace(finding, explanation=finding.explanation.replace(
                TRANSIENT, f" Its logs say it cannot reach a dependency ({quoted}): a "
                "restart does not help while that is down. Once it is back, the pods "
                "recover at their next restart by the kubelet (its back-off grows to 5 "
                "minutes), or at once with a restart."),
                caveat="the diagnosis found it cannot reach a dependency: a restart helps "
                       f"only once that is back ({quoted[-80:]})")
    return finding


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
                                   lines=LOG_LINES, previous=previous,
                                   explain_unstarted=False)  # the finding says why
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
