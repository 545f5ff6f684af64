"""The Slack surface's own wording: run messages' labels and status lines, the Edit modal,
and what a slash command answers when Slack refuses the bot's post.

The Block Kit layout stays in `chatops/slack/blocks.py`; it escapes what came from the
domain before handing it here, so the arguments below are already safe mrkdwn.
"""

from __future__ import annotations

STATE_WORDS = {
    "proposed": "Waiting for approval",
    "approved": "Approved",
    "running": "Running",
    "succeeded": "Succeeded",
    "failed": "Failed",
    "denied": "Denied",
    "expired": "Expired",
    "cancelled": "Cancelled",
    "interrupted": "Interrupted",
    "scheduled": "Scheduled",
}
"""A run's state as its message and the Home tab name it."""

WORKING = "Working on it…"
"""The placeholder text posted before the answer (it becomes the thread's parent)."""

NOT_IN_CHANNEL = ("I can't post in this channel yet. Invite me with `/invite @ops`, or "
                  "ask me in a direct message.")
TRY_AGAIN = "Slack did not accept my message; nothing was run. Please try again in a moment."

APPROVE_LABEL = "Approve"
DENY_LABEL = "Deny"
EDIT_LABEL = "Edit"
CHANGES_HEADING = "*Changes* (server-side dry-run)"

EDIT_TITLE = "Edit request"
EDIT_SUBMIT = "Re-plan"
EDIT_CLOSE = "Cancel"


def more_lines_text(count: int) -> str:
    """The last line of an output cut short."""
    return f"… ({count} more lines not shown)"


def pending_status_text(word: str, got: int, needed: int, approvers: str,
                        may_approve: str) -> str:
    """A proposed run's status line: approvals so far, and who may approve."""
    return (f"{word}: approvals {got} of {needed} ({approvers or 'none yet'}). "
            f"May approve: {may_approve}.")


def approved_by_text(approvers: str) -> str:
    """Part of a decided run's status line."""
    return f"approved by {approvers}"


def run_context_text(run_id: str, runbook: str, risk: str, requester: str) -> str:
    """The line under a run's title: id, runbook, risk and who asked."""
    return f"`{run_id}` · {runbook} · {risk} · requested by {requester}"


def note_text(note: str) -> str:
    """One note of a plan, under its title."""
    return f"note: {note}"


def pods_affected_text(count: int, shown: str, hidden: int) -> str:
    """The blast radius: how many pods, the first few by name, how many more."""
    more = f" and {hidden} more" if hidden > 0 else ""
    return f"*Pods affected ({count}):* {shown}{more}"


def warning_text(warning: str) -> str:
    """One thing the dry-run warns an approver of, under the diff."""
    return f":warning: *Warning:* {warning}"


def undo_line_text(undo: str) -> str:
    """How to undo a run, under its message or result."""
    return f"Undo: {undo}"


def asked_text(user: str, command: str, text: str) -> str:
    """Who asked what, above the bot's first message in the channel."""
    return f"<@{user}> asked: `{command} {text}`"


def edit_intro_text(run_id: str, runbook: str) -> str:
    """The top of the Edit modal."""
    return (f"`{run_id}` · {runbook}. Change values and submit: the current plan is replaced "
            "by a new one, which needs approval again.")


def sorry_text(reference: str) -> str:
    """What the person sees when handling their request failed on the bot's side."""
    return (f"Something went wrong on my side (reference {reference}). Please try again; "
            "if it keeps failing, give the reference to whoever runs the bot.")
