"""Which messages are about schedules, and `Scheduling`, the one entry point the
conversation service holds: it routes them and wires the parts together."""

from __future__ import annotations

import re
from collections.abc import Callable

from chatops.conversation.base import Collaborators, Turn
from chatops.conversation.planning import Planner
from chatops.conversation.presenting import Presenter
from chatops.conversation.replica_words import opens_with_a_count
from chatops.conversation.running import Runner
from chatops.conversation.scheduling.changes import ScheduleChanges
from chatops.conversation.scheduling.firing import Posting, ScheduleFiring
from chatops.conversation.scheduling.requests import ScheduleRequests
from chatops.errors import Refusal
from chatops.messages import NOT_THIS_CHANNEL, NOT_THIS_CHANNEL_HINT
from chatops.messages.schedules import SCHEDULE_HINT, no_time_text
from chatops.model import OUT_OF_SCOPE, Message, Plan, Risk
from chatops.replies import Reply
from chatops.runs import Run
from chatops.schedules import ScheduleStore, TimingError, find_timing

LIST_WORDS = frozenset({"schedules", "list schedules", "schedule list", "show schedules",
                        "schedule", "schedule help"})
_MANAGE = re.compile(r"^(pause|resume|delete|remove|cancel|stop)\s+(?:schedule\s+)?"
                     r"`?(s-[0-9a-f]{8})`?[.!]?$", re.IGNORECASE)
_MANAGE_WORD = {"remove": "delete", "cancel": "pause", "stop": "pause"}
"""Other words for a change to a schedule: cancelling or stopping one is the immediate brake
(`pause`; `delete` removes it, approved like its runbook)."""
_CANCEL_CUE = re.compile(r"\b(?:cancel|call\s+off|abort)\b", re.IGNORECASE)
"""A request to call something off ("cancelled at 3am" tells what happened, and "don't"
is as often "don't know why")."""
_SCHEDULED = re.compile(
    r"\b(?:schedul\w*|s-[0-9a-f]{8}|\d{1,2}(?::\d{2})?\s*[ap]m|\d{1,2}:\d{2}|tonight'?s?"
    r"|tomorrow'?s?|daily|nightly|weekly"
    r"|every\s+(?:day|night|hour|week|weekday|\d+\s+minutes?|mon|tue|wed|thu|fri|sat|sun)\w*)\b",
    re.IGNORECASE)
_RUN_ID = re.compile(r"\br-[0-9a-f]{8}\b", re.IGNORECASE)
_SCHEDULE_ID = re.compile(r"\bs-[0-9a-f]{8}\b", re.IGNORECASE)
_STOP_CUE = re.compile(r"\b(?:cancel|call\s+off|abort|stop)\b", re.IGNORECASE)
_SCHEDULE_WORD = re.compile(r"^schedule\s*:?\s+", re.IGNORECASE)


class Scheduling:
    """Schedules asked for in chat, their approvals and changes, and their firings."""

    def __init__(self, parts: Collaborators, planner: Planner, runner: Runner,
                 presenter: Presenter, store: ScheduleStore) -> None:
        self.parts = parts
        self.store = store
        self.changes = ScheduleChanges(parts, planner, runner, presenter, store)
        self.requests = ScheduleRequests(parts, planner, runner, presenter, store,
                                         changes=self.changes)
        self.firing = ScheduleFiring(parts, planner, runner, presenter, store)

    def route(self, message: Message, thread: str) -> list[Reply] | None:
        """The answer when `message` is about schedules (a time phrase, `schedules`,
        `pause s-...`); None for every other message."""
        text = message.text.strip()
        explicit = _SCHEDULE_WORD.match(text)
        rest = text[explicit.end():] if explicit else text
        lowered = text.lower().rstrip(".!?")
        manage = _MANAGE.match(text)
        # (A run's id says which request is meant: that cancel is the run's.)
        stopping = (manage is None and not _RUN_ID.search(text)
                    and ((_CANCEL_CUE.search(text) is not None
                          and _SCHEDULED.search(text) is not None)
                         or (_STOP_CUE.search(text) is not None
                             and _SCHEDULE_ID.search(text) is not None)))
        if lowered not in LIST_WORDS and manage is None and not stopping:
            try:
                found = find_timing(rest, self.parts.config.schedule_zone, self.parts.clock(),
                                    past_is_context=explicit is None)
            except TimingError as exc:
                if exc.vague and explicit is None and not self._asks_a_change(rest):
                    # "which pods had no limits on thursday": a read answers now.
                    return None
                raise Refusal(exc.message, SCHEDULE_HINT) from exc
            if found is None and explicit is None:
                return None
        if not self.parts.policy.channel_allowed(message.channel):
            raise Refusal(NOT_THIS_CHANNEL, NOT_THIS_CHANNEL_HINT)
        turn = Turn(message, self.parts.policy.requester(message), thread, None)
        if lowered in LIST_WORDS:
            return [self.changes.listing(turn)]
        if manage is not None:
            word = manage.group(1).lower()
            return self.changes.manage(turn, _MANAGE_WORD.get(word, word), manage.group(2))
        if stopping:
            named = {m.group(0).lower() for m in _SCHEDULE_ID.finditer(text)}
            if len(named) == 1:
                # "cancel s-... pls, not needed": the id says which (a second trial: only
                # a bare "cancel s-..." paused it).
                return self.changes.manage(turn, "pause", named.pop())
            # "cancel the 3am restart": which schedule is meant is the person's to say; a
            # guess could stop the wrong one, or "cancel" an open question instead.
            return [self.changes.how_to_stop(turn)]
        if found is None:
            raise Refusal(no_time_text(), SCHEDULE_HINT)
        return self.requests.request(turn, found.timing, found.request)

    def _asks_a_change(self, text: str) -> bool:
        """Whether `text` reads as a runbook that changes something (a vague time beside
        it is refused: planned now, it would run at a time nobody asked for)."""
        try:
            parsed = self.parts.parse(text)
        except Refusal:
            return True  # no reading to go on: the time is refused, as before
        runbook = self.parts.catalogue.runbooks.get(parsed.intent)
        if parsed.intent == OUT_OF_SCOPE and opens_with_a_count(text):
            return True  # "double api in prod tonight": a scale by its words, not a read
        return runbook is None or runbook.risk is not Risk.READ

    def on_approved(self, run: Run, replan: Callable[[], Plan | list[Reply]]
                    ) -> list[Reply] | None:
        """The `Collaborators.scheduled` hook: see `ScheduleChanges.on_approved`."""
        return self.changes.on_approved(run, replan)

    def change(self, run_id: str) -> tuple[str, str] | None:
        """The `Collaborators.schedule_change` hook: the schedule and change a run stands
        for."""
        found = self.store.change_of(run_id)
        return (found[0].id, found[1].value) if found is not None else None

    def owns(self, run_id: str) -> bool:
        """The `Collaborators.schedule_run` hook: whether approving the run starts, changes
        or fires a schedule (it is no change to make now, whatever its plan)."""
        return (self.store.change_of(run_id) is not None
                or self.store.firing_of(run_id) is not None)

    def fire(self, now: float) -> list[Posting]:
        """Fire what is due at `now` (the leader's work): see `ScheduleFiring.fire`."""
        return self.firing.fire(now)
