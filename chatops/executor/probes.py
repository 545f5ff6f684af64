"""Probe findings: failing liveness probes, and containers running but not ready, from the
kubelet's `Unhealthy` events (used by `diagnose.py` and the namespace scan in `health.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chatops.executor import convert as cv
from chatops.executor.redact import redact
from chatops.executor.symptoms import Problem, Subject, bad_rollout, in_pods
from chatops.results import Finding

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
