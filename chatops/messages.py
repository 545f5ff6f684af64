"""All user-facing text of the bot in one place, so wording and tone are reviewed together.

Functions here turn domain values into plain text (the console and CLI print it as is;
the Slack surface wraps the same pieces into Block Kit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chatops.errors import ClusterError, NotFound, Refusal
from chatops.model import Plan, Risk
from chatops.replies import RunView
from chatops.results import (
    DeploymentInfo,
    EventInfo,
    Finding,
    ImageInfo,
    LogLines,
    NodeInfo,
    PodInfo,
    Record,
    RevisionInfo,
)
from chatops.runbook.schema import Runbook
from chatops.verbs import summarize

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


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def records_text(records: tuple[Record, ...]) -> str:
    """Typed executor results as readable text: tables for lists, sentences for findings."""
    lines: list[str] = []
    pods = [r for r in records if isinstance(r, PodInfo)]
    if pods:
        rows = [("NAME", "READY", "STATUS", "RESTARTS", "NODE", "AGE")]
        rows += [(p.name, p.ready, p.reason or p.phase, str(p.restarts), p.node or "-",
                  _age(p.age_seconds)) for p in pods]
        lines += _table(rows)
    for r in records:
        if isinstance(r, DeploymentInfo):
            lines.append(f"deployment {r.name} in {r.namespace}: {r.ready}/{r.desired} ready, "
                         f"{r.updated} updated, {r.available} available, revision {r.revision}")
            lines.append(f"  images: {', '.join(r.images) or '-'}")
            lines += [f"  {c.type}={c.status}" + (f" ({c.reason}: {c.message})" if c.reason else "")
                      for c in r.conditions]
        elif isinstance(r, EventInfo):
            count = f" x{r.count}" if r.count > 1 else ""
            lines.append(f"{_age(r.age_seconds):>4} {r.type:7} {r.reason:18} {r.object}: "
                         f"{r.message}{count}")
        elif isinstance(r, NodeInfo):
            state = "Ready" if r.ready else "NotReady"
            sched = "cordoned" if r.unschedulable else "schedulable"
            extra = f", pressure: {', '.join(r.pressure)}" if r.pressure else ""
            lines.append(f"{r.name}: {state}, {sched}, cpu {r.cpu}, memory {r.memory}, "
                         f"{r.pods} pods{extra}")
        elif isinstance(r, RevisionInfo):
            mark = " (current)" if r.current else ""
            cause = f" - {r.change_cause}" if r.change_cause else ""
            lines.append(f"revision {r.revision}{mark}: {', '.join(r.images)}{cause}")
        elif isinstance(r, ImageInfo):
            lines.append(f"{r.namespace}/{r.workload} [{r.container}]: {r.image}")
        elif isinstance(r, LogLines):
            lines.append(f"--- {r.pod} [{r.container}], last {len(r.lines)} lines")
            lines += [f"  {line}" for line in r.lines] or ["  (no output)"]
        elif isinstance(r, Finding):
            mark = {"error": "[problem]", "warning": "[warning]", "info": "[ok]"}[r.severity]
            lines.append(f"{mark} {r.subject}: {r.explanation}")
            if r.runbook:
                args = " ".join(f"{k}={v}" for k, v in r.slots.items())
                lines.append(f"    suggested: {r.runbook} ({args})")
            elif r.outside_catalogue:
                lines.append("    the fix is outside the runbook catalogue: change the "
                             "manifest through your usual deployment process")
        elif isinstance(r, PodInfo) and r.containers and len(pods) == 1:
            for c in r.containers:
                state = c.reason or c.state
                last = f", last: {c.last_reason} (exit {c.last_exit_code})" if c.last_reason else ""
                lines.append(f"  container {c.name} ({c.image}): {state}, ready={c.ready}, "
                             f"restarts={c.restarts}{last}")
    return "\n".join(lines) if lines else "Nothing found."


def run_view_text(view: RunView) -> str:
    """A plan or a run's status as text: what was understood, the diff, approvals, undo."""
    lines = [f"[{view.id}] {view.understood}"]
    lines += [f"  note: {note}" for note in view.notes]
    lines.append(f"  {view.explanation}")
    if view.changes:
        lines.append("  Changes (server-side dry-run):")
        lines += [f"    {change}" for change in view.changes]
    if view.blast_radius:
        pods = ", ".join(view.blast_radius[:8])
        more = f" and {len(view.blast_radius) - 8} more" if len(view.blast_radius) > 8 else ""
        lines.append(f"  Pods affected ({len(view.blast_radius)}): {pods}{more}")
    if view.state == "proposed":
        got = ", ".join(view.approvals) or "none yet"
        lines.append(f"  Approvals {len(view.approvals)} of {view.needed} ({got}); "
                     f"may approve: {view.approvers}.")
        lines.append(f"  Approve with `approve {view.id}` or deny with `deny {view.id}`.")
    if view.undo:
        lines.append(f"  Undo: {view.undo}")
    if view.progress:
        lines.append(f"  {view.progress}")
    if view.outcome:
        lines.append(f"  {view.outcome}")
    return "\n".join(lines)


def help_text(runbooks: list[tuple[str, str, str]]) -> str:
    """What the bot can do: each runbook with its risk and description, and the meta words."""
    lines = ["I can run these runbooks (ask in plain words, or `run NAME key=value ...`):"]
    lines += [f"  {name} [{risk}]: {description}" for name, risk, description in runbooks]
    lines.append("In a thread: `cancel` drops the pending request, `undo` reverses the last "
                 "change, `and in staging?` repeats the last request elsewhere.")
    return "\n".join(lines)


def alert_root_text(alerts: Mapping[str, Mapping[str, Any]]) -> str:
    """The root message of an alert thread; deterministic, so a repeat reads the same."""
    firing = [a for a in alerts.values() if a["status"] == "firing"]
    state = "FIRING" if firing else "RESOLVED"

    def describe(alert: Mapping[str, Any]) -> str:
        labels = alert["labels"]
        pairs = " ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "alertname")
        seen = f", seen {alert['count']} times" if alert.get("count", 1) > 1 else ""
        return f"{labels.get('alertname', 'alert')} ({pairs}{seen})"

    ordered = sorted(alerts.values(), key=describe)
    if len(ordered) == 1:
        alert = ordered[0]
        summary = f"\n{alert['summary']}" if alert.get("summary") else ""
        tail = "" if firing else "\nResolved: no action is pending from this alert."
        return f"[{state}] {describe(alert)}{summary}{tail}"
    lines = [f"[{state}] {len(ordered)} alerts in this incident, {len(firing)} firing:"]
    lines += [f"  {a['status']}: {describe(a)}" for a in ordered]
    return "\n".join(lines)


def question_for_someone_else(asker: str) -> str:
    """Someone answered a question the bot asked another person."""
    return (f"I asked {asker} that, so I'll wait for their answer. To ask for something "
            "yourself, write the whole request (for example `restart checkout in dev`).")


def adopted_text(run_id: str, approvers: str) -> str:
    """The first approver of an alert's proposal became its requester."""
    return (f"You are now the requester of {run_id}: it will run as you once it has its "
            f"approvals from others ({approvers}).")


def which_request_text(decision: str, run_ids: list[str]) -> str:
    """A bare `approve`/`deny` in a thread where several requests wait."""
    listed = ", ".join(f"`{decision} {run_id}`" for run_id in run_ids)
    return (f"Several requests wait for a decision here, so I won't guess which one you "
            f"mean. Say which: {listed}, or use the buttons on its message.")


def question_someone_else_asked(asker: str | None) -> str:
    """`question_for_someone_else`, for a question saved without its asker's name."""
    return question_for_someone_else(asker or "someone else")


# The conversation's refusals come in two parts: what is wrong (`..._text`, or a constant),
# then what to do instead (`..._HINT`); `refusal_text` joins them.

NOT_THIS_CHANNEL = "I don't take requests in this channel."
NOT_THIS_CHANNEL_HINT = "Ask in one of the channels the policy allows."
EMPTY_MESSAGE = "The message is empty."
EMPTY_MESSAGE_HINT = "Try `help`, or e.g. `show pods in dev`."
EXPLICIT_ONLY = "I only understand explicit commands here."
EXPLICIT_ONLY_HINT = "Example: run show_pods namespace=dev"
OUTSIDE_SCOPE = ("That is outside what I can do: I only run the reviewed runbooks. `help` "
                 "lists them.")
CANCELLED_QUESTION = "Cancelled; nothing was changed."
NOTHING_TO_CANCEL = "There is nothing to cancel here."
NOTHING_WAITING = "There is no request waiting for a decision here."
NOTHING_TO_UNDO = "There is no completed change in this thread to undo."
NO_UNDO_HINT = "Ask for the reverse change explicitly."
DECIDE_IN_OWN_THREAD_HINT = "Decide on it in its own thread, or with its buttons."
MAY_NOT_REQUEST_HINT = ("Ask someone the policy allows, or an admin to map your chat user to "
                        "a cluster identity.")
ONLY_REQUESTER_EDITS = "Only the person who asked can edit this request."
ALERT_CHANNEL_HINT = "Add the alert channel to the policy's channels."
NO_CHANGE_NOTE = "the dry-run shows no change: the cluster already looks like this"
READ_RUN_DONE = "done"
RUN_ID_HINT = "Run ids look like r-1a2b3c4d."
READ_NEW_DIFF_HINT = "Read the new diff on the request's message, then approve it."
OWN_BUTTONS_HINT = "Use the buttons on the request's own message."
ADOPT_HINT = "Ask someone the policy allows to request it."
ASK_AGAIN_HINT = "Ask again for a fresh plan."
IDENTITY_MISMATCH_RESULT = "Not run: the identity stored with it is not the requester's."


def unsure_text(close: Sequence[str]) -> str:
    """The model's best guesses were too weak to act on; the closest runbooks instead."""
    options = ", ".join(f"`{name}`" for name in close)
    return ("I'm not sure what you want me to do, so I won't guess. "
            f"Closest runbooks: {options}. Say it differently, or use `run NAME key=value ...`.")


def not_in_this_thread_text(run_id: str) -> str:
    """`approve r-…` typed in a thread the request doesn't belong to."""
    return f"{run_id} is not a request of this thread."


def cancelled_text(run_id: str) -> str:
    """A proposed request withdrawn by its requester."""
    return f"Cancelled {run_id}; nothing was changed."


def no_undo_text(runbook: str, run_id: str) -> str:
    """`undo` of a change whose runbook declares no undo."""
    return f"The last change here ({runbook}, {run_id}) has no undo runbook."


def undoing_text(run_id: str, runbook: str) -> str:
    """The notice before the plan that reverses a change."""
    return f"Undoing {run_id} ({runbook})."


def may_not_request_text(risk: Risk, runbook: str) -> str:
    """The policy doesn't let this person request runbooks of this risk."""
    return f"You may not request {risk.value} runbooks such as {runbook}."


def channel_default_note(namespace: str) -> str:
    """A note on a plan whose namespace came from the channel's default."""
    return f"namespace {namespace} is this channel's default"


def choice_question_text(question: str, choices: Sequence[str]) -> str:
    """A question with numbered choices ("Which deployment? 1. a, 2. b")."""
    numbered = ", ".join(f"{i}. {choice}" for i, choice in enumerate(choices, 1))
    return f"{question} {numbered}"


def slot_question_text(slot: str, prompt: str | None) -> str:
    """The question for a missing slot: the runbook's own prompt, else a plain one."""
    return prompt or f"Which {slot}?"


def alert_ambiguous_text(runbook: str, question: str, choices: Sequence[str]) -> str:
    """An alert's label matched several names, and nobody can be asked which."""
    return f"{runbook}: {question} ({', '.join(choices)})"


def alert_missing_labels_text(runbook: str, slots: Sequence[str]) -> str:
    """An alert lacks the labels a runbook needs."""
    return f"Can't run {runbook}: the alert has no {' or '.join(slots)} label."


def read_answer_text(notes: Sequence[str], records: tuple[Record, ...]) -> str:
    """The answer of a read-only runbook: its notes, then its records."""
    head = "\n".join(f"({note})" for note in notes)
    return f"{head}\n{records_text(records)}".strip()


def not_read_only_text(runbook: str) -> str:
    """Something other than a read-only runbook asked to run without approval."""
    return f"{runbook} is not read-only."


def alert_channel_refused_text(channel: str) -> str:
    """An alert arrived in a channel where the policy takes no requests."""
    return f"The policy doesn't allow requests in {channel}, so I ran nothing for this alert."


def not_editable_text(run_id: str, state: str) -> str:
    """An edit of a request that is no longer proposed."""
    return f"{run_id} is already {state}; it can't be edited."


def replaced_text(run_id: str) -> str:
    """A proposed request replaced by its edited version."""
    return f"{run_id} was replaced by an edited request."


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


def may_not_adopt_text(risk: Risk, runbook: str, run_id: str) -> str:
    """Someone the policy wouldn't let request it tried to take on an alert's proposal."""
    return (f"You may not request {risk.value} runbooks such as {runbook}, so you can't take "
            f"on {run_id}.")


def identity_mismatch_text(run_id: str) -> str:
    """The stored identity is not one the policy gives the run's requester."""
    return (f"{run_id} was not run: the identity stored with it is not one the policy gives "
            "its requester now (the policy or the state database changed since it was "
            "proposed).")


def replanned_text(run_id: str, changes: Sequence[str]) -> str:
    """The cluster drifted between preview and approval: the new diff, to approve again."""
    return (f"The cluster changed since {run_id} was previewed, so the plan changed. Here is "
            "the new diff; it needs approval again:\n" + "\n".join(f"  {c}" for c in changes))


def running_text(run_id: str) -> str:
    """The first progress update of an approved run."""
    return f"{run_id} approved; running."


def verified_text(ok: bool, message: str) -> str:
    """One verification's verdict, as a line of the run's result."""
    return ("Verified: " if ok else "Verification failed: ") + message


def step_failed_text(error: ClusterError) -> str:
    """A step the cluster refused, as a line of the run's result."""
    return f"Failed: {error.message} {error.hint}".strip()


def run_internal_error_text(reference: str) -> str:
    """A bug during a run, as a line of its result (details in the log under `reference`)."""
    return (f"Failed: an internal error (reference {reference}); the audit log shows which "
            "steps ran.")


def run_result_text(succeeded: bool, elapsed: float, audit_id: object,
                    lines: Sequence[str]) -> str:
    """A finished run's outcome: how it ended, how long it took, its audit id, its lines."""
    word = "Succeeded" if succeeded else "Failed"
    return f"{word} in {elapsed:.1f}s (audit #{audit_id}). " + " ".join(lines)


def interrupted_text(run_id: str, runbook: str) -> str:
    """A run the bot stopped during, found at start-up."""
    return (f"{run_id} ({runbook}) was interrupted: the bot stopped while it was running. "
            "Check the cluster state before trying again.")


def not_found_text(error: NotFound) -> str:
    """A name that doesn't exist on the cluster, with the nearest ones."""
    return f"{error.message} {error.hint}".strip()


def cluster_refused_text(error: ClusterError) -> str:
    """The cluster refused a request (RBAC, admission, a conflict)."""
    return f"The cluster refused: {error.message} {error.hint}".strip()


def internal_error_text(reference: str) -> str:
    """A bug while answering; details are in the log under `reference`."""
    return (f"Something went wrong on my side (reference {reference}). The audit log shows "
            "what was done.")


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the manifest, not Python's True/False
    return "(none)" if value is None or value == "" else str(value)


def change_text(path: str, before: Any, after: Any) -> str:
    """One field a dry-run would change: `path: before -> after`."""
    return f"{path}: {_value_text(before)} -> {_value_text(after)}"


def understood_text(head: str, confidence: float) -> str:
    """What was understood, with how: the model's confidence or an explicit command."""
    how = (f", confidence {confidence:.2f}" if confidence < 1
           else " (explicit command)" if confidence == 1 else "")
    return f"{head}{how}"


def undo_hint_text(runbook: str) -> str:
    """How to reverse a change once it ran."""
    return f"say `undo` in this thread afterwards to run {runbook} with the previous values"


def _in_namespace(namespace: str | None) -> str:
    return f" in namespace {namespace}" if namespace else ""


def name_not_found_text(kind: str, value: str, namespace: str | None) -> str:
    """A name a person typed matches nothing of its kind on the cluster."""
    return f"{kind} {value!r} not found{_in_namespace(namespace)}."


def did_you_mean_text(close: Sequence[str]) -> str:
    """The names nearest to one that matched nothing (empty when there are none)."""
    return f"Did you mean {', '.join(close)}?" if close else ""


def which_name_text(kind: str, namespace: str | None) -> str:
    """The question when a typed name matches several."""
    return f"Which {kind}{_in_namespace(namespace)} did you mean?"


def name_taken_note(kind: str, value: str, name: str) -> str:
    """A note on a plan: the one name that a typed value was taken to mean."""
    return f"{kind} {value!r} taken as {name}"
