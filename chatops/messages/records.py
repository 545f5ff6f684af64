"""What the cluster answered: typed executor results as tables and sentences."""

from __future__ import annotations

from collections.abc import Sequence

from chatops.results import (
    Condition,
    DeploymentInfo,
    EventInfo,
    Finding,
    HealthSummary,
    HygieneCheck,
    HygieneSummary,
    ImageInfo,
    LogLines,
    NodeInfo,
    PodInfo,
    Record,
    ResourceRow,
    RevisionInfo,
    RightsizeSummary,
)


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


HYGIENE_TITLES = {
    "cpu-requests": "no CPU request",
    "memory-requests": "no memory request",
    "cpu-limits": "no CPU limit",
    "memory-limits": "no memory limit",
    "limit-ratio": "limit/request ratio above {setting}",
    "readiness-probe": "no readiness probe",
    "liveness-probe": "no liveness probe",
    "latest-tag": "image tag :latest, or no tag",
    "registry": "image from a registry outside the allow-list ({setting})",
    "privileged": "privileged container",
    "tty-stdin": "tty or stdin open",
    "host-path": "hostPath volume",
    "run-as-root": "may run as root",
}
"""What failing each pod hygiene check means, as the header of its table."""


def _plural(n: int, word: str) -> str:
    return word if n == 1 else f"{word}s"


def _count(n: int, word: str) -> str:
    """`1 pod`, `3 pods`."""
    return f"{n} {_plural(n, word)}"


MAX_NORMAL_EVENTS = 5
"""Routine (Normal) events listed whole; the rest are counted by reason. Warnings are all
listed: in an incident they are the point, and the verb caps the list."""


def _routine_cut(records: tuple[Record, ...]) -> tuple[tuple[Record, ...], str | None]:
    """The records with Normal events past the first few left out, and the line that
    counts what was left out (None when nothing was)."""
    normal = [r for r in records if isinstance(r, EventInfo) and r.type == "Normal"]
    if len(normal) <= MAX_NORMAL_EVENTS:
        return records, None
    dropped = normal[MAX_NORMAL_EVENTS:]
    gone = {id(r) for r in dropped}
    counts: dict[str, int] = {}
    for r in dropped:
        counts[r.reason] = counts.get(r.reason, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    line = (f"... and {len(dropped)} more Normal events: "
            + ", ".join(f"{reason} x{n}" for reason, n in ranked))
    return tuple(r for r in records if id(r) not in gone), line


def _pod_table(pods: Sequence[PodInfo], spread: bool) -> list[str]:
    """The pods as a table; with their namespace when `spread` (of several namespaces, or
    a node's, which may be of any)."""
    head = ("NAME", "READY", "STATUS", "RESTARTS", "NODE", "AGE")
    rows = [(("NAMESPACE",) if spread else ()) + head]
    rows += [((p.namespace,) if spread else ()) + (
        p.name, p.ready, p.reason or p.phase, str(p.restarts), p.node or "-",
        _age(p.age_seconds)) for p in pods]
    return _table(rows)


def records_text(records: tuple[Record, ...]) -> str:
    """Typed executor results as readable text: tables for lists, sentences for findings."""
    records, routine = _routine_cut(records)
    lines: list[str] = []
    pods = [r for r in records if isinstance(r, PodInfo)]
    # A node's pods follow the node's line; any other list of pods comes first.
    after_node = any(isinstance(r, NodeInfo) for r in records)
    spread = after_node or len({p.namespace for p in pods}) > 1
    table = _pod_table(pods, spread) if pods else []
    if not after_node:
        lines += table
    checks = [r for r in records if isinstance(r, HygieneCheck)]
    for r in records:
        if isinstance(r, RightsizeSummary):
            lines += _rightsize_lines(r, [x for x in records if isinstance(x, ResourceRow)])
        elif isinstance(r, HygieneSummary):
            lines.append(_hygiene_summary(r, checks))
        elif isinstance(r, HygieneCheck):
            lines += _hygiene_lines(r, wide=any(isinstance(s, HygieneSummary)
                                                and s.namespace is None for s in records))
        else:
            lines += _record_lines(r, single_pod=len(pods) == 1 and not after_node)
    if after_node:
        lines += table
    passed = [c.check for c in checks if c.passed]
    if passed:
        lines.append(f"[pass] {', '.join(passed)}: every container passes.")
    if routine is not None:
        lines.append(routine)
    return "\n".join(lines) if lines else "Nothing found."


USAGE_SOURCES = {"prometheus": "Prometheus", "metrics.k8s.io": "the metrics.k8s.io API"}


def _window(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _rightsize_lines(r: RightsizeSummary, rows: Sequence[ResourceRow]) -> list[str]:
    """Where usage came from (or why there is none), the autoscaler, and the table of
    requests, limits and use per container."""
    pods = _count(r.pods, "pod")
    head = f"Resources of deployment {r.deployment} in {r.namespace} ({pods}): "
    if r.source == "none":
        head += ("no metrics source is configured, so this advice comes from the spec and "
                 "the restart and OOM history alone.")
    elif r.note:
        head += (f"no usage figures ({r.note}); this advice comes from the spec and the "
                 "restart and OOM history alone.")
    elif r.window_seconds:
        head += (f"usage from {USAGE_SOURCES.get(r.source, r.source)} over "
                 f"{_window(r.window_seconds)}: memory is the peak, CPU the 95th percentile.")
    else:
        head += (f"usage from {USAGE_SOURCES.get(r.source, r.source)}, one current sample "
                 "(no history, so nothing is suggested lower).")
    lines = [head]
    # Said either way: "is it autoscaled?" is answered by this line.
    lines.append(f"autoscaler {r.autoscaler}" if r.autoscaler else "no autoscaler targets it")
    if rows:
        table = [("CONTAINER", "CPU REQ", "CPU LIM", "CPU USED", "MEM REQ", "MEM LIM",
                  "MEM USED", "RESTARTS", "OOM")]
        table += [(x.container, x.cpu_request or "-", x.cpu_limit or "-", x.cpu_used or "-",
                   x.memory_request or "-", x.memory_limit or "-", x.memory_used or "-",
                   str(x.restarts), str(x.oom_kills)) for x in rows]
        lines += [f"  {line}" for line in _table(table)]
    return lines


def _hygiene_summary(r: HygieneSummary, checks: Sequence[HygieneCheck]) -> str:
    where = (f"namespace {r.namespace}" if r.namespace else
             f"{_count(r.namespaces, 'namespace')}")
    failing = sum(1 for c in checks if c.configured and not c.passed)
    text = (f"Pod hygiene in {where}: {_count(r.pods, 'pod')} of "
            f"{_count(r.workloads, 'workload')}; {failing} of "
            f"{len(checks)} checks fail.")
    if r.unreadable:
        text += (f" {_count(r.unreadable, 'namespace')} you may not "
                 "list pods in were left out.")
    return text


def _hygiene_lines(r: HygieneCheck, *, wide: bool) -> list[str]:
    """A failing check's table (bounded: the rest are counted), or why it did not run."""
    if not r.configured:
        return [f"[not set] {r.check}: no registry allow-list is configured "
                "(CHATOPS_HYGIENE_REGISTRIES), so images were not checked against one."]
    if r.passed:
        return []
    title = HYGIENE_TITLES.get(r.check, r.check).format(setting=r.setting)
    lines = [f"[fail] {r.check}: {title} ({_count(r.total, 'container')})"]
    head = ("NAMESPACE",) if wide else ()
    rows: list[tuple[str, ...]] = [(*head, "WORKLOAD", "CONTAINER", "PODS", "DETAIL")]
    rows += [((row.namespace,) if wide else ()) + (row.workload, row.container or "-",
                                                    str(row.pods), row.detail or "-")
             for row in r.rows]
    lines += [f"  {line}" for line in _table(rows)]
    if r.total > len(r.rows):
        lines.append(f"  ... and {r.total - len(r.rows)} more")
    return lines


def _health_lines(r: HealthSummary) -> list[str]:
    """The last lines of a namespace scan: findings left out, then what is healthy."""
    lines = []
    if r.more:
        lines.append(f"... and {r.more} more {_plural(r.more, 'finding')}: diagnose "
                     "one deployment or pod for its details.")
    if not r.problems:
        lines.append(f"[ok] namespace {r.namespace}: nothing unhealthy found.")
    counts = [(r.deployments, "deployment"), (r.statefulsets, "statefulset"),
              (r.daemonsets, "daemonset"), (r.jobs, "job"), (r.cronjobs, "cronjob")]
    healthy = ", ".join(_count(n, word) for n, word in counts if n)
    live = r.pods - r.pods_completed
    ready = (f"{r.pods_ready} of {live} pods ready" if r.pods_ready != live
             else f"{_count(live, 'pod')} ready")
    done = f", {r.pods_completed} completed" if r.pods_completed else ""
    lines.append(f"{healthy or 'no workloads'} healthy; {ready}{done}.")
    if r.unchecked:
        lines.append(f"Not checked (you may not list them): {', '.join(r.unchecked)}.")
    return lines


def _condition_text(c: Condition) -> str:
    """`  Type=Status (Reason: message)`, the parts there are."""
    why = ": ".join(part for part in (c.reason, c.message) if part)
    return f"  {c.type}={c.status}" + (f" ({why})" if why else "")


def _record_lines(r: Record, *, single_pod: bool) -> list[str]:
    """One record's lines below the pod table (a lone pod also gets its containers)."""
    lines: list[str] = []
    if isinstance(r, DeploymentInfo):
        lines.append(f"deployment {r.name} in {r.namespace}: {r.ready}/{r.desired} ready, "
                     f"{r.updated} updated, {r.available} available, revision {r.revision}")
        running = (f" (the ready pods run {', '.join(r.running_images)}: the rollout has not "
                   "reached them)" if r.running_images else "")
        lines.append(f"  images: {', '.join(r.images) or '-'}{running}")
        lines += [_condition_text(c) for c in r.conditions]
    elif isinstance(r, EventInfo):
        count = f" x{r.count}" if r.count > 1 else ""
        lines.append(f"{_age(r.age_seconds):>4} {r.type:7} {r.reason:18} {r.object}: "
                     f"{r.message}{count}")
    elif isinstance(r, NodeInfo):
        state = "Ready" if r.ready else "NotReady"
        sched = "cordoned" if r.unschedulable else "schedulable"
        extra = f", pressure: {', '.join(r.pressure)}" if r.pressure else ""
        lines.append(f"{r.name}: {state}, {sched}, cpu {r.cpu}, memory {r.memory}, "
                     f"{_count(r.pods, 'pod')}{extra}")
    elif isinstance(r, RevisionInfo):
        mark = " (current)" if r.current else ""
        cause = f" - {r.change_cause}" if r.change_cause else ""
        lines.append(f"revision {r.revision}{mark}: {', '.join(r.images)}{cause}")
    elif isinstance(r, ImageInfo):
        lines.append(f"{r.namespace}/{r.workload} [{r.container}]: {r.image}")
    elif isinstance(r, LogLines):
        which = ", previous instance" if r.previous else ""
        lines.append(f"--- {r.pod} [{r.container}]{which}, last {_count(len(r.lines), 'line')}")
        lines += [f"  ({r.note})"] if r.note else []
        lines += [f"  {line}" for line in r.lines] or ["  (no output)"]
    elif isinstance(r, HealthSummary):
        lines += _health_lines(r)
    elif isinstance(r, Finding):
        mark = {"error": "[problem]", "warning": "[warning]", "info": "[ok]"}[r.severity]
        lines.append(f"{mark} {r.subject}: {r.explanation}")
        if r.runbook:
            args = " ".join(f"{k}={v}" for k, v in r.slots.items())
            lines.append(f"    suggested: {r.runbook} ({args})")
        elif r.outside_catalogue:
            lines.append("    the fix is outside the runbook catalogue: change the "
                         "manifest through your usual deployment process")
    elif isinstance(r, PodInfo) and single_pod:
        # Conditions that do not hold say why (PodScheduled=False: no node fits, and why).
        lines += [_condition_text(c) for c in r.conditions if c.status != "True"]
        for c in r.containers:
            state = c.reason or c.state
            last = f", last: {c.last_reason} (exit {c.last_exit_code})" if c.last_reason else ""
            lines.append(f"  container {c.name} ({c.image}): {state}, ready={c.ready}, "
                         f"restarts={c.restarts}{last}")
    return lines


def read_answer_text(notes: Sequence[str], records: tuple[Record, ...]) -> str:
    """The answer of a read-only runbook: its notes, then its records."""
    head = "\n".join(f"({note})" for note in notes)
    return f"{head}\n{records_text(records)}".strip()


def unknown_run_cause_text(cause: str, run_id: str) -> str:
    """A change-cause naming a run this bot has no record of for that deployment."""
    return f"{cause} (written by someone else: this bot has no run {run_id} of this deployment)"


def most_restarts_text(pods: Sequence[tuple[str, int]], listed: int) -> str:
    """The pods that restarted most, of the `listed` pods of a question of restarts."""
    if not pods:
        return ("The pod has not restarted." if listed == 1
                else f"None of these {listed} pods has restarted.")
    named = ", ".join(f"{name} ({count})" for name, count in pods)
    return f"Most restarts first: {named}."
