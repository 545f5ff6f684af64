"""What the bot records in the audit log: one frozen class per kind of event.

Callers build a record and hand it to `AuditLog.record`; the record names its `kind` and
says what its stored `data` is. The stored shape is the contract of `chatops audit
export` (and of anyone reading the log), so a record's `data()` is written out field by
field where a field's name is not the stored key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chatops.model import ParsedIntent


@dataclass(frozen=True)
class AuditRecord:
    """The base of every record: its `kind`, and its data as the record's fields."""

    kind: ClassVar[str] = ""

    def data(self) -> dict[str, Any]:
        """The event's stored data (JSON-ready; the log scrubs secrets from it)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# --- a message and what was understood -------------------------------------------------


@dataclass(frozen=True)
class MessageReceived(AuditRecord):
    """Someone wrote to the bot."""

    kind: ClassVar[str] = "message"
    text: str
    channel: str
    source: str


@dataclass(frozen=True)
class Parsed(AuditRecord):
    """What the NLU made of a message (`ParsedIntent.to_json()`), with the `text` it read,
    who read it (`source`: the explicit grammar or the model) and where in `text` each slot
    value was found (`spans`), so a parse can be reviewed on its own (`chatops nlu
    feedback`). Events written before these three were recorded hold the parse only."""

    kind: ClassVar[str] = "parse"
    parsed: Mapping[str, Any] = field(hash=False)
    text: str | None = None
    source: str | None = None
    spans: Sequence[Mapping[str, Any]] = field(default=(), hash=False)

    @classmethod
    def of(cls, parsed: ParsedIntent, text: str) -> Parsed:
        """The record of `parsed`, the parse of `text`."""
        spans = [{"slot": s.slot, "start": s.start, "end": s.end, "text": s.text}
                 for s in parsed.spans]
        return cls(parsed.to_json(), text, parsed.source, spans)

    def data(self) -> dict[str, Any]:
        # Only added keys: the stored shape of older events is unchanged.
        data = dict(self.parsed)
        if self.text is not None:
            data["text"] = self.text
        if self.source is not None:
            data["source"] = self.source
        if self.spans:
            data["spans"] = [dict(span) for span in self.spans]
        return data


@dataclass(frozen=True)
class OutOfScope(AuditRecord):
    """The bot answered that a message asks for something outside its runbooks. `offered`
    are the closest runbooks it offered instead ("I'm not sure ... did you mean"), a
    question back to the person; none when it only said no."""

    kind: ClassVar[str] = "out_of_scope"
    offered: Sequence[str] = field(default=(), hash=False)

    def data(self) -> dict[str, Any]:
        return {"offered": list(self.offered)}


@dataclass(frozen=True)
class AskedBack(AuditRecord):
    """The bot asked the person for the value of `slot` of the runbook `intent` before
    planning: missing, or ambiguous between `choices`."""

    kind: ClassVar[str] = "question"
    intent: str
    slot: str
    choices: Sequence[str] = field(default=(), hash=False)

    def data(self) -> dict[str, Any]:
        return {"intent": self.intent, "slot": self.slot, "choices": list(self.choices)}


@dataclass(frozen=True)
class Refused(AuditRecord):
    """The bot said no (policy, unknown object, the cluster refused); `text` is what the
    person was told."""

    kind: ClassVar[str] = "refusal"
    text: str


@dataclass(frozen=True)
class InternalError(AuditRecord):
    """Something failed inside the bot; `reference` is in the reply and in the log."""

    kind: ClassVar[str] = "error"
    reference: str


# --- plans and their approval ----------------------------------------------------------


@dataclass(frozen=True)
class Planned(AuditRecord):
    """A runbook rendered into a plan (`Plan.to_json()` and its digest)."""

    kind: ClassVar[str] = "plan"
    plan: Mapping[str, Any] = field(hash=False)
    digest: str

    def data(self) -> dict[str, Any]:
        return {**self.plan, "digest": self.digest}


@dataclass(frozen=True)
class Proposed(AuditRecord):
    """A change waiting for approval, with its dry-run preview."""

    kind: ClassVar[str] = "proposed"
    digest: str
    needed: int
    preview: Sequence[Mapping[str, Any]] = field(hash=False)


@dataclass(frozen=True)
class Approved(AuditRecord):
    """One approver's approval of the exact plan (`digest`)."""

    kind: ClassVar[str] = "approval"
    digest: str
    approver: str


@dataclass(frozen=True)
class Adopted(AuditRecord):
    """An alert's proposal taken on by its first approver, who becomes its requester."""

    kind: ClassVar[str] = "adopted"
    requester: str
    identity: str


@dataclass(frozen=True)
class Denied(AuditRecord):
    """An approver denied the run."""

    kind: ClassVar[str] = "denied"


@dataclass(frozen=True)
class Expired(AuditRecord):
    """The run waited longer than the policy's expiry."""

    kind: ClassVar[str] = "expired"


@dataclass(frozen=True)
class Cancelled(AuditRecord):
    """The requester cancelled the run (`reason` "edited" when a new plan replaced it)."""

    kind: ClassVar[str] = "cancelled"
    reason: str | None = None

    def data(self) -> dict[str, Any]:
        return {} if self.reason is None else {"reason": self.reason}


@dataclass(frozen=True)
class Rejected(AuditRecord):
    """Something refused before it could act: a forged or stale click, a request at the
    HTTP door, a run whose identity no longer matches the policy. `details` are the facts
    of that kind of refusal."""

    kind: ClassVar[str] = "rejected"
    what: str
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def data(self) -> dict[str, Any]:
        return {"what": self.what, "reason": self.reason, **self.details}


@dataclass(frozen=True)
class RejectionsSuppressed(AuditRecord):
    """Refusals counted but not recorded one by one (their rate limit)."""

    kind: ClassVar[str] = "rejected"
    count: int

    def data(self) -> dict[str, Any]:
        return {"what": "more refused requests", "count": self.count,
                "reason": "not recorded one by one (rate limit)"}


@dataclass(frozen=True)
class Replanned(AuditRecord):
    """The plan was rendered and previewed again at approval time and differed."""

    kind: ClassVar[str] = "replanned"
    old_binding: str
    binding: str
    plan_digest: str
    preview: Sequence[Mapping[str, Any]] = field(hash=False)


# --- running ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RunStarted(AuditRecord):
    """Execution begins, as `identity` with `groups`, of the plan `digest`. Every Kubernetes
    request of the run carries this record's id (`Impersonate-Extra-chatops.dev/audit-seq`)."""

    kind: ClassVar[str] = "started"
    identity: str
    groups: Sequence[str] = field(hash=False)
    digest: str


@dataclass(frozen=True)
class StepDone(AuditRecord):
    """One step executed (`StepResult.to_json()`)."""

    kind: ClassVar[str] = "step"
    result: Mapping[str, Any] = field(hash=False)

    def data(self) -> dict[str, Any]:
        return dict(self.result)


@dataclass(frozen=True)
class Verified(AuditRecord):
    """One verification check after the steps."""

    kind: ClassVar[str] = "verify"
    verb: str
    ok: bool
    message: str


@dataclass(frozen=True)
class ChangeFinished(AuditRecord):
    """A change ran to its end state, with what the person was told."""

    kind: ClassVar[str] = "result"
    state: str
    lines: Sequence[str] = field(hash=False)
    elapsed_seconds: float
    before: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class ReadFinished(AuditRecord):
    """A read-only runbook answered (`records` items read)."""

    kind: ClassVar[str] = "result"
    records: int

    def data(self) -> dict[str, Any]:
        return {"state": "succeeded", "records": self.records}


@dataclass(frozen=True)
class ReadFailed(AuditRecord):
    """A read-only runbook failed at the cluster."""

    kind: ClassVar[str] = "result"
    error: str

    def data(self) -> dict[str, Any]:
        return {"state": "failed", "error": self.error}


@dataclass(frozen=True)
class Interrupted(AuditRecord):
    """A run whose process died before it finished."""

    kind: ClassVar[str] = "interrupted"
    reason: str


# --- alerts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertReceived(AuditRecord):
    """One alert of a webhook delivery."""

    kind: ClassVar[str] = "alert"
    source: str
    status: str
    fingerprint: str
    labels: Mapping[str, str] = field(hash=False)
    group: str


@dataclass(frozen=True)
class AlertsRefused(AuditRecord):
    """A delivery refused because the outbox was full (answered 429)."""

    kind: ClassVar[str] = "alert_refused"
    source: str
    alerts: int
    would_queue: int
    bound: str
    limit: int
    queued: int


@dataclass(frozen=True)
class AlertPostFailed(AuditRecord):
    """An outbox item Slack kept refusing; `dropped` when the bot gave up on it."""

    kind: ClassVar[str] = "alert_failed"
    item: int
    item_kind: str
    attempts: int
    error: str
    dropped: Sequence[int] = field(hash=False)
    """The items queued behind it in the same thread, given up with it."""

    def data(self) -> dict[str, Any]:
        return {"item": self.item, "kind": self.item_kind, "attempts": self.attempts,
                "error": self.error, "dropped": list(self.dropped)}


# --- schedules -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleChanged(AuditRecord):
    """A schedule changed state (`activated`, `paused`, `resumed`, `deleted`, `done`,
    `cancelled`, `rebound` to a new plan) or a change was asked for (`asked:resume`,
    `asked:delete`), by `by` (a person's name, or `scheduler`), and why."""

    kind: ClassVar[str] = "schedule"
    schedule_id: str
    change: str
    by: str
    reason: str = ""


@dataclass(frozen=True)
class ScheduleFired(AuditRecord):
    """A firing passed its checks at `due` (epoch seconds) and runs as the requester;
    `approvers` are the schedule's approvals it runs on; `freeze` the reason of a freeze it
    ran during (only a window's end does: it restores the approved state)."""

    kind: ClassVar[str] = "schedule_fired"
    schedule_id: str
    due: float
    phase: str
    approvers: Sequence[str] = field(default=(), hash=False)
    freeze: str = ""

    def data(self) -> dict[str, Any]:
        data = {"schedule_id": self.schedule_id, "due": self.due, "phase": self.phase,
                "approvers": list(self.approvers)}
        return {**data, "freeze": self.freeze} if self.freeze else data


@dataclass(frozen=True)
class ScheduleBlocked(AuditRecord):
    """A firing did not run: `reason` is `freeze`, `policy`, `drift`, `missed`, `failed`
    (its checks could not be made), `interrupted` (claimed by a process that stopped before
    running it, or stopped by an internal error: `reference` finds it in the log) or, for a
    drifted firing's approved plan, `inactive` (the schedule is no longer active), with the
    facts of that reason."""

    kind: ClassVar[str] = "schedule_blocked"
    schedule_id: str
    due: float
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def data(self) -> dict[str, Any]:
        return {"schedule_id": self.schedule_id, "due": self.due, "reason": self.reason,
                **self.details}


# --- automatic fixes (alert rules with `auto: true`) -------------------------------------


@dataclass(frozen=True)
class AutoFixRan(AuditRecord):
    """An alert rule ran its remediation without approval, as `user` and `groups` (the
    rule's `as`), on `target` (runbook and slot values); `outcome` is the run's end state
    (`succeeded`, `failed`, or `approved` when it was only started)."""

    kind: ClassVar[str] = "auto_fix"
    rule: str
    runbook: str
    target: str
    user: str
    groups: Sequence[str] = field(default=(), hash=False)
    outcome: str = "approved"

    def data(self) -> dict[str, Any]:
        return {"rule": self.rule, "runbook": self.runbook, "target": self.target,
                "user": self.user, "groups": list(self.groups), "outcome": self.outcome}


@dataclass(frozen=True)
class AutoFixHeld(AuditRecord):
    """An automatic fix was proposed behind approval instead: `reason` is `rate_limit`
    (with `runs` in the last hour and `limit`) or `demoted` (with the failed `run`)."""

    kind: ClassVar[str] = "auto_fix_held"
    rule: str
    target: str
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def data(self) -> dict[str, Any]:
        return {"rule": self.rule, "target": self.target, "reason": self.reason,
                **self.details}


@dataclass(frozen=True)
class AutoFixDemoted(AuditRecord):
    """After a failed automatic run (`run`), the rule only proposes for `target` from now on
    (kept in the database, so a restart keeps it demoted)."""

    kind: ClassVar[str] = "auto_fix_demoted"
    rule: str
    target: str
    run: str
    reason: str


@dataclass(frozen=True)
class AutoFixRestored(AuditRecord):
    """An operator lifted a demotion (`chatops autofix restore`): `rule` runs automatically
    on `target` again; `run` is the failed run that had demoted it, `via` where it was
    lifted (`cli`). The actor of the record is who ran the command."""

    kind: ClassVar[str] = "auto_fix_restored"
    rule: str
    target: str
    run: str
    via: str = "cli"
