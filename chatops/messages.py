"""All user-facing text of the bot in one place, so wording and tone are reviewed together.

Functions here turn domain values into plain text (the console and CLI print it as is;
the Slack surface wraps the same pieces into Block Kit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chatops.errors import Refusal
from chatops.model import Plan, Risk
from chatops.replies import RunView
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
from chatops.runbook.schema import Runbook
from chatops.verbs import summarize

RISK_WORDS = {
    Risk.READ: "read-only",
    Risk.WRITE: "changes the cluster",
    Risk.CRITICAL: "critical: can disrupt many workloads",
}


def refusal_text(error: Refusal) -> str:
    """A refusal as one or two sentences: what is wrong, then what to do instead."""
    return f"{error.message}\n{error.hint}".strip() if error.hint else error.message


def plan_text(plan: Plan) -> str:
    """The plan as the CLI and the console show it: what, the steps, verification, undo."""
    lines = [f"Plan {plan.runbook} ({RISK_WORDS[plan.risk]})", f"  {plan.explanation}"]
    lines.append("Steps:")
    lines += [f"  {i}. {summarize(s.verb, s.params)}" for i, s in enumerate(plan.steps, 1)]
    if plan.verify:
        lines.append("Then verify:")
        lines += [f"  - {summarize(s.verb, s.params)}" for s in plan.verify]
    if plan.undo:
        lines.append(f"Undo: {plan.undo.runbook}")
    lines.append(f"Plan digest: {plan.digest[:12]}")
    return "\n".join(lines)


def runbook_text(runbook: Runbook) -> str:
    """A runbook's description, slots and examples, as `runbooks show` prints it."""
    lines = [f"{runbook.name} ({RISK_WORDS[runbook.risk]})", f"  {runbook.description}", "Slots:"]
    for spec in runbook.slots.values():
        need = "required" if spec.required else "optional"
        extra = f", default {spec.default}" if spec.default is not None else ""
        if spec.bounds.maximum is not None:
            extra += f", {spec.bounds.minimum}..{spec.bounds.maximum}"
        lines.append(f"  {spec.name}: {spec.type} ({need}{extra})")
    for group in runbook.one_of:
        lines.append(f"  at least one of: {', '.join(group)}")
    lines.append("Examples:")
    lines += [f"  - {example}" for example in runbook.examples[:5]]
    if runbook.undo:
        lines.append(f"Undo with: {runbook.undo.runbook}")
    return "\n".join(lines)


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
        elif isinstance(r, PodInfo) and r.containers and len(pods) == 1:
            for c in r.containers:
                state = c.reason or c.state
                last = f", last: {c.last_reason} (exit {c.last_exit_code})" if c.last_reason else ""
                lines.append(f"  container {c.name} ({c.image}): {state}, ready={c.ready}, "
                             f"restarts={c.restarts}{last}")
    return "\n".join(lines) if lines else "Nothing found."


def run_view_text(view: RunView) -> str:
    """A plan or a run's status as text: what was understood, the diff, approvals, undo."""
    lines = [f"[{view.id}] {view.understood}"]
    lines += [f"  note: {note}" for note in view.notes]
    lines.append(f"  {view.explanation}")
    if view.changes:
        lines.append("  Changes (server-side dry-run):")
        lines += [f"    {change}" for change in view.changes]
    if view.blast_radius:
        pods = ", ".join(view.blast_radius[:8])
        more = f" and {len(view.blast_radius) - 8} more" if len(view.blast_radius) > 8 else ""
        lines.append(f"  Pods affected ({len(view.blast_radius)}): {pods}{more}")
    if view.state == "proposed":
        got = ", ".join(view.approvals) or "none yet"
        lines.append(f"  Approvals {len(view.approvals)} of {view.needed} ({got}); "
                     f"may approve: {view.approvers}.")
        lines.append(f"  Approve with `approve {view.id}` or deny with `deny {view.id}`.")
    if view.undo:
        lines.append(f"  Undo: {view.undo}")
    if view.progress:
        lines.append(f"  {view.progress}")
    if view.outcome:
        lines.append(f"  {view.outcome}")
    return "\n".join(lines)


def help_text(runbooks: list[tuple[str, str, str]]) -> str:
    """What the bot can do: each runbook with its risk and description, and the meta words."""
    lines = ["I can run these runbooks (ask in plain words, or `run NAME key=value ...`):"]
    lines += [f"  {name} [{risk}]: {description}" for name, risk, description in runbooks]
    lines.append("In a thread: `cancel` drops the pending request, `undo` reverses the last "
                 "change, `and in staging?` repeats the last request elsewhere.")
    return "\n".join(lines)


def alert_root_text(alerts: Mapping[str, Mapping[str, Any]]) -> str:
    """The root message of an alert thread; deterministic, so a repeat reads the same."""
    firing = [a for a in alerts.values() if a["status"] == "firing"]
    state = "FIRING" if firing else "RESOLVED"

    def describe(alert: Mapping[str, Any]) -> str:
        labels = alert["labels"]
        pairs = " ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname")
        seen = f", seen {alert['count']} times" if alert.get("count", 1) > 1 else ""
        return f"{labels.get('alertname', 'alert')} ({pairs}{seen})"

    ordered = sorted(alerts.values(), key=describe)
    if len(ordered) == 1:
        alert = ordered[0]
        summary = f"\n{alert['summary']}" if alert.get("summary") else ""
        tail = "" if firing else "\nResolved: no action is pending from this alert."
        return f"[{state}] {describe(alert)}{summary}{tail}"
    lines = [f"[{state}] {len(ordered)} alerts in this incident, {len(firing)} firing:"]
    lines += [f"  {a['status']}: {describe(a)}" for a in ordered]
    return "\n".join(lines)


def question_for_someone_else(asker: str) -> str:
    """Someone answered a question the bot asked another person."""
    return (f"I asked {asker} that, so I'll wait for their answer. To ask for something "
            "yourself, write the whole request (for example `restart checkout in dev`).")


def adopted_text(run_id: str, approvers: str) -> str:
    """The first approver of an alert's proposal became its requester."""
    return (f"You are now the requester of {run_id}: it will run as you once it has its "
            f"approvals from others ({approvers}).")


def which_request_text(decision: str, run_ids: list[str]) -> str:
    """A bare `approve`/`deny` in a thread where several requests wait."""
    listed = ", ".join(f"`{decision} {run_id}`" for run_id in run_ids)
    return (f"Several requests wait for a decision here, so I won't guess which one you "
            f"mean. Say which: {listed}, or use the buttons on its message.")
