"""Schedules: the plan note with the next firings, lists, changes, and what a firing did
or why it did not run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from chatops.schedules.timing import Timing

SCHEDULE_HINT = ("Say when and what, e.g. `every day at 03:00 restart checkout in staging`, "
                 "or `run restart_deployment deployment=checkout namespace=staging "
                 "at \"0 3 * * *\" tz=Europe/Berlin`.")
SCHEDULE_ID_HINT = "`schedules` lists them with their ids (s-...)."
NO_SCHEDULES = "No schedules here. " + SCHEDULE_HINT
SCHEDULE_VALUES_HINT = ("A schedule runs when nobody is there to answer: name every value "
                        "in the request.")


def when_text(instant: float, zone: str) -> str:
    """A firing time in the schedule's zone."""
    return datetime.fromtimestamp(instant, ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %Z")


def schedule_note_text(timing: str, firings: Sequence[str], undo: str | None) -> str:
    """The note on a schedule's plan: when it runs; approving activates, never runs now."""
    nxt = "; ".join(firings) if firings else "none left"
    end = f" At the end of the window: {undo}." if undo else ""
    return (f"Scheduled {timing}. Next firings: {nxt}.{end} Approving activates the schedule; "
            "nothing runs now. Each firing is dry-run and checked against the policy again "
            "and asks again if the plan changed.")


def no_time_text() -> str:
    """`schedule ...` without a time."""
    return "When should it run? I found no time in that."


def schedule_not_understood_text(request: str) -> str:
    """The request part of a schedule names no runbook."""
    return f"I could not tell which runbook to schedule from {request!r}."


def schedule_not_asked_text(runbook: str | None) -> str:
    """A change with a time that is talked about, not asked for ("I will cordon node-2 at
    6pm", "bob is going to restart it at 11pm", "should we cordon node-2 at 6pm?")."""
    about = f"`{runbook}`" if runbook else "a change"
    return (f"That reads as talk about {about}, not a request to me, so I scheduled "
            "nothing. To have me schedule it, ask for it (for example `cordon node-2 at "
            "18:00`).")


def preview_has_no_time_text(request: str) -> str:
    """A preview asked for with a time: a dry-run shows what a change would do now, and a
    schedule is a change asked for."""
    return (f"A preview shows what a change would do now, so it takes no time: ask "
            f"{request!r} without one to see its dry-run. To schedule the change itself, ask "
            "for it as an order with its time (`restart checkout-api in prod at 23:00`).")


def schedule_needs_values_text(question: str) -> str:
    """A schedule whose request is incomplete or ambiguous."""
    return f"That schedule is not complete: {question}"


def schedule_which_field_text(kind: str, value: str) -> str:
    """A scheduled change of a memory or CPU value that names neither of its fields."""
    return (f"is {value} the {kind} limit, the {kind} request, or both? Name it in the "
            f"request, for example \"{kind} limit {value}\".")


def window_needs_undo_text(runbook: str) -> str:
    """A window for a runbook that has no undo to run at its end."""
    return f"{runbook} has no undo, so it can't run for a window (from ... until ...)."


def activated_text(schedule_id: str, firings: Sequence[str]) -> str:
    """A schedule became active."""
    nxt = "; ".join(firings) if firings else "none left"
    # A user trial took "active" for "will fire": firings need the bot running (a console
    # that has exited fires nothing, and a firing missed past its grace is not run).
    return (f"Schedule {schedule_id} is active. Next firings: {nxt}. "
            f"`pause {schedule_id}` stops it at once. It fires while the bot runs "
            "(`chatops serve`, or an open console); one missed while nothing runs is "
            "reported, not run late.")


def paused_text(schedule_id: str, by: str) -> str:
    """A schedule was paused (an immediate brake, no approval)."""
    return (f"Schedule {schedule_id} is paused by {by}; it fires no more until resumed "
            f"(`resume {schedule_id}`, approved like its runbook).")


def resumed_text(schedule_id: str, firings: Sequence[str]) -> str:
    """A paused schedule is active again."""
    return f"Schedule {schedule_id} resumed. Next firings: {'; '.join(firings) or 'none left'}."


def deleted_text(schedule_id: str) -> str:
    """A schedule was deleted."""
    return f"Schedule {schedule_id} is deleted; it will not fire again."


def change_asked_text(schedule_id: str, change: str, run_id: str) -> str:
    """A resume or delete waits for approval like the runbook."""
    return f"To {change} schedule {schedule_id}, {run_id} needs approval like its runbook."


def change_pending_text(schedule_id: str, change: str, run_id: str) -> str:
    """A resume or delete asked for again while the first request still waits."""
    return (f"A request to {change} schedule {schedule_id} already waits for approval: "
            f"{run_id}. Approve or deny that one.")


def change_note_text(schedule_id: str, change: str) -> str:
    """The note on the plan of a resume or delete request."""
    return (f"Approving this {change}s schedule {schedule_id}; nothing runs now.")


def no_such_schedule_text(schedule_id: str) -> str:
    """An id that names no schedule."""
    return f"There is no schedule {schedule_id}."


def not_your_schedule_text(schedule_id: str) -> str:
    """Someone who neither asked for a schedule nor may approve its runbook."""
    return (f"Only the person who asked for {schedule_id} or someone who may approve its "
            "runbook can change it.")


def resume_only_by_requester_text(schedule_id: str, requester: str) -> str:
    """An approver asked to resume someone else's schedule (it runs as its requester)."""
    return (f"Only {requester}, who asked for {schedule_id}, can ask to resume it (it runs "
            f"as them). You may pause or delete it, or ask for a schedule of your own.")


def cannot_change_text(schedule_id: str, change: str, state: str) -> str:
    """A change the schedule's state does not allow."""
    return f"Schedule {schedule_id} is {state}; it can't be {change}d."


def schedule_line_text(head: str, what: str, timing: str, nxt: str,
                       people: Sequence[str]) -> str:
    """One schedule in a list: `head` (id and state), `what` (runbook and values), when,
    the next firing, and `people` (its requester, then its approvers)."""
    requester, *approvers = people
    by = f", approved by {', '.join(approvers)}" if approvers else ""
    schedule_id, _, state = head.partition(" ")
    return f"`{schedule_id}` {state}: {what} - {timing}; next {nxt}; runs as {requester}{by}"


def schedules_text(lines: Sequence[str]) -> str:
    """The list of schedules."""
    return "Schedules:\n" + "\n".join(f"- {line}" for line in lines)


def schedule_time_passed_text(schedule_id: str) -> str:
    """A schedule approved after the only time it had: nothing is activated."""
    return (f"Schedule {schedule_id} was approved after its time had passed, so nothing was "
            "activated and nothing runs: ask again with a new time, or without one to do it "
            "now.")


def how_to_stop_text(lines: Sequence[str], active: Sequence[str]) -> str:
    """A cancel of something scheduled, said in words: which schedules there are, and how to
    stop one (the person names it)."""
    if not active:
        listed = f"\n{schedules_text(lines)}" if lines else ""
        return f"No schedule is active here; nothing was changed.{listed}"
    first = active[0]
    return (f"{schedules_text(lines)}\nTo stop one at once, say `pause {first}` (with its "
            f"id); `delete {first}` removes it, approved like its runbook. Which one you "
            "mean is yours to say: nothing was changed.")


def fired_note_text(schedule_id: str, when: str, approvers: Sequence[str]) -> str:
    """The note on a firing's run: which schedule, and the approvals it runs on."""
    return (f"Fired by schedule {schedule_id} at {when}, approved by "
            f"{', '.join(approvers) or 'nobody (no approval needed)'}.")


def frozen_text(schedule_id: str, when: str, reason: str) -> str:
    """A firing inside a freeze window."""
    return (f"Schedule {schedule_id} did not run at {when}: changes are frozen ({reason}). "
            "It fires again at its next time.")


def policy_blocked_text(schedule_id: str, when: str, reason: str) -> str:
    """A firing the policy no longer allows; the schedule is paused."""
    return (f"Schedule {schedule_id} did not run at {when} and is paused: {reason}. "
            f"Ask again, or `resume {schedule_id}` once the policy allows it.")


def drifted_text(schedule_id: str, when: str, run_id: str) -> str:
    """A firing whose plan differs from the approved one."""
    return (f"Schedule {schedule_id} did not run at {when}: the plan differs from the one "
            f"approved. {run_id} shows the new plan; approving it runs it now and binds the "
            "schedule to it.")


def missed_text(schedule_id: str, when: str, count: int) -> str:
    """Firings that came due while no bot was running, past the grace period."""
    more = f" ({count} firings in all)" if count > 1 else ""
    return (f"Schedule {schedule_id} missed its firing at {when}{more}: the bot was not "
            "running, and it is too late to run it now. It fires again at its next time.")


def nothing_to_end_text(schedule_id: str, when: str, reversed_by: str | None = None) -> str:
    """A window's end whose start changed nothing, or was reversed already (a rollback,
    someone's undo)."""
    why = (f"its start was already reversed by {reversed_by}" if reversed_by
           else "its start did not run")
    return f"Schedule {schedule_id}'s window ends at {when}: {why}, so there is nothing " \
           "to reverse."


def start_may_have_acted_text(schedule_id: str, when: str, start_id: str) -> str:
    """A window's end whose start was interrupted or timed out: it may have acted."""
    return (f"Schedule {schedule_id}'s window ends at {when}, but its start {start_id} may "
            "have acted or not (it was interrupted, or its step timed out), so nothing was "
            "reversed automatically. Check the target; if it changed, say `undo` in this "
            "thread, or ask for the change back (either needs the usual approvals).")


def firing_failed_text(schedule_id: str, when: str, reason: str) -> str:
    """A firing whose checks could not be made (the cluster refused the dry-run)."""
    return f"Schedule {schedule_id} did not run at {when}: {reason}"


def firing_error_text(schedule_id: str, when: str, reference: str) -> str:
    """A firing stopped by an internal error (details in the log under `reference`)."""
    return (f"Schedule {schedule_id}'s firing at {when} stopped on an internal error "
            f"(reference {reference}); it is not retried (it never runs late). Check this "
            "thread for what ran and run it by hand if it is still needed; the schedule fires "
            "again at its next time.")


def rolling_back_text(run_id: str, undo_runbook: str) -> str:
    """Verification failed on a runbook marked rollback_on_failure."""
    return f"{run_id} failed its verification; rolling back with {undo_runbook}."


def claim_interrupted_text(schedule_id: str, when: str) -> str:
    """A firing claimed by a replica that stopped before it started a run (the sweep)."""
    return (f"Schedule {schedule_id}'s firing at {when} was claimed by a replica that stopped "
            "before running it; not run (it never runs late). Run it by hand if it is still "
            "needed; the schedule fires again at its next time.")


def end_in_freeze_text(schedule_id: str, when: str, reason: str, undo_runbook: str) -> str:
    """A window's end that ran although changes are frozen, and why."""
    return (f"Schedule {schedule_id}'s window ended at {when} during a freeze ({reason}): "
            f"{undo_runbook} ran anyway, because the end of a window puts the target back "
            "the way it was approved to be, and a freeze that began inside the window must "
            "not hold it in the window's state. It was checked against the policy as usual.")


def rebind_frozen_text(schedule_id: str, run_id: str, reason: str) -> str:
    """An approved drifted firing that a freeze stops from running now."""
    return (f"{run_id} is approved but did not run: changes are frozen ({reason}). Schedule "
            f"{schedule_id} is bound to this plan and fires again at its next time.")


def rebind_inactive_text(schedule_id: str, run_id: str, state: str) -> str:
    """An approved drifted firing whose schedule is no longer active."""
    again = f" `resume {schedule_id}` asks for it to fire again." if state == "paused" else ""
    return f"{run_id} is approved but did not run: schedule {schedule_id} is {state} now.{again}"


def runbook_gone_reason(runbook: str) -> str:
    """Why a schedule may not fire: its runbook left the catalogue."""
    return f"the runbook {runbook} is no longer in the catalogue"


def requester_may_no_longer_reason(requester: str, risk: str) -> str:
    """Why a schedule may not fire: the policy no longer lets its requester ask for it."""
    return f"{requester} may no longer ask for {risk} runbooks as this identity"


def approvals_short_reason(valid: int, needed: int) -> str:
    """Why a schedule may not fire: too few of its approvals still count."""
    return f"{valid} of its approvals still count under the policy, {needed} are needed"


def may_not_ask_for_reason(requester: str, runbook: str) -> str:
    """Why a window's end may not run: the requester may not ask for its undo runbook."""
    return f"{requester} may not ask for {runbook}"


REQUESTER_MAY_NO_LONGER = "its requester may no longer ask for it"
"""Why a schedule may not be resumed (the reason in `policy_blocked_text`)."""


def timing_text(timing: Timing) -> str:
    """A schedule's timing in words, as plans and lists show it."""
    if timing.kind == "cron":
        return f"cron `{timing.expression}` ({timing.zone})"
    if timing.kind == "once":
        return f"once at {timing.expression} ({timing.zone})"
    return f"from {timing.expression} until {timing.until} ({timing.zone})"
