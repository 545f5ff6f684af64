"""The App Home tab's wording, and the private answers of `/ops runs` and `/ops audit`."""

from __future__ import annotations

HOME_HINT = ("Ask with `/ops run NAME key=value` or in plain words. `/ops runs` lists this "
             "privately in a channel; `/ops audit RUN_ID` shows a run's audit trail.")
RUNS_HINT = "Approve or deny from the run's message, or from my Home tab."
HOME_APPROVE_LABEL = "Approve"
HOME_DENY_LABEL = "Deny"
NOTHING_WAITS = "Nothing waits for you."
RECENT_RUNS_TITLE = "*Your recent runs*"
NO_RUNS_YET = "You have not asked for anything yet."
RUNBOOKS_TITLE = "*Runbooks you may ask for*"
NO_RUNBOOKS = "None: ask an admin to map your chat user in the policy."
NO_AUDIT_EVENTS = "No events recorded."
HOME_FORGED = "That button does not belong to my Home tab; nothing was done."
RUNS_FALLBACK = "Your runs, and the runs waiting for your decision"
"""The notification text of `/ops runs`."""


def no_audit_text(run_id: str) -> str:
    """The answer for a run id that names no run, or one the asker may not see (alike)."""
    return (f"I have no run {run_id[:40]!r} that you may see. The audit trail of a "
            "run is shown to its requester and to the people who may approve it.")


def waiting_title(count: int) -> str:
    """The heading of the pending approvals."""
    return f"*Waiting for your decision* ({count})"


def more_waiting_text(count: int) -> str:
    """Below the pending approvals shown, how many more there are."""
    return f"and {count} more"


def audit_title(run_id: str, count: int) -> str:
    """The heading of a run's audit trail (`run_id` already escaped)."""
    return f"*Audit trail of `{run_id}`* ({count} events)"


def audit_fallback(run_id: str) -> str:
    """The notification text of a run's audit trail."""
    return f"Audit trail of {run_id}"


def home_changed_text(run_id: str) -> str:
    """A Home click on a run whose plan changed after the view was published."""
    return (f"The plan of {run_id} changed after your Home showed it, so nothing was done. "
            "Read the new plan on the run's message, then decide again.")


def home_decided_text(run_id: str, approved: bool) -> str:
    """What the clicker sees on their Home after deciding."""
    return f"You {'approved' if approved else 'denied'} {run_id}."


def requested_by_suffix(requester: str) -> str:
    """The end of a run's first line on the Home tab: who asked (already escaped)."""
    return f" · requested by {requester}"


def approvals_suffix(got: int, needed: int) -> str:
    """The end of a waiting run's second line on the Home tab."""
    return f" · approvals {got} of {needed}"
