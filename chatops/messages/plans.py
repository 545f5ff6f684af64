"""Plans and runbooks as text: what will run, the dry-run diff, approvals, undo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from chatops.model import Plan, Risk
from chatops.replies import RunView
from chatops.runbook.schema import Runbook
from chatops.runs import Asked
from chatops.verbs import summarize

RISK_WORDS = {
    Risk.READ: "read-only",
    Risk.WRITE: "changes the cluster",
    Risk.CRITICAL: "critical: can disrupt many workloads",
}


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


def nothing_to_change_text(explanation: str, notes: Sequence[str]) -> str:
    """A change whose server-side dry-run shows no difference: said, and nothing proposed."""
    head = "".join(f"({note})\n" for note in notes)
    return (f"{head}Nothing to change: the cluster already looks the way this request would "
            "leave it (the server-side dry-run shows no difference), so I proposed nothing "
            f"and nobody needs to approve anything.\nThe request: {explanation}")


def already_waiting_text(run_id: str) -> str:
    """The same person asked again for a change that still waits in the thread."""
    return (f"You already asked for exactly this: {run_id} still waits for approval in this "
            "thread, so I did not ask again. Say `cancel` to drop it.")


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
    lines += [f"  Warning: {warning}" for warning in view.warnings]
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


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the manifest, not Python's True/False
    return "(none)" if value is None or value == "" else str(value)


def change_text(path: str, before: Any, after: Any) -> str:
    """One field a dry-run would change: `path: before -> after`."""
    return f"{path}: {_value_text(before)} -> {_value_text(after)}"


def understood_text(head: str, confidence: float, undo_of: str | None = None,
                    asked: Asked | None = None) -> str:
    """What was understood, with how it came about: an explicit command, the model's
    reading (its confidence), or what the bot did on someone's behalf. A run stored before
    `asked` was kept (None) says what it said then: its confidence, or "(explicit command)"
    at 1.0."""
    if undo_of:
        how = f" (undo of {undo_of})"
    elif asked is not None and asked in _ASKED:
        how = _ASKED[asked]
    elif asked is Asked.MODEL or confidence < 1:
        how = f", confidence {confidence:.2f}"
    else:
        how = " (explicit command)" if confidence == 1 else ""
    return f"{head}{how}"


_ASKED = {
    Asked.COMMAND: " (explicit command)",
    Asked.FOLLOW_UP: " (repeating this thread's last request)",
    Asked.FIX: " (the fix a diagnosis suggested)",
    Asked.CHOICE: " (picked from the runbooks offered)",
    Asked.PREVIEW: " (asked for after its preview)",
    Asked.ALERT: " (proposed for an alert)",
    Asked.ALERT_RULE: " (an alert rule's automatic fix)",
    Asked.SCHEDULE: " (a schedule's plan)",
}
"""How each way of asking reads after the plan's head (`Asked.MODEL` shows the model's
confidence, `Asked.UNDO` the run it undoes)."""


def version_revision_note(version: str, revision: int, image: str) -> str:
    """How a version named in a rollback request was read."""
    return f"{version} is revision {revision} ({image}) in its rollout history"


def revision_words_note(revision: str) -> str:
    """A rollback's revision read from "to N" in the request's words."""
    return (f"revision {revision}: the number after \"to\" in your message (a revision of "
            "its rollout history, not a version)")


def already_runs_version_text(deployment: str, namespace: str, image: str,
                              revision: int) -> str:
    """A rollback to the version the deployment runs now."""
    return (f"{deployment} in {namespace} already runs {image} (revision {revision}): there "
            "is nothing to roll back to.")


def no_revision_runs_text(deployment: str, namespace: str, version: str,
                          revisions: Sequence[tuple[int, str, bool]]) -> tuple[str, str]:
    """A rollback to a version no older revision runs, with the history and the way to run
    it anyway."""
    listed = "; ".join(f"revision {n}: {images}" + (" (current)" if current else "")
                       for n, images, current in sorted(revisions, reverse=True))
    return (f"No older revision of {deployment} in {namespace} runs {version}"
            + (f" (its history: {listed})." if listed else "."),
            f"To run {version} anyway, set the image (set_image); to go back to one of these, "
            "name its revision.")


def schedule_deleted_head(schedule_id: str, plan_head: str) -> str:
    """What a plan that deletes a schedule does, naming what the schedule would do."""
    return f"delete schedule {schedule_id} (which would {plan_head})"


def schedule_deleted_explanation(schedule_id: str) -> str:
    """What approving a schedule's delete does (not what the schedule's runbook does)."""
    return (f"Approving this deletes schedule {schedule_id}: it fires no more. Nothing "
            "changes on the cluster.")


def undo_hint_text(runbook: str) -> str:
    """How to reverse a change once it ran."""
    return f"say `undo` in this thread afterwards to run {runbook} with the previous values"


def offer_with_values_note(label: str, values: Mapping[str, str]) -> str:
    """A note on a diagnosis's offered fix planned with values the message gave."""
    given = ", ".join(f"{k} {v}" for k, v in values.items())
    return f"the diagnosis suggested {label}; {given} is your message's"


def relative_count_note(slot: str, raw: str, current: int, resolved: int) -> str:
    """A note on a replica count given relative to the current one ("-1", "double")."""
    return f"{slot} {raw}: relative to the {current} running now, so {resolved}"


def namespace_in_words_note(namespace: str) -> str:
    """A note on a read whose namespace is the one its words name, untagged."""
    return f"namespace {namespace}: the one namespace the message names"


def only_namespace_note(namespace: str, kind: str, name: str) -> str:
    """A note on a read whose namespace is the one that has the object it names."""
    return f"in {namespace}: the one namespace with {kind} {name}"


def channel_default_note(namespace: str) -> str:
    """A note on a plan whose namespace came from the channel's default."""
    return f"namespace {namespace} is this channel's default"


def one_namespace_at_a_time_text(runbook: str, namespace: str,
                                 others: tuple[str, ...]) -> str:
    """A change asked for in several namespaces at once ("restart api in prod and
    staging")."""
    named = ", ".join((namespace, *others))
    return (f"I change one namespace at a time, and this names {named}: ask for "
            f"{runbook} in each namespace on its own, one request each.")


def one_workload_note(asked: str, answered: str) -> str:
    """A note on a read about one deployment answered by the runbook about one."""
    return f"about one deployment: answered with {answered} ({asked} lists a namespace)"


TROUBLE_NOTE = "read as trouble to diagnose; nothing is changed without your say"
CRONJOB_RUNS_NOTE = ("when a cronjob runs: its namespace's scan, with the cronjob's schedule "
                     "and its last runs after it")
CRONJOB_TROUBLE_NOTE = ("read as trouble with a cronjob: its namespace's scan, failed jobs "
                        "included; nothing is changed without your say")
"""A note on a message that reported trouble, answered with a diagnosis the model was
unsure of (`Dialogue._unsure_symptom`)."""


def waiting_here_text(runs: Sequence[tuple[str, str, Mapping[str, str], str, int, int]]
                      ) -> str:
    """The plans waiting for a decision in a channel: (run id, runbook, values, requester,
    approvals, approvals needed)."""
    if not runs:
        return "Nothing waits for a decision in this channel."
    lines = []
    for run_id, runbook, values, requester, approvals, needed in runs:
        shown = " ".join(f"{k}={v}" for k, v in values.items())
        lines.append(f"  {run_id} {runbook} {shown}: asked by {requester}, approvals "
                     f"{approvals} of {needed}")
    return ("Waiting for a decision in this channel, newest first (approve or deny on each "
            "card, or `approve ID`):\n" + "\n".join(lines))


_MadeRun = tuple[str, str, Mapping[str, str], str, tuple[str, ...], float]
"""A change made through the bot: (run id, runbook, its values, requester, approvers,
when it finished)."""


def _made_lines(runs: Sequence[_MadeRun]) -> list[str]:
    lines = []
    for run_id, runbook, values, requester, approvers, when in runs:
        shown = " ".join(f"{k}={v}" for k, v in values.items())
        approved = f", approved by {', '.join(approvers)}" if approvers else ""
        at = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines.append(f"  {run_id} {runbook}{' ' + shown if shown else ''}: asked by "
                     f"{requester}{approved}, {at}")
    return lines


def changes_made_here_text(deployment: str, namespace: str, runs: Sequence[_MadeRun]) -> str:
    """The changes made through the bot to a deployment in this channel, newest first (its
    other values only)."""
    return (f"Changes to deployment {deployment} in {namespace} made through me in this "
            "channel, newest first:\n" + "\n".join(_made_lines(runs)))


def changes_in_namespace_text(namespace: str, runs: Sequence[_MadeRun]) -> str:
    """The latest changes made through the bot in a namespace, from this channel."""
    return (f"Changes in {namespace} made through me in this channel, newest first:\n"
            + "\n".join(_made_lines(runs)))


def changes_in_channel_text(runs: Sequence[_MadeRun]) -> str:
    """The latest changes made through the bot in this channel, newest first; or that
    none was (another channel's may be private, so only this one's)."""
    if not runs:
        return ("I have made no change in this channel yet (changes asked for in other "
                "channels are listed there). `/ops runs` lists the runs you may see.")
    return ("My latest changes in this channel, newest first:\n"
            + "\n".join(_made_lines(runs)))


NODE_QUESTION_NOTE = "which node: answered with show_pods, whose NODE column says it"
ON_NODE_NOTE = "what runs on a node: answered with node_status, which lists its pods"
AUTOSCALED_NOTE = ("autoscaling: answered with rightsize, which names the deployment's "
                   "autoscaler")
RESTARTS_NOTE = "restarts: answered with show_pods, whose RESTARTS column counts them"
"""A note on a question of restarts, answered with the pods."""
HYGIENE_NOTE = "a question of pod hygiene: answered with pod_hygiene for the checks it names"
"""A note on a hygiene question the model left under its bar."""


CHECK_FIRST_NOTE = ("a change on a condition: checked first; its fix, if any, is offered "
                    "below and waits for your say and the approvals")
"""A note on a change asked for on a condition, answered with the diagnosis first."""


NAMESPACE_CHANGES_NOTE = ("what changed in a namespace: answered with recent_events (a rollout "
                          "history is one deployment's; events cover about the last hour)")
HISTORY_NOTE = ("a question of what changed: answered with rollout_history, each revision's "
                "image and cause; a scale makes no revision, so the changes made through me "
                "in this channel follow, when there are any")
"""A note on a question of what changed on a deployment, answered with its rollout history
(`Dialogue._history_answer`)."""


def tag_kept_note(word: str, tag: str) -> str:
    """A note on an image change whose words named a repository the deployment does not
    run ("redis 7.2"): the tag went on the repository it runs."""
    return (f"{tag} is set as a tag of the repository it runs: {word} is not that "
            f"repository's name; for another image, name it whole ({word}:{tag})")


def state_read_note(asked: str, answered: str) -> str:
    """A note on a question about a change's state, answered with a read."""
    return f"a question, not a request: answered with {answered} ({asked} changes nothing here)"


def carried_note(values: Mapping[str, str]) -> str:
    """A note on a read that took its object from the thread ("and the logs?")."""
    objects = [f"{slot} {value}" for slot, value in values.items() if slot != "namespace"]
    where = f" in {values['namespace']}" if values.get("namespace") else ""
    return f"about {', '.join(objects) or 'namespace'}{where}, as this thread's last request"


def piped_note(pipe: str) -> str:
    """A note on a read asked as a kubectl command piped into a filter."""
    return f"`{pipe}` left out: I read the cluster with the runbook, not a shell"


def piped_change_text(command: str, pipe: str) -> str:
    """A change asked as a kubectl command piped into a filter: not planned."""
    return (f"I don't run shell pipes, and a change's output is not mine to filter: ask for "
            f"the change without `{pipe}` ({command.strip('` ')}).")


def pasted_note(values: Mapping[str, str]) -> str:
    """A note on a read that took its object from what the person pasted."""
    objects = [f"{slot} {value}" for slot, value in values.items() if slot != "namespace"]
    if not objects:
        return f"in namespace {values['namespace']}, the one your paste names"
    where = f" in {values['namespace']}" if values.get("namespace") else ""
    return f"about {', '.join(objects)}{where}, the one your paste names"


def namespaces_left_out_note(others: tuple[str, ...]) -> str:
    """A note on a read that named more namespaces than the one it read."""
    return f"{', '.join(others)} not read: ask again for each namespace"


def past_time_text(phrases: tuple[str, ...]) -> str:
    """A change asked for in a message whose time of day tells of the past: neither now nor
    then is a safe reading, so it is asked again."""
    said = " and ".join(f"'{p}'" for p in phrases)
    return (f"I read {said} as when something happened, so I did not plan this for then, "
            "nor for now: ask again without the time to do it once approved, or start the "
            "message with `schedule:` to schedule it.")


def name_taken_note(kind: str, value: str, name: str) -> str:
    """A note on a plan: the one name that a typed value was taken to mean."""
    return f"{kind} {value!r} taken as {name}"


def read_as_namespace_note(kind: str, value: str) -> str:
    """A note on an answer: a name given as a workload was the name of a namespace."""
    return f"{value!r} is a namespace, so the whole namespace was read (no {kind} was named)"


def read_as_workload_note(value: str, kind: str, namespace: str) -> str:
    """A note on an answer: a name read as a namespace was no namespace, but the name of
    one workload, so that workload was read."""
    return (f"no namespace is called {value!r}; read as {kind} {value} in {namespace}, "
            f"the one namespace with a {kind} of that name")


def other_kind_note(value: str, kind: str, runbook: str, namespace: str | None) -> str:
    """A note on an answer: a name given as one kind of workload was another kind's, so it
    was read as that kind, or (`namespace`) the whole namespace was read instead."""
    if namespace is None:
        return f"{value!r} is a {kind}, so it was read as one"
    return (f"{value!r} is a {kind}, which {runbook} does not read by name, so all of "
            f"{namespace!r} was read")


def namespace_wide_note(kind: str, namespace: str, runbook: str) -> str:
    """A note on an answer: a question about one workload named only a namespace, so the
    namespace-wide runbook answered it."""
    return f"no {kind} was named, so all of {namespace!r} was checked ({runbook})"


CONFIRM_APPROVE = "Approve"
CONFIRM_CANCEL = "Cancel"


def confirm_approve_title(critical: bool) -> str:
    """The title of the dialog before approving a critical or wide change."""
    return "Approve a critical change?" if critical else "Approve a wide change?"


def confirm_approve_text(steps: Sequence[str], pods: int, namespaces: Sequence[str]) -> str:
    """What approving lets happen, in one line ("Drain node node-2: affects 4 pods in prod
    and staging.")."""
    action = "; ".join(steps) or "This change"
    action = action[:1].upper() + action[1:]
    if not pods:
        return f"{action}."
    where = (", ".join(namespaces[:-1]) + f" and {namespaces[-1]}" if len(namespaces) > 1
             else "".join(namespaces))
    noun = "pod" if pods == 1 else "pods"
    return f"{action}: affects {pods} {noun}" + (f" in {where}." if where else ".")


def what_if_text(explanation: str, notes: Sequence[str], *, changes: Sequence[str],
                 pods: Sequence[str], warnings: Sequence[str], runbook: str,
                 approvals: str) -> str:
    """A change previewed for a question of what it would do: its server-side dry-run as
    the asker, and how to ask for it (`approvals`: what it then waits for)."""
    lines = ["Preview only: nothing was asked for, and nothing changed."]
    lines += [f"  note: {note}" for note in notes]
    lines.append(f"  {explanation}")
    lines.append("  Changes (server-side dry-run, as you):")
    lines += [f"    {change}" for change in changes]
    if pods:
        shown = ", ".join(pods[:8])
        more = f" and {len(pods) - 8} more" if len(pods) > 8 else ""
        lines.append(f"  Pods affected ({len(pods)}): {shown}{more}")
    lines += [f"  Warning: {warning}" for warning in warnings]
    lines.append(f"To ask for it, choose `{runbook}`: it is planned again and {approvals}, "
                 "like any request.")
    return "\n".join(lines)


def preview_taken_how_text(changes: Sequence[str]) -> str:
    """A yes after a preview: it asked nothing, so the yes takes nothing."""
    names = " or ".join(f"`{name}`" for name in changes)
    return (f"That preview asked nothing, so nothing was asked for. To ask for the change, "
            f"choose {names}, or order it in words.")


def what_if_unchanged_text(explanation: str) -> str:
    """A previewed change the cluster already matches."""
    return ("Preview only: nothing would change, the cluster already looks the way this "
            f"would leave it (the server-side dry-run shows no difference).\n  {explanation}")


def what_if_missing_text(question: str) -> str:
    """A preview that lacks a value: asked for in the question itself."""
    return (f"To preview it I need more: {question} Ask again with it (for example `what "
            "would happen if I scaled checkout-api in prod to 0?`).")


def noun_read_note(noun: str, runbook: str) -> str:
    """A note on a read asked for by its noun alone ("pods of search-indexer in prod")."""
    return f"{noun}: answered with {runbook}"
