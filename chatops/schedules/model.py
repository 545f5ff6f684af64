"""A schedule and its state machine (`ScheduleState`, `TRANSITIONS`), the people bound to
it, and one firing's claim (`FiringState`)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from chatops.errors import ChatOpsError
from chatops.model import Identity, Risk, frozen_map
from chatops.schedules.timing import Timing


class ScheduleState(enum.StrEnum):
    """Where a schedule is. `proposed` waits for approval; only `active` ones fire."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    DELETED = "deleted"
    CANCELLED = "cancelled"
    """Its proposal was denied, expired or cancelled: it never became active."""


TRANSITIONS: Mapping[ScheduleState, frozenset[ScheduleState]] = frozen_map({
    ScheduleState.PROPOSED: frozenset({ScheduleState.ACTIVE, ScheduleState.CANCELLED}),
    ScheduleState.ACTIVE: frozenset({ScheduleState.PAUSED, ScheduleState.DONE,
                                     ScheduleState.DELETED}),
    ScheduleState.PAUSED: frozenset({ScheduleState.ACTIVE, ScheduleState.DELETED}),
    ScheduleState.DONE: frozenset(),
    ScheduleState.DELETED: frozenset(),
    ScheduleState.CANCELLED: frozenset(),
})
"""The legal moves; the store refuses any other (`IllegalScheduleMove`)."""

LIVE = (ScheduleState.PROPOSED, ScheduleState.ACTIVE, ScheduleState.PAUSED)
"""States a list shows."""


class Change(enum.StrEnum):
    """What the approval of a schedule's proposed run does."""

    ACTIVATE = "activate"
    RESUME = "resume"
    DELETE = "delete"
    REBIND = "rebind"
    """A drifted firing's new plan: approving it runs it and binds the schedule to it."""


class FiringState(enum.StrEnum):
    """How one firing (schedule id + due time) ended; its row is the exactly-once claim."""

    CLAIMED = "claimed"
    RAN = "ran"
    DRIFTED = "drifted"
    BLOCKED = "blocked"
    MISSED = "missed"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"
    """Claimed by a process that stopped before it started a run: reported, never run late."""


class IllegalScheduleMove(ChatOpsError):
    """A state change `TRANSITIONS` does not allow: a bug in the caller."""


@dataclass(frozen=True)
class Person:
    """Someone bound to a schedule, as the policy will be asked about them again at each
    firing: their key and name, chat id and the chat user groups they had."""

    key: str
    name: str
    chat_user: str
    chat_groups: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """What the store keeps."""
        return {"key": self.key, "name": self.name, "chat_user": self.chat_user,
                "chat_groups": list(self.chat_groups)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Person:
        """The person `to_json` stored."""
        groups = data.get("chat_groups") or []
        assert isinstance(groups, list)
        return cls(str(data["key"]), str(data["name"]), str(data["chat_user"]),
                   tuple(str(g) for g in groups))


@dataclass(frozen=True)
class Schedule:
    """One stored schedule: a runbook with slot values, when it fires, as whom, approved by
    whom, bound to which plan and dry-run (`digest`), and where it reports."""

    id: str
    state: ScheduleState
    runbook: str
    risk: Risk
    raw_slots: Mapping[str, str]
    timing: Timing
    requester: Person
    identity: Identity
    approvers: tuple[Person, ...]
    digest: str
    channel: str
    thread: str | None
    proposal: str
    """The run whose approval activated it."""
    next_at: float | None
    last_run: str | None
    """The run of its latest `run` or `start` firing (a window's end reverses it)."""
    created_at: float
    updated_at: float
    note: str = ""
    """Why it was paused or ended, when the bot did it."""
