"""Which sentence of a long message asks for something, by its words.

Read whole, a long message's context can drown its request; the parser then reads the
sentences that ask again, each alone (`ModelParser._or_the_request`). A read may come
from any sentence that asks; a change only from the last one that asks or orders, said
for now and not on a condition (`may_give_a_change`), because a sentence read alone loses
what the others say of it (session 46's attacker review).
"""

from __future__ import annotations

import re

ASKS = re.compile(
    r"\b(?:can|could|would|will) (?:you|u|someone|somebody|anyone|we)\b|"
    r"\b(?:please|pls|plz)\b|^\W*(?:go ahead|let'?s)\b|"
    # a read's own imperative opens the sentence: "list images cluster-wide"
    r"^\W*(?:list|show|get|check|give me|tell me|describe|find|display|scan|audit|pull|"
    r"grab|fetch)\b", re.IGNORECASE)
"""Words that make a sentence a request put to someone: "can you ...", "could someone
...", "please ...", "go ahead"; a question asks too ("what's wrong with it?")."""

_ASKED = re.compile(
    r"\b(?:can|could|would|will) (?:you|u|someone|somebody|anyone|we)\b|"
    r"\b(?:please|pls|plz)\b|^\W*(?:go ahead|let'?s)\b|\bi need you to\b", re.IGNORECASE)
"""Words that ask someone to act now (a question mark alone does not: "did someone
restart it?")."""

_FILLERS = (r"ok|okay|so|now|then|and|but|also|anyway|meanwhile|alright|right|hey|folks|"
            r"team|guys|all|just|pls|plz|please|quick|quickly|asap|urgent|fine|yes|yeah|"
            r"yep|cool|great|thanks|thx|ty|@[\w.-]+|<@\w+>")
_OPENING = re.compile(rf"^\W*(?:(?:{_FILLERS})\W+)*(?P<first>[\w'\u2019.-]+)"
                      rf"(?:\s+(?P<second>[\w'\u2019.-]+))?", re.IGNORECASE)
_ORDER_VERBS = frozenset((
    "restart", "bounce", "redeploy", "reboot", "recycle", "cycle", "kick", "roll", "rollback",
    "revert", "go", "bring", "scale", "bump", "raise", "lower", "increase", "decrease",
    "reduce", "drop", "set", "change", "update", "upgrade", "downgrade", "switch", "ship",
    "deploy", "push", "pin", "move", "put", "take", "make", "give", "add", "cap", "limit",
    "double", "halve", "cordon", "uncordon", "drain", "evict", "delete", "kill", "remove",
    "nuke", "terminate", "suspend", "pause", "resume", "unpause", "unsuspend", "stop",
    "halt", "disable", "enable", "re-enable", "reenable", "freeze", "unfreeze", "hold",
    "skip", "turn", "patch", "resize", "rightsize", "apply", "swap", "replace", "trim",
    "grow", "shrink", "expand", "boost", "crank", "dial", "tune", "adjust", "allow", "let",
    "mark", "retag", "rollout", "undo", "revive", "unblock", "evacuate", "empty", "clear",
))
"""Verbs an order of a change opens with ("Bump customs-gw in customs up to 12.", "Ship it
to rate-quoter", "Go back to whatever ran before"): a sentence opening with another word
is a statement ("Load test finished", "Marketing just told us")."""
_FINITE = re.compile(r"^(?:\w+ed|is|was|are|were|has|had|have|will|would|did|does|do|just|"
                     r"already|said|says|told|thinks|knows|wants|asked|keeps|got|gets|went|"
                     r"goes|ran|runs|left|came|saw|sent|made|took|broke|can|could|should|"
                     r"might|may|must|isn't|wasn't|hasn't|didn't|doesn't|won't)$",
                     re.IGNORECASE)
"""A second word that makes the first a noun ("set is done", "scale was fine", "push
failed")."""

_NOT_NOW = re.compile(
    r"\b(?:if|unless|whenever|when|once|in case|next time|later|tomorrow|tmrw|someday|"
    r"some day|eventually|at some point|in (?:the )?future|next (?:week|month|sprint|"
    r"release|time)|going forward|from now on)\b", re.IGNORECASE)
"""Words that put a change off or make it hang on a condition ("let's restart orders next
time", "could you restart it if it acts up again"): not a change to plan now from a
sentence read alone."""


def asks(said: str) -> bool:
    """Whether sentence `said` asks: asking words, a read's imperative, or a question."""
    return ASKS.search(said) is not None or said.rstrip().endswith("?")


def asks_or_orders(said: str) -> bool:
    """Whether sentence `said` asks someone to act now, or opens with a verb in the
    imperative ("Bump customs-gw in customs up to 12.", "Ship it to rate-quoter")."""
    if _ASKED.search(said):
        return True
    if said.rstrip().endswith("?"):
        # A change in a question without asking words is a complaint as often as an
        # order ("rollback orders again? at this point ...": an attacker set).
        return False
    opening = _OPENING.match(said)
    if opening is None:
        return False
    first, second = opening["first"].lower(), opening["second"]
    if first not in _ORDER_VERBS:
        return False  # a subject, a name, a number: a statement
    return second is None or not _FINITE.match(second)


def may_give_a_change(said: str) -> bool:
    """Whether sentence `said`, read alone, may give a change: it asks or orders, and for
    now, on no condition."""
    return asks_or_orders(said) and _NOT_NOW.search(said) is None


_REFERS_BACK = re.compile(
    r"\b(?:it|its|them|that one|this one|(?:that|this|the|those|these)\s+(?:deployment|deploy|"
    r"service|svc|app|pod|replica|node|box|host|machine|worker|cron ?job|job|autoscaler|hpa|"
    r"workload|container|one)s?)\b", re.IGNORECASE)
"""Words that refer to an object named before ("Can you pause it in billing", "Delete that
pod in edge"): a change from such a sentence takes the object the message names."""


def refers_back(said: str) -> bool:
    """Whether sentence `said` refers to an object named in another sentence."""
    return _REFERS_BACK.search(said) is not None
