"""Names to offer for one that does not exist ("Did you mean ...?").

An offer is answered with one word ("yes", a button) and then planned, so it must be a name
the person plausibly typed wrong, never merely another object: a user trial answered
"restart calc-app in staging" with "Did you mean checkout-api?" (difflib's ratio 0.5), and
"yes" planned that restart; "prod-eu" was offered prod, another cluster's traffic.

A name is near when it keeps the value's numbers (node-9 is never node-3), is not the value
cut short by whole parts ("prod-eu" is not prod, "ledger-db" not ledger: a part more names
something else), and is either a close typo (a ratio of at least 0.75: "serach-indexer",
"prdo") or an abbreviation of it (three letters or more, in order, from the same first two:
"stg" for staging, "chkout" for checkout-api).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_PARTS = re.compile(r"[-._]")
_NUMBERS = re.compile(r"[0-9]+")
_TYPO_RATIO = 0.75
_ABBREVIATION_LETTERS = 3
_ABBREVIATION_RATIO = 0.5


def _abbreviates(value: str, name: str) -> bool:
    """The value's letters in order in the name, from the same first two letters, three
    letters at least ("stg", "chkout"; not "db" for dashboard-backend nor "api" for
    audit-pipeline: an attacker review), and no worse a match than difflib's 0.5."""
    if len(value) < _ABBREVIATION_LETTERS or value[:2] != name[:2]:
        return False
    if difflib.SequenceMatcher(None, value, name).ratio() < _ABBREVIATION_RATIO:
        return False
    letters = iter(name)
    return all(char in letters for char in value)


def _cut_short(value: str, name: str) -> bool:
    """Whether `name` is `value` without its last whole parts."""
    parts, theirs = _PARTS.split(value), _PARTS.split(name)
    return len(theirs) < len(parts) and parts[:len(theirs)] == theirs


def near_names(value: str, names: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """Up to `n` of `names` near `value` to offer (not to take), nearest first; equally near
    names in their own order (node-1, node-2, node-3), not difflib's."""
    numbers = _NUMBERS.findall(value)
    ratios: dict[str, float] = {}
    for name in names:
        if name == value or _NUMBERS.findall(name) != numbers or _cut_short(value, name):
            continue
        ratio = difflib.SequenceMatcher(None, value, name).ratio()
        if ratio >= _TYPO_RATIO or _abbreviates(value, name):
            ratios[name] = ratio
    return tuple(sorted(ratios, key=lambda name: (-ratios[name], name))[:n])


_VOWELS = frozenset("aeiouy")


def without_vowels(word: str) -> str:
    """`word` as typed in a hurry without its vowels: "rstrt" for restart."""
    return "".join(ch for ch in word if ch not in _VOWELS)
