"""Model readings for conversation tests: an intent and slots, with their spans found in
the text as the model would give them (the guards read spans)."""

from __future__ import annotations

import re

from chatops.model import SlotSpan


def spans_in(text: str, slots: dict[str, str]) -> tuple[SlotSpan, ...]:
    """Each slot's span: the first place its value stands in `text`."""
    spans = []
    for slot, value in slots.items():
        found = re.search(re.escape(value), text)
        assert found is not None, (value, text)
        spans.append(SlotSpan(slot, found.start(), found.end(), value))
    return tuple(spans)
