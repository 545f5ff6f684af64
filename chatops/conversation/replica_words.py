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
    # Orders, not what happened ("traffic doubled last week": an attacker review planned
    # 3 -> 6 for "scale down checkout-api, traffic doubled ...").
    (re.compile(r"\b(?:double|doubling)\b(?![- ]?check(?:ed|ing|s)?\b)", re.IGNORECASE),
     "double"),
    (re.compile(r"\b(?:halve|halving|in half|by half)\b", re.IGNORECASE), "half"),
    (re.compile(r"\b(?:triple|tripling)\b", re.IGNORECASE), "triple"),
    (re.compile(rf"\badd\s+(?:another\s+)?{_AMOUNT}\s+(?:more\s+|extra\s+)?{_UNIT}\b|"
                rf"\b{_AMOUNT}\s+(?:more|extra|additional)\s+{_UNIT}\b", re.IGNORECASE), "+"),
    (re.compile(rf"\banother\s+{_UNIT}\b", re.IGNORECASE), "+1"),
    (re.compile(rf"\b(?:remove|drop|take\s+away|cut|subtract)\s+{_AMOUNT}\s+{_UNIT}\b|"
                rf"\b{_AMOUNT}\s+(?:fewer|less)\s+{_UNIT}\b", re.IGNORECASE), "-"),
)


_DOWN = re.compile(r"\b(?:down|reduce|lower|shrink|decrease|less|fewer|cut|remove|drop|"
                   r"minus|scale\s+in)\b", re.IGNORECASE)
_UP = re.compile(r"\b(?:up|increase|raise|more|add|grow|boost|extra|another|scale\s+out)\b",
                 re.IGNORECASE)


def replicas_in_words(text: str) -> str | None:
    """The replica value the words of `text` give ("double", "half", "triple", "+2", "-1"),
    when exactly one such phrase is found and no word says the other direction ("scale it
    down, double it" is a contradiction to ask about); None otherwise."""
    found: list[str] = []
    for pattern, value in _WORDS:
        for match in pattern.finditer(text):
            if value in ("+", "-"):
                amount = next(g for g in match.groups() if g)
                count = _COUNTS.get(amount.lower()) or int(amount)
                found.append(f"{value}{count}")
            else:
                found.append(value)
    if len(found) != 1:
        return None
    more = found[0] in ("double", "triple") or found[0].startswith("+")
    contrary = _DOWN if more else _UP
    return None if contrary.search(text) else found[0]


# What may come before an order's count word: "ok so", "can you", "pls", "let's", "just".
_COUNT_OPENER = (r"^\W*(?:(?:ok|okay|so|hey|right)\W+)*(?:(?:can|could|would|will)\s+"
                 r"(?:you|u|we|someone)\s+|(?:please|pls|plz)\s+|let'?s\s+|"
                 r"go\s+(?:ahead\s+(?:and\s+)?)?|just\s+)*(?:double|triple|halve)")
_OPENS_WITH_COUNT = re.compile(_COUNT_OPENER + r"\b(?![- ]?check(?:ed|ing|s)?\b)",
                               re.IGNORECASE)


def opens_with_a_count(text: str) -> bool:
    """Whether `text` is an order that opens with its count in words ("triple
    web-frontend in prod", "can you double checkout-api"), not one that says a count
    happened ("we got double the traffic")."""
    return bool(_OPENS_WITH_COUNT.match(text)) and replicas_in_words(text) is not None


_ONLY_A_COUNT_ORDER = re.compile(
    _COUNT_OPENER + r"\s+(?:the\s+)?[\w.-]+(?:\s+deployment)?"
    r"(?:\s+(?:in|on)\s+(?:the\s+)?[\w.-]+(?:\s+namespace)?)?"
    r"(?:\W+(?:please|pls|plz|now|asap|for now|thanks|thx|ty))*[\s.!?]*$", re.IGNORECASE)


def only_a_count_order(text: str) -> bool:
    """Whether `text` is nothing but an order by its count in words, its object and
    namespace, and a "please" ("triple web-frontend in prod", "can you double checkout-api
    pls"): no time, condition, event or reason the re-read could drop (an attacker review:
    "double checkout-api in prod if latency goes up" was planned for now)."""
    return bool(_ONLY_A_COUNT_ORDER.match(text)) and replicas_in_words(text) is not None
