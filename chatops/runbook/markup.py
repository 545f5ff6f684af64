"""Slot markup in example utterances: `scale [checkout](deployment) to [5](replicas)`."""

from __future__ import annotations

import re

from chatops.model import SlotSpan

_MARK = re.compile(r"\[([^\[\]]+)\]\(([a-z_][a-z0-9_]*)\)")


def parse_markup(text: str) -> tuple[str, tuple[SlotSpan, ...]]:
    """Strip slot markup from `text`; return the plain text and the slot spans in it."""
    plain: list[str] = []
    spans: list[SlotSpan] = []
    pos = 0
    length = 0
    for match in _MARK.finditer(text):
        before = text[pos : match.start()]
        plain.append(before)
        length += len(before)
        value, slot = match.group(1), match.group(2)
        spans.append(SlotSpan(slot=slot, start=length, end=length + len(value), text=value))
        plain.append(value)
        length += len(value)
        pos = match.end()
    plain.append(text[pos:])
    return "".join(plain), tuple(spans)


def markup_slots(text: str) -> dict[str, str]:
    """The slot values an example utterance marks up, by slot name."""
    return {span.slot: span.text for span in parse_markup(text)[1]}
