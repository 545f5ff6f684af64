"""What the cluster answered: typed executor results as tables and sentences."""

from __future__ import annotations

from collections.abc import Sequence

from chatops.results import (
    DeploymentInfo,
    EventInfo,
    Finding,
    ImageInfo,
    LogLines,
    NodeInfo,
    PodInfo,
    Record,
    RevisionInfo,
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


def records_text(records: tuple[Record, ...]) -> str:
    """Typed executor results as readable text: tables for lists, sentences for findings."""
    lines: list[str] = []
    pods = [r for r in records if isinstance(r, PodInfo)]
    if pods:
        rows = [("NAME", "READY", "STATUS", "RESTARTS", "NODE", "AGE")]
        rows += [(p.name, p.ready, p.reason or p.phase, str(p.restarts), p.node or "-",
                  _age(p.age_seconds)) for p in pods]
        lines += _table(rows)
    for r in records:
        lines += _record_lines(r, single_pod=len(pods) == 1)
    return "\n".join(lines) if lines else "Nothing found."


def _record_lines(r: Record, *, single_pod: bool) -> list[str]:
    """One record's lines below the pod table (a lone pod also gets its containers)."""
    lines: list[str] = []
    if isinstance(r, DeploymentInfo):
        lines.append(f"deployment {r.name} in {r.namespace}: {r.ready}/{r.desired} ready, "
                     f"{r.updated} updated, {r.available} available, revision {r.revision}")
        lines.append(f"  images: {', '.join(r.images) or '-'}")
        lines += [f"  {c.type}={c.status}" + (f" ({c.reason}: {c.message})" if c.reason else "")
                  for c in r.conditions]
    elif isinstance(r, EventInfo):
        count = f" x{r.count}" if r.count > 1 else ""
        lines.append(f"{_age(r.age_seconds):>4} {r.type:7} {r.reason:18} {r.object}: "
                     f"{r.message}{count}")
    elif isinstance(r, NodeInfo):
        state = "Ready" if r.ready else "NotReady"
        sched = "cordoned" if r.unschedulable else "schedulable"
        extra = f", pressure: {', '.join(r.pressure)}" if r.pressure else ""
        lines.append(f"{r.name}: {state}, {sched}, cpu {r.cpu}, memory {r.memory}, "
                     f"{r.pods} pods{extra}")
    elif isinstance(r, RevisionInfo):
        mark = " (current)" if r.current else ""
        cause = f" - {r.change_cause}" if r.change_cause else ""
        lines.append(f"revision {r.revision}{mark}: {', '.join(r.images)}{cause}")
    elif isinstance(r, ImageInfo):
        lines.append(f"{r.namespace}/{r.workload} [{r.container}]: {r.image}")
    elif isinstance(r, LogLines):
        lines.append(f"--- {r.pod} [{r.container}], last {len(r.lines)} lines")
        lines += [f"  {line}" for line in r.lines] or ["  (no output)"]
    elif isinstance(r, Finding):
        mark = {"error": "[problem]", "warning": "[warning]", "info": "[ok]"}[r.severity]
        lines.append(f"{mark} {r.subject}: {r.explanation}")
        if r.runbook:
            args = " ".join(f"{k}={v}" for k, v in r.slots.items())
            lines.append(f"    suggested: {r.runbook} ({args})")
        elif r.outside_catalogue:
            lines.append("    the fix is outside the runbook catalogue: change the "
                         "manifest through your usual deployment process")
    elif isinstance(r, PodInfo) and r.containers and single_pod:
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
