"""What the bot can do, and what it says when it did not understand."""

from __future__ import annotations

from collections.abc import Sequence


def help_text(runbooks: list[tuple[str, str, str]]) -> str:
    """What the bot can do: each runbook with its risk and description, and the meta words."""
    lines = ["I can run these runbooks (ask in plain words, or `run NAME key=value ...`):"]
    lines += [f"  {name} [{risk}]: {description}" for name, risk, description in runbooks]
    lines.append("In a thread: `cancel` drops the pending request, `undo` reverses the last "
                 "change, `and in staging?` repeats the last request elsewhere.")
    return "\n".join(lines)


def unsure_text(close: Sequence[str]) -> str:
    """The model's best guesses were too weak to act on; the closest runbooks instead."""
    options = ", ".join(f"`{name}`" for name in close)
    return ("I'm not sure what you want me to do, so I won't guess. "
            f"Closest runbooks: {options}. Say it differently, or use `run NAME key=value ...`.")


def cannot_create_text(read_only: Sequence[str]) -> str:
    """A request to create or install something: no runbook does that, and the bot says so
    rather than bend the request onto a runbook that changes something that exists."""
    text = ("I can't create workloads or other objects (deployments, services, namespaces, "
            "roles, policies, Helm releases): I only run the reviewed runbooks on what "
            "already exists, and creating things belongs in your manifests and their review.")
    if read_only:
        options = ", ".join(f"`{name}`" for name in read_only)
        text += f" Here is what I can do that comes close: {options}."
    return text + " `help` lists everything I can do."


def one_change_at_a_time_text(runbook: str, others: Sequence[str]) -> str:
    """A message that orders another change besides the one it was read as."""
    also = " and ".join(f"`{kind}`" for kind in others)
    return (f"This asks for more than one change (`{runbook}`, and also {also}): I make one "
            "change per request, so that each is previewed and approved on its own. Ask "
            "for each in its own message (a later one can carry a time: `resume "
            "nightly-report in prod at 09:00 monday`).")


def takes_back_text(runbook: str) -> str:
    """A message whose later sentence takes back what it first asked ("restart calc-app.
    no wait, restart checkout-api"), read with the part taken back."""
    return (f"This message takes back part of what it asks (\"no wait ...\", \"I meant ...\"), "
            f"and I read it as `{runbook}` of the part taken back: nothing is planned. Say "
            "the one change you want in a message of its own.")


def several_changes_text(kinds: Sequence[str]) -> str:
    """A message of several orders, one per line, item or sentence, none read as a request
    ("- cordon node-2\n- cordon node-3")."""
    orders = ", ".join(f"`{kind}`" for kind in kinds)
    return (f"This message asks for {len(kinds)} changes ({orders}): I make one change per "
            "request, so that each is previewed and approved on its own, and planned "
            "nothing. Ask for each in its own message.")


def also_ordered_note(kinds: Sequence[str]) -> str:
    """A read answered for a message that also orders a change on another line or in
    another sentence ("1. show me the pods ...\n2. restart calc-app")."""
    orders = " and ".join(f"`{kind}`" for kind in kinds)
    return (f"this message also asks for a change ({orders}): I answer one request per "
            "message, and planned nothing; ask for the change in its own message")


def spares_nothing_text(runbook: str) -> str:
    """A change asked for in part ("drain node-2 but leave the prod pods alone")."""
    return (f"`{runbook}` evicts every pod on the node (daemonsets aside): I can't drain "
            "part of a node and leave some pods on it. `cordon_node` stops new pods landing "
            "there and moves nothing; to move only some pods, delete them one at a time "
            "with `delete_pod` (their controllers start them elsewhere once the node is "
            "cordoned).")


def count_and_back_text(runbook: str) -> str:
    """A count asked for with a return to another ("scale it to 6, back to 3 at 6pm")."""
    return (f"This asks for two changes, a count now and a return later: I make one `{runbook}` "
            "per request, so that each is previewed and approved on its own. Ask for each, "
            "the later one with its time (for example `scale checkout-api in prod to 6`, "
            "then `scale checkout-api in prod to 3 at 18:00`); nothing is planned.")


def part_of_a_count_text(runbook: str, part: str) -> str:
    """A count given as a part of another ("scale 3 of 5 pods"): which is the new one?"""
    return (f"This gives two counts, a part of a whole (\"{part}\"), and I won't guess which "
            f"is the new one: ask `{runbook}` with the number of replicas it should have "
            "(for example `scale checkout-api in prod to 3`); nothing is planned.")


def waits_for_event_text(runbook: str) -> str:
    """A change asked for once something has happened ("after the deploy finishes, restart
    web-frontend"): no plan waits for an event."""
    return (f"I can't hold `{runbook}` until something happens: a plan runs once it is "
            "approved, or at a time you give, and I can't tell when a deploy, a migration or "
            "a job is done. Ask again once it has happened, or give a time (for example "
            f"`... at 18:00`); nothing is planned.")


def taken_back_text(runbook: str) -> str:
    """A change asked and taken back in the same message ("restart it. never mind", "...,
    just kidding", "Wrong channel, sorry.")."""
    return (f"You took that back in the same message, so I planned no `{runbook}`. Ask again "
            "when you want it.")


def put_off_text(runbook: str) -> str:
    """A change put off to no time given, or to the next time something happens ("restart
    it later", "roll it back if it happens again"): no plan waits for either."""
    return (f"I can't keep `{runbook}` for later or for the next time something happens: a "
            "plan runs once it is approved, or at a time you give. Ask again when you want "
            "it, or give a time (for example `... at 18:00`); nothing is planned.")


def ruled_out_text(runbook: str, change: str) -> str:
    """A message read as a change it rules out ("don't restart it"), with nothing else to
    plan in its place."""
    return (f"You said not to {change}, so I planned no `{runbook}`. Say the change you "
            "want on its own, with its object (`cordon node-2`).")


def ruled_out_note(change: str, runbook: str) -> str:
    """A note on the plan made instead of a change the message ruled out."""
    return f"you said not to {change}: this plans `{runbook}` only"


def cannot_change_kind_text(kind: str, read_only: Sequence[str]) -> str:
    """A change to a kind of object no runbook changes (a statefulset, a volume claim)."""
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    text = (f"I can't change {article} {kind}: my runbooks change deployments, pods, nodes, "
            "cronjobs and autoscalers only, and I won't apply one of them to something else.")
    if read_only:
        options = ", ".join(f"`{name}`" for name in read_only)
        text += f" Here is what I can do that comes close: {options}."
    return text + " `help` lists everything I can do."


# What comes close to deleting each kind, where something does.
_INSTEAD_OF_DELETING = {
    "deployment": "`scale_deployment` to 0 stops its pods and keeps the deployment; "
                  "`restart_deployment` replaces its pods.",
    "cronjob": "`suspend_cronjob` stops it from starting new jobs (a running job finishes).",
    "job": "`suspend_cronjob` stops its cronjob from starting new jobs (a running job "
           "finishes).",
    "node": "`drain_node` evicts its pods and cordons it, the step before a node is taken "
            "away; `cordon_node` only keeps new pods off it.",
    "autoscaler": "`set_autoscaling` changes its minimum and maximum replicas.",
}


def cannot_delete_text(kind: str) -> str:
    """A deletion of something other than a pod ("delete cronjob nightly-report"): said
    plainly, with what comes close, never another change in its place."""
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    text = (f"I can't delete {article} {kind}: the only thing my runbooks delete is a pod, and "
            "I won't run another change in place of a deletion.")
    instead = _INSTEAD_OF_DELETING.get(kind)
    if instead is not None:
        text += f" What comes close: {instead}"
    return text + " `help` lists everything I can do."


_WHICH_ONES = {
    "node": "`node_status` shows the nodes and their state.",
    "cronjob": "`help` lists what I can do with cronjobs.",
}


def which_named_text(kind: str, names: tuple[str, ...]) -> str:
    """The question when a change's message names several objects of the kind it changes
    ("restart calc-app checkout-api in prod"): which one, never a guess."""
    return (f"This names {len(names)} {kind}s ({', '.join(names)}), and I change one {kind} "
            f"at a time: which one?")


def one_at_a_time_text(kind: str, runbook: str) -> str:
    """A change asked for many objects at once ("restart all deployments in payments")."""
    hint = _WHICH_ONES.get(kind, "`diagnose` with just a namespace shows which ones are "
                                 "unhealthy.")
    return (f"I change one {kind} at a time, and I won't pick them for you: name the {kind} "
            f"(for example `run {runbook} {kind}=NAME ...`), one request each. {hint}")


def which_field_text(kind: str, value: str) -> str:
    """The question when a memory or CPU value names neither of its two fields."""
    what = ("an OOM kill happens at it" if kind == "memory"
            else "the container is throttled above it")
    return (f"Is {value} the {kind} limit (the most it may use: {what}), the {kind} request "
            "(what the scheduler reserves for it), or both? Choose one to plan it: you'll "
            "see its dry-run first.")


def remedies_text(labels: Sequence[str]) -> str:
    """The fixes a diagnosis suggests, offered as choices; taking one only plans it."""
    options = ", ".join(f"`{label}`" for label in labels)
    return (f"Suggested fix: {options}. Choose one to plan it: you'll see its dry-run, and "
            "it runs only with the approvals the policy asks for.")
