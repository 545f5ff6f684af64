"""Schedule requests: a request without its time phrase, planned and dry-run like any other,
proposed as a run linked to a new `proposed` schedule."""

from __future__ import annotations

from typing import cast

from chatops.audit.records import Parsed, Planned, Proposed, ScheduleChanged
from chatops.conversation.asking import (
    RUNBOOK_CHANGES,
    not_a_request,
    ordered_changes,
    said_to_someone_else,
)
from chatops.conversation.base import Collaborators, Turn, asked_by
from chatops.conversation.deletions import deleted_kind
from chatops.conversation.guards import guard
from chatops.conversation.kinds import target_of
from chatops.conversation.other_objects import others_named
from chatops.conversation.partial import (
    COUNTED,
    WHOLE,
    count_and_back,
    other_orders,
    ruled_out,
    spares_part,
    takes_back,
    waits_for_event,
)
from chatops.conversation.planning import Planner
from chatops.conversation.presenting import Presenter
from chatops.conversation.resolve import other_namespaces, resolve_names
from chatops.conversation.resource_field import bare_value
from chatops.conversation.rollback_version import named_version
from chatops.conversation.running import Runner
from chatops.conversation.scheduling.base import SHOWN_FIRINGS, SchedulePart
from chatops.conversation.scheduling.changes import ScheduleChanges
from chatops.conversation.talk import just_talk
from chatops.conversation.what_if import asks_what_if
from chatops.errors import Refusal
from chatops.messages import (
    MAY_NOT_REQUEST_HINT,
    cannot_delete_text,
    channel_default_note,
    count_and_back_text,
    may_not_request_text,
    one_change_at_a_time_text,
    one_namespace_at_a_time_text,
    ruled_out_text,
    spares_nothing_text,
    takes_back_text,
    waits_for_event_text,
    which_named_text,
)
from chatops.messages.schedules import (
    SCHEDULE_HINT,
    SCHEDULE_VALUES_HINT,
    preview_has_no_time_text,
    schedule_needs_values_text,
    schedule_not_asked_text,
    schedule_not_understood_text,
    schedule_note_text,
    schedule_which_field_text,
    timing_text,
    when_text,
    window_needs_undo_text,
)
from chatops.model import META_INTENTS, OUT_OF_SCOPE, ParsedIntent, Risk
from chatops.ports import ResourceKind
from chatops.replies import Reply
from chatops.runbook.render import missing_slots, validate_slots
from chatops.runbook.slots import as_typed
from chatops.schedules import Person, ScheduleStore, Timing


class ScheduleRequests(SchedulePart):
    """A message with a time phrase turned into a proposed schedule."""

    def __init__(self, parts: Collaborators, planner: Planner, runner: Runner,
                 presenter: Presenter, store: ScheduleStore, *,
                 changes: ScheduleChanges) -> None:
        super().__init__(parts, planner, runner, presenter, store)
        # A request that needs no approvals is activated at once, as an approval would.
        self.changes = changes

    def request(self, turn: Turn, timing: Timing, text: str) -> list[Reply]:
        """Plan `text` (the request without its time) and propose it as a schedule."""
        message, requester = turn.message, turn.requester
        parsed = self.parts.parse(text, requester.identity)
        self.parts.audit.record(Parsed.of(parsed, text), actor=message.user, thread=turn.thread)
        catalogue = self.parts.catalogue
        if parsed.source == "model" and said_to_someone_else(message.text, ()):
            # "@bob can you restart api at 6pm?": theirs, as without a time (a user trial
            # was told how to write a schedule).
            return []
        if (parsed.source == "model" and count_and_back(message.text)
                and (parsed.intent in COUNTED or parsed.slots.get("replicas"))):
            # "scale api to 6 at 9am, back to 3 at 6pm": two changes, one schedule each.
            raise Refusal(count_and_back_text(
                parsed.intent if parsed.intent in COUNTED else COUNTED[0]))
        deletes = deleted_kind(text, parsed.spans) if parsed.source == "model" else None
        if deletes is not None:
            # "delete cronjob nightly-report at 23:00": no runbook deletes it, whatever the
            # model read (a suspend, at 0.96).
            raise Refusal(cannot_delete_text(deletes))
        if (parsed.intent in META_INTENTS or parsed.intent == OUT_OF_SCOPE
                or parsed.intent not in catalogue):
            if parsed.source == "model" and _talk(text, parsed):
                # "I will cordon node-2 at 6pm", read as out of scope.
                raise Refusal(schedule_not_asked_text(None))
            raise Refusal(schedule_not_understood_text(text), SCHEDULE_HINT)
        if parsed.source == "model" and (asks_what_if(text)
                                         or asks_what_if(turn.message.text)):
            # "dry run restart api at 3pm": a preview is of now, and nobody asked for the
            # change (an attacker review: the schedule was proposed, and an approval would
            # have started it).
            raise Refusal(preview_has_no_time_text(text))
        runbook = catalogue.get(parsed.intent)
        change = (ruled_out(parsed.intent, text, parsed.slots)
                  if parsed.source == "model" and runbook.risk is not Risk.READ else None)
        if change is not None:
            # "cordon node-1 at 23:00 but don't drain it" read as the drain, "don't restart
            # api at 6pm": a schedule is proposed whole, so the change meant is asked for
            # on its own (a user trial was told how to write a schedule).
            raise Refusal(ruled_out_text(parsed.intent, change))
        verdict = (guard(text, parsed.spans, runbook.slots, parsed.intent,
                         whole=turn.message.whole)
                   if parsed.source == "model" and runbook.risk is not Risk.READ else None)
        if verdict is not None and verdict.turned_down:
            # Every guard a change asked for now gets (an attacker review: this path had
            # the creation check only, so "run maintenance on node-1 at 9am" or "kick off
            # the db-backup cron manually at 3am" became scheduled node and cronjob changes).
            if (verdict.not_asked and not verdict.creation and verdict.kind is None
                    and verdict.many is None and _talk(text, parsed)):
                # "I will cordon node-2 at 6pm" (a user trial was told how to write one).
                raise Refusal(schedule_not_asked_text(parsed.intent))
            raise Refusal(schedule_not_understood_text(text), SCHEDULE_HINT)
        if parsed.source == "model" and runbook.risk is not Risk.READ:
            # The message as written too: the request without its time has its lines
            # joined, and an order on a line of its own is one.
            others = tuple(sorted({
                kind for written in (text, message.text)
                for kind in other_orders(parsed.intent, written, ordered_changes,
                                         RUNBOOK_CHANGES, parsed.slots.values())}))
            if takes_back(message.text, parsed.slots.values()):
                raise Refusal(takes_back_text(parsed.intent))
            if others:
                # "suspend nightly-report and resume it monday 09:00": a user trial got
                # the suspend scheduled for Monday; a schedule holds one change.
                raise Refusal(one_change_at_a_time_text(parsed.intent, others))
            if parsed.intent in WHOLE and spares_part(text):
                raise Refusal(spares_nothing_text(parsed.intent))
            if waits_for_event(text):
                raise Refusal(waits_for_event_text(parsed.intent))
        bare = (bare_value(runbook.slots, parsed.slots, text)
                if parsed.source == "model" else None)
        if bare is not None:
            # A schedule is proposed whole, so it cannot ask which field a bare value is
            # for (`resource_field`): it says what to name.
            raise Refusal(schedule_needs_values_text(
                schedule_which_field_text(bare.kind, bare.value)), SCHEDULE_VALUES_HINT)
        if not self.parts.policy.may_request(requester, runbook.risk):
            raise Refusal(may_not_request_text(runbook.risk, runbook.name), MAY_NOT_REQUEST_HINT)
        if timing.kind == "window" and runbook.undo is None:
            raise Refusal(window_needs_undo_text(runbook.name), SCHEDULE_HINT)
        values = {k: v for k, v in parsed.slots.items() if v and k in runbook.slots}
        # Read as a request now is: names lower-cased, a bare "by N" given its direction.
        values = as_typed({name: spec.type for name, spec in runbook.slots.items()}, values,
                          text)
        notes: list[str] = []
        default_ns = self.parts.policy.default_namespace(message.channel)
        if "namespace" in runbook.slots and not values.get("namespace") and default_ns:
            values["namespace"] = default_ns
            notes.append(channel_default_note(default_ns))
        validate_slots(runbook, values)
        namespace = values.get("namespace", "")
        others = other_namespaces(text, namespace, self.parts.executor, requester.identity)
        if others:
            # "restart api in prod and staging at 3am": never one of them silently.
            raise Refusal(one_namespace_at_a_time_text(runbook.name, namespace, others))
        target = target_of(runbook.slots)
        if (target is not None and values.get(target) and runbook.risk is not Risk.READ
                and parsed.source == "model"):
            # "restart calc-app checkout-api in prod at 23:00" scheduled calc-app's restart
            # alone (session 52): a schedule cannot ask which one, so it says so.
            name, kind = str(values[target]), cast(ResourceKind, runbook.slots[target].type)
            named = others_named(text, name, kind, namespace or None,
                                 executor=self.parts.executor, identity=requester.identity)
            if named.namespaces and namespace:
                raise Refusal(one_namespace_at_a_time_text(runbook.name, namespace,
                                                           named.namespaces))
            if named.objects:
                raise Refusal(schedule_needs_values_text(
                    which_named_text(kind, (name, *named.objects))), SCHEDULE_VALUES_HINT)
        # A change's names are checked against its words, as a request now is: never
        # completed to another object (an attacker review: "restart api at 3am" scheduled
        # a restart of checkout-api).
        changing = text if runbook.risk is not Risk.READ else None
        resolution = resolve_names(runbook, values, self.parts.executor, requester.identity,
                                   text=changing)
        if resolution.question is not None:
            raise Refusal(schedule_needs_values_text(resolution.question.text),
                          SCHEDULE_VALUES_HINT)
        missing = missing_slots(runbook, validate_slots(runbook, resolution.slots))
        if missing:
            raise Refusal(schedule_needs_values_text(missing[0].prompt), SCHEDULE_VALUES_HINT)
        values = resolution.slots
        notes.extend(resolution.notes)
        # "roll back api to 1.25 at 3am": the revision that runs 1.25 now is the one bound.
        version = (named_version(text) if "revision" in runbook.slots
                   and not values.get("revision") else None)
        if version:
            values = self.planner.with_named_version(values, version, requester.identity,
                                                     notes)
        plan = self.planner.render(runbook, values, requester.identity)
        self.parts.audit.record(Planned(plan.to_json(), plan.digest), actor=message.user,
                                thread=turn.thread)
        preview = [p.to_json() for p in self.planner.preview(plan, requester.identity)]
        zone = timing.zone
        shown = [when_text(f.at, zone) + (f" ({f.phase})" if f.phase != "run" else "")
                 for f in timing.firings(self.parts.clock(), SHOWN_FIRINGS)]
        undo = plan.undo.runbook if timing.kind == "window" and plan.undo else None
        notes.append(schedule_note_text(timing_text(timing), shown, undo))
        needed = self.parts.policy.approvals_needed(runbook.risk)
        run = self._propose(requester, plan, preview, values, notes,
                            where=(message.channel, message.thread), needed=needed,
                            confidence=parsed.confidence, asked=asked_by(parsed))
        self.parts.audit.record(Proposed(plan.digest, needed, preview), actor=message.user,
                                run_id=run.id, thread=turn.thread)
        schedule = self.store.create(
            runbook=runbook.name, risk=runbook.risk, raw_slots=values, timing=timing,
            requester=Person(requester.key, requester.name, message.user, message.groups),
            identity=requester.identity, digest=run.digest, channel=message.channel,
            thread=message.thread, proposal=run.id)
        self.parts.audit.record(ScheduleChanged(schedule.id, "proposed", requester.name,
                                                timing_text(timing)),
                                actor=message.user, run_id=run.id, thread=turn.thread)
        replies = [self.presenter.reply("plan", run.id)]
        if needed == 0:
            taken = self.changes.on_approved(self.parts.run(run.id), lambda: plan)
            replies += taken or []
        return replies




def _talk(text: str, parsed: ParsedIntent) -> bool:
    """Whether `text` (a request's words without its time) talks about a change without
    asking for it: one's own plan, someone else's, a question put up, a negation."""
    return not_a_request(text) or just_talk(text, parsed.spans)
