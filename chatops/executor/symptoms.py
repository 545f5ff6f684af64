"""What a deployment's or pod's containers show: failure modes aggregated per container
(`find_problems`), pods the scheduler could not place, and whether the newest rollout is to
blame (`bad_rollout`). Facts only; `diagnose.py` and `health.py` word them as findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatops.executor import convert as cv
from chatops.executor.redact import redact
from chatops.results import ContainerInfo

PULL_ERRORS = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName",
                         "ErrImageNeverPull"})


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
            # The scheduler ends its message with "." and so do the sentences quoting it.
            out.append((name, redact(reason.strip().rstrip("."))))
    return out


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def in_pods(pods: Sequence[str]) -> str:
    return f"pod {pods[0]}" if len(pods) == 1 else f"{len(pods)} pods"


def _replica_set_of(subject: Subject) -> dict[str, str]:
    """Each of the subject's pods by name, with the uid of the ReplicaSet controlling it
    ("" for none). The uid, not the name: a pod may carry an owner reference naming the
    newest ReplicaSet without being its (an attacker review: a bare pod so labelled put a
    rollback first)."""
    controllers = {str(cv.get(p, "metadata", "name")): cv.controller(p) for p in subject.pods}
    return {name: str(ref.get("uid") or "") if ref and ref.get("kind") == "ReplicaSet" else ""
            for name, ref in controllers.items()}


def _newest_uid(subject: Subject) -> str:
    """The uid of the subject's newest ReplicaSet ("" when it has none)."""
    if not subject.replicasets:
        return ""
    return str(cv.get(subject.replicasets[0], "metadata", "uid", default="") or "")


def in_newest(subject: Subject, problem_pods: Sequence[str]) -> bool:
    """Whether any of `problem_pods` belongs to the deployment's newest revision: the one a
    change just made, whose problems say why it fails (an older revision's pods may fail
    for the reason the change was made)."""
    newest = _newest_uid(subject) if subject.deployment is not None else ""
    if not newest:
        return False
    owners = _replica_set_of(subject)
    return any(owners.get(p) == newest for p in problem_pods)


def bad_rollout(subject: Subject, problem_pods: Sequence[str]) -> int | None:
    """The revision to go back to when the newest revision fails and an older one worked."""
    newest = _newest_uid(subject) if subject.deployment is not None else ""
    if not newest or len(subject.replicasets) < 2:
        return None
    owners = _replica_set_of(subject)
    if not problem_pods or any(owners.get(p) != newest for p in problem_pods):
        return None
    return cv.revision(subject.replicasets[1])
