"""Presenting: a stored run as its plan and result messages show it (`RunView`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chatops.conversation.base import Collaborators
from chatops.messages import (
    change_text,
    run_view_text,
    schedule_deleted_explanation,
    schedule_deleted_head,
    understood_text,
    undo_hint_text,
)
from chatops.model import Plan
from chatops.replies import Reply, ReplyKind, RunView
from chatops.runs import Run, RunState
from chatops.verbs import summarize

BINDING_SHOWN = 12
"""Hex digits of a run's binding that its buttons carry (48 bits: no accidental match)."""


class Presenter:
    """Builds the `RunView` of a run, and replies that show it."""

    def __init__(self, parts: Collaborators) -> None:
        self.parts = parts

    def view(self, run_id: str) -> RunView:
        """The run as plan and result messages show it."""
        run = self.parts.run(run_id)
        plan = Plan.from_record(run.plan)
        changes = _changes(run)
        pods = preview_pods(run)
        head = summarize(plan.steps[0].verb, plan.steps[0].params) if plan.steps else run.runbook
        explanation = plan.explanation
        change = self.parts.schedule_change(run.id)
        if change is not None and change[1] == "delete":
            # Approving it deletes a schedule and changes nothing on the cluster: the
            # schedule's diff and pods shown as this plan's would read as a change to make.
            head, changes, pods = schedule_deleted_head(change[0], head), [], ()
            explanation = schedule_deleted_explanation(change[0])
        # A plan denied, cancelled or expired never ran: "say undo afterwards" under it
        # read as if it had (a user trial).
        never_ran = run.state.terminal and not run.reached_the_cluster()
        undo = undo_hint_text(plan.undo.runbook) if plan.undo and not never_ran else ""
        result = run.result
        outcome = str(result.get("text", "")) if result else ""
        return RunView(
            id=run.id, state=run.state.value, runbook=run.runbook, risk=run.risk,
            requester=run.requester_name,
            understood=understood_text(head, run.confidence, run.undo_of, run.asked_as),
            explanation=explanation, steps=tuple(summarize(s.verb, s.params)
                                                      for s in plan.steps),
            changes=tuple(changes), blast_radius=pods,
            warnings=preview_warnings(run),
            approvals=tuple(a.approver_name for a in self.parts.valid_approvals(run)),
            needed=run.needed, approvers=self.parts.policy.approvers_text(run.risk),
            undo=undo, notes=run.notes, outcome=outcome,
            progress=str(result.get("progress", "")) if run.state is RunState.RUNNING else "",
            audit_id=result.get("audit_id") if result else None, message_ref=run.message_ref,
            binding=run.digest[:BINDING_SHOWN],
        )

    def reply(self, kind: ReplyKind, run_id: str) -> Reply:
        """A reply of `kind` that shows the run as it is now (text and view)."""
        view = self.view(run_id)
        return Reply(kind, run_view_text(view), run=view)


def _changes(run: Run) -> list[str]:
    """What the run's dry-run would change, in words."""
    return changes_in(run.preview)


def changes_in(previews: Sequence[Mapping[str, Any]]) -> list[str]:
    """What a plan's dry-run (each step's preview) would change, in words."""
    return [change_text(change["path"], change["before"], change["after"])
            for preview in previews for change in preview.get("changes", [])]


def _each_once(previews: Sequence[Mapping[str, Any]], key: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for preview in previews:
        seen.update(dict.fromkeys(str(item) for item in preview.get(key, [])))
    return tuple(seen)


def preview_pods(run: Run) -> tuple[str, ...]:
    """The pods the run's dry-run touches (`namespace/name` or name), each once."""
    return pods_in(run.preview)


def pods_in(previews: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The pods a plan's dry-run touches, each once."""
    return _each_once(previews, "affected_pods")


def preview_warnings(run: Run) -> tuple[str, ...]:
    """What the run's dry-run warns an approver of, each once."""
    return warnings_in(run.preview)


def warnings_in(previews: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """What a plan's dry-run warns of, each once."""
    return _each_once(previews, "warnings")
