"""All user-facing text of the bot in one place, so wording and tone are reviewed together.

Functions here turn domain values into plain text (the console and CLI print it as is;
the Slack surface wraps the same pieces into Block Kit).
"""

from __future__ import annotations

from chatops.errors import Refusal
from chatops.model import Plan, Risk
from chatops.runbook.schema import Runbook
from chatops.runbook.verbs import summarize

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
