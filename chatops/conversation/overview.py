"""A person's overview: what the Slack Home tab, `/ops runs` and `/ops audit RUN_ID` read.

The Runtime builds these frozen values from the stores and hands them to surfaces, which
never see a stored row. Every "who sees what" decision is made here, with the policy:

* **pending approvals**: proposed, unexpired runs the person may decide on: they may
  approve its risk, it is not their own request (unless the policy allows self-approval
  for that risk) and they have not approved its current plan yet; or an alert's proposal
  nobody took on, which they may request (their click takes it on);
* **recent runs**: the last runs they requested;
* **runbooks**: those whose risk they may request;
* **a run's audit events** (`may_see`): only its requester and people who may approve its
  risk. The policy has no notion of an administrator; people who audit the whole log read
  it with `chatops audit` where the bot runs, not through chat.

What is shown stays informational: deciding still goes through
`ConversationService.decide`, which checks everything again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chatops.audit import AuditEvent
from chatops.conversation.presenting import BINDING_SHOWN, preview_pods, preview_warnings
from chatops.model import Message, Plan, frozen_map
from chatops.policy import Policy, Requester
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Run, RunState, RunStore
from chatops.verbs import summarize

RECENT_RUNS = 10
"""How many of a person's own runs the overview lists."""
PENDING_SCAN = 50
"""How many proposed runs (newest first) are looked at for someone's pending approvals."""
AUDIT_EVENTS = 30
"""How many of a run's audit events `/ops audit` shows (the newest)."""
SUMMARY_LIMIT = 200
"""An audit event's data is cut to this many characters..."""
VALUE_LIMIT = 40
"""... and each of its values to this many."""


@dataclass(frozen=True)
class RunLine:
    """One run as an overview lists it (not its plan, identity or approvers' names)."""

    id: str
    runbook: str
    state: str
    risk: str
    requester: str
    """The requester's display name ("" for an alert's proposal nobody took on)."""
    slots: Mapping[str, str]
    created_at: float
    binding: str
    """The first hex digits of the plan binding, as the run's buttons carry them."""
    approvals: int
    needed: int
    channel: str
    thread: str | None
    message_ref: str | None
    steps: tuple[str, ...] = ()
    """What each step does, in words (what an Approve's confirmation dialog names)."""
    blast_radius: tuple[str, ...] = ()
    """The pods (`namespace/name`) the dry-run said the plan touches, each once."""
    warnings: tuple[str, ...] = ()
    """What the dry-run warned of (as the plan message shows it), each once."""


@dataclass(frozen=True)
class RunbookLine:
    """A runbook someone may ask for."""

    name: str
    description: str
    risk: str


@dataclass(frozen=True)
class HomeFacts:
    """Everything one person's overview shows."""

    user: str
    pending: tuple[RunLine, ...]
    recent: tuple[RunLine, ...]
    runbooks: tuple[RunbookLine, ...]


@dataclass(frozen=True)
class AuditLine:
    """One audit event of a run, short."""

    ts: str
    kind: str
    actor: str
    summary: str


def person(policy: Policy, user: str, groups: Sequence[str] = ()) -> Requester:
    """Who the chat user `user` (in the chat user groups `groups`) is to the policy."""
    return policy.requester(Message(user=user, text="", source="slack", groups=tuple(groups)))


def _valid(run: Run, policy: Policy, now: float) -> int:
    horizon = now - policy.expiry.total_seconds()
    return sum(1 for a in run.approvers() if a.decided_at >= horizon)


def may_decide(policy: Policy, who: Requester, run: Run, now: float) -> bool:
    """Whether the run waits for `who`'s decision (see the module's rules)."""
    if run.state is not RunState.PROPOSED or now > run.expires_at:
        return False
    if run.act_as_approver:
        return policy.may_request(who, run.risk)
    if not policy.may_approve(who, run.risk):
        return False
    if who.key == run.requester and not policy.may_self_approve(run.risk):
        return False
    return all(a.approver != who.key for a in run.approvers())


def may_see(policy: Policy, who: Requester, run: Run) -> bool:
    """Whether `who` may read the run's audit events: its requester, or someone who may
    approve its risk."""
    return (bool(run.requester) and who.key == run.requester) or policy.may_approve(who,
                                                                                   run.risk)


def run_line(run: Run, policy: Policy, now: float) -> RunLine:
    """The overview's line for `run`."""
    return RunLine(id=run.id, runbook=run.runbook, state=run.state.value, risk=run.risk.value,
                   requester=run.requester_name, slots=frozen_map(run.raw_slots),
                   created_at=run.created_at, binding=run.digest[:BINDING_SHOWN],
                   approvals=_valid(run, policy, now), needed=run.needed, channel=run.channel,
                   thread=run.thread, message_ref=run.message_ref,
                   steps=tuple(summarize(s.verb, s.params)
                               for s in Plan.from_record(run.plan).steps),
                   blast_radius=preview_pods(run), warnings=preview_warnings(run))


def may_edit(policy: Policy, who: Requester, run: Run) -> bool:
    """Whether `who` may edit the run's values: only its requester (an alert's proposal
    nobody took on has none to edit it)."""
    return bool(run.requester) and not run.act_as_approver and who.key == run.requester


def home_facts(store: RunStore, catalogue: Catalogue, policy: Policy, who: Requester,
               now: float) -> HomeFacts:
    """`who`'s pending approvals, recent runs and the runbooks they may ask for."""
    pending = [run_line(r, policy, now) for r in store.runs_in_state(RunState.PROPOSED,
                                                                     PENDING_SCAN)
               if may_decide(policy, who, r, now)]
    recent = [run_line(r, policy, now) for r in store.runs_of(who.key, RECENT_RUNS)]
    runbooks = [RunbookLine(rb.name, _first_line(rb.description), rb.risk.value)
                for rb in sorted(catalogue, key=lambda rb: rb.name)
                if policy.may_request(who, rb.risk)]
    return HomeFacts(who.chat_user, tuple(pending), tuple(recent), tuple(runbooks))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 200 else line[:199] + "…"


def chat_ids(policy: Policy, requester_key: str) -> tuple[str, ...]:
    """The chat ids of the person with this requester key."""
    if requester_key.startswith("chat:"):
        return (requester_key.removeprefix("chat:"),)
    found = policy.people.get(requester_key)
    return found.chat_ids if found is not None else ()


def audience(policy: Policy, run: Run, now: float,
             viewers: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The chat ids whose overview a change of `run` changes: its requester, the people the
    policy names who may decide on it, and those of `viewers` (chat id -> chat user groups,
    people whose overview is open) who may decide on it or asked for it."""
    users = set(chat_ids(policy, run.requester)) if run.requester else set()
    named = ((chat, ()) for p in policy.people.values() for chat in p.chat_ids)
    candidates: Iterable[tuple[str, Sequence[str]]] = [*named, *viewers.items()]
    decidable = run.state is RunState.PROPOSED
    for user, groups in candidates:
        if user in users:
            continue
        who = person(policy, user, groups)
        if who.key == run.requester or policy.may_approve(who, run.risk) or (
                decidable and may_decide(policy, who, run, now)):
            users.add(user)
    return frozenset(users)


def audit_lines(events: Sequence[AuditEvent]) -> tuple[AuditLine, ...]:
    """Events (any order) as short lines, oldest first."""
    return tuple(AuditLine(e.ts, e.kind, e.actor or "-", _summary(e.data))
                 for e in sorted(events, key=lambda e: e.id))


def _summary(data: Mapping[str, object]) -> str:
    """`key=value` pairs, each value cut short (a plan or a preview is long)."""
    parts = []
    for key, value in data.items():
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        shown = shown if len(shown) <= VALUE_LIMIT else shown[: VALUE_LIMIT - 1] + "…"
        parts.append(f"{key}={shown}")
    text = " ".join(parts).replace("\n", " ")
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"
