"""A change of replica count said in words, where the model tagged no count.

A user trial: "double checkout-api in prod", "halve checkout-api in staging" and "remove
one replica from checkout-api" were read as scales with no count, and asked "How many
replicas? (... double or half)", the very words they had said; "triple web-frontend" was
out of scope. The count is the words' (`slots.parse_replicas` reads it, and the plan says
what it comes to), never a guess: a message with two such words gets the question.
"""

from __future__ import annotations

import re

_UNIT = r"(?:replicas?|pods?|instances?|copies|copy)"
_AMOUNT = r"(a|an|one|two|three|four|five|\d{1,2})"
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_WORDS = (
    # Not "double-check checkout-api".
    (re.compile(r"\b(?:double|doubled|doubling)\b(?![- ]?check(?:ed|ing|s)?\b)",
                re.IGNORECASE), "double"),
    (re.compile(r"\b(?:halve|halved|halving|in half|by half)\b", re.IGNORECASE), "half"),
    (re.compile(r"\b(?:triple|tripled|tripling|triplicate)\b", re.IGNORECASE), "triple"),
    (re.compile(rf"\badd\s+(?:another\s+)?{_AMOUNT}\s+(?:more\s+|extra\s+)?{_UNIT}\b|"
                rf"\b{_AMOUNT}\s+(?:more|extra|additional)\s+{_UNIT}\b", re.IGNORECASE), "+"),
    (re.compile(rf"\banother\s+{_UNIT}\b", re.IGNORECASE), "+1"),
    (re.compile(rf"\b(?:remove|drop|take\s+away|cut|subtract)\s+{_AMOUNT}\s+{_UNIT}\b|"
                rf"\b{_AMOUNT}\s+(?:fewer|less)\s+{_UNIT}\b", re.IGNORECASE), "-"),
)


def replicas_in_words(text: str) -> str | None:
    """The replica value the words of `text` give ("double", "half", "triple", "+2", "-1"),
    when exactly one such phrase is found; None otherwise."""
    found: list[str] = []
    for pattern, value in _WORDS:
        for match in pattern.finditer(text):
            if value in ("+", "-"):
                amount = next(g for g in match.groups() if g)
                count = _COUNTS.get(amount.lower()) or int(amount)
                found.append(f"{value}{count}")
            else:
                found.append(value)
    return found[0] if len(found) == 1 else None
