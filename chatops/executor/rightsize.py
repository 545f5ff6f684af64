"""`rightsize`: compare a deployment's requests and limits with what its containers use,
their restarts and OOM kills and its autoscaler, and suggest the runbook that fits.

Read-only. Usage comes from the injected source (`chatops.executor.usage`): Prometheus
(peak memory and 95th-percentile CPU over a window), the metrics.k8s.io API (one current
sample), or none, in which case the advice comes from the spec and the restart history
alone and the answer says so. The rules are fixed, per container, so the same state always
reads the same ("used" is peak memory and p95 CPU, or the current sample):

Memory
- OOM-killed (now or as the last termination) with a limit: raise the limit to at least
  `OOM_LIMIT_FACTOR` (2x) the limit and `LIMIT_HEADROOM` (1.5x) the peak -> set_resources.
  Without a limit: set a request (and, with usage, a limit) -> set_resources.
- Used at or above `NEAR_LIMIT` (90%) of the limit: raise the limit to 1.5x the peak (at
  least 1.25x the limit) -> set_resources.
- No request and no limit (a limit alone is also the request): set a request.
- Used above `OVER_REQUEST` (120%) of the request: raise the request to 1.3x the peak,
  capped at the limit.
- With history only (not one sample), and not OOM-killed: used below `UNDER_REQUEST` (50%)
  of the request, and lowering saves at least 64Mi: lower it to 1.3x the peak.

CPU (the same shape: no request; at or above 90% of the limit, i.e. throttled: raise the
limit to 1.5x; above 120% of the request: raise the request to 1.25x the use; with
history, below 50% of the request and saving at least 100m: lower it to 1.25x the use).

Deployment
- Restarted `RESTARTS_WORTH` (3) or more times other than by OOM kills -> diagnose.
- At the maximum of its HorizontalPodAutoscaler: raise the maximum by half (at least one,
  at most 100) -> set_autoscaling.
- No autoscaler and CPU above 120% of the request: also offer the replicas that bring it
  to `SCALE_TARGET` (70%) of the request (at most 50) -> scale_deployment.

Suggestions round up to values a person would pick (`chatops.quantities.nice_cpu`,
`nice_memory`: 10m/50m/250m and 16Mi/64Mi/256Mi/1Gi steps).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatops.errors import ClusterError, NotFound
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube
from chatops.executor.hpa import find_hpa
from chatops.executor.registry import Call, registry
from chatops.executor.usage import ContainerUsage, Usage, UsageSource
from chatops.quantities import (
    MI,
    QuantityError,
    describe_cpu,
    describe_memory,
    format_cpu,
    format_memory,
    memory_bytes,
    millicores,
    nice_cpu,
    nice_memory,
    show_cpu,
    show_memory,
)
from chatops.results import Finding, Record, ResourceRow, RightsizeSummary

OOM_LIMIT_FACTOR = 2.0
LIMIT_HEADROOM = 1.5
LIMIT_MIN_RAISE = 1.25
NEAR_LIMIT = 0.9
OVER_REQUEST = 1.2
UNDER_REQUEST = 0.5
MEMORY_HEADROOM = 1.3
CPU_HEADROOM = 1.25
MIN_MEMORY_SAVING = 64 * MI
MIN_CPU_SAVING = 100
RESTARTS_WORTH = 3
HPA_GROWTH = 1.5
MAX_HPA_REPLICAS = 100
SCALE_TARGET = 0.7
MAX_REPLICAS = 50


@dataclass
class Sized:
    """One container's spec (millicores, bytes; None: unset), usage and history."""

    name: str
    cpu_request: int | None = None
    cpu_limit: int | None = None
    memory_request: int | None = None
    memory_limit: int | None = None
    cpu_used: int | None = None  # millicores
    memory_used: int | None = None  # bytes
    restarts: int = 0
    oom_kills: int = 0
    findings: list[Finding] = field(default_factory=list)


def _amount(resources: Mapping[str, Any], kind: str, resource: str) -> int | None:
    text = cv.get(resources, kind, resource)
    if text is None:
        return None
    try:
        return millicores(str(text)) if resource == "cpu" else memory_bytes(str(text))
    except QuantityError:
        return None  # the API server validated it; a form we cannot read counts as unset


def _containers(dep: Mapping[str, Any], pods: Sequence[Mapping[str, Any]], usage: Usage,
                now: datetime) -> list[Sized]:
    out: list[Sized] = []
    for spec in cv.get(dep, "spec", "template", "spec", "containers", default=[]):
        res = spec.get("resources") or {}
        seen = usage.containers.get(str(spec["name"]), ContainerUsage())
        out.append(Sized(
            name=str(spec["name"]),
            cpu_request=_amount(res, "requests", "cpu"), cpu_limit=_amount(res, "limits", "cpu"),
            memory_request=_amount(res, "requests", "memory"),
            memory_limit=_amount(res, "limits", "memory"),
            cpu_used=math.ceil(seen.cpu_cores * 1000) if seen.cpu_cores is not None else None,
            memory_used=(math.ceil(seen.memory_bytes) if seen.memory_bytes is not None
                         else None)))
    by_name = {s.name: s for s in out}
    for pod in pods:
        if cv.get(pod, "metadata", "deletionTimestamp"):
            continue
        for c in cv.containers(pod):
            sized = by_name.get(c.name)
            if sized is None:
                continue
            sized.restarts += c.restarts
            if "OOMKilled" in (c.reason, c.last_reason):
                sized.oom_kills += max(c.restarts, 1)
    return out


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def window_text(seconds: int) -> str:
    """`1h`, `30m`, `2d`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


class _Rules:
    """The rules of the module docstring for one deployment."""

    def __init__(self, namespace: str, deployment: str, usage: Usage) -> None:
        self.namespace = namespace
        self.deployment = deployment
        self.usage = usage
        self.over = f" over {window_text(usage.window_seconds)}" if usage.history else " now"

    def peak(self, used: int) -> str:
        """`peak 121Mi over 1h`, `121Mi in use now`."""
        if self.usage.history:
            return f"peak {show_memory(used)}{self.over}"
        return f"{show_memory(used)} in use now"

    def p95(self, used: int) -> str:
        """`p95 usage 80m over 1h`, `usage 80m now`."""
        word = "p95 usage" if self.usage.history else "usage"
        return f"{word} {show_cpu(used / 1000)}{self.over}"

    def offer(self, c: Sized, severity: str, text: str, **values: str) -> None:
        slots = {"namespace": self.namespace, "deployment": self.deployment,
                 "container": c.name, **values}
        c.findings.append(Finding(severity, f"container {c.name}",  # type: ignore[arg-type]
                                  text, "set_resources", slots))

    def memory(self, c: Sized) -> None:
        used, req, lim = c.memory_used, c.memory_request, c.memory_limit
        peak = f", {self.peak(used)}" if used is not None else ""
        if c.oom_kills and lim is not None:
            new = nice_memory(max(lim * OOM_LIMIT_FACTOR, (used or 0) * LIMIT_HEADROOM))
            self.offer(c, "error", f"memory limit {describe_memory(lim)}, OOM-killed "
                       f"{_times(c.oom_kills)}{peak}: raise the limit to "
                       f"{format_memory(new)}.", memory_limit=format_memory(new))
        elif c.oom_kills:
            values: dict[str, str] = {}
            if used is not None:
                values = {"memory_request": format_memory(nice_memory(used * MEMORY_HEADROOM)),
                          "memory_limit": format_memory(nice_memory(used * OOM_LIMIT_FACTOR))}
            self.offer(c, "error", f"no memory limit, OOM-killed {_times(c.oom_kills)}{peak}: "
                       "the node ran out of memory; give it a request the scheduler reserves"
                       + (f" ({values['memory_request']}) and a limit "
                          f"({values['memory_limit']})." if values else "."), **values)
        elif used is not None and lim is not None and used >= lim * NEAR_LIMIT:
            new = nice_memory(max(used * LIMIT_HEADROOM, lim * LIMIT_MIN_RAISE))
            self.offer(c, "warning", f"memory limit {describe_memory(lim)}{peak} "
                       f"({used * 100 // lim}% of it): close to being OOM-killed; raise the "
                       f"limit to {format_memory(new)}.", memory_limit=format_memory(new))
        effective = req if req is not None else lim  # a limit alone is also the request
        if effective is None:
            values = ({"memory_request": format_memory(nice_memory(used * MEMORY_HEADROOM))}
                      if used is not None else {})
            if not c.oom_kills:
                self.offer(c, "warning", "no memory request: the scheduler reserves nothing "
                           "for it, and it is among the first evicted when a node runs short"
                           + (f"{peak}; request {values['memory_request']}." if values
                              else "."), **values)
            return
        if used is None:
            return
        if used > effective * OVER_REQUEST:
            new = nice_memory(used * MEMORY_HEADROOM)
            if lim is not None:
                new = min(new, lim)
            if new > effective:
                self.offer(c, "warning", f"memory request {describe_memory(effective)}{peak}: "
                           f"it uses more than it reserves, so the node may run short; raise "
                           f"the request to {format_memory(new)}.",
                           memory_request=format_memory(new))
        elif self.usage.history and not c.oom_kills and used < effective * UNDER_REQUEST:
            new = nice_memory(used * MEMORY_HEADROOM)
            if effective - new >= MIN_MEMORY_SAVING and req is not None:
                self.offer(c, "warning", f"memory request {describe_memory(effective)}{peak}: "
                           f"lower the request to {format_memory(new)}.",
                           memory_request=format_memory(new))

    def cpu(self, c: Sized) -> None:
        used, req, lim = c.cpu_used, c.cpu_request, c.cpu_limit
        seen = f", {self.p95(used)}" if used is not None else ""
        if used is not None and lim is not None and used >= lim * NEAR_LIMIT:
            new = nice_cpu(max(used * LIMIT_HEADROOM, lim * LIMIT_MIN_RAISE))
            self.offer(c, "warning", f"CPU limit {describe_cpu(lim)}{seen}: it is throttled; "
                       f"raise the limit to {format_cpu(new)}.", cpu_limit=format_cpu(new))
        effective = req if req is not None else lim
        if effective is None:
            values = ({"cpu_request": format_cpu(nice_cpu(used * CPU_HEADROOM))}
                      if used is not None else {})
            self.offer(c, "warning", "no CPU request: the scheduler reserves no CPU for it, "
                       "so busy neighbours can starve it"
                       + (f"{seen}; request {values['cpu_request']}." if values else "."),
                       **values)
            return
        if used is None:
            return
        if used > effective * OVER_REQUEST:
            new = nice_cpu(used * CPU_HEADROOM)
            if lim is not None:
                new = min(new, lim)
            if new > effective:
                self.offer(c, "warning", f"CPU request {describe_cpu(effective)}{seen}: it "
                           f"uses more than it reserves; raise the request to "
                           f"{format_cpu(new)}.", cpu_request=format_cpu(new))
        elif self.usage.history and used < effective * UNDER_REQUEST and req is not None:
            new = nice_cpu(used * CPU_HEADROOM)
            if effective - new >= MIN_CPU_SAVING:
                self.offer(c, "warning", f"CPU request {describe_cpu(effective)} but {seen[2:]}: "
                           f"lower the request to {format_cpu(new)}.",
                           cpu_request=format_cpu(new))


@dataclass(frozen=True)
class Autoscaler:
    """The deployment's HPA as far as the rules need it."""

    name: str
    minimum: int
    maximum: int
    current: int
    limited_seconds: int | None  # how long ScalingLimited(TooManyReplicas) has held


def _autoscaler(kube: Kube, namespace: str, deployment: str,
                now: datetime) -> tuple[Autoscaler | None, str]:
    """The HPA targeting the deployment (None when there is none), or a note why unknown."""
    try:
        hpa = find_hpa(kube, namespace, deployment)
    except NotFound:
        return None, ""
    except ClusterError:
        return None, f"{kube.who} may not list autoscalers in {namespace}"
    limited = None
    for c in cv.get(hpa, "status", "conditions", default=[]):
        if (c.get("type") == "ScalingLimited" and c.get("status") == "True"
                and c.get("reason") == "TooManyReplicas"):
            limited = cv.age_seconds(c.get("lastTransitionTime"), now)
    return Autoscaler(str(cv.get(hpa, "metadata", "name")),
                      int(cv.get(hpa, "spec", "minReplicas", default=1)),
                      int(cv.get(hpa, "spec", "maxReplicas", default=1)),
                      int(cv.get(hpa, "status", "currentReplicas", default=0)), limited), ""


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h" if seconds < 172800 else f"{seconds // 86400}d"


def _deployment_findings(namespace: str, name: str, replicas: int, sized: Sequence[Sized], *,
                         hpa: Autoscaler | None, usage: Usage) -> list[Finding]:
    base = {"namespace": namespace, "deployment": name}
    out: list[Finding] = []
    crashes = sum(max(0, c.restarts - c.oom_kills) for c in sized)
    if crashes >= RESTARTS_WORTH:
        out.append(Finding("warning", f"deployment {name}",
                           f"its containers restarted {crashes} times other than by OOM kills: "
                           "more resources will not help with that; diagnose it.",
                           "diagnose", base))
    if hpa is not None and hpa.maximum and hpa.current >= hpa.maximum:
        since = (f" for {_age(hpa.limited_seconds)}" if hpa.limited_seconds is not None
                 else "")
        text = (f"at the maximum of its autoscaler {hpa.name} ({hpa.current} of "
                f"{hpa.maximum} replicas){since}: it wants more replicas than it may have")
        if hpa.maximum < MAX_HPA_REPLICAS:
            new = min(MAX_HPA_REPLICAS, max(hpa.maximum + 1,
                                            math.ceil(hpa.maximum * HPA_GROWTH)))
            out.append(Finding("warning", f"deployment {name}",
                               f"{text}; raise the maximum to {new}.", "set_autoscaling",
                               {**base, "max_replicas": str(new)}))
        else:
            out.append(Finding("warning", f"deployment {name}", text + ".",
                               outside_catalogue=True))
    if hpa is None and replicas > 0:
        hot = [c for c in sized if c.cpu_used is not None and c.cpu_request
               and c.cpu_used > c.cpu_request * OVER_REQUEST]
        if hot:
            want = max(math.ceil(replicas * (c.cpu_used or 0) / (c.cpu_request * SCALE_TARGET))
                       for c in hot if c.cpu_request)
            want = min(MAX_REPLICAS, want)
            if want > replicas:
                word = "p95 CPU" if usage.history else "CPU"
                out.append(Finding("warning", f"deployment {name}",
                                   f"no autoscaler, and its {word} is above its request: "
                                   f"instead of a larger request, spread the load over "
                                   f"{want} replicas (from {replicas}).", "scale_deployment",
                                   {**base, "replicas": str(want)}))
    return out


def rightsize(kube: Kube, namespace: str, name: str, source: UsageSource,
              now: datetime) -> tuple[Record, ...]:
    """The summary, one row per container, then the findings (container by container,
    then the deployment's); one `info` finding when nothing needs changing."""
    dep = reads.read_deployment(kube, namespace, name)
    pods = [p for p in reads.deployment_pods(kube, dep)
            if not cv.get(p, "metadata", "deletionTimestamp")]
    names = [str(c["name"]) for c in
             cv.get(dep, "spec", "template", "spec", "containers", default=[])]
    usage = source.usage(kube, namespace, dep, names)
    sized = _containers(dep, pods, usage, now)
    rules = _Rules(namespace, name, usage)
    for c in sized:
        rules.memory(c)
        rules.cpu(c)
    hpa, hpa_note = _autoscaler(kube, namespace, name, now)
    replicas = int(cv.get(dep, "spec", "replicas", default=1))
    findings = [f for c in sized for f in c.findings]
    findings += _deployment_findings(namespace, name, replicas, sized, hpa=hpa, usage=usage)
    if not findings:
        text = ("its requests and limits fit the observed usage, with no OOM kills."
                if usage.available else
                "nothing to change from the spec and the restart history; with a metrics "
                "source its requests could be compared with what it uses.")
        findings.append(Finding("info", f"deployment {name}", text))
    autoscaler = (f"{hpa.name}: {hpa.minimum}-{hpa.maximum} replicas, {hpa.current} now"
                  if hpa is not None else hpa_note)
    summary = RightsizeSummary(namespace, name, len(pods), usage.source,
                               usage.window_seconds if usage.history else 0,
                               usage.note, autoscaler)
    rows = [ResourceRow(
        c.name,
        format_cpu(c.cpu_request) if c.cpu_request is not None else "",
        format_cpu(c.cpu_limit) if c.cpu_limit is not None else "",
        show_cpu(c.cpu_used / 1000) if c.cpu_used is not None else "",
        format_memory(c.memory_request) if c.memory_request is not None else "",
        format_memory(c.memory_limit) if c.memory_limit is not None else "",
        show_memory(c.memory_used) if c.memory_used is not None else "",
        c.restarts, c.oom_kills) for c in sized]
    return (summary, *rows, *findings)


@registry.read("rightsize")
def _rightsize(c: Call) -> tuple[Record, ...]:
    return rightsize(c.kube, c.params.s("namespace"), c.params.s("deployment"), c.usage, c.now)
