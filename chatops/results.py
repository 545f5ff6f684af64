"""Typed results the executor returns; raw Kubernetes objects never leave the executor.

Everything here is a frozen dataclass of plain values, so results can be rendered to
text or Block Kit, stored in the audit log as JSON, and compared in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal

from chatops.model import ParamValue, frozen_map


@dataclass(frozen=True)
class FieldChange:
    """One field a mutating step changes, as the server-side dry-run reported it."""

    path: str
    before: ParamValue
    after: ParamValue


@dataclass(frozen=True)
class Condition:
    """A status condition of a deployment, pod or node."""

    type: str
    status: str
    reason: str = ""
    message: str = ""


@dataclass(frozen=True)
class ContainerInfo:
    """One container of a pod and its state."""

    name: str
    image: str
    ready: bool
    restarts: int
    state: Literal["running", "waiting", "terminated", "unknown"]
    reason: str = ""
    message: str = ""
    exit_code: int | None = None
    last_reason: str = ""
    last_exit_code: int | None = None
    memory_limit: str = ""


@dataclass(frozen=True)
class PodInfo:
    """A pod as `list_pods` and `describe_pod` show it."""

    name: str
    namespace: str
    phase: str
    ready: str
    restarts: int
    node: str = ""
    age_seconds: int = 0
    reason: str = ""
    containers: tuple[ContainerInfo, ...] = ()
    conditions: tuple[Condition, ...] = ()
    owner: str = ""


@dataclass(frozen=True)
class DeploymentInfo:
    """A deployment's replica counts, rollout state and images."""

    name: str
    namespace: str
    desired: int
    updated: int
    ready: int
    available: int
    revision: int
    images: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    generation: int = 0
    observed_generation: int = 0
    running_images: tuple[str, ...] = ()
    """The images the ready pods run, only where they are not `images` (a rollout that has
    not reached them); empty otherwise, or when the pods could not be listed."""


@dataclass(frozen=True)
class EventInfo:
    """A Kubernetes event, newest first in lists."""

    type: str
    reason: str
    object: str
    message: str
    count: int = 1
    age_seconds: int = 0


@dataclass(frozen=True)
class NodeInfo:
    """A node's readiness, schedulability, pressure and capacity."""

    name: str
    ready: bool
    unschedulable: bool
    pressure: tuple[str, ...] = ()
    cpu: str = ""
    memory: str = ""
    pods: int = 0


@dataclass(frozen=True)
class RevisionInfo:
    """One revision of a deployment (a ReplicaSet)."""

    revision: int
    replicaset: str
    images: tuple[str, ...]
    change_cause: str = ""
    current: bool = False
    age_seconds: int = 0


@dataclass(frozen=True)
class ImageInfo:
    """Which image a workload's container runs."""

    namespace: str
    workload: str
    container: str
    image: str


@dataclass(frozen=True)
class LogLines:
    """The last log lines of one container instance, secrets redacted.

    `previous`: the instance before the current one (`kubectl logs --previous`); `note`: how
    the instance shown ended, when it did (the reason a person reads it)."""

    pod: str
    container: str
    lines: tuple[str, ...]
    previous: bool = False
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """A diagnosis in plain words, with the runbook that fits when there is one.

    `runbook` is None and `outside_catalogue` is True when the fix (say, a higher memory
    limit) is something no runbook does.
    """

    severity: Literal["error", "warning", "info"]
    subject: str
    explanation: str
    runbook: str | None = None
    slots: Mapping[str, str] = field(default_factory=frozen_map)
    outside_catalogue: bool = False
    caveat: str = ""
    """What the approver of the plan `runbook` starts should know ("a restart helps only
    once the dependency is back"): carried to that plan as a note."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", frozen_map(self.slots))


@dataclass(frozen=True)
class CronjobState:
    """A cronjob as a namespace's scan saw it: what a question of its state asks ("is
    nightly-report suspended?", "did it run?"). Times are the API's RFC 3339 strings."""

    name: str
    schedule: str
    suspended: bool
    last_scheduled: str | None
    last_successful: str | None


@dataclass(frozen=True)
class HealthSummary:
    """The end of a namespace's health scan: what was found healthy, what was left out.

    Counts are of workloads without a finding; `more` is the number of findings beyond the
    ones listed, `unchecked` the kinds (`statefulsets`) the requester may not list.
    """

    namespace: str
    deployments: int = 0
    statefulsets: int = 0
    daemonsets: int = 0
    jobs: int = 0
    cronjobs: int = 0
    pods_ready: int = 0
    """Pods whose Ready condition holds (a crash-looping pod's phase is still Running)."""
    pods_completed: int = 0
    """Pods that ran to completion (a job's): neither ready nor a problem."""
    pods: int = 0
    problems: int = 0
    more: int = 0
    unchecked: tuple[str, ...] = ()
    cronjob_states: tuple[CronjobState, ...] = ()
    """Every cronjob of the namespace, suspended or not (a healthy one is only counted)."""


@dataclass(frozen=True)
class HygieneRow:
    """One container (or, with `container` empty, one pod spec) failing a hygiene check,
    for every pod of `workload` (`deployment/web`, `pod/debug`) that shows it."""

    namespace: str
    workload: str
    container: str
    detail: str = ""
    pods: int = 1


@dataclass(frozen=True)
class HygieneCheck:
    """One pod hygiene check's outcome: the first failing rows, and how many there are.

    `configured` is False when the check needs a platform setting that is not set (the
    registry allow-list); `setting` is the bound applied (`4x`, `ghcr.io/acme, docker.io`).
    """

    check: str
    rows: tuple[HygieneRow, ...] = ()
    total: int = 0
    configured: bool = True
    setting: str = ""

    @property
    def passed(self) -> bool:
        """Checked, and nothing failed."""
        return self.configured and self.total == 0


@dataclass(frozen=True)
class HygieneSummary:
    """What a pod hygiene audit looked at: one namespace (None: every namespace the
    requester may read) and how many pods and workloads; `unreadable` counts namespaces
    left out because the requester may not list their pods."""

    namespace: str | None
    pods: int
    workloads: int
    namespaces: int = 1
    unreadable: int = 0


@dataclass(frozen=True)
class ResourceRow:
    """One container of a deployment as `rightsize` compares it: requests and limits as
    the spec has them, what it was seen using (empty: unset or unknown), and its restarts
    and OOM kills summed over the deployment's pods."""

    container: str
    cpu_request: str = ""
    cpu_limit: str = ""
    cpu_used: str = ""
    memory_request: str = ""
    memory_limit: str = ""
    memory_used: str = ""
    restarts: int = 0
    oom_kills: int = 0


@dataclass(frozen=True)
class RightsizeSummary:
    """What `rightsize` compared: the deployment, how many pods, where usage came from
    (`prometheus`, `metrics.k8s.io`, or `none`), over which window (0: one current sample),
    why there are no usage figures (`note`), and its autoscaler in words (empty: none)."""

    namespace: str
    deployment: str
    pods: int
    source: str
    window_seconds: int = 0
    note: str = ""
    autoscaler: str = ""


Record = (PodInfo | DeploymentInfo | EventInfo | NodeInfo | RevisionInfo | ImageInfo | LogLines
          | Finding | HealthSummary | HygieneCheck | HygieneSummary
          | ResourceRow | RightsizeSummary)


@dataclass(frozen=True)
class StepResult:
    """What one step did (or, with `dry_run`, would do).

    `changes` is the diff, `affected_pods` the blast radius, `before` the values observed
    just before the change (undo templates read them), `records` the typed read results,
    `warnings` what an approver should know that the diff does not show (an autoscaler
    that will undo the change, a PodDisruptionBudget that blocks it now), `kept_pods` the
    target's pods the change leaves as they are (a rollback's revision's), bound with the
    plan by their count.
    """

    verb: str
    dry_run: bool
    summary: str
    changes: tuple[FieldChange, ...] = ()
    affected_pods: tuple[str, ...] = ()
    before: Mapping[str, ParamValue] = field(default_factory=frozen_map)
    records: tuple[Record, ...] = ()
    warnings: tuple[str, ...] = ()
    kept_pods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "before", frozen_map(self.before))

    def to_json(self) -> dict[str, Any]:
        """A JSON-friendly view for the audit log."""
        data: dict[str, Any] = plain(self)
        data["records"] = [{"kind": type(r).__name__, **plain(r)} for r in self.records]
        return data


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a verification: passed or not, what was seen, how long it took."""

    verb: str
    ok: bool
    message: str
    elapsed_seconds: float = 0.0


def plain(value: Any) -> Any:
    """Dataclasses, read-only mappings and tuples as plain JSON-ready dicts and lists.

    (`dataclasses.asdict` cannot copy the read-only mappings frozen values hold.)
    """
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value
