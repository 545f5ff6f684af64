"""Planning: slot values validated, resolved against the cluster and completed (asking the
person for what is missing), the runbook rendered into a plan, then run at once when it is
read-only or dry-run and proposed for approval when it changes something."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from chatops.audit.records import (
    AskedBack,
    Cancelled,
    Planned,
    Previewed,
    Proposed,
    Unchanged,
)
from chatops.conversation.base import Collaborators, Turn, Updates, thread_key
from chatops.conversation.drift import changed_since
from chatops.conversation.pasted import pasted_names
from chatops.conversation.presenting import Presenter, changes_in, pods_in, warnings_in
from chatops.conversation.remedies import remedies
from chatops.conversation.resolve import (
    OtherKind,
    Question,
    context_names,
    every_namespace,
    namespace_beside,
    namespace_in_words,
    namespace_named_as_workload,
    namespace_wide,
    offered_names,
    only_namespace_with,
    other_namespaces,
    read_as_other_kind,
    resolve_names,
    workload_named_as_namespace,
)
from chatops.conversation.resource_field import FIELDS, BareValue, bare_value, both_named
from chatops.conversation.rollback_version import named_revision, named_version, revision_of
from chatops.conversation.running import Runner
from chatops.conversation.thread import (
    OFFER,
    OFFER_ASKING,
    LastRequest,
    PendingQuestion,
    load_context,
    save_context,
)
from chatops.errors import ClusterError, Refusal, SlotError
from chatops.messages import (
    ALERT_CHANNEL_HINT,
    BELOW_ZERO_HINT,
    MAY_NOT_REQUEST_HINT,
    NO_CHANGE_NOTE,
    ONLY_REQUESTER_EDITS,
    alert_ambiguous_text,
    alert_channel_refused_text,
    alert_missing_labels_text,
    alert_no_such_object_text,
    already_waiting_text,
    below_zero_text,
    changed_since_note,
    channel_default_note,
    choice_question_text,
    may_not_request_text,
    namespace_in_words_note,
    namespaces_left_out_note,
    not_editable_text,
    nothing_to_change_text,
    one_namespace_at_a_time_text,
    only_namespace_note,
    past_time_text,
    read_answer_text,
    relative_count_note,
    remedies_text,
    replaced_text,
    revision_words_note,
    schedule_not_editable_text,
    slot_question_text,
    still_waits_text,
    what_if_missing_text,
    what_if_text,
    what_if_unchanged_text,
    which_field_text,
)
from chatops.metrics import METRICS
from chatops.model import Identity, Message, Plan, Risk
from chatops.policy import Requester
from chatops.replies import Reply
from chatops.results import StepResult
from chatops.runbook.render import missing_slots, relative_replicas, render, validate_slots
from chatops.runbook.schema import Runbook
from chatops.runbook.slots import NAME_TYPES, ReplicaExpr, as_typed
from chatops.runs import Asked, RunState
from chatops.schedules import context_times

_PART_WORDS = {"min": {"min", "minimum", "floor", "lower"},
               "max": {"max", "maximum", "ceiling", "cap", "upper"},
               "memory": {"memory", "mem", "ram"}}
"""Words that name a part of a slot's name ("max" of `max_replicas`), beyond itself."""


class Planner:
    """Turns a request (runbook and slot values) into a plan, then runs or proposes it."""

    def __init__(self, parts: Collaborators, presenter: Presenter, runner: Runner) -> None:
        self.parts = parts
        self.presenter = presenter
        self.runner = runner

    def request(self, turn: Turn, intent: str, slots: Mapping[str, str], confidence: float,
                *, asked: Asked, undo_of: str | None = None, notes: Sequence[str] = (),
                ask_field: bool = False, replacing: str = "", version: str = "",
                preview_only: bool = False) -> list[Reply]:
        """Plan what a person asked for: a question back while something is missing or
        ambiguous, else the read-only answer or the proposed plan. `asked`: how the request
        came about (the plan says it to the approver, and a question back keeps it for the
        answer); `notes` say how the request was read before this (values taken from the
        thread); `ask_field`: the model read the message, so a memory or CPU value whose
        field no word names is asked about (`resource_field`); `replacing`: the id of the
        waiting plan this one edits, cancelled only once this one is proposed; `version`:
        the version a rollback named in an earlier message (a question's answer, a
        follow-up elsewhere), looked up again for this deployment; `preview_only`: a
        question of what the change would do, answered with its dry-run and nothing
        proposed (`what_if`), a missing value said rather than asked for."""
        requester, thread = turn.requester, turn.thread
        runbook = self.parts.catalogue.get(intent)
        if not self.parts.policy.may_request(requester, runbook.risk):
            raise Refusal(may_not_request_text(runbook.risk, runbook.name), MAY_NOT_REQUEST_HINT)
        context = load_context(self.parts.threads, thread)
        notes = list(notes)
        slots = as_typed({name: spec.type for name, spec in runbook.slots.items()}, slots,
                         turn.message.text)
        # "is prod healthy?" as one deployment's status: the namespace's own runbook answers
        # (read-only to read-only, so the right to request it was checked above).
        runbook, slots, wide = namespace_wide(runbook, slots, self.parts.catalogue.runbooks,
                                              self.parts.executor, requester.identity)
        if wide is not None:
            intent = runbook.name
            notes.append(wide)
        if "revision" in runbook.slots and not slots.get("revision"):
            # Kept as the version, never as the revision number it is in one deployment's
            # history: an answer ("prod") or a follow-up ("and in staging?") has none.
            version = version or named_version(turn.message.text) or ""
            revision = None if version else named_revision(turn.message.text)
            if revision is not None:
                # "roll back api to 2": the model tags no revision there (a second trial
                # got the previous revision instead).
                slots = {**slots, "revision": revision}
                notes.append(revision_words_note(revision))
        else:
            version = ""
        # Before the channel's default namespace: a namespace named as a workload wins.
        # (The name is only compared with the listed namespaces, never sent to the cluster,
        # so it need not be validated first; everything is validated below.)
        values, read_as = namespace_named_as_workload(runbook, slots, self.parts.executor,
                                                      requester.identity)
        if read_as is None:
            values, read_as = workload_named_as_namespace(runbook, values, self.parts.executor,
                                                          requester.identity)
        if read_as is not None:
            notes.append(read_as)
        default_ns = self.parts.policy.default_namespace(turn.message.channel)
        if ("namespace" in runbook.slots and not values.get("namespace") and default_ns
                and (runbook.slots["namespace"].required or not every_namespace(
                    turn.message.text))):
            # "which pods run as root everywhere": every namespace, not the channel's.
            values["namespace"] = default_ns
            notes.append(channel_default_note(default_ns))
        values = {k: v for k, v in values.items() if v is not None and v != ""}
        if ("namespace" in runbook.slots and not values.get("namespace")
                and (runbook.risk is Risk.READ or preview_only)):
            # "show me events for web-frontend": a read is answered in the one namespace
            # with that very name (a user trial: asked, with that one choice); a change's
            # namespace is always the person's to say. A preview proposes nothing ("should
            # we roll back web-frontend?": a user trial was asked which), and its notes say
            # where it looked before anyone takes the change it offers.
            only = only_namespace_with(values, self.parts.executor, requester.identity)
            # Only about a namespace itself: "is checkout-api ok? staging is fine" names a
            # namespace it is not about (an attacker review).
            objects = any(values.get(name) for name, spec in runbook.slots.items()
                          if spec.type in NAME_TYPES and spec.type != "namespace")
            named = (namespace_in_words(turn.message.text, self.parts.executor,
                                        requester.identity)
                     if only is None and not objects else None)
            if only is None and objects and named is None:
                # "prod checkout-api is acting up": the namespace beside the name (a user
                # trial was asked which).
                name = next(values[n] for n, spec in runbook.slots.items()
                            if spec.type in NAME_TYPES and spec.type != "namespace"
                            and values.get(n))
                named = namespace_beside(turn.message.text, name, self.parts.executor,
                                         requester.identity)
            if only is not None:
                values["namespace"] = only[0]
                notes.append(only_namespace_note(*only))
            elif named is not None:
                # "is prod ok" (the model tagged nothing): the one namespace named.
                values["namespace"] = named
                notes.append(namespace_in_words_note(named))
        namespace = values.get("namespace", "")
        others = other_namespaces(turn.message.text, namespace, self.parts.executor,
                                  requester.identity)
        if others and runbook.risk is not Risk.READ:
            # "restart api in prod and staging": never one of them silently (a user trial).
            raise Refusal(one_namespace_at_a_time_text(runbook.name, namespace, others))
        if others:
            notes.append(namespaces_left_out_note(others))
        past = context_times(turn.message.text) if runbook.risk is not Risk.READ else ()
        if past:
            # "api fell over at 2:15, restart it": planned for now or for 2:15, either could
            # be a moment nobody asked for; a read is answered now.
            raise Refusal(past_time_text(past))
        # Validate before anything touches the cluster: hostile text stops here.
        validate_slots(runbook, values)
        # A change's names are checked against the message's words (`cut_short`); a read
        # of a name completed from its first part does no harm, and says which it read.
        changing = turn.message.text if runbook.risk is not Risk.READ else None
        try:
            resolution = resolve_names(runbook, values, self.parts.executor,
                                       requester.identity, ask_nearest=True, text=changing)
        except OtherKind as other:
            # A name of another kind of workload: read as that kind where the runbook has
            # one, else the refusal says what the name is; never another object instead.
            reread = read_as_other_kind(runbook, values, other,
                                        self.parts.catalogue.runbooks)
            if reread is None:
                raise
            values, note = reread
            notes.append(note)
            validate_slots(runbook, values)
            resolution = resolve_names(runbook, values, self.parts.executor,
                                       requester.identity, ask_nearest=True, text=changing)
        notes.extend(resolution.notes)
        values = resolution.slots
        if resolution.question is None and version:
            values = self.with_named_version(values, version, requester.identity, notes)
        both = (both_named(runbook.slots, values, turn.message.text)
                if ask_field and resolution.question is None else None)
        if both is not None:
            values = both
        bare = (bare_value(runbook.slots, values, turn.message.text)
                if ask_field and resolution.question is None and both is None else None)
        if bare is not None:
            # After every check on the message's own words (the answer, "limit", has none
            # of them) and the names resolved; before a missing value is asked for.
            return [self._which_field(turn, intent, values, bare, confidence=confidence,
                                      asked=asked, notes=notes)]
        question = resolution.question or self._missing(
            runbook, values, requester.identity, turn.message.text,
            pasted=turn.message.pasted,
            last=context.last.slots if context.last is not None else None)
        if question is not None and preview_only:
            # Its answer would be a request of its own: nobody asked for the change.
            return [Reply("answer", what_if_missing_text(question.text))]
        if question is not None:
            return [self.ask(turn, intent, values, question, confidence, asked=asked,
                             replacing=replacing, version=version)]
        current = self._relative_counts(runbook, values, turn.message.text,
                                        requester.identity, notes)
        plan = self.render(runbook, values, requester.identity, current=current)
        if preview_only and runbook.risk is not Risk.READ:
            return self.what_if(turn, plan, values, notes)
        last = ({k: v for k, v in values.items() if k != "revision"} if version else values)
        context = context.without_question(requester.key).planned(
            LastRequest(intent, last, version=version))
        save_context(self.parts.threads, thread, context)
        METRICS.plans.labels(plan.runbook).inc()
        self.parts.audit.record(Planned(plan.to_json(), plan.digest), actor=turn.message.user,
                                thread=thread)
        if runbook.risk is Risk.READ:
            return self.run_read(turn, plan, values, confidence, notes, asked=asked)
        return self.propose(turn, plan, values, confidence, notes, asked=asked, undo_of=undo_of,
                            replacing=replacing)

    def ask(self, turn: Turn, intent: str, values: Mapping[str, str], question: Question,
            confidence: float, *, asked: Asked, replacing: str = "", version: str = ""
            ) -> Reply:
        """Put `question` about the request for `intent` (with `values` so far) to the
        person, kept in the thread for their answer."""
        # Offered names are buttons only, and the question stays free text: a name the
        # list misses is not refused. An ambiguity's choices are the only answers.
        closed = () if question.any_answer else question.choices
        reply = Reply("question", choice_question_text(question.text, closed)
                      if closed else question.text, choices=question.choices)
        self.parts.audit.record(AskedBack(intent, question.slot, question.choices),
                                actor=turn.message.user, thread=turn.thread)
        context = load_context(self.parts.threads, turn.thread)
        pending = PendingQuestion(intent, dict(values), question.slot, confidence,
                                  turn.requester.name, closed,
                                  offered=question.choices if not closed else (),
                                  asked=asked, replacing=replacing, version=version)
        save_context(self.parts.threads, turn.thread,
                     context.asking(turn.requester.key, pending))
        return reply

    def with_named_version(self, values: dict[str, str], version: str, identity: Identity,
                           notes: list[str]) -> dict[str, str]:
        """`values` with the revision that runs `version` (named in a rollback: "to 1.25"),
        after names are resolved (`rollback_version`); unchanged without a deployment and
        namespace (a question asks for them first)."""
        if not values.get("deployment") or not values.get("namespace"):
            return values
        values, note = revision_of(version, values, self.parts.executor, identity)
        notes.append(note)
        return values

    def _which_field(self, turn: Turn, intent: str, values: Mapping[str, str],
                     bare: BareValue, *, confidence: float, asked: Asked,
                     notes: Sequence[str]) -> Reply:
        """Ask which field a bare memory or CPU value is for; each choice is the request
        with the value in that field, planned like a typed one when taken (with the
        model's confidence: the rest of it is still the model's reading)."""
        choices = bare.choices()
        offers = {label: LastRequest(intent, bare.slots(field, values))
                  for field, label in zip(FIELDS, choices, strict=True)}
        self._offer(turn, offers, confidence, asked)
        self.parts.audit.record(AskedBack(intent, f"{bare.kind}_limit or {bare.kind}_request",
                                          choices),
                                actor=turn.message.user, thread=turn.thread)
        head = "\n".join(f"({note})" for note in notes)
        text = which_field_text(bare.kind, bare.value)
        return Reply("question", f"{head}\n{text}".strip(), choices=choices)

    def _missing(self, runbook: Runbook, values: Mapping[str, str], identity: Identity,
                 text: str = "", *, pasted: str = "",
                 last: Mapping[str, str] | None = None) -> Question | None:
        """The question for the first missing slot (None when the request is complete),
        offering the names the person can list for a namespace, deployment or node. Any
        typed value still answers it: one the list misses is not refused. Of a group of
        which one is needed, the slot `text` names ("raise the HPA max": the maximum, where
        the minimum is the group's first; a user trial planned the answer as the minimum).
        The names `pasted` text has are offered first. An object asked for before its
        namespace is known is offered from the thread's last request (`last`, its values)
        and the paste (`resolve.context_names`)."""
        missing = missing_slots(runbook, validate_slots(runbook, values))
        if not missing:
            return None
        spec = missing[0]
        group = next((g for g in runbook.one_of if spec.name in g), ())
        if len(group) > 1 and text:
            words = set(re.findall(r"[a-z]+", text.lower()))
            named = max(group, key=lambda name: sum(
                bool(words & _PART_WORDS.get(part, {part, f"{part}s"}))
                for part in name.split("_")))
            spec = runbook.slots[named]
        offered = offered_names(spec.type, values, self.parts.executor, identity)
        in_paste = pasted_names(pasted) if pasted else ""
        if (not offered and spec.type in ("deployment", "pod", "cronjob")
                and not values.get("namespace")):
            offered = context_names(spec.type, self.parts.executor, identity, last=last,
                                    pasted=in_paste)
        if last and last.get(spec.name) in offered:
            # "is node-2 ok?" then "cordon it": the thread's last object first, still to
            # be picked.
            offered = (last[spec.name], *(n for n in offered if n != last[spec.name]))
        if in_paste and offered:
            # "restart it" under a paste that names calc-app: never taken from the paste,
            # but offered first.
            words = set(in_paste.split())
            offered = (*(n for n in offered if n in words),
                       *(n for n in offered if n not in words))
        return Question(spec.name, slot_question_text(spec.name, spec.prompt), offered,
                        any_answer=True)

    def prepare(self, runbook: Runbook, slots: Mapping[str, str], identity: Identity,
                notes: list[str]) -> dict[str, str]:
        """Validate, resolve names and check completeness for a request nobody can be asked
        about (alerts): ambiguity and missing slots are refusals."""
        values = {k: v for k, v in slots.items() if v}
        validate_slots(runbook, values)
        resolution = resolve_names(runbook, values, self.parts.executor, identity)
        if resolution.question is not None:
            question = resolution.question
            raise Refusal(alert_ambiguous_text(runbook.name, question.text, question.choices))
        # An alert's labels name objects exactly: one that names nothing (gone, or a
        # mislabelled rule) is never completed to a similar name, since nobody reads the
        # plan of an automatic fix before it runs.
        for name, value in values.items():
            if resolution.slots.get(name) != value:
                spec = runbook.slots[name]
                raise Refusal(alert_no_such_object_text(runbook.name, spec.type, value,
                                                        values.get("namespace")))
        notes.extend(resolution.notes)
        missing = missing_slots(runbook, validate_slots(runbook, resolution.slots))
        if missing:
            raise Refusal(alert_missing_labels_text(runbook.name, [s.name for s in missing]))
        return resolution.slots

    def _relative_counts(self, runbook: Runbook, values: Mapping[str, str], text: str,
                         identity: Identity, notes: list[str]) -> int | None:
        """The current replica count when a count is given relative to it ("-1": one
        fewer), each such count noted with what it comes to (the count is read once, for
        the notes and the rendering); a message that asks for a count "to -1" is refused
        (a user trial: planned as one fewer without a word). None without one."""
        typed = validate_slots(runbook, values)
        relative = {name: value for name, value in typed.items()
                    if isinstance(value, ReplicaExpr) and value.relative}
        current = None
        for name, expr in relative.items():
            if expr.op == "add" and expr.amount < 0 and re.search(
                    rf"\bto\s*-\s*{int(-expr.amount)}\b", text):
                raise SlotError(name, below_zero_text(values[name]), BELOW_ZERO_HINT)
            if current is None:
                current = self.parts.executor.current_replicas(values["namespace"],
                                                               values["deployment"], identity)
            notes.append(relative_count_note(name, values[name], current,
                                             expr.resolve(current)))
        return current

    def render(self, runbook: Runbook, slots: Mapping[str, str],
               identity: Identity | None, *, current: int | None = None) -> Plan:
        """The runbook rendered with `slots` (relative replica counts read as `identity`,
        unless the caller read the `current` count already)."""
        if current is None and relative_replicas(runbook, slots):
            current = self.parts.executor.current_replicas(slots["namespace"],
                                                           slots["deployment"], identity)
        return render(runbook, slots, current_replicas=current)

    def preview(self, plan: Plan, identity: Identity) -> list[StepResult]:
        """The plan's steps dry-run on the server as `identity`."""
        return [self.parts.executor.run_step(step, identity, dry_run=True)
                for step in plan.steps]

    def run_read(self, turn: Turn, plan: Plan, slots: Mapping[str, str], confidence: float,
                 notes: list[str], *, asked: Asked) -> list[Reply]:
        """Run a read-only plan at once as the requester and answer with its records."""
        message, requester = turn.message, turn.requester
        run = self.parts.store.create(
            state=RunState.RUNNING, runbook=plan.runbook, risk=plan.risk,
            requester=requester.key, requester_name=requester.name,
            identity=requester.identity, channel=message.channel, thread=message.thread,
            raw_slots=dict(slots), plan=plan.to_record(), digest=plan.digest, needed=0,
            confidence=confidence, notes=notes, expires_at=self.parts.clock(),
            owner=self.parts.worker.worker_id, asked_as=asked)
        records = self.runner.read(run, plan, requester.identity)
        replies = [Reply("answer", read_answer_text(notes, records), records=records)]
        fixes = remedies(records, self.parts.catalogue, self.parts.policy, requester)
        if fixes:
            # The fix is one click away, and only that: taking it plans it like a typed
            # request (dry-run, approvals); the diagnosis itself never runs it.
            labels = tuple(fix.label for fix in fixes)
            self._offer(turn, {fix.label: LastRequest(fix.runbook, fix.slots, fix.caveat)
                               for fix in fixes}, 1.0, Asked.FIX)
            replies.append(Reply("answer", remedies_text(labels), choices=labels))
        return replies

    def what_if(self, turn: Turn, plan: Plan, slots: Mapping[str, str], notes: list[str]
                ) -> list[Reply]:
        """A change's preview for a question of what it would do: its dry-run as the asker,
        audited, and the change offered as a choice (taking it plans it like a typed
        request); nothing is proposed, so nobody can approve what nobody asked for, and the
        thread's last request stays what it was (a follow-up repeats no preview)."""
        message, requester = turn.message, turn.requester
        preview = [p.to_json() for p in self.preview(plan, requester.identity)]
        self.parts.audit.record(Planned(plan.to_json(), plan.digest), actor=message.user,
                                thread=turn.thread)
        self.parts.audit.record(Previewed(plan.digest, preview), actor=message.user,
                                thread=turn.thread)
        if not any(p.get("changes") for p in preview):
            return [Reply("answer", what_if_unchanged_text(plan.explanation))]
        policy = self.parts.policy
        needed = policy.approvals_needed(plan.risk)
        waits = (f"waits for {needed} approval{'s' if needed != 1 else ''} from "
                 f"{policy.approvers_text(plan.risk)}" if needed else "needs no approval")
        text = what_if_text(plan.explanation, notes, changes=changes_in(preview),
                            pods=pods_in(preview), warnings=warnings_in(preview),
                            runbook=plan.runbook, approvals=waits)
        self._offer(turn, {plan.runbook: LastRequest(plan.runbook, dict(slots))}, 1.0,
                    Asked.PREVIEW)
        return [Reply("answer", text, choices=(plan.runbook,))]

    def _offer(self, turn: Turn, offers: Mapping[str, LastRequest], confidence: float,
               asked: Asked) -> None:
        """Ask the requester to choose one of `offers` (label -> the request it plans, with
        `confidence`, asked as `asked`): the thread's one open question of theirs."""
        offer = PendingQuestion(OFFER, {}, OFFER_ASKING, confidence, turn.requester.name,
                                tuple(offers), offers, asked=asked)
        context = load_context(self.parts.threads, turn.thread)
        save_context(self.parts.threads, turn.thread, context.asking(turn.requester.key, offer))

    def propose(self, turn: Turn, plan: Plan, slots: Mapping[str, str], confidence: float,
                notes: list[str], *, asked: Asked, undo_of: str | None,
                act_as_approver: bool = False, replacing: str = "") -> list[Reply]:
        """Dry-run the plan and store it as a proposed run bound to plan and dry-run; run it
        at once when the policy needs no approvals. `replacing`: the waiting plan this one
        edits, cancelled here, once this one's dry-run has succeeded (a refused edit
        leaves it waiting)."""
        message, requester = turn.message, turn.requester
        if (not act_as_approver and undo_of is None
                and (same := self._waiting_same(turn, plan)) is not None):
            # Both approved, two identical restarts would restart twice.
            return [Reply("answer", already_waiting_text(same))]
        preview = [p.to_json() for p in self.preview(plan, requester.identity)]
        if not act_as_approver and not any(p.get("changes") for p in preview):
            # Every write verb lists what its dry-run would change (`executor.registry`),
            # so an empty diff means the cluster is already as asked: a proposal would only
            # ask an approver to click on nothing (and run a no-op as the requester later).
            # An alert's proposal keeps its run and says so: its thread follows the alert.
            self.parts.audit.record(Unchanged(plan.digest, preview), actor=message.user,
                                    thread=turn.thread)
            text = nothing_to_change_text(plan.explanation, notes)
            return [Reply("answer", f"{text} {still_waits_text(replacing)}" if replacing
                          else text)]
        undone = self.parts.store.get(undo_of) if undo_of is not None else None
        drifted = changed_since(undone.preview, preview) if undone is not None else ()
        if drifted:
            notes.append(changed_since_note(str(undo_of), drifted))
        replaced = self._cancel_replaced(replacing, message) if replacing else []
        needed = self.parts.policy.approvals_needed(plan.risk)
        run = self.parts.store.create(
            state=RunState.PROPOSED, runbook=plan.runbook, risk=plan.risk,
            requester=requester.key, requester_name=requester.name,
            identity=requester.identity, channel=message.channel, thread=message.thread,
            raw_slots=dict(slots), plan=plan.to_record(), digest=binding(plan, preview),
            preview=preview, needed=needed, confidence=confidence, notes=notes,
            expires_at=self.parts.clock() + self.parts.policy.expiry.total_seconds(),
            undo_of=undo_of, act_as_approver=act_as_approver, asked_as=asked)
        self.parts.audit.record(Proposed(plan.digest, needed, preview), actor=message.user,
                                run_id=run.id, thread=turn.thread)
        if not any(p.get("changes") for p in preview):
            notes.append(NO_CHANGE_NOTE)
            self.parts.store.update(run.id, notes=notes)
        replies = [*replaced, self.presenter.reply("plan", run.id)]
        # A proposal nobody asked for waits for someone to take it on, whatever the count:
        # run now, it would act as the preview identity.
        if needed == 0 and not act_as_approver and self.parts.store.transition(
                run.id, (RunState.PROPOSED,), RunState.APPROVED):
            replies += self.runner.execute(run.id, plan, turn.on_update)
        return replies

    def _waiting_same(self, turn: Turn, plan: Plan) -> str | None:
        """The id of the requester's unexpired proposal of exactly `plan` in this thread, to
        run now as the same identity: a schedule's proposal (to start, change or fire a
        schedule) is another request, whatever its plan."""
        now, requester = self.parts.clock(), turn.requester
        for run in self.parts.store.runs_in_thread(turn.message.channel, turn.message.thread):
            if (run.state is RunState.PROPOSED and run.requester == requester.key
                    and run.identity == requester.identity and run.expires_at > now
                    and not run.act_as_approver and run.undo_of is None
                    and Plan.from_record(run.plan).digest == plan.digest
                    and not self.parts.schedule_run(run.id)):
                return run.id
        return None

    def start_unattended(self, turn: Turn, plan: Plan, slots: Mapping[str, str],
                         notes: list[str]) -> str:
        """Store a plan that an alert rule runs without approval (`auto: true`): dry-run
        and stored like a proposal, as the rule's identity, then approved by a conditional
        transition (no person approves; the rule did). Returns the run id; the caller
        executes it (`Runner.execute`, which moves it to running exactly once)."""
        message, requester = turn.message, turn.requester
        preview = [p.to_json() for p in self.preview(plan, requester.identity)]
        run = self.parts.store.create(
            state=RunState.PROPOSED, runbook=plan.runbook, risk=plan.risk,
            requester=requester.key, requester_name=requester.name,
            identity=requester.identity, channel=message.channel, thread=message.thread,
            raw_slots=dict(slots), plan=plan.to_record(), digest=binding(plan, preview),
            preview=preview, needed=0, confidence=1.0, notes=notes,
            expires_at=self.parts.clock() + self.parts.policy.expiry.total_seconds(),
            asked_as=Asked.ALERT_RULE)
        self.parts.audit.record(Proposed(plan.digest, 0, preview), actor=message.user,
                                run_id=run.id, thread=turn.thread)
        # Owned by this process while it waits in the queue: if the process dies before it
        # runs, the orphan sweep marks it interrupted (it never stays approved, never runs
        # twice); while the process lives, nobody else touches it.
        store, worker = self.parts.store, self.parts.worker
        worker.heartbeat()
        if not store.transition(run.id, (RunState.PROPOSED,), RunState.APPROVED,
                                owner=worker.worker_id):
            raise Refusal(not_editable_text(run.id, self.parts.run(run.id).state.value))
        return run.id

    def for_alert(self, turn: Turn, intent: str, slots: Mapping[str, str]
                  ) -> tuple[Runbook, Plan, dict[str, str]]:
        """Prepare and render a request nobody typed (an alert's): runbook, plan, slots."""
        channel = turn.message.channel
        if not self.parts.policy.channel_allowed(channel):
            raise Refusal(alert_channel_refused_text(channel), ALERT_CHANNEL_HINT)
        runbook = self.parts.catalogue.get(intent)
        raw = self.prepare(runbook, slots, turn.requester.identity, [])
        return runbook, self.render(runbook, raw, turn.requester.identity), raw

    def replace(self, run_id: str, message: Message, slots: Mapping[str, str],
                on_update: Updates | None, *, confidence: float | None = None
                ) -> list[Reply]:
        """Cancel a proposed run and plan it again with changed slot values (an edit).

        `confidence`: the model's, for an edit in words; the new plan shows the lower of it
        and the old plan's (an explicit command edited by a guess is no explicit command)."""
        run = self.parts.run(run_id)
        requester = self.parts.policy.requester(message)
        if requester.key != run.requester or run.act_as_approver:
            raise Refusal(ONLY_REQUESTER_EDITS)
        if run.state is not RunState.PROPOSED:
            raise Refusal(not_editable_text(run_id, run.state.value))
        if self.parts.schedule_run(run_id):
            # Edited, a schedule's proposal (to start, resume or delete it) would become a
            # change to make now (an attacker review): a schedule is asked for again.
            raise Refusal(schedule_not_editable_text(run_id))
        raw = {**run.raw_slots, **{k: v for k, v in slots.items() if v}}
        turn = Turn(message, requester, thread_key(message), on_update)
        shown = run.confidence if confidence is None else min(confidence, run.confidence)
        # Edited in words, the model read the new values (an explicit command edited by a
        # guess is no command); by the Edit button the plan is what it was asked as, with
        # values the person typed (an undo so edited undoes nothing exactly any more).
        # A button edit of the object or namespace is a request of the person's own (no
        # diagnosis suggested a fix for that object, no alert asked for it).
        declared = self.parts.catalogue.get(run.runbook).slots
        moved = any(raw.get(k) != run.raw_slots.get(k) for k in raw
                    if k in declared and declared[k].type in NAME_TYPES)
        asked = (Asked.MODEL if confidence is not None or shown < 1
                 else Asked.COMMAND if run.asked_as in (None, Asked.UNDO) or moved
                 else run.asked_as)
        try:
            return self.request(turn, run.runbook, raw, shown, asked=asked, replacing=run_id)
        except (Refusal, ClusterError) as exc:
            # A user trial: the plan was cancelled first, and a refused edit made it vanish.
            exc.message = f"{exc.message} {still_waits_text(run_id)}"
            raise

    def _cancel_replaced(self, run_id: str, message: Message) -> list[Reply]:
        """Cancel the waiting plan an edit replaces, now that the edit is proposed; a plan
        decided meanwhile (approved, denied, expired) is not edited."""
        run = self.parts.run(run_id)
        if not self.parts.store.transition(run_id, (RunState.PROPOSED,), RunState.CANCELLED):
            raise Refusal(not_editable_text(run_id, self.parts.run(run_id).state.value))
        METRICS.runs.labels(run.runbook, RunState.CANCELLED.value).inc()
        self.parts.audit.record(Cancelled("edited"), actor=message.user, run_id=run_id)
        return [Reply("update", replaced_text(run_id), run=self.presenter.view(run_id))]


def alert_turn(intent: str, identity: Identity, *, channel: str, thread: str | None,
               actor: str) -> Turn:
    """The turn of a request nobody typed (an alert's), made as `actor` with `identity`."""
    message = Message(user=actor, text=f"run {intent}", channel=channel, thread=thread,
                      source="alert")
    return Turn(message, Requester(actor, actor, identity, mapped=False), thread_key(message),
                None)


def binding(plan: Plan, preview: Sequence[Mapping[str, Any]]) -> str:
    """What an approval is bound to: the exact plan and what its dry-run would change, from
    which values.

    The "after" side is left out: the plan (in its digest) determines it, except for values
    made at run time such as a restart's timestamp, which differ on every dry-run and would
    make every restart look drifted.
    """
    changes = [[(c["path"], c["before"]) for c in p.get("changes", [])] for p in preview]
    # The pods a change keeps as they are (a rollback's revision's) are left out of the
    # blast radius shown: if fewer are kept when it runs (the rollout in progress moved
    # on), more are replaced than were approved. Their count is bound, only where there
    # are any, so that the bindings of every other plan stay as they were.
    kept = [len(p.get("kept_pods") or ()) for p in preview]
    blob = json.dumps([plan.digest, changes, *([kept] if any(kept) else [])],
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
