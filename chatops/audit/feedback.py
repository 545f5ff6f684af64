"""The messages the bot did not understand well, read back from the audit log for review.

A message is worth a person's look when the bot answered it out of scope (`out_of_scope`:
a junk reply read as a decision and answered "I did not understand" included), asked back
about it (`asked_back`: a question for a missing or ambiguous value of the runbook it was
read as, or "I'm not sure, did you mean ..."), refused one of the values read in it
(`refused`: a name that does not exist, a value that does not validate, often a misread
word), when its plan was edited before approval (`edited`: the values after the edit
are the better label), or when one of the dialogue's readings answered it otherwise than the
model read it (`reread`: trouble under the model's bar diagnosed, a question about a
change's state answered with a read, an unsure edit, "undo the drain" read as a drain; what
it was answered as is the label to check). `feedback_entries` walks the log oldest first
and pairs each of those events with the parse of the message it answered (same thread,
same person); `render_review_file` writes them as catalogue markup for review. Reviewed
files train the model (`finetune.feedback`, `chatops nlu train`).

Nothing that looks like a secret is exported: a message the audit log's scrubbing or the
executor's redaction rules would change is left out, not masked.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import yaml

from chatops.audit.events import AuditEvent
from chatops.audit.log import AuditLog
from chatops.audit.records import (
    AskedBack,
    Cancelled,
    MessageReceived,
    OutOfScope,
    Parsed,
    Planned,
    Proposed,
    Refused,
    Reread,
)
from chatops.executor.redact import redact
from chatops.logs import scrub
from chatops.model import META_INTENTS

REASONS = ("out_of_scope", "asked_back", "refused", "edited", "reread")
"""Why a message is in a review file, in the order they are listed."""

REVIEW_HEADER = """\
# Messages the chatops bot did not understand well, exported by `chatops nlu feedback`
# FOR HUMAN REVIEW. Nothing here trains the model until a person has checked it:
#   - set `intent` to what the message asked for (a runbook name, `oos` or a meta intent);
#   - fix the slot markup in `text`: [value](slot_name), e.g. `restart [checkout](deployment)`
#     (`final_slots`, where present, are the values the person edited the plan to, or,
#     for `why: [reread]`, the values of what the bot answered it as: `intent` is that);
#   - set `reviewed: true`; delete entries that should not be learned.
# Then move the file to intents/feedback/ (see its README.md) and run `chatops nlu train`.
"""

Key = tuple[str | None, str | None]
"""(thread, actor): whose message, where."""


@dataclass
class FeedbackEntry:
    """One message to review: its text as markup of the bot's guess, and why it is here."""

    text: str
    """The message with the guessed slot values marked up."""
    guessed_intent: str
    confidence: float
    reasons: list[str]
    ts: str
    thread: str | None
    run_id: str | None = None
    final_intent: str | None = None
    final_slots: dict[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    """The slots the bot asked for."""
    offered: list[str] = field(default_factory=list)
    """The runbooks it offered instead ("did you mean")."""
    read_as: list[str] = field(default_factory=list)
    """The dialogue's readings that answered it (`Reread.reading`)."""
    seen: int = 1

    def to_yaml(self) -> dict[str, Any]:
        """The entry as a review file holds it (`intent` to fix, `reviewed: false`)."""
        out: dict[str, Any] = {
            "text": self.text,
            "intent": self.final_intent or self.guessed_intent,
            "reviewed": False,
            "why": sorted(self.reasons, key=REASONS.index),
            "guessed_intent": self.guessed_intent,
            "confidence": self.confidence,
        }
        if self.asked:
            out["asked"] = self.asked
        if self.offered:
            out["offered"] = self.offered
        if self.read_as:
            out["read_as"] = self.read_as
        if self.final_slots:
            out["final_slots"] = self.final_slots
        out.update(run_id=self.run_id, thread=self.thread, first_seen=self.ts, seen=self.seen)
        return out


@dataclass
class _Message:
    """A parsed message while the log is walked: what happened to it so far."""

    event: AuditEvent
    text: str
    reasons: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)
    read_as: list[str] = field(default_factory=list)
    run_id: str | None = None
    final_intent: str | None = None
    final_slots: dict[str, str] = field(default_factory=dict)


@dataclass
class Export:
    """What `feedback_entries` found: the entries, and how many messages were left out
    because they looked like they held a secret."""

    entries: list[FeedbackEntry]
    secret_looking: int = 0


# A word for a credential followed by a value, in prose ("the root pw for db is x",
# "passphrase correct-horse", "token: eyJ..."), which the key=value rules miss.
_SECRET_WORDS = re.compile(
    r"\b(?:passwords?|passwd|pw|pwd|passphrase|secret|token|api[ _-]?key|credentials?)"
    r"\b(?:\s+(?:for|of)\s+\S+)?(?:\s*(?:\bis\b|\bwas\b|=|:)\s*|\s+)[^\s,.;]{4,}",
    re.IGNORECASE)
# A word mixing three kinds of character (upper, lower, digit, a symbol names do not use):
# "Tr0ub4dor&3". Names and images ("checkout-7d9f", "api:2.31.4-rc1") use only two.
_NAME_SYMBOLS = set("-._/:@")


def _mixed(word: str) -> bool:
    kinds = (any(c.islower() for c in word), any(c.isupper() for c in word),
             any(c.isdigit() for c in word),
             any(not c.isalnum() and c not in _NAME_SYMBOLS for c in word))
    return len(word) >= 8 and sum(kinds) >= 3


def looks_secret(text: str) -> bool:
    """Whether `text` holds something the log scrubbing or the executor's redaction rules
    would mask (tokens, passwords, keys), a mask already put there, a credential named in
    prose with a value after it, or a word that looks like a password."""
    return ("[redacted]" in text.lower() or scrub(text) != text or redact(text) != text
            or _SECRET_WORDS.search(text) is not None
            or any(_mixed(word.strip(",.;!?\"'()")) for word in text.split()))


def markup(text: str, spans: Iterable[Mapping[str, Any]]) -> str:
    """`text` with each span marked up as `[value](slot)`; spans that do not fit the text
    (or overlap, or hold markup characters) are left unmarked."""
    out: list[str] = []
    pos = 0
    for span in sorted(spans, key=lambda s: int(s.get("start", -1))):
        start, end, slot = span.get("start"), span.get("end"), span.get("slot")
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(slot, str)):
            continue
        value = text[start:end] if 0 <= start < end <= len(text) else ""
        if (start < pos or not value.strip() or span.get("text", value) != value
                or any(c in value for c in "[]()\n")):
            continue
        out.append(f"{text[pos:start]}[{value}]({slot})")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _spans_of(text: str, data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The parse's recorded spans; for events written before spans were recorded, where
    each slot value first occurs in the text."""
    spans = data.get("spans")
    if isinstance(spans, list):
        return [s for s in spans if isinstance(s, Mapping)]
    found: list[Mapping[str, Any]] = []
    lowered = text.lower()
    slots = data.get("slots")
    for slot, value in (slots.items() if isinstance(slots, Mapping) else ()):
        at = lowered.find(str(value).lower()) if value else -1
        if at >= 0:
            found.append({"slot": slot, "start": at, "end": at + len(str(value))})
    return found


def logged_events(log: AuditLog) -> Iterator[AuditEvent]:
    """Every event of `log`, oldest first, from one snapshot (spooled to a temporary file
    rather than held in memory: a log grows for years)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        log.export_jsonl(spool)
        spool.seek(0)
        for line in spool:
            yield AuditEvent(**json.loads(line))


def _parse_ts(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def feedback_entries(events: Iterable[AuditEvent], *, since: datetime | None = None) -> Export:
    """The messages worth reviewing in `events` (the whole log, oldest first), one entry per
    distinct text (case and spacing aside), oldest first. With `since`, only messages
    written at or after it."""
    last_text: dict[Key, str] = {}
    current: dict[Key, _Message] = {}
    after_edit: dict[Key, _Message] = {}
    by_run: dict[str, tuple[_Message, Key]] = {}
    planned: dict[Key, str] = {}
    # The newest plan made by each person in each thread, while nothing else of theirs
    # followed it: an edit's re-plan, which comes just before the cancel of the plan it
    # replaces (since session 37; before, just after).
    replanned: dict[Key, Mapping[str, Any]] = {}
    # Only messages something happened to are kept (by event id): most parses are not.
    flagged: dict[int, _Message] = {}

    def flag(message: _Message, reason: str) -> _Message:
        message.reasons.add(reason)
        flagged[message.event.id] = message
        return message

    for event in events:
        key: Key = (event.thread, event.actor)
        data = event.data
        if event.kind not in (Planned.kind, Cancelled.kind):
            replanned.pop(key, None)
        if event.kind == MessageReceived.kind:
            last_text[key] = str(data.get("text", ""))
        elif event.kind == Parsed.kind:
            after_edit.pop(key, None)
            current[key] = _Message(event,
                                    str(data.get("text", last_text.get(key, ""))).strip())
        elif event.kind == OutOfScope.kind and key in current:
            offered = [str(name) for name in data.get("offered") or ()]
            flag(current[key], "asked_back" if offered else "out_of_scope").offered.extend(
                offered)
        elif (event.kind == AskedBack.kind and key in current
              and data.get("intent") == current[key].event.data.get("intent")):
            # Only a question of the runbook the message was read as: one asked after a
            # pick from an offer or a diagnosis's fix ("which image?") is not about it.
            flag(current[key], "asked_back").asked.append(str(data.get("slot")))
        elif event.kind == Reread.kind and key in current:
            message = flag(current[key], "reread")
            message.read_as.append(str(data.get("reading")))
            _final(message, {"runbook": data.get("intent"), "slots": data.get("slots")})
        elif (event.kind == Refused.kind and data.get("cause") == "value"
              and key in current and current[key].event.data.get("source") == "model"):
            flag(current[key], "refused")
        elif event.kind == Planned.kind and key not in after_edit:
            planned[key] = str(data.get("runbook"))
            replanned[key] = data
        elif event.kind == Planned.kind:
            _final(after_edit.pop(key), data)
        elif (event.kind == Proposed.kind and key in current and event.run_id
              and planned.get(key) == current[key].event.data.get("intent")):
            # Only a plan of the runbook the message was read as: one taken from an offer
            # or a diagnosis's fix never labels the message it answered.
            by_run[event.run_id] = (current[key], key)
            current[key].run_id = current[key].run_id or event.run_id
        elif (event.kind == Cancelled.kind and data.get("reason") == "edited"
              and event.run_id in by_run):
            message, (thread, _actor) = by_run[event.run_id]
            flag(message, "edited").run_id = event.run_id
            # The re-plan is made in the run's thread, by whoever edited it.
            edited_key: Key = (thread, event.actor)
            replan = replanned.pop(edited_key, None)
            if replan is not None:
                _final(message, replan)
            else:
                after_edit[edited_key] = current[edited_key] = message
    return _entries([flagged[i] for i in sorted(flagged)], since)


def _final(message: _Message, planned: Mapping[str, Any]) -> None:
    """The runbook and values the message's plan was edited to (a `planned` event's)."""
    message.final_intent = str(planned.get("runbook"))
    slots = planned.get("slots")
    message.final_slots = {k: str(v) for k, v in (slots or {}).items()
                           if v is not None and v != ""}


def _entries(found: list[_Message], since: datetime | None) -> Export:
    entries: dict[str, FeedbackEntry] = {}
    secret_looking = 0
    for message in found:
        data = message.event.data
        intent = str(data.get("intent", ""))
        if (not message.reasons or not message.text or data.get("source") == "grammar"
                # A decision word read in junk ("hmm" as confirm) was answered "I did not
                # understand": that one is worth a look, and so is one a reading answered
                # ("no, 3 replicas" as an edit); a meta intent otherwise is not.
                or (intent in META_INTENTS and message.reasons != {"out_of_scope"}
                    and "reread" not in message.reasons)
                or (since is not None and _parse_ts(message.event.ts) < since)):
            continue
        if looks_secret(message.text):
            secret_looking += 1
            continue
        same = " ".join(message.text.split()).casefold()
        entry = entries.get(same)
        if entry is not None:
            entry.seen += 1
            entry.reasons = sorted({*entry.reasons, *message.reasons}, key=REASONS.index)
            entry.asked = list(dict.fromkeys([*entry.asked, *message.asked]))
            entry.offered = list(dict.fromkeys([*entry.offered, *message.offered]))
            entry.read_as = list(dict.fromkeys([*entry.read_as, *message.read_as]))
            if message.final_slots:
                entry.final_intent, entry.final_slots = (message.final_intent,
                                                         message.final_slots)
            continue
        spans = _spans_of(message.text, data)
        if "reread" in message.reasons:
            # Answered as another runbook: only the values it took are its slots ("is
            # [nightly-report](cronjob) suspended" is no diagnosis's markup).
            spans = [s for s in spans if s.get("slot") in message.final_slots]
        entries[same] = FeedbackEntry(
            text=markup(message.text, spans),
            guessed_intent=intent,
            confidence=float(data.get("confidence", 0.0)),
            reasons=sorted(message.reasons, key=REASONS.index),
            ts=message.event.ts, thread=message.event.thread, run_id=message.run_id,
            final_intent=message.final_intent, final_slots=message.final_slots,
            asked=list(dict.fromkeys(message.asked)),
            offered=list(dict.fromkeys(message.offered)),
            read_as=list(dict.fromkeys(message.read_as)))
    return Export(list(entries.values()), secret_looking)


def render_review_file(entries: Iterable[FeedbackEntry]) -> str:
    """The YAML review file of `entries`, with the review steps as its header comment."""
    body = yaml.safe_dump({"entries": [entry.to_yaml() for entry in entries]},
                          sort_keys=False, allow_unicode=True, width=100)
    return REVIEW_HEADER + body
