"""A question of what a change would do ("what would happen if I scaled checkout-api to 0
in prod?", "is it safe to drain node-2?", "dry-run a restart of api"): answered with the
change's server-side dry-run as the asker, and nothing is proposed.

A user trial asked "what would happen if I scaled X to 0?" and got "outside what I can
do": the model reads such questions out of scope (no runbook answers a question), and a
question read as the change would be a plan nobody asked for, which any approver could
approve. The preview is the plan's own (its diff, the pods it touches, its warnings), and
the change is offered as a choice: taking it asks for it, with the approvals the policy
requires, like any request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatops.conversation.runbook_words import runbooks_asked_about
from chatops.model import ParsedIntent

_WHAT_IF = re.compile(
    # what would happen if I scaled it to 0, what happens when we drain node-2, what breaks
    r"\bwhat(?:'d|'ll|'s)?\s+(?:would|will|could|might|does|do)?\s*(?:happen|happens|break|"
    r"breaks|change|go\s+wrong|goes\s+wrong|be\s+(?:affected|impacted|hit))\b"
    r"|\bwhat\s+if\s+(?:i|we|you|u|someone|somebody)\b"
    # what would a rollback of api do, what would restarting it touch
    r"|\bwhat\s+(?:would|will|might|could)\s+(?:\S+\s+){1,8}?(?:do|change|affect|touch|"
    r"break|look\s+like)\b"
    # the impact of draining node-2, the blast radius of a restart
    r"|\b(?:impact|effect|blast[\s-]+radius|consequences?|fallout)\s+(?:of|from)\b"
    # would restarting it cause downtime, would a drain take the api down
    r"|\bwould\s+(?:\S+\s+){1,8}?(?:break|affect|hurt|cause|take\s+(?:\S+\s+){0,2}down|drop|"
    r"impact|kill|disrupt)\b"
    r"|\b(?:is|would)\s+it\s+(?:be\s+)?safe\s+to\b"
    r"|\bhow\s+(?:bad|risky|safe|disruptive|dangerous)\s+(?:would|is|will)\b"
    r"|\b(?:preview|dry[\s-]?run)\b",
    re.IGNORECASE)
# "what would you do?", "should we restart it or roll back?": advice, not a preview; a
# question of the past ("what happened when we restarted it") is the history's.
_NOT_WHAT_IF = re.compile(r"\bwhat\s+(?:would|should)\s+(?:you|u|we|i)\s+do\b|\bhappened\b",
                          re.IGNORECASE)


def asks_what_if(text: str) -> bool:
    """Whether `text` asks what a change would do, rather than for it."""
    return _WHAT_IF.search(text) is not None and _NOT_WHAT_IF.search(text) is None


def change_asked_about(text: str, parsed: ParsedIntent, changes: Iterable[str],
                       ) -> str | None:
    """The one change (of `changes`, the runbooks that change something) a what-if question
    is about: the model's reading when it read one of them and the words name no other,
    else the one the words name; None when `text` asks no such question, or names none or
    several."""
    if not asks_what_if(text):
        return None
    known = tuple(changes)
    named = runbooks_asked_about(text, known)
    if parsed.intent in known and set(named) <= {parsed.intent}:
        return parsed.intent
    return named[0] if len(named) == 1 else None
