"""Model readings for conversation tests: an intent and slots, with their spans found in
the text as the model would give them (the guards read spans)."""

from __future__ import annotations

import re

from chatops.model import OUT_OF_SCOPE, ParsedIntent, SlotSpan


def spans_in(text: str, slots: dict[str, str]) -> tuple[SlotSpan, ...]:
    """Each slot's span: the first place its value stands in `text`."""
    spans = []
    for slot, value in slots.items():
        found = re.search(re.escape(value), text)
        assert found is not None, (value, text)
        spans.append(SlotSpan(slot, found.start(), found.end(), value))
    return tuple(spans)


class Reading:
    """A model that reads every message one way: `intent` (out of scope unless told) at
    `confidence`, with `slots` found in the text as spans."""

    def __init__(self, slots: dict[str, str] | None = None, intent: str = OUT_OF_SCOPE,
                 confidence: float = 1.0) -> None:
        self.slots, self.intent, self.confidence = slots or {}, intent, confidence

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), self.confidence, (), "model",
                            spans_in(text, self.slots))


class ReadsWhereWritten:
    """A model that reads every message as `intent`, confident, with each of `values`
    tagged where the text has it (case aside) and left out where it has not."""

    def __init__(self, intent: str, **values: str) -> None:
        self.intent, self.values = intent, values

    def parse(self, text: str) -> ParsedIntent:
        spans = []
        for slot, value in self.values.items():
            at = text.lower().find(value)
            if at >= 0:
                spans.append(SlotSpan(slot, at, at + len(value), text[at:at + len(value)]))
        return ParsedIntent(self.intent, {s.slot: s.text for s in spans}, 0.97, (), "model",
                            tuple(spans))
