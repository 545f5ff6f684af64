"""The conversation service: everything between "a message arrived" and "it is explained
and audited". Slack, the console and the alert channel are thin surfaces on it.

Per thread it parses (explicit grammar or the model), resolves slot values against the
cluster, asks for what is missing, renders the runbook into a plan, previews it with a
server-side dry-run, collects approvals bound to the plan's digest, runs it exactly once
as the requester, verifies it, and explains each step. Every step is audited.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from chatops.approvals.runs import Run, RunState, RunStore
from chatops.conversation.resolve import resolve_names
from chatops.errors import ClusterError, NotFound, Refusal
from chatops.messages import (
    adopted_text,
    help_text,
    question_for_someone_else,
    records_text,
    refusal_text,
    run_view_text,
    which_request_text,
)
from chatops.model import META_INTENTS, OUT_OF_SCOPE, Identity, Message, ParsedIntent, Plan, Risk
from chatops.policy import Policy, Requester
from chatops.ports import AuditSink, Executor, IntentParser
from chatops.replies import Reply, RunView
from chatops.results import Record, StepResult
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.grammar import is_explicit, parse_explicit
from chatops.runbook.render import (
    missing_slots,
    relative_replicas,
    render,
    undo_slots,
    validate_slots,
)
from chatops.runbook.schema import Runbook
from chatops.verbs import summarize

log = logging.getLogger(__name__)

Updates = Callable[[Reply], None]
"""Receives replies while a run is in progress (Slack edits the plan message with them)."""

_META_WORDS = {
    "help": "help", "?": "help", "cancel": "cancel", "stop": "cancel", "nevermind": "cancel",
    "never mind": "cancel", "undo": "undo", "revert that": "undo", "approve": "confirm",
    "confirm": "confirm", "yes": "confirm", "deny": "deny", "reject": "deny",
}
_FOLLOW_UP = re.compile(
    r"^(?:and|what about|how about|same)\s+(?:for\s+|in\s+)?(?:the\s+)?(?:namespace\s+)?"
    r"`?([a-z0-9][a-z0-9-]{0,62})`?(?:\s+namespace)?\s*\??$",
    re.IGNORECASE,
)
_FOLLOW_UP_WORDS = 3
_FILLER = {"in", "the", "namespace", "ns", "please", "pls", "it's", "its", "it", "is", "use",
           "deployment", "pod", "node", "cronjob", "to", "on"}


BINDING_SHOWN = 12
"""Hex digits of a run's binding that its buttons carry (48 bits: no accidental match)."""
_DECIDE_ID = re.compile(r"^(approve|confirm|yes|deny|reject)\s+`?(r-[0-9a-f]{8})`?[.!]?$",
                        re.IGNORECASE)


@dataclass(frozen=True)
class ServiceConfig:
    """Knobs of the conversation that are not policy."""

    progress_interval: float = 2.0
    """Seconds between progress updates to a surface while a run is going."""


@dataclass(frozen=True)
class _Turn:
    """One message being answered: who sent it, where, and where progress goes."""

    message: Message
    requester: Requester
    thread: str
    on_update: Updates | None


class ConversationService:
    """The conversation engine; every collaborator is injected."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        executor: Executor,
        policy: Policy,
        store: RunStore,
        audit: AuditSink,
        parser: IntentParser | None = None,
        config: ServiceConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalogue = catalogue
        self.executor = executor
        self.policy = policy
        self.store = store
        self.audit = audit
        self.parser = parser
        self.config = config or ServiceConfig()
        self.clock = clock

    # ----------------------------------------------------------------- entry points

    def handle(self, message: Message, *, on_update: Updates | None = None) -> list[Reply]:
        """Answer one message in its thread. A repeated `event_id` answers nothing."""
        if message.event_id and not self.store.claim(f"event:{message.event_id}"):
            log.info("duplicate event %s ignored", message.event_id)
            return []
        thread = _thread_key(message)
        self.audit.append("message", actor=message.user, thread=thread,
                          data={"text": message.text, "channel": message.channel,
                                "source": message.source})
        return self._guard(thread, lambda: self._handle(message, thread, on_update))

    def decide(self, run_id: str, message: Message, decision: Literal["approve", "deny"], *,
               dedupe_key: str | None = None, on_update: Updates | None = None,
               origin: str | None = None, shown: str | None = None) -> list[Reply]:
        """An approver's click (or `approve ID` in the console) on a proposed run.

        `origin` is the chat message the click came from (`channel:ts`); a click whose
        message is not the run's own (a button replayed onto another run, a made-up
        payload) is refused and audited. `shown` is the binding the clicked message showed
        (`RunView.binding`): when the plan changed since, the click approves nothing.
        """
        if dedupe_key and not self.store.claim(f"action:{dedupe_key}"):
            log.info("duplicate action %s ignored", dedupe_key)
            return []

        def work() -> list[Reply]:
            run = self._run(run_id)
            if origin is not None:
                self._check_origin(run, message, origin)
            if shown and decision == "approve" and not run.digest.startswith(shown):
                raise Refusal(f"The plan of {run_id} changed after that message was shown, so "
                              "your click approved nothing.",
                              "Read the new diff on the request's message, then approve it.")
            return self._decide(run_id, message, decision, on_update)
        return self._guard(_thread_key(message), work)

    def _check_origin(self, run: Run, message: Message, origin: str) -> None:
        channel = origin.split(":", 1)[0]
        if channel == run.channel and (run.message_ref is None or origin == run.message_ref):
            return
        self.audit.append("rejected", actor=message.user, run_id=run.id,
                          thread=_run_thread(run),
                          data={"what": "click", "reason": "the button is not on this run's "
                                "message", "origin": origin, "message_ref": run.message_ref})
        raise Refusal(f"That button doesn't belong to {run.id}; nothing was changed.",
                      "Use the buttons on the request's own message.")

    def edit(self, run_id: str, message: Message, slots: Mapping[str, str], *,
             on_update: Updates | None = None) -> list[Reply]:
        """Re-plan a proposed run with changed slot values (Slack's Edit modal)."""
        def work() -> list[Reply]:
            run = self._run(run_id)
            requester = self.policy.requester(message)
            if requester.key != run.requester or run.act_as_approver:
                raise Refusal("Only the person who asked can edit this request.")
            if not self.store.transition(run_id, (RunState.PROPOSED,), RunState.CANCELLED):
                raise Refusal(f"{run_id} is already {self._run(run_id).state}; it can't be "
                              "edited.")
            self.audit.append("cancelled", actor=message.user, run_id=run_id,
                              data={"reason": "edited"})
            replies = [Reply("update", f"{run_id} was replaced by an edited request.",
                             run=self.view(run_id))]
            raw = {**run.raw_slots, **{k: v for k, v in slots.items() if v}}
            turn = _Turn(message, requester, _thread_key(message), on_update)
            return [*replies, *self._request(turn, run.runbook, raw, run.confidence)]
        return self._guard(_thread_key(message), work)

    def recover(self) -> list[Reply]:
        """At start-up: runs left `running` by a dead process become `interrupted`."""
        self.store.heartbeat()
        replies = []
        for run in self.store.interrupt_orphans():
            self.audit.append("interrupted", run_id=run.id, thread=_run_thread(run),
                              data={"reason": "the bot process stopped during the run"})
            replies.append(Reply(
                "update",
                f"{run.id} ({run.runbook}) was interrupted: the bot stopped while it was "
                "running. Check the cluster state before trying again.",
                run=self.view(run.id)))
        return replies

    def view(self, run_id: str) -> RunView:
        """The run as plan and result messages show it."""
        run = self._run(run_id)
        plan = Plan.from_record(run.plan)
        changes: list[str] = []
        pods: list[str] = []
        for preview in run.preview:
            for change in preview.get("changes", []):
                changes.append(f"{change['path']}: {_fmt(change['before'])} -> "
                               f"{_fmt(change['after'])}")
            pods.extend(p for p in preview.get("affected_pods", []) if p not in pods)
        confidence = (f", confidence {run.confidence:.2f}" if run.confidence < 1
                      else " (explicit command)" if run.confidence == 1 else "")
        head = summarize(plan.steps[0].verb, plan.steps[0].params) if plan.steps else run.runbook
        undo = ""
        if plan.undo:
            undo = (f"say `undo` in this thread afterwards to run {plan.undo.runbook} "
                    "with the previous values")
        result = run.result
        outcome = str(result.get("text", "")) if result else ""
        return RunView(
            id=run.id, state=run.state.value, runbook=run.runbook, risk=Risk(run.risk),
            requester=run.requester_name, understood=f"{head}{confidence}",
            explanation=plan.explanation, steps=tuple(summarize(s.verb, s.params)
                                                      for s in plan.steps),
            changes=tuple(changes), blast_radius=tuple(pods),
            approvals=tuple(a.approver_name for a in self._valid_approvals(run)),
            needed=run.needed, approvers=self.policy.approvers_text(Risk(run.risk)),
            undo=undo, notes=run.notes, outcome=outcome,
            progress=str(result.get("progress", "")) if run.state is RunState.RUNNING else "",
            audit_id=result.get("audit_id") if result else None, message_ref=run.message_ref,
            binding=run.digest[:BINDING_SHOWN],
        )

    def run_readonly(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                     channel: str, thread: str | None, actor: str) -> Reply:
        """Run a read-only runbook on the bot's initiative (alert diagnostics), as `identity`.

        Refusals (a missing label, an unknown namespace) come back as a reply, not an error.
        """
        def run(turn: _Turn, runbook: Runbook, plan: Plan, raw: dict[str, str]) -> list[Reply]:
            if runbook.risk is not Risk.READ:
                raise Refusal(f"{intent} is not read-only.")
            return self._run_read(turn, plan, raw, 1.0, [])
        return self._on_own_initiative(intent, slots, identity, channel=channel, thread=thread,
                                       actor=actor, then=run)[0]

    def propose_for_alert(self, intent: str, slots: Mapping[str, str], *, identity: Identity,
                          channel: str, thread: str | None, actor: str) -> list[Reply]:
        """Propose a remediation under an alert; `identity` makes the dry-run preview only.

        Nobody asked for it, so the first person who approves it becomes its requester: the
        policy must let them request it, it runs as them, and it then needs the same
        approvals from others as if they had asked (see `_adopt`).
        """
        def propose(turn: _Turn, _runbook: Runbook, plan: Plan,
                    raw: dict[str, str]) -> list[Reply]:
            return self._propose(turn, plan, raw, 1.0, [], undo_of=None, act_as_approver=True)
        return self._on_own_initiative(intent, slots, identity, channel=channel, thread=thread,
                                       actor=actor, then=propose)

    def _on_own_initiative(
            self, intent: str, slots: Mapping[str, str], identity: Identity, *, channel: str,
            thread: str | None, actor: str,
            then: Callable[[_Turn, Runbook, Plan, dict[str, str]], list[Reply]]) -> list[Reply]:
        """Prepare and render a request nobody typed (an alert's), then hand it to `then`."""
        message = Message(user=actor, text=f"run {intent}", channel=channel, thread=thread,
                          source="alert")
        turn = _Turn(message, Requester(actor, actor, identity, mapped=False),
                     _thread_key(message), None)

        def work() -> list[Reply]:
            if not self.policy.channel_allowed(channel):
                raise Refusal(f"The policy doesn't allow requests in {channel}, so I ran "
                              "nothing for this alert.",
                              "Add the alert channel to the policy's channels.")
            runbook = self.catalogue.get(intent)
            raw = self._prepare(runbook, dict(slots), identity, [])
            return then(turn, runbook, self._render(runbook, raw, identity), raw)
        return self._guard(turn.thread, work)

    # ----------------------------------------------------------------- message handling

    def _guard(self, thread: str, work: Callable[[], list[Reply]]) -> list[Reply]:
        try:
            return work()
        except Refusal as exc:
            self.audit.append("refusal", thread=thread, data={"text": refusal_text(exc)})
            return [Reply("refusal", refusal_text(exc))]
        except NotFound as exc:
            text = f"{exc.message} {exc.hint}".strip()
            self.audit.append("refusal", thread=thread, data={"text": text})
            return [Reply("refusal", text)]
        except ClusterError as exc:
            text = f"The cluster refused: {exc.message} {exc.hint}".strip()
            self.audit.append("refusal", thread=thread, data={"text": text})
            return [Reply("refusal", text)]
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("internal error (reference %s)", ref)
            self.audit.append("error", thread=thread, data={"reference": ref})
            return [Reply("refusal", f"Something went wrong on my side (reference {ref}). "
                                     "The audit log shows what was done.")]

    def _handle(self, message: Message, thread: str, on_update: Updates | None) -> list[Reply]:
        if not self.policy.channel_allowed(message.channel):
            raise Refusal("I don't take requests in this channel.",
                          "Ask in one of the channels the policy allows.")
        turn = _Turn(message, self.policy.requester(message), thread, on_update)
        text = message.text.strip()
        if not text:
            raise Refusal("The message is empty.", "Try `help`, or e.g. `show pods in dev`.")
        ctx = self.store.load_thread(thread)
        by_id = _DECIDE_ID.match(text)
        if by_id is not None:
            return self._decide_in_thread(by_id.group(2), by_id.group(1).lower(), turn)
        meta = _META_WORDS.get(text.lower().rstrip(".!"))
        pending = _pending(ctx)
        if pending and meta is None and not is_explicit(text):
            mine = pending.get(turn.requester.key)
            if mine is not None:
                answered = self._answer_pending(mine, text)
                if answered is not None:
                    intent, slots, confidence = answered
                    return self._request(turn, intent, slots, confidence)
            else:
                # A question belongs to the person it was asked of: someone else's answer
                # would make the plan theirs (and run as them), so it is not taken.
                for other in pending.values():
                    if self._answer_pending(other, text) is not None:
                        return [Reply("notice", question_for_someone_else(
                            str(other.get("asker_name") or "someone else")), ephemeral=True)]
        follow = self._follow_up(text, None, ctx)
        if follow is not None:
            return self._request(turn, *follow, 1.0)
        if meta is not None:
            parsed = ParsedIntent(meta, {}, 1.0, source="grammar")
        else:
            parsed = self._parse(text)
        self.audit.append("parse", actor=message.user, thread=thread, data=parsed.to_json())
        if parsed.intent in META_INTENTS:
            return self._meta(parsed.intent, turn, ctx)
        follow = self._follow_up(text, parsed, ctx)
        if follow is not None:
            intent, slots = follow
            return self._request(turn, intent, slots, parsed.confidence)
        if parsed.intent == OUT_OF_SCOPE:
            return [self._out_of_scope(parsed)]
        slots = dict(parsed.slots)
        if parsed.source == "model" and parsed.intent in self.catalogue:
            # A slot the runbook doesn't declare is the model's mislabel ("2" tagged
            # min_replicas in a scale request): drop it and ask for what is missing, rather
            # than refuse. The explicit grammar still refuses unknown keys.
            declared = self.catalogue.get(parsed.intent).slots
            slots = {k: v for k, v in slots.items() if k in declared}
        return self._request(turn, parsed.intent, slots, parsed.confidence)

    def _parse(self, text: str) -> ParsedIntent:
        if is_explicit(text):
            return parse_explicit(text, self.catalogue)
        if self.parser is None:
            raise Refusal("I only understand explicit commands here.",
                          "Example: run show_pods namespace=dev")
        return self.parser.parse(text)

    def _out_of_scope(self, parsed: ParsedIntent) -> Reply:
        # Only candidates the model gave real weight to; near-zero scores are noise.
        close = [name for name, score in parsed.alternatives
                 if name in self.catalogue and score >= 0.05][:3]
        if close:
            options = ", ".join(f"`{n}`" for n in close)
            return Reply("answer", "I'm not sure what you want me to do, so I won't guess. "
                                   f"Closest runbooks: {options}. Say it differently, or use "
                                   "`run NAME key=value ...`.", choices=tuple(close))
        return Reply("answer", "That is outside what I can do: I only run the reviewed "
                               "runbooks. `help` lists them.")

    def _decide_in_thread(self, run_id: str, word: str, turn: _Turn) -> list[Reply]:
        """`approve r-1a2b3c4d` typed in a thread: only for a request of that thread."""
        run = self._run(run_id)
        if (run.channel, run.thread) != (turn.message.channel, turn.message.thread):
            raise Refusal(f"{run_id} is not a request of this thread.",
                          "Decide on it in its own thread, or with its buttons.")
        decision: Literal["approve", "deny"] = "deny" if word in ("deny", "reject") else "approve"
        return self._decide(run_id, turn.message, decision, turn.on_update)

    def _answer_pending(self, pending: Mapping[str, Any], text: str
                        ) -> tuple[str, dict[str, str], float] | None:
        slot = pending["asking"]
        value: str | None = None
        choices = pending.get("choices") or []
        if choices:
            word = text.strip().strip("`").lower()
            if word.isdigit() and 1 <= int(word) <= len(choices):
                value = choices[int(word) - 1]
            elif word in choices:
                value = word
        else:
            if self.parser is not None and not is_explicit(text):
                parsed = self.parser.parse(text)
                if parsed.intent in self.catalogue and parsed.confidence >= 0.9 and (
                        parsed.intent != pending["intent"] or set(parsed.slots) - {slot}):
                    # "restart checkout in staging" while asked "which deployment?" is a new
                    # request; taking only its deployment would drop the namespace it names.
                    return None
                if parsed.slots.get(slot):
                    value = parsed.slots[slot]
            if value is None:
                words = [w for w in re.split(r"\s+", text.strip().strip("`?.!").lower())
                         if w and w not in _FILLER]
                if len(words) == 1:
                    value = words[0].strip("`")
        if value is None:
            return None
        slots = {**pending["slots"], slot: value}
        return pending["intent"], slots, float(pending.get("confidence", 1.0))

    def _follow_up(self, text: str, parsed: ParsedIntent | None, ctx: dict[str, Any]
                   ) -> tuple[str, dict[str, str]] | None:
        last = ctx.get("last")
        if not last:
            return None
        runbook = self.catalogue.runbooks.get(last["intent"])
        if runbook is None or "namespace" not in runbook.slots:
            return None
        match = _FOLLOW_UP.match(text.strip())
        namespace = match.group(1).lower() if match else None
        # The model may also see a bare namespace ("staging?"); only in a short message, so
        # that "kubectl delete namespace prod" is never read as "the same, in prod".
        if (namespace is None and parsed is not None and set(parsed.slots) == {"namespace"}
                and parsed.intent in (OUT_OF_SCOPE, last["intent"])
                and len(text.split()) <= _FOLLOW_UP_WORDS):
            namespace = parsed.slots["namespace"]
        if namespace is None:
            return None
        return last["intent"], {**last["slots"], "namespace": namespace}

    def _meta(self, intent: str, turn: _Turn, ctx: dict[str, Any]) -> list[Reply]:
        message, requester, thread = turn.message, turn.requester, turn.thread
        if intent == "help":
            order = list(Risk)
            rows = [(rb.name, rb.risk.value, rb.description)
                    for rb in sorted(self.catalogue, key=lambda r: (order.index(r.risk), r.name))]
            return [Reply("answer", help_text(rows))]
        if intent == "cancel":
            # A pending question is what "cancel" most likely means; otherwise the newest
            # plan this person asked for in the thread (one, not all of them).
            if _pending(ctx).pop(requester.key, None) is not None:
                self.store.save_thread(thread, ctx)
                return [Reply("answer", "Cancelled; nothing was changed.")]
            for run in self.store.runs_in_thread(message.channel, message.thread):
                if run.state is RunState.PROPOSED and run.requester == requester.key:
                    if self.store.transition(run.id, (RunState.PROPOSED,), RunState.CANCELLED):
                        self.audit.append("cancelled", actor=message.user, run_id=run.id,
                                          thread=thread)
                    return [Reply("update", f"Cancelled {run.id}; nothing was changed.",
                                  run=self.view(run.id))]
            return [Reply("answer", "There is nothing to cancel here.")]
        if intent in ("confirm", "deny"):
            decision: Literal["approve", "deny"] = "approve" if intent == "confirm" else "deny"
            waiting = [run for run in self.store.runs_in_thread(message.channel, message.thread)
                       if run.state is RunState.PROPOSED]
            if not waiting:
                return [Reply("answer", "There is no request waiting for a decision here.")]
            if len(waiting) > 1:
                # "yes" must not land on a request added after the one the person read.
                return [Reply("answer", which_request_text(decision, [r.id for r in waiting]))]
            return self._decide(waiting[0].id, message, decision, turn.on_update)
        return self._undo(turn)

    def _undo(self, turn: _Turn) -> list[Reply]:
        for run in self.store.runs_in_thread(turn.message.channel, turn.message.thread):
            if run.state is not RunState.SUCCEEDED or run.risk == Risk.READ.value:
                continue
            plan = Plan.from_record(run.plan)
            if plan.undo is None:
                raise Refusal(f"The last change here ({run.runbook}, {run.id}) has no undo "
                              "runbook.", "Ask for the reverse change explicitly.")
            slots = undo_slots(plan, run.before)
            replies = self._request(turn, plan.undo.runbook, slots, 1.0, undo_of=run.id)
            return [Reply("notice", f"Undoing {run.id} ({run.runbook})."), *replies]
        return [Reply("answer", "There is no completed change in this thread to undo.")]

    # ----------------------------------------------------------------- planning

    def _request(self, turn: _Turn, intent: str, slots: dict[str, str], confidence: float, *,
                 undo_of: str | None = None) -> list[Reply]:
        message, requester, thread = turn.message, turn.requester, turn.thread
        runbook = self.catalogue.get(intent)
        if not self.policy.may_request(requester, runbook.risk):
            raise Refusal(f"You may not request {runbook.risk.value} runbooks such as "
                          f"{runbook.name}.", "Ask someone the policy allows, or an admin "
                          "to map your chat user to a cluster identity.")
        ctx = self.store.load_thread(thread)
        notes: list[str] = []
        default_ns = self.policy.default_namespace(message.channel)
        if "namespace" in runbook.slots and not slots.get("namespace") and default_ns:
            slots["namespace"] = default_ns
            notes.append(f"namespace {default_ns} is this channel's default")
        slots = {k: v for k, v in slots.items() if v is not None and v != ""}
        # Validate before anything touches the cluster: hostile text stops here.
        validate_slots(runbook, slots)
        resolution = resolve_names(runbook, slots, self.executor, requester.identity)
        notes.extend(resolution.notes)
        slots = resolution.slots
        if resolution.question is not None:
            q = resolution.question
            _pending(ctx)[requester.key] = {
                "intent": intent, "slots": slots, "asking": q.slot, "choices": list(q.choices),
                "confidence": confidence, "asker_name": requester.name}
            self.store.save_thread(thread, ctx)
            numbered = ", ".join(f"{i}. {c}" for i, c in enumerate(q.choices, 1))
            return [Reply("question", f"{q.text} {numbered}", choices=q.choices)]
        missing = missing_slots(runbook, validate_slots(runbook, slots))
        if missing:
            spec = missing[0]
            _pending(ctx)[requester.key] = {
                "intent": intent, "slots": slots, "asking": spec.name, "confidence": confidence,
                "asker_name": requester.name}
            self.store.save_thread(thread, ctx)
            return [Reply("question", spec.prompt or f"Which {spec.name}?")]
        plan = self._render(runbook, slots, requester.identity)
        _pending(ctx).pop(requester.key, None)
        ctx["last"] = {"intent": intent, "slots": slots}
        self.store.save_thread(thread, ctx)
        self.audit.append("plan", actor=message.user, thread=thread,
                          data={**plan.to_json(), "digest": plan.digest})
        if runbook.risk is Risk.READ:
            return self._run_read(turn, plan, slots, confidence, notes)
        return self._propose(turn, plan, slots, confidence, notes, undo_of=undo_of)

    def _prepare(self, runbook: Runbook, slots: dict[str, str], identity: Identity,
                 notes: list[str]) -> dict[str, str]:
        """Validate, resolve names and check completeness for a request nobody can be asked
        about (alerts): ambiguity and missing slots are refusals."""
        slots = {k: v for k, v in slots.items() if v}
        validate_slots(runbook, slots)
        resolution = resolve_names(runbook, slots, self.executor, identity)
        if resolution.question is not None:
            raise Refusal(f"{runbook.name}: {resolution.question.text} "
                          f"({', '.join(resolution.question.choices)})")
        notes.extend(resolution.notes)
        missing = missing_slots(runbook, validate_slots(runbook, resolution.slots))
        if missing:
            raise Refusal(f"Can't run {runbook.name}: the alert has no "
                          f"{' or '.join(s.name for s in missing)} label.")
        return resolution.slots

    def _render(self, runbook: Runbook, slots: Mapping[str, str],
                identity: Identity | None) -> Plan:
        current = None
        if relative_replicas(runbook, slots):
            current = self.executor.current_replicas(slots["namespace"], slots["deployment"],
                                                     identity)
        return render(runbook, slots, current_replicas=current)

    def _preview(self, plan: Plan, identity: Identity) -> list[StepResult]:
        return [self.executor.run_step(step, identity, dry_run=True) for step in plan.steps]

    def _run_read(self, turn: _Turn, plan: Plan, slots: Mapping[str, str], confidence: float,
                  notes: list[str]) -> list[Reply]:
        message, requester, thread = turn.message, turn.requester, turn.thread
        run = self.store.create(
            state=RunState.RUNNING, runbook=plan.runbook, risk=plan.risk.value,
            requester=requester.key, requester_name=requester.name,
            identity=requester.identity, channel=message.channel, thread=message.thread,
            raw_slots=dict(slots), plan=plan.to_record(), digest=plan.digest, needed=0,
            confidence=confidence, notes=notes, expires_at=self.clock(),
            owner=self.store.worker_id)
        records: list[Record] = []
        try:
            for step in plan.steps:
                result = self.executor.run_step(step, requester.identity)
                records.extend(result.records)
                self.audit.append("step", actor=requester.identity.user, run_id=run.id,
                                  thread=thread, data=result.to_json())
        except ClusterError as exc:
            self.store.transition(run.id, (RunState.RUNNING,), RunState.FAILED,
                                  result={"text": exc.message})
            self.audit.append("result", run_id=run.id, thread=thread,
                              data={"state": "failed", "error": exc.message})
            raise
        event = self.audit.append("result", run_id=run.id, thread=thread,
                                  data={"state": "succeeded", "records": len(records)})
        self.store.transition(run.id, (RunState.RUNNING,), RunState.SUCCEEDED,
                              result={"text": "done", "audit_id": getattr(event, "id", None)})
        head = "\n".join(f"({note})" for note in notes)
        body = records_text(tuple(records))
        return [Reply("answer", f"{head}\n{body}".strip(), records=tuple(records))]

    def _propose(self, turn: _Turn, plan: Plan, slots: Mapping[str, str], confidence: float,
                 notes: list[str], *, undo_of: str | None,
                 act_as_approver: bool = False) -> list[Reply]:
        message, requester, thread = turn.message, turn.requester, turn.thread
        preview = self._preview(plan, requester.identity)
        needed = self.policy.approvals_needed(plan.risk)
        now = self.clock()
        run = self.store.create(
            state=RunState.PROPOSED, runbook=plan.runbook, risk=plan.risk.value,
            requester=requester.key, requester_name=requester.name,
            identity=requester.identity, channel=message.channel, thread=message.thread,
            raw_slots=dict(slots), plan=plan.to_record(),
            digest=_binding(plan, [p.to_json() for p in preview]),
            preview=[p.to_json() for p in preview], needed=needed, confidence=confidence,
            notes=notes, expires_at=now + self.policy.expiry.total_seconds(), undo_of=undo_of,
            act_as_approver=int(act_as_approver))
        self.audit.append("proposed", actor=message.user, run_id=run.id, thread=thread,
                          data={"digest": plan.digest, "needed": needed,
                                "preview": [p.to_json() for p in preview]})
        if not any(p.changes for p in preview):
            notes.append("the dry-run shows no change: the cluster already looks like this")
            self.store.update(run.id, notes=notes)
        replies = [Reply("plan", run_view_text(self.view(run.id)), run=self.view(run.id))]
        # A proposal nobody asked for waits for someone to take it on, whatever the count:
        # run now, it would act as the preview identity.
        if needed == 0 and not act_as_approver and self.store.transition(
                run.id, (RunState.PROPOSED,), RunState.APPROVED):
            replies += self._execute(run.id, plan, turn.on_update)
        return replies

    # ----------------------------------------------------------------- approvals and runs

    def _run(self, run_id: str) -> Run:
        run = self.store.get(run_id)
        if run is None:
            raise Refusal(f"There is no request {run_id!r}.", "Run ids look like r-1a2b3c4d.")
        return run

    def _valid_approvals(self, run: Run) -> list[Any]:
        horizon = self.clock() - self.policy.expiry.total_seconds()
        return [a for a in run.approvers() if a.decided_at >= horizon]

    def _decide(self, run_id: str, message: Message, decision: Literal["approve", "deny"],
                on_update: Updates | None) -> list[Reply]:
        run = self._run(run_id)
        approver = self.policy.requester(message)
        thread = _run_thread(run)
        risk = Risk(run.risk)
        if run.state is not RunState.PROPOSED:
            return [Reply("notice", f"{run_id} is already {run.state.value}; nothing to do.",
                          ephemeral=True)]
        if self.clock() > run.expires_at:
            if self.store.transition(run_id, (RunState.PROPOSED,), RunState.EXPIRED):
                self.audit.append("expired", actor=message.user, run_id=run_id, thread=thread)
            return [Reply("update", f"{run_id} expired before it was approved; nothing was "
                                    "changed. Ask again to get a fresh plan.",
                          run=self.view(run_id)),
                    Reply("refusal", f"That approval came too late: {run_id} expired "
                                     f"({int(self.policy.expiry.total_seconds() // 60)} "
                                     "minutes). Ask again for a fresh plan.")]
        if decision == "approve" and run.act_as_approver:
            adopted = self._adopt(run, approver, message, on_update)
            if adopted is not None:
                return adopted
            run = self._run(run_id)
        own = approver.key == run.requester
        if decision == "deny":
            if not (own or self.policy.may_approve(approver, risk)):
                return [Reply("refusal", f"Only the requester or {self.policy.approvers_text(risk)}"
                                         f" may deny {run_id}.", ephemeral=True)]
            if self.store.transition(run_id, (RunState.PROPOSED,), RunState.DENIED,
                                     result={"text": f"Denied by {approver.name}."}):
                self.store.add_decision(run_id, approver.key, approver.name, run.digest,
                                        "deny")
                self.audit.append("denied", actor=message.user, run_id=run_id, thread=thread)
            view = self.view(run_id)
            return [Reply("update", run_view_text(view), run=view)]
        if not self.policy.may_approve(approver, risk):
            return [Reply("refusal", f"You may not approve {risk.value} requests. Who may "
                                     f"approve: {self.policy.approvers_text(risk)}.",
                          ephemeral=True)]
        if own and not self.policy.may_self_approve(risk):
            return [Reply("refusal", f"You can't approve your own {risk.value} request; ask "
                                     f"{self.policy.approvers_text(risk)}.", ephemeral=True)]
        if not self.store.add_decision(run_id, approver.key, approver.name, run.digest,
                                       "approve"):
            return [Reply("notice", f"You already approved {run_id}.", ephemeral=True)]
        self.audit.append("approval", actor=message.user, run_id=run_id, thread=thread,
                          data={"digest": run.digest, "approver": approver.name})
        run = self._run(run_id)
        if len(self._valid_approvals(run)) < run.needed:
            view = self.view(run_id)
            return [Reply("update", run_view_text(view), run=view)]
        return self._approved(run, on_update)

    def _adopt(self, run: Run, person: Requester, message: Message,
               on_update: Updates | None) -> list[Reply] | None:
        """The first approval of a proposal nobody asked for (an alert's) makes its author
        the requester: the policy must let them request it, it runs as them, and others'
        approvals are counted exactly as for their own request. Returns the answer, or None
        when someone else adopted it first (the click then counts as an approval)."""
        risk = Risk(run.risk)
        if not self.policy.may_request(person, risk):
            raise Refusal(f"You may not request {risk.value} runbooks such as {run.runbook}, "
                          f"so you can't take on {run.id}.",
                          "Ask someone the policy allows to request it.")
        if not self.store.adopt(run.id, person.key, person.name, person.identity):
            return None
        self.audit.append("adopted", actor=message.user, run_id=run.id, thread=_run_thread(run),
                          data={"requester": person.name, "identity": person.identity.user})
        run = self._run(run.id)
        if run.needed == 0:
            return self._approved(run, on_update)
        if (self.policy.may_self_approve(risk) and self.policy.may_approve(person, risk)
                and self.store.add_decision(run.id, person.key, person.name, run.digest,
                                            "approve")):
            self.audit.append("approval", actor=message.user, run_id=run.id,
                              thread=_run_thread(run),
                              data={"digest": run.digest, "approver": person.name})
            run = self._run(run.id)
            if len(self._valid_approvals(run)) >= run.needed:
                return self._approved(run, on_update)
        view = self.view(run.id)
        return [Reply("update", run_view_text(view), run=view),
                Reply("notice", adopted_text(run.id, self.policy.approvers_text(risk)),
                      ephemeral=True)]

    def _approved(self, run: Run, on_update: Updates | None) -> list[Reply]:
        """Enough approvals: render and dry-run again, then run what was approved.

        Nothing stored in the database is trusted as is: the identity must be one the policy
        gives the requester, and the steps run are the runbook rendered again from the slot
        values (the stored plan only serves the messages), bound to the approved digest.
        """
        if not self.policy.could_be(run.requester, run.identity):
            self.audit.append("rejected", run_id=run.id, thread=_run_thread(run),
                              data={"what": "run", "reason": "its identity is not one the "
                                    "policy gives its requester", "identity":
                                    run.identity.user, "requester": run.requester})
            self.store.transition(run.id, (RunState.PROPOSED,), RunState.FAILED, result={
                "text": "Not run: the identity stored with it is not the requester's."})
            raise Refusal(f"{run.id} was not run: the identity stored with it is not one the "
                          "policy gives its requester now (the policy or the state database "
                          "changed since it was proposed).", "Ask again for a fresh plan.")
        checked = self._replan_if_drifted(run)
        if not isinstance(checked, Plan):
            return checked
        if not self.store.transition(run.id, (RunState.PROPOSED,), RunState.APPROVED):
            return []
        return self._execute(run.id, checked, on_update)

    def _replan_if_drifted(self, run: Run) -> Plan | list[Reply]:
        """Render and dry-run again: the plan if nothing differs from what was approved,
        else the new plan is stored and shown, to be approved again."""
        runbook = self.catalogue.get(run.runbook)
        plan = self._render(runbook, run.raw_slots, run.identity)
        preview = [p.to_json() for p in self._preview(plan, run.identity)]
        binding = _binding(plan, preview)
        if binding == run.digest:
            return plan
        # Approvals are stored against the old binding, so none of them counts any more.
        self.store.update(run.id, plan=plan.to_record(), digest=binding, preview=preview,
                          expires_at=self.clock() + self.policy.expiry.total_seconds())
        self.audit.append("replanned", run_id=run.id, thread=_run_thread(run),
                          data={"old_binding": run.digest, "binding": binding,
                                "plan_digest": plan.digest, "preview": preview})
        view = self.view(run.id)
        return [Reply("update", run_view_text(view), run=view),
                Reply("notice", f"The cluster changed since {run.id} was previewed, so the "
                                "plan changed. Here is the new diff; it needs approval again:\n"
                                + "\n".join(f"  {c}" for c in view.changes))]

    def _execute(self, run_id: str, plan: Plan, on_update: Updates | None) -> list[Reply]:
        """Run `plan`, the approved run's plan as rendered just now, as the requester."""
        if not self.store.transition(run_id, (RunState.APPROVED,), RunState.RUNNING,
                                     owner=self.store.worker_id):
            return []
        self.store.heartbeat()
        run = self._run(run_id)
        thread = _run_thread(run)
        identity = run.identity
        started = self.clock()
        last_sent = [0.0]

        def progress(line: str) -> None:
            self.store.update(run_id, result={"progress": line})
            now = self.clock()
            if on_update is not None and now - last_sent[0] >= self.config.progress_interval:
                last_sent[0] = now
                on_update(Reply("update", line, run=self.view(run_id)))

        if on_update is not None:
            on_update(Reply("update", f"{run_id} approved; running.", run=self.view(run_id)))
        before: dict[str, Any] = {}
        lines: list[str] = []
        state = RunState.SUCCEEDED
        try:
            for step in plan.steps:
                result = self.executor.run_step(step, identity, progress=progress)
                for key, value in result.before.items():
                    before.setdefault(key, value)
                lines.append(result.summary)
                self.audit.append("step", actor=identity.user, run_id=run_id,
                                  thread=thread, data=result.to_json())
            for check in plan.verify:
                verdict = self.executor.verify(check, identity, progress=progress)
                self.audit.append("verify", actor=identity.user, run_id=run_id,
                                  thread=thread, data={"verb": verdict.verb, "ok": verdict.ok,
                                                       "message": verdict.message})
                lines.append(("Verified: " if verdict.ok else "Verification failed: ")
                             + verdict.message)
                if not verdict.ok:
                    state = RunState.FAILED
        except ClusterError as exc:
            state = RunState.FAILED
            lines.append(f"Failed: {exc.message} {exc.hint}".strip())
        except Exception:
            # A bug must not leave the run `running` until a restart notices it.
            ref = uuid.uuid4().hex[:8]
            log.exception("run %s failed with an internal error (reference %s)", run_id, ref)
            state = RunState.FAILED
            lines.append(f"Failed: an internal error (reference {ref}); the audit log shows "
                         "which steps ran.")
        elapsed = self.clock() - started
        event = self.audit.append("result", run_id=run_id, thread=thread,
                                  data={"state": state.value, "lines": lines,
                                        "elapsed_seconds": round(elapsed, 2), "before": before})
        audit_id = getattr(event, "id", None)
        word = "Succeeded" if state is RunState.SUCCEEDED else "Failed"
        text = f"{word} in {elapsed:.1f}s (audit #{audit_id}). " + " ".join(lines)
        self.store.transition(run_id, (RunState.RUNNING,), state, before=before,
                              result={"text": text, "audit_id": audit_id, "lines": lines})
        view = self.view(run_id)
        return [Reply("result", run_view_text(view), run=view)]


def _pending(ctx: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The thread's open questions, by the key of the person each was asked of."""
    pending = ctx.get("pending")
    if not isinstance(pending, dict) or "intent" in pending:
        # Absent, or one question stored without its asker (an older bot): nobody's.
        pending = ctx["pending"] = {}
    return pending


def _thread_key(message: Message) -> str:
    return f"{message.channel}:{message.thread or 'main'}"


def _run_thread(run: Run) -> str:
    return f"{run.channel}:{run.thread or 'main'}"


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the manifest, not Python's True/False
    return "(none)" if value is None or value == "" else str(value)


def _binding(plan: Plan, preview: Sequence[Mapping[str, Any]]) -> str:
    """What an approval is bound to: the exact plan and what its dry-run would change, from
    which values.

    The "after" side is left out: the plan (in its digest) determines it, except for values
    made at run time such as a restart's timestamp, which differ on every dry-run and would
    make every restart look drifted.
    """
    changes = [[(c["path"], c["before"]) for c in p.get("changes", [])] for p in preview]
    blob = json.dumps([plan.digest, changes], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()

