"""A change asked for in part, beside another, or on a condition.

User trials: "drain node-2 but leave the prod pods alone" planned a full drain, which
evicts the prod pods too, with no word about the condition it dropped (a drain evicts
every pod on its node, so one that spares some is refused with what comes close);
"suspend nightly-report and resume it monday 09:00" scheduled the suspend for Monday (two
changes: one plan would drop the other, so neither is planned); "check calc-app in prod and
restart it if it looks bad" planned the restart and dropped the check (the check, a
diagnosis, answers first and offers the fix).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from chatops.conversation.asking import (
    MAIN_CHANGE,
    clauses_ordering,
    names_another,
    ruled_out_changes,
)
from chatops.conversation.kinds import TARGETS
from chatops.runbook.schema import Runbook

WHOLE = frozenset({"drain_node"})
"""Runbooks that act on everything their object holds: a part cannot be spared."""

_SPARES = re.compile(
    r"\b(?:but|except|excluding|other than|apart from|besides|without)\b[^.?!\n]{0,60}?"
    r"\b(?:leave|leaving|keep|keeping|skip|skipping|spare|sparing|alone|untouched|evict|"
    r"evicting|moving|touch|touching|not)\b"
    r"|\b(?:except|excluding|other than|apart from)\s+(?:for\s+)?(?:the\s+|any\s+)?[\w.-]+",
    re.IGNORECASE)


_IMPLIED: dict[str, frozenset[str]] = {"drain_node": frozenset({"cordon"})}
"""Changes a runbook makes on its way: a drain cordons first ("cordon node-2 and drain
it" is one drain)."""


_SENTENCE = re.compile(r"[.!?\n]+")
_CLAUSE = re.compile(r"[,;:]|\b(?:and|then|so|but)\b", re.IGNORECASE)
_SUBJECT = re.compile(r"^\W*(?:we|i|they|he|she|someone|somebody|you guys|the team)\s+"
                      r"(?:can|could|should|might|may|will|would|need to|have to|'ll|can't)\b",
                      re.IGNORECASE)


def other_orders(intent: str, text: str, ordered: Callable[[str], set[str]],
                 makes: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """The kinds of change ordered besides those the runbook `intent` makes (`makes`:
    `asking.RUNBOOK_CHANGES`) in a sentence of `text` that orders one of those too
    (`ordered`: `asking.ordered_changes`): "suspend nightly-report and resume it monday"
    read as the suspend (a user trial scheduled the suspend for Monday); none otherwise.
    Within a sentence: context before the order ("we can take it back into service now.
    please uncordon it") orders nothing of its own."""
    own = makes.get(intent, frozenset())
    found: set[str] = set()
    for sentence in _SENTENCE.split(text):
        # "scale api to 5, no need to restart it": a change ruled out is not ordered.
        kinds = ordered(sentence) - ruled_out_changes(sentence)
        if not kinds & own:
            continue
        # A clause with a subject of its own ("we can take it back into service now")
        # says what could be done, and orders nothing.
        said = {kind for part in _CLAUSE.split(sentence) if _SUBJECT.match(part)
                for kind in ordered(part)}
        found |= kinds - own - said - _IMPLIED.get(intent, frozenset())
    return tuple(sorted(found))


_ON_A_CONDITION = re.compile(
    r"\b(?:if|unless|in case)\s+(?:needed|necessary|required|so|need be)\b"
    r"|\b(?:if|unless|in case|when)\s+(?:it|they|that|this|the\s+[\w.-]+|[\w.-]+)"
    r"(?:\s+(?:in|on)\s+[\w.-]+)?"
    r"(?:['\u2019]s|\s+(?:is|are|still|looks?|seems?|keeps?|stays?))*\s+(?:(?:not|n't)\s+)?"
    r"(?:bad|broken|unhealthy|healthy|down|stuck|crash\w*|fail\w*|wrong|off|weird|flaky|"
    r"flapping|ok|okay|fine|erroring|hung|wedged|slow|dead|borked|busted)\b",
    re.IGNORECASE)


def on_a_condition(text: str) -> bool:
    """Whether `text` asks for its change only if something is so ("if it looks bad", "if
    needed", "if api is down"), not "if you can"."""
    return _ON_A_CONDITION.search(text) is not None


# An event the change is to wait for: "after the deploy finishes", "once the migration is
# done", "when the rollout completes", "as soon as the backup job is over". The bot plans
# a change now or at a time, never on something happening (a user trial planned "after the
# deploy finishes, restart web-frontend" at once). A time ("after 6pm") is no event.
_AFTER_EVENT = re.compile(
    r"\b(?:after|once|when|as soon as|whenever)\s+(?:the\s+|our\s+|my\s+|this\s+|"
    r"that\s+|its\s+|it\s+|[\w.-]+\s+)(?:[\w.-]+\s+){0,3}?"
    # What is yet to happen: "finishes", "is done", "has finished", "gets merged"; a past
    # form alone tells what happened ("after the deploy finished, restart it": now).
    r"(?:finishes|completes|lands|ends|merges|passes|succeeds|recovers|rolls out|goes out|"
    r"goes live|comes back|comes up|wraps up|settles|stabili[sz]es|"
    r"(?:is|are|has|have|gets?|has been|have been|will be)\s+"
    r"(?:finished|done|complete|completed|over|landed|merged|deployed|rolled out|live|"
    r"back up|back|green|through|drained|recovered|healthy|up|wrapped up|settled|stable))\b",
    re.IGNORECASE)


def waits_for_event(text: str) -> bool:
    """Whether `text` asks for its change once something has happened ("after the deploy
    finishes, restart web-frontend"), which no plan can wait for."""
    return _AFTER_EVENT.search(text) is not None


# A count now and another later: "scale it to 6 for the sale, back to 3 at 6pm", "bump it
# to 5 and then back down to 3 after lunch" (a user trial; the model read the first count,
# and the plan dropped the second without a word).
_BACK_TO = re.compile(r"\bback\s+(?:down\s+|up\s+)?to\s+\d+\b", re.IGNORECASE)
_TO_COUNT = re.compile(r"\bto\s+\d+\b", re.IGNORECASE)


COUNTED = ("scale_deployment", "set_autoscaling")
"""The changes that set a replica count."""


def count_and_back(text: str) -> bool:
    """Whether `text` asks for a count and then a return to another ("... to 6, then back to
    3"): two changes, one of them later."""
    # Two searches, not one pattern with a lazy gap: "to 1 " 8,000 times took 3.6 s (an
    # attacker review).
    back = _BACK_TO.search(text)
    return back is not None and _TO_COUNT.search(text, 0, back.start()) is not None


def spares_part(text: str) -> bool:
    """Whether `text` asks to leave part of the change's object as it is ("but leave the
    prod pods alone", "except the ledger pods", "without evicting the db")."""
    return _SPARES.search(text) is not None


def ruled_out(intent: str, text: str, slots: Mapping[str, str]) -> str | None:
    """The change of runbook `intent` when `text` rules it out for the objects it is read
    with (`slots`) or for none named ("cordon node-2 but don't drain it" read as a drain: a
    user trial planned it), else None."""
    main = MAIN_CHANGE.get(intent)
    ruled = ruled_out_changes(text, slots.values()) if main is not None else set()
    return main if main in ruled else None


def ordered_instead(intent: str, text: str, slots: Mapping[str, str],
                    runbooks: Mapping[str, Runbook]) -> tuple[str, dict[str, str]] | None:
    """The runbook and values of the one change `text` orders besides the one it rules out
    (the cordon of "cordon node-2 but don't drain it"), when exactly one runbook is named for
    it, the values of `slots` (read as `intent`) name its object, and its clause names no
    other ("don't suspend it in staging, resume it in prod": the values are of the change
    ruled out, an attacker review); else None."""
    ruled = ruled_out_changes(text, slots.values())
    ordering = [(kind, clause) for kind, clause in clauses_ordering(text) if kind not in ruled]
    named = [name for name, main in MAIN_CHANGE.items()
             if main in {kind for kind, _ in ordering} and name in runbooks and name != intent]
    if len(named) != 1:
        return None
    runbook = runbooks[named[0]]
    values = {k: v for k, v in slots.items() if k in runbook.slots and v}
    if not any(spec.type in TARGETS and values.get(name)
               for name, spec in runbook.slots.items()):
        return None
    main = MAIN_CHANGE[runbook.name]
    if any(kind == main and names_another(clause, values.values())
           for kind, clause in ordering):
        return None
    return runbook.name, values
