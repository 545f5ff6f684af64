"""What the clicker of a run's Edit button is told privately when the click opens nothing."""

from __future__ import annotations


def foreign_edit_text(run_id: str) -> str:
    """An Edit click whose ids or message don't match a run (or name none): the same words
    whether the run exists or not, so the answer reveals nothing about another run."""
    return (f"That Edit button doesn't belong to {run_id!r}; nothing was opened. Use the "
            "Edit button on the request's own message.")


def may_not_edit_text(run_id: str) -> str:
    """An Edit click by someone other than the requester."""
    return f"Only the person who asked can edit {run_id}; nothing was opened."
