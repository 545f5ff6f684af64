"""Deciding on a request: approvals, denials, buttons, expiry and re-planning."""

from __future__ import annotations

from collections.abc import Sequence

from chatops.model import Risk


def which_request_text(decision: str, run_ids: list[str]) -> str:
    """A bare `approve`/`deny` in a thread where several requests wait."""
    listed = ", ".join(f"`{decision} {run_id}`" for run_id in run_ids)
    return (f"Several requests wait for a decision here, so I won't guess which one you "
            f"mean. Say which: {listed}, or use the buttons on its message.")


def no_such_run_text(run_id: str) -> str:
    """A run id that names no run."""
    return f"There is no request {run_id!r}."


def stale_click_text(run_id: str) -> str:
    """A click on a message that showed an older plan of the run."""
    return (f"The plan of {run_id} changed after that message was shown, so your click "
            "approved nothing.")


def foreign_button_text(run_id: str) -> str:
    """A click whose message is not the run's own."""
    return f"That button doesn't belong to {run_id}; nothing was changed."


def already_decided_text(run_id: str, state: str) -> str:
    """A decision on a run that is no longer proposed."""
    return f"{run_id} is already {state}; nothing to do."


def expired_update_text(run_id: str) -> str:
    """The run's message once it expired unapproved."""
    return (f"{run_id} expired before it was approved; nothing was changed. Ask again to get "
            "a fresh plan.")


def too_late_text(run_id: str, minutes: int) -> str:
    """To the approver whose approval came after the run expired."""
    return (f"That approval came too late: {run_id} expired ({minutes} minutes). Ask again "
            "for a fresh plan.")


def may_not_deny_text(run_id: str, approvers: str) -> str:
    """A denial by someone who is neither the requester nor an approver."""
    return f"Only the requester or {approvers} may deny {run_id}."


def denied_result_text(approver: str) -> str:
    """The outcome of a denied run."""
    return f"Denied by {approver}."


def may_not_approve_text(risk: Risk, approvers: str) -> str:
    """An approval by someone the policy doesn't let approve this risk."""
    return f"You may not approve {risk.value} requests. Who may approve: {approvers}."


def own_approval_text(risk: Risk, approvers: str) -> str:
    """A requester approving their own request where the policy forbids it."""
    return f"You can't approve your own {risk.value} request; ask {approvers}."


def approved_twice_text(run_id: str) -> str:
    """A second approval by the same person."""
    return f"You already approved {run_id}."


NOTHING_LEFT_RESULT = "Not run: the cluster already was as it asked when it was approved."


def nothing_to_change_now_text(run_id: str) -> str:
    """At approval, the dry-run again changes nothing: the plan is closed, not re-asked."""
    return (f"Nothing to change any more: the cluster already looks the way {run_id} would "
            "leave it (the same change was made since it was previewed), so I cancelled it "
            "and nothing ran.")


def replanned_text(run_id: str, changes: Sequence[str]) -> str:
    """The cluster drifted between preview and approval: the new diff, to approve again."""
    return (f"The cluster changed since {run_id} was previewed, so the plan changed. Here is "
            "the new diff; it needs approval again:\n" + "\n".join(f"  {c}" for c in changes))


def approver_rights_text(name: str, denied: str, run_id: str) -> str:
    """An approval by someone whose own cluster identity could not make the change."""
    return (f"{name} may not {denied} on the cluster, so {name}'s approval can't count: an "
            f"approver must be able to make the change themselves. {run_id} still waits for "
            "approval; nothing was changed.")


def adopter_rights_text(name: str, denied: str, run_id: str) -> str:
    """Taking on an alert's fix by someone whose cluster identity could not make it."""
    return (f"{name} may not {denied} on the cluster, so {name} can't take on {run_id}: it "
            "would run as them. Nothing was changed.")


def rights_unchecked_text(run_id: str) -> str:
    """The approver's rights could not be checked (the API server did not answer)."""
    return (f"I couldn't check on the cluster whether you could make the change of {run_id} "
            "yourself, so your approval didn't count; nothing was changed. Please try again "
            "in a minute.")
