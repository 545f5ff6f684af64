"""Wording of automatic fixes (alert rules with `auto: true`) and of watch alerts."""

from __future__ import annotations

from chatops.model import Identity


def not_automatic_text(runbook: str) -> str:
    """A runbook that is not a write runbook was asked to run automatically."""
    return f"{runbook} is not a write runbook; only write runbooks run automatically."


def auto_started_text(runbook: str, run_id: str, identity: Identity, rule: str) -> str:
    """An automatic fix was started."""
    return (f"Fixing automatically: {runbook} ({run_id}) runs now as {identity.user}, without "
            f"approval (rule '{rule}' allows it here). The result follows in this thread.")


def auto_already_text(run_id: str | None) -> str:
    """This alert's automatic fix was started before (a retried post)."""
    return (f"This alert's automatic fix was already started ({run_id})." if run_id
            else "This alert's automatic fix was already tried.")


def auto_rate_limited_text(runbook: str, runs: int, limit: int) -> str:
    """Held back by the per-target limit; proposed instead."""
    return (f"Not fixed automatically: {runbook} already ran {runs} times automatically on "
            f"this target in the last hour (limit {limit}), so it is proposed for approval "
            "instead.")


def auto_guessed_text(runbook: str, deployment: str) -> str:
    """The deployment was guessed from a pod's name; proposed instead."""
    return (f"Not fixed automatically: the alert names a pod, not its deployment; "
            f"`{deployment}` is only a guess from the pod's name (which whoever creates a pod "
            f"chooses), so {runbook} is proposed for approval instead.")


def restore_command(rule: str, target: str) -> str:
    """The command that lifts a demotion (`chatops autofix restore RULE TARGET`)."""
    return f'`chatops autofix restore "{rule}" "{target}"`'


def lift_demotion_text(rule: str, target: str) -> str:
    """How a demotion is lifted: by an operator, outside Slack, once the cause is fixed."""
    return (f"To let it run automatically again once the cause is fixed, an operator runs "
            f"{restore_command(rule, target)} (`chatops autofix list` shows every demotion).")


def auto_demoted_held_text(runbook: str, run_id: str, rule: str, target: str) -> str:
    """Held back because the target was demoted; proposed instead."""
    return (f"Not fixed automatically: the automatic {runbook} of {run_id} failed on this "
            "target, so it is only proposed for approval here from now on. "
            + lift_demotion_text(rule, target))


def auto_result_text(runbook: str, run_id: str, ok: bool, undo: str | None, *,
                     rule: str = "", target: str = "") -> str:
    """How an automatic fix ended, and how to take it back (or, when it failed and demoted
    `rule` on `target`, how the demotion is lifted)."""
    head = (f"Automatic {runbook} ({run_id}) succeeded." if ok
            else f"Automatic {runbook} ({run_id}) failed.")
    if not ok:
        lift = f" {lift_demotion_text(rule, target)}" if rule and target else ""
        return (f"{head} Automatic fixes with {runbook} are off for this target from now on: "
                f"the next alert proposes it for approval instead.{lift}")
    if undo:
        return (f"{head} Undo runs {undo}, proposed for approval like any request: click Undo "
                "or say `undo` in this thread.")
    return f"{head} {runbook} cannot be undone by the bot."



def auto_note_text(rule: str) -> str:
    """The note on a run an alert rule started by itself."""
    return f"Started automatically by alert rule '{rule}'."
