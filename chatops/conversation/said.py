"""Who spoke last in a thread: a bare yes or no answers the words right before it, which
are not always the bot's plan.

Session 50's third attacker review: under bob's waiting restart bob asked "should I cancel
it?", carol answered "yes please", and the bot ran the restart as carol's approval. Every
message from a person in a thread (and every one the bot hears without answering, said to
someone else) leaves a `Said`: open when it is someone's words the bot made nothing of (no
plan, run or question back), which a yes or no after it may answer. Words that only ask
for the approval ("carol, can you approve pls?") or say yes themselves leave it closed: a
yes after them means the plan. The words themselves are never kept.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from chatops.conversation.meta_words import own_yes
from chatops.conversation.thread import Said, load_context, save_context
from chatops.replies import Reply
from chatops.runs.threads import ThreadStore

_ASKS_FOR_APPROVAL = re.compile(r"\b(?:approv\w*|\+1|sign[- ]?off|lgtm)(?![\w-])")
_PLEA_WORDS = frozenset({
    "approve", "approval", "approvals", "approver", "approving", "+1", "sign", "off",
    "signoff", "sign-off", "lgtm", "an", "a", "one", "the", "this", "it", "that", "plan",
    "request", "change", "my", "on", "for", "of", "from", "me", "i", "need", "needs", "want",
    "could", "can", "would", "will", "you", "u", "someone", "somebody", "anyone", "anybody",
    "sre", "on-call", "oncall", "here", "hey", "hi", "pls", "plz", "please", "thanks",
    "thank", "thx", "ty", "cheers", "when", "ready", "asap", "quick", "quickly", "get", "give",
    "have", "whenever", "possible", "if", "next", "now", "soon", "so", "ok", "okay", "just",
})
"""Words of a message that only asks for the approval: a yes after it approves."""
_ANSWERS = re.compile(r"[^\s<>@:]+")
_MENTION = re.compile(r"<[@!#][^>]*>|(?<!\w)@[\w.-]+")
_COMMANDS = frozenset({"approve", "deny", "reject"})
"""The bot's own words for a decision, said alone: after another person's words they still
decide ("approve" answers no "should I cancel it?"; "yes, approved" may answer "did you
approve my PR?")."""


def decides_by_command(text: str) -> bool:
    """Whether `text` is one of the bot's own words for a decision, alone."""
    return text.strip().strip(".!`*_ ").lower() in _COMMANDS


def _only_thanks_or_emoji(lowered: str) -> bool:
    return not re.search(r"[a-z0-9]", re.sub(r":[a-z0-9_+-]+:|\b(?:thanks|thank you|thx|ty|"
                                             r"cheers|pls|please)\b", " ", lowered))


def leaves_open(text: str, names: Collection[str]) -> bool:
    """Whether a yes or no after `text` may answer it rather than the plan: not when it
    says yes itself, only thanks, or only asks for the approval (`names`: the people it
    may address, left out)."""
    lowered = _MENTION.sub(" ", text.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'"))
    if own_yes(lowered) or _only_thanks_or_emoji(lowered):
        return False
    if not _ASKS_FOR_APPROVAL.search(lowered):
        return True
    words = [w.strip(".,;:!?'\"()") for w in _ANSWERS.findall(lowered)]
    return not all(not w or w in _PLEA_WORDS or w in names for w in words)


def made_something(replies: Sequence[Reply]) -> bool:
    """Whether the bot answered a message with a plan, a run or a question back."""
    return any(r.run is not None or r.kind in ("plan", "result", "question") for r in replies)


def remember(threads: ThreadStore, thread: str, said: Said) -> None:
    """Save `said` as the thread's last message from a person."""
    save_context(threads, thread, replace(load_context(threads, thread), said=said))
