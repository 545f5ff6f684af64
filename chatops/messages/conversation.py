"""The conversation in a thread: questions, cancelling, undo, edits, and names
that matched nothing or several."""

from __future__ import annotations

from collections.abc import Sequence

from chatops.errors import ClusterError, NotFound, with_hint
from chatops.model import Risk
from chatops.results import FieldChange


def question_for_someone_else(asker: str) -> str:
    """Someone answered a question the bot asked another person."""
    return (f"I asked {asker} that, so I'll wait for their answer. To ask for something "
            "yourself, write the whole request (for example `restart checkout in dev`).")


def question_someone_else_asked(asker: str | None) -> str:
    """`question_for_someone_else`, for a question saved without its asker's name."""
    return question_for_someone_else(asker or "someone else")


def not_in_this_thread_text(run_id: str) -> str:
    """`approve r-…` typed in a thread the request doesn't belong to."""
    return f"{run_id} is not a request of this thread."


def cancelled_text(run_id: str) -> str:
    """A proposed request withdrawn by its requester."""
    return f"Cancelled {run_id}; nothing was changed."


def no_undo_text(runbook: str, run_id: str) -> str:
    """`undo` of a change whose runbook declares no undo: a restart or a pod's deletion,
    which replaced pods (a user trial was told to "ask for the reverse change")."""
    return (f"The last change here ({runbook}, {run_id}) has nothing to reverse: it replaced "
            "pods, the old ones do not come back, and the new ones run the same spec.")


def changed_since_note(run_id: str, fields: Sequence[FieldChange]) -> str:
    """A note on an undo: fields changed on the cluster since the run it undoes (each
    change from what the run left to what is there now)."""
    each = "; ".join(f"{f.path} was {f.before} after it, is {f.after} now" for f in fields)
    return (f"changed since {run_id} ran: {each}. This undo overwrites that change too, "
            "whoever made it")


def undoing_text(run_id: str, runbook: str) -> str:
    """The notice before the plan that reverses a change."""
    return f"Undoing {run_id} ({runbook})."


def undo_asked_text(run_id: str, runbook: str) -> str:
    """A question whether a change can be undone ("can we roll it back?"): how."""
    return (f"Yes: say `undo` in this thread and I'll propose reversing {run_id} "
            f"({runbook}), previewed and approved like any change. Nothing is planned yet.")


def may_not_request_text(risk: Risk, runbook: str) -> str:
    """The policy doesn't let this person request runbooks of this risk."""
    return f"You may not request {risk.value} runbooks such as {runbook}."


def choice_question_text(question: str, choices: Sequence[str]) -> str:
    """A question with numbered choices ("Which deployment? 1. a, 2. b")."""
    return f"{question} {numbered_choices(choices)}"


def numbered_choices(choices: Sequence[str]) -> str:
    """Choices as numbered text ("1. a, 2. b"), where no buttons show them."""
    return ", ".join(f"{i}. {choice}" for i, choice in enumerate(choices, 1))


CHOOSE_PLACEHOLDER = "Choose one"
"""The menu's label before a choice is made (a question with many choices)."""


def slot_question_text(slot: str, prompt: str | None) -> str:
    """The question for a missing slot: the runbook's own prompt, else a plain one."""
    return prompt or f"Which {slot}?"


def not_editable_text(run_id: str, state: str) -> str:
    """An edit of a request that is no longer proposed."""
    return f"{run_id} is already {state}; it can't be edited."


def no_namespace_follow_up_text(runbook: str) -> str:
    """`and in prod?` after a request that has no namespace (a node's cordon)."""
    return (f"The last request here ({runbook}) takes no namespace, so there is nothing to "
            "repeat elsewhere: say the whole request.")


def follow_up_elsewhere_text(namespace: str, kind: str, name: str,
                             others: Sequence[str]) -> str:
    """`same for web-frontend` after a request in a namespace that has no such object: where
    the requester can see one (`others`, possibly none)."""
    if not others:
        return (f"{namespace} has no {kind} {name} that you can see: say the whole request "
                "with its namespace.")
    where = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]
    has = "has one" if len(others) == 1 else "each have one"
    return f"{namespace} has no {kind} {name}; {where} {has}: say `same for {name} in {others[0]}`."


def bare_decision_held_text(asker: str) -> str:
    """A bare yes or no while the bot waits for another person's answer in the thread."""
    who = asker or "someone"
    return (f"I asked {who} a question here and a bare yes or no may be meant for it, so I "
            "decided nothing. To decide a request, use its buttons or `approve r-...` / "
            "`deny r-...`.")


def answer_to_them_text(writer: str) -> str:
    """A bare yes or no after another person's words that the bot made nothing of."""
    who = writer or "someone else"
    return (f"That may answer what {who} said here, so I decided nothing. To decide the "
            "waiting request, say `approve` or `deny`, or use its buttons.")


def own_question_waits_text(asking: str, choices: Sequence[str]) -> str:
    """A yes from someone the bot is asking, where a yes picks nothing: the question stands,
    and no plan was decided by it."""
    what = (f"one of {numbered_choices(choices)}" if choices
            else f"the {asking.replace('_', ' ')}")
    return (f"Your question still waits for your answer: {what} (or `cancel`). That reply "
            "decided nothing; to decide a request, use its buttons or `approve r-...`.")


def answer_first_text(choices: Sequence[str]) -> str:
    """A request ("fix it") while the bot's question to this person offers no such thing:
    the question stands, with its choices."""
    return (f"I still need your answer to my question first: {numbered_choices(choices)} "
            "(or `cancel`).")


def schedule_not_editable_text(run_id: str) -> str:
    """An edit of a schedule's proposal (to start, resume or delete one)."""
    return (f"{run_id} is a schedule's request, which is not edited: deny it and ask for "
            "the schedule again with the values you want.")


QUESTION_NOT_DECISION = (
    "That reads as a question, so it approves nothing. To approve the waiting request, say "
    "`approve` (or `approve r-...`), or use its button.")
"""A question under a waiting plan ("that ok?", "good to go?"): it decides nothing."""

DRY_RUN_NOT_PLANNED = (
    "You asked for a dry run, and this is not one change I can preview (another cluster or "
    "identity, several objects, another kind, or no object named), so I planned nothing. "
    "Ask for one change without `--dry-run` to see its plan and its server-side dry-run "
    "before anyone approves it.")
"""A request with `--dry-run` whose preview cannot be made: it is never planned instead."""

NOT_OWN_YES = (
    "That reads as more than your own yes now (a condition, a time, someone else, a hedge "
    "or how to decide), so I decided nothing. To approve the waiting request, say "
    "`approve` (or `approve r-...`), or use its button.")
"""A yes among other words ("yes if the canary is fine", "erin, approve", "I'd approve"):
only the writer's own yes, now, approves (`meta_words.own_yes`)."""

EDIT_NOT_DECISION = (
    "That reads as a change to a waiting plan, not a yes or no, so I decided nothing. To "
    "change it, use its Edit button or ask for the new request in full (for example "
    "`restart checkout-api in staging`); to decide it, use its buttons or `approve r-...` / "
    "`deny r-...`.")


def undo_of_text(change: str) -> str:
    """A request to undo a kind of change that this thread's last run did not make."""
    return (f"That asks to undo a {change}, not to make one, and this thread's last change "
            f"was no {change}. Say `undo` in the thread of the run that made it, or ask for "
            "the opposite change (for example `uncordon node-3`, `resume nightly-report`).")


def still_waits_text(run_id: str) -> str:
    """An edit that was refused, or changed nothing: the plan it was for is untouched."""
    return f"{run_id} still waits as it was."


def edit_which_field_text(run_id: str, kind: str, request: str, limit: str, value: str) -> str:
    """A bare value for a plan that set a request and a limit of one kind apart."""
    return (f"{run_id} sets the {kind} request ({request}) and the {kind} limit ({limit}): "
            f"say which {value} is for, e.g. \"make the {kind} limit {value} instead\", or "
            f"\"make both {value} instead\". {still_waits_text(run_id)}")


def replaced_text(run_id: str) -> str:
    """A proposed request replaced by its edited version."""
    return f"{run_id} was replaced by an edited request."


def _in_namespace(namespace: str | None) -> str:
    return f" in namespace {namespace}" if namespace else ""


def name_not_found_text(kind: str, value: str, namespace: str | None) -> str:
    """A name a person typed matches nothing of its kind on the cluster."""
    return f"{kind} {value!r} not found{_in_namespace(namespace)}."


def other_kind_text(value: str, kind: str, asked: str, namespace: str, runbook: str) -> str:
    """A name given as one kind of workload is an object of another kind."""
    text = (f"{value!r} is a {kind}{_in_namespace(namespace)}, not a {asked}: {runbook} "
            f"acts on a {asked}.")
    where = f" in {namespace}" if namespace else ""
    if kind == "deployment" and runbook == "suspend_cronjob":
        # "turn calc-app off" read as a suspend (a second user trial): what stops it.
        text += f" To stop a deployment's pods, scale it to 0: `scale {value}{where} to 0`."
    elif kind == "deployment" and runbook == "resume_cronjob":
        text += (" To start a deployment scaled to 0 again, scale it to the replicas it "
                 f"needs: `scale {value}{where} to N`.")
    return text


def did_you_mean_text(close: Sequence[str]) -> str:
    """The names nearest to one that matched nothing (empty when there are none)."""
    return f"Did you mean {', '.join(close)}?" if close else ""


def which_name_text(kind: str, namespace: str | None) -> str:
    """The question when a typed name matches several."""
    return f"Which {kind}{_in_namespace(namespace)} did you mean?"


def not_found_text(error: NotFound) -> str:
    """A name that doesn't exist on the cluster, with the nearest ones."""
    return with_hint(error.message, error.hint)


def cluster_refused_text(error: ClusterError) -> str:
    """The cluster refused a request (RBAC, admission, a conflict)."""
    return "The cluster refused: " + with_hint(error.message, error.hint)


def internal_error_text(reference: str) -> str:
    """A bug while answering; details are in the log under `reference`."""
    return (f"Something went wrong on my side (reference {reference}). The audit log shows "
            "what was done.")

def image_after_to_note(read: str, taken: str) -> str:
    """A note on a plan whose image is the one after "to", where another was read."""
    return f"image {taken}: the one after \"to\" (the message also shows {read})"
