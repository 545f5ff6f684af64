"""An approved run: progress, verification, its result, and runs that did not run."""

from __future__ import annotations

from collections.abc import Sequence

from chatops.errors import ClusterError, with_hint


def not_read_only_text(runbook: str) -> str:
    """Something other than a read-only runbook asked to run without approval."""
    return f"{runbook} is not read-only."


def identity_mismatch_text(run_id: str) -> str:
    """The stored identity is not one the policy gives the run's requester."""
    return (f"{run_id} was not run: the identity stored with it is not one the policy gives "
            "its requester now (the policy or the state database changed since it was "
            "proposed).")


def running_text(run_id: str) -> str:
    """The first progress update of an approved run."""
    return f"{run_id} approved; running."


def verified_text(ok: bool, message: str) -> str:
    """One verification's verdict, as a line of the run's result."""
    return ("Verified: " if ok else "Verification failed: ") + message


def step_failed_text(error: ClusterError) -> str:
    """A step the cluster refused, as a line of the run's result."""
    return "Failed: " + with_hint(error.message, error.hint)


def run_internal_error_text(reference: str) -> str:
    """A bug during a run, as a line of its result (details in the log under `reference`)."""
    return (f"Failed: an internal error (reference {reference}); the audit log shows which "
            "steps ran.")


WHY_LIMIT = 400
"""Characters of a diagnosis finding kept in a failed run's result."""


def why_failed_text(explanation: str) -> str:
    """Why a verification failed, as a diagnosis of the target explains it."""
    cut = explanation if len(explanation) <= WHY_LIMIT else explanation[:WHY_LIMIT] + "..."
    return f"Why: {cut}"


def run_result_text(succeeded: bool, elapsed: float, audit_id: object,
                    lines: Sequence[str]) -> str:
    """A finished run's outcome: how it ended, how long it took, its audit id, its lines."""
    word = "Succeeded" if succeeded else "Failed"
    return f"{word} in {elapsed:.1f}s (audit #{audit_id}). " + " ".join(lines)


def change_cause_text(run_id: str, change: str, requester: str,
                      approvers: Sequence[str], basis: str = "") -> str:
    """The provenance a change leaves on the cluster (`kubectl rollout history`'s
    CHANGE-CAUSE): its run, what it does, who asked and who approved (or `basis`, what it
    ran on: a schedule's firing)."""
    approved = f"; approved by {', '.join(approvers)}" if approvers else ""
    on = f"; {basis.rstrip('.')}" if basis else ""
    return f"chatops {run_id}: {change}; asked by {requester}{approved}{on}"


def interrupted_text(run_id: str, runbook: str, *, started: bool = True) -> str:
    """A run the bot stopped during (`started`), or after approving it and before it
    started, found by the orphan sweep."""
    if not started:
        return (f"{run_id} ({runbook}) was interrupted before it started: the bot stopped "
                "after it was approved, and it will not run now. Nothing of it ran; ask "
                "again if it is still needed.")
    return (f"{run_id} ({runbook}) was interrupted: the bot stopped while it was running. "
            "Check the cluster state before trying again.")
