"""What the clicker of a run's Edit button is told privately when the click opens nothing."""

from __future__ import annotations

from chatops.messages.approvals import foreign_button_text
from chatops.messages.refusals import OWN_BUTTONS_HINT


def foreign_edit_text(run_id: str) -> str:
    """An Edit click whose ids or message don't match a run (or name none): the same words
    whether the run exists or not, so the answer reveals nothing about another run."""
    return (f"That Edit button doesn't belong to {run_id!r}; nothing was opened. Use the "
            "Edit button on the request's own message.")


def may_not_edit_text(run_id: str) -> str:
    """An Edit click by someone other than the requester."""
    return f"Only the person who asked can edit {run_id}; nothing was opened."


def foreign_click_text(run_id: str) -> str:
    """Approve or Deny clicked with a run id that names no run, or with a binding the bot
    never shows: the very words (and hint) of a real run's button clicked on another
    message, so the answer doesn't tell whether the run exists."""
    return f"{foreign_button_text(run_id)}\n{OWN_BUTTONS_HINT}"
