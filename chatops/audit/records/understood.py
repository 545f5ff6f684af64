"""Audit records of a message and what the bot understood of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chatops.audit.records.base import AuditRecord
from chatops.model import ParsedIntent


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
class Reread(AuditRecord):
    """The bot answered a message as `intent` by one of its dialogue readings (`reading`:
    "trouble", "state_question", "history_question", "edit", "one_workload", "undo"), not as
    the model read it (the `parse` event before this one): a message the model got wrong or
    left under its bar, and so worth learning (`chatops nlu feedback`). `slots` are the
    values the reading gave the request, before any question back."""

    kind: ClassVar[str] = "reread"
    intent: str
    reading: str
    slots: Mapping[str, str] = field(default_factory=dict, hash=False)

    def data(self) -> dict[str, Any]:
        return {"intent": self.intent, "reading": self.reading, "slots": dict(self.slots)}


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
    person was told. `cause`: "value" when a value of the request was refused (a name that
    does not exist, a slot that does not validate: often a misread), "policy", "cluster";
    empty in events written before it was recorded."""

    kind: ClassVar[str] = "refusal"
    text: str
    cause: str = ""


@dataclass(frozen=True)
class InternalError(AuditRecord):
    """Something failed inside the bot; `reference` is in the reply and in the log."""

    kind: ClassVar[str] = "error"
    reference: str
