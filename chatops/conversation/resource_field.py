"""Which field a bare memory or CPU value is for, when the message does not say.

"give api 256Mi" names no field: read as the request it was refused (above the limit)
after an OOM kill, where the limit was meant; read as the limit it would miss a request
for capacity. The model's label is a guess between two fields of one runbook, so the bot
asks (limit, request, or both), and the answer plans exactly that request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from intents.slots import LIMIT_WORDS, REQUEST_WORDS

FIELDS = ("limit", "request", "both")
"""The choices, in the order offered: the limit first, what an OOM kill needs."""
_CUES = REQUEST_WORDS | LIMIT_WORDS
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class BareValue:
    """One resource value whose field the message does not name."""

    kind: str  # "memory" or "cpu"
    value: str

    def choices(self) -> tuple[str, ...]:
        """The labels of `FIELDS` for this value ("memory limit 256Mi"): a button of an
        older question of another value answers nothing here."""
        return (f"{self.kind} limit {self.value}", f"{self.kind} request {self.value}",
                f"both {self.value}")

    def slots(self, choice: str, slots: Mapping[str, str]) -> dict[str, str]:
        """`slots` with the value moved to the field `choice` names (both: each)."""
        fields = (["limit", "request"] if choice == "both" else [choice])
        rest = {k: v for k, v in slots.items()
                if k not in (f"{self.kind}_request", f"{self.kind}_limit")}
        return {**rest, **{f"{self.kind}_{f}": self.value for f in fields}}


def bare_value(declared: Mapping[str, object], slots: Mapping[str, str],
               text: str) -> BareValue | None:
    """The one resource value of a model's reading whose field no word of `text` names
    ("request", "limit", "cap", ...); None when there is none, when the runbook has no
    such pair of fields, or when the message gives more than one value (each may name its
    own field; the model's cues decide those)."""
    given = [(kind, slots[f"{kind}_{field}"]) for kind in ("memory", "cpu")
             for field in ("request", "limit")
             if f"{kind}_request" in declared and f"{kind}_limit" in declared
             and slots.get(f"{kind}_{field}")]
    if len(given) != 1 or _CUES.intersection(_WORD.findall(text.lower())):
        return None
    kind, value = given[0]
    return BareValue(kind, value)


_BOTH_FIELDS = re.compile(
    r"\b(?:requests?\s*(?:and|&|\+|/)\s*(?:the\s+|its\s+)?limits?|"
    r"limits?\s*(?:and|&|\+|/)\s*(?:the\s+|its\s+)?requests?)\b", re.IGNORECASE)


def both_named(declared: Mapping[str, object], slots: Mapping[str, str],
               text: str) -> dict[str, str] | None:
    """`slots` with the one resource value set on both fields, when the message names the
    two together ("set memory request and limit to 512Mi"; a user trial: planned as the
    limit only); None when it does not, or gives more than one value of the kind."""
    if not _BOTH_FIELDS.search(text):
        return None
    given = [(kind, slots[f"{kind}_{field}"]) for kind in ("memory", "cpu")
             for field in ("request", "limit")
             if f"{kind}_request" in declared and f"{kind}_limit" in declared
             and slots.get(f"{kind}_{field}")]
    if len(given) != 1:
        return None
    kind, value = given[0]
    return BareValue(kind, value).slots("both", slots)
