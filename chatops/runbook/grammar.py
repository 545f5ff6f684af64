"""The explicit grammar: `run <intent> key=value ...`, parsed deterministically.

It is the power user's and script's way in, and produces the same `ParsedIntent` the
model does, so everything after parsing is shared.
"""

from __future__ import annotations

import re
import shlex

from chatops.errors import GrammarError
from chatops.model import ParsedIntent
from chatops.runbook.catalogue import Catalogue, closest

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")


_RUNBOOK_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_SLOT_WORD = re.compile(r"^[a-z_][a-z0-9_]*=", re.IGNORECASE)


def starts_with_run(text: str) -> bool:
    """Whether `text`'s first word is `run` (all a bot without a model can read)."""
    words = text.strip().split(maxsplit=1)
    return bool(words) and words[0].lower() == "run"


def is_explicit(text: str) -> bool:
    """Whether `text` is written in the explicit grammar: `run` and a runbook, alone or
    with key=value slots. "run 3 replicas of api in prod" and "run diagnose on api" are
    plain words for the model; a runbook-shaped name (`show_pods`) or a key=value word
    keeps the grammar's own answers ("did you mean", "not key=value")."""
    if not starts_with_run(text):
        return False
    words = text.split()
    return (len(words) <= 2 or bool(_RUNBOOK_NAME.match(words[1].lower()))
            or any(_SLOT_WORD.match(w) for w in words[2:]))


def parse_explicit(text: str, catalogue: Catalogue) -> ParsedIntent:
    """Parse `run <intent> key=value ...` against the catalogue, or raise `GrammarError`."""
    try:
        words = shlex.split(text.strip())
    except ValueError as exc:
        raise GrammarError(f"I could not read that command: {exc}.",
                           "Quote values that contain spaces, and close every quote.") from exc
    if not words or words[0].lower() != "run":
        raise GrammarError("Explicit commands start with `run`.",
                           "Example: run scale_deployment deployment=checkout namespace=prod "
                           "replicas=5")
    if len(words) < 2:
        raise GrammarError("Which runbook should I run?", "Example: run show_pods namespace=dev")
    intent = words[1]
    if intent not in catalogue:
        close = closest(intent, catalogue.runbooks)
        hint = (f"Did you mean {', '.join(close)}?" if close
                else "`runbooks list` shows them all.")
        raise GrammarError(f"There is no runbook called {intent!r}.", hint)
    runbook = catalogue.get(intent)
    slots: dict[str, str] = {}
    for word in words[2:]:
        key, sep, value = word.partition("=")
        if not sep or not _KEY.match(key):
            raise GrammarError(f"{word!r} is not key=value.",
                               f"Slots of {intent}: {', '.join(runbook.slots) or 'none'}.")
        if key not in runbook.slots:
            close = closest(key, runbook.slots)
            hint = (f"Did you mean {close[0]}?" if close
                    else f"Slots of {intent}: {', '.join(runbook.slots) or 'none'}.")
            raise GrammarError(f"{intent} has no slot called {key!r}.", hint)
        if key in slots:
            raise GrammarError(f"{key} is given twice.")
        slots[key] = value
    return ParsedIntent(intent=intent, slots=slots, confidence=1.0, source="grammar")
