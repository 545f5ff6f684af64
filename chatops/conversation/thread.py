"""A thread's conversation context, typed: the question open for each person, and the last
request (for follow-ups such as `and in staging?`).

The store keeps it as JSON in the shape the bot has always saved:
`{"pending": {PERSON: {"intent", "slots", "asking", ["choices"], ["offers"], "confidence",
"asker_name"}}, "last": {"intent", "slots"}, ["said": {"by", "name", "answerable",
"asks"}]}`; unknown keys are kept as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from chatops.runs import Asked
from chatops.runs.threads import ThreadStore

OFFER = ""
OFFER_ASKING = "runbook"
"""A pending question with no intent offers runbooks (`choices`): an uncertain message's
closest ones, its `slots` what the model understood; or the fixes a diagnosis suggested,
each choice's request in `offers`."""


@dataclass(frozen=True)
class LastRequest:
    """A request (runbook and values): the thread's last planned one, which a follow-up
    repeats elsewhere, or one an offered choice starts."""

    intent: str
    slots: Mapping[str, str]
    note: str = ""
    """A note for the plan an offered choice starts (a diagnosis's caveat)."""
    version: str = ""
    """The version a rollback named, looked up again wherever it is repeated."""

    def to_json(self) -> dict[str, Any]:
        """The saved shape."""
        data: dict[str, Any] = {"intent": self.intent, "slots": dict(self.slots)}
        if self.note:
            data["note"] = self.note
        if self.version:
            data["version"] = self.version
        return data

    @classmethod
    def from_json(cls, data: Any) -> LastRequest | None:
        """The request saved as `data`, or None when there is none."""
        if not isinstance(data, Mapping) or not isinstance(data.get("intent"), str):
            return None
        if not isinstance(data.get("slots"), Mapping):
            return None
        return cls(intent=data["intent"], slots=dict(data["slots"]),
                   note=str(data.get("note") or ""), version=str(data.get("version") or ""))


@dataclass(frozen=True)
class PendingQuestion:
    """A question the bot asked one person, with the request it completes."""

    intent: str
    slots: Mapping[str, str]
    asking: str
    """The slot the answer fills."""
    confidence: float = 1.0
    asker_name: str = ""
    """The name of the person asked (empty when saved by an older bot)."""
    choices: tuple[str, ...] = ()
    """The names to choose from when the question is an ambiguity; else free text."""
    offers: Mapping[str, LastRequest] = field(default_factory=dict)
    """For an offer of fixes: the request each choice starts (its runbook and values)."""
    offered: tuple[str, ...] = ()
    """Names shown as buttons under a free-text question ("Did you mean staging?"): a
    yes to the question takes the one name offered, when there is exactly one."""
    asked: Asked | None = None
    """How the request being completed came about (None when saved by an older bot)."""
    replacing: str = ""
    """The waiting plan the request edits, cancelled once the completed one is proposed."""
    version: str = ""
    """The version a rollback named, looked up once the deployment is known."""

    def to_json(self) -> dict[str, Any]:
        """The saved shape (`choices` only for a question with choices)."""
        data: dict[str, Any] = {"intent": self.intent, "slots": dict(self.slots),
                                "asking": self.asking}
        if self.choices:
            data["choices"] = list(self.choices)
        if self.offered:
            data["offered"] = list(self.offered)
        if self.offers:
            data["offers"] = {label: r.to_json() for label, r in self.offers.items()}
        if self.asked is not None:
            data["asked"] = self.asked.value
        if self.replacing:
            data["replacing"] = self.replacing
        if self.version:
            data["version"] = self.version
        return {**data, "confidence": self.confidence, "asker_name": self.asker_name}

    @classmethod
    def from_json(cls, data: Any) -> PendingQuestion | None:
        """The question saved as `data`, or None when it is not one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("slots"), Mapping):
            return None
        if not isinstance(data.get("intent"), str) or not isinstance(data.get("asking"), str):
            return None
        raw_offers = data.get("offers")
        offers = {str(label): request for label, saved in raw_offers.items()
                  if (request := LastRequest.from_json(saved)) is not None
                  } if isinstance(raw_offers, Mapping) else {}
        return cls(intent=data["intent"], slots=dict(data["slots"]), asking=data["asking"],
                   confidence=float(data.get("confidence", 1.0)),
                   asker_name=str(data.get("asker_name") or ""),
                   choices=tuple(str(c) for c in data.get("choices") or ()), offers=offers,
                   offered=tuple(str(n) for n in data.get("offered") or ()),
                   asked=(Asked(data["asked"]) if data.get("asked") in Asked.__members__.values()
                          else None),
                   replacing=str(data.get("replacing") or ""),
                   version=str(data.get("version") or ""))


@dataclass(frozen=True)
class Said:
    """Who wrote the thread's last message from a person, and whether a yes or no after it
    may answer it (`conversation.said`). Never the words themselves."""

    by: str
    """The writer's key (`Requester.key`)."""
    name: str
    answerable: bool
    asks: bool = False
    """The words ask a yes-or-no question, which even its writer's own bare yes answers."""

    def to_json(self) -> dict[str, Any]:
        """The saved shape."""
        return {"by": self.by, "name": self.name, "answerable": self.answerable,
                "asks": self.asks}

    @classmethod
    def from_json(cls, data: Any) -> Said | None:
        """The record saved as `data`, or None when there is none."""
        if not isinstance(data, Mapping) or not isinstance(data.get("by"), str):
            return None
        return cls(by=data["by"], name=str(data.get("name") or ""),
                   answerable=data.get("answerable") is True, asks=data.get("asks") is True)


@dataclass(frozen=True)
class ThreadContext:
    """What the bot remembers of one thread between messages."""

    pending: Mapping[str, PendingQuestion] = field(default_factory=dict)
    """Open questions, by the key of the person each was asked of."""
    last: LastRequest | None = None
    said: Said | None = None
    """The last message from a person, as `Said` records it."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys this version doesn't use, saved back unchanged."""

    def asking(self, person: str, question: PendingQuestion) -> ThreadContext:
        """This context with `question` open for `person` (replacing theirs, if any)."""
        return replace(self, pending=MappingProxyType({**self.pending, person: question}))

    def without_question(self, person: str) -> ThreadContext:
        """This context with no open question for `person`."""
        rest = {key: q for key, q in self.pending.items() if key != person}
        return replace(self, pending=MappingProxyType(rest))

    def planned(self, last: LastRequest) -> ThreadContext:
        """This context after `last` was planned."""
        return replace(self, last=last)

    def to_json(self) -> dict[str, Any]:
        """The saved shape."""
        data = {**self.extra, "pending": {k: q.to_json() for k, q in self.pending.items()}}
        if self.last is not None:
            data["last"] = self.last.to_json()
        if self.said is not None:
            data["said"] = self.said.to_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ThreadContext:
        """Read a saved context, also as older bots saved it."""
        raw = data.get("pending")
        pending: dict[str, PendingQuestion] = {}
        # One question stored without its asker (an older bot) is nobody's, so it is dropped.
        if isinstance(raw, Mapping) and "intent" not in raw:
            for person, saved in raw.items():
                question = PendingQuestion.from_json(saved)
                if question is not None:
                    pending[str(person)] = question
        extra = {k: v for k, v in data.items() if k not in ("pending", "last", "said")}
        return cls(MappingProxyType(pending), LastRequest.from_json(data.get("last")),
                   Said.from_json(data.get("said")), extra)


def load_context(threads: ThreadStore, thread: str) -> ThreadContext:
    """The thread's context as saved in `threads` (empty when none)."""
    return ThreadContext.from_json(threads.load(thread))


def save_context(threads: ThreadStore, thread: str, context: ThreadContext) -> None:
    """Replace the thread's saved context."""
    threads.save(thread, context.to_json())
