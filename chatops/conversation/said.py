"""Who spoke last in a thread: a bare yes or no answers the words right before it, which
are not always the bot's plan.

Session 50's third attacker review: under bob's waiting restart bob asked "should I cancel
it?", carol answered "yes please", and the bot ran the restart as carol's approval. Every
message from a person in a thread (and every one the bot hears without answering, said to
someone else) leaves a `Said`, answerable when a yes or no after it may answer it:

- a message the bot made a plan of or asked back on closes it, and so do words that only
  ask for the approval ("carol, can you approve pls?", "carol, ok to proceed?") when
  nothing open stands before them or they name the waiting plan;
- words that add nothing to answer (thanks, "🙏", "bump", "anyone?", someone's plain yes)
  pass on what stands before them, as their writer's ("should I cancel it?" - "🙏" -
  "yes"), and so does a read the bot answered, unless it asks what a yes or no answers
  ("is checkout-api the one with the broken probe?"; not "how many replicas ...?");
- anything else is words a yes or no may answer: someone else's, or the writer's own
  when they ask a yes-or-no question (`Said.asks`).

Session 51's two reviews (239 threads) drove it. The words themselves are never kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from typing import Literal

from chatops.conversation.meta_words import says
from chatops.conversation.thread import Said
from chatops.replies import Reply

_ASKS_FOR_APPROVAL = re.compile(r"(?<![\w-])(?:approv\w*|\+1|sign[- ]?off|lgtm)(?![\w-])")
_ASKS_TO_GO = re.compile(
    r"^(?:(?:is it |are we |we're )?(?:ok|okay|good|clear|safe) to (?:go|proceed|run|ship)|"
    r"good to go|how about it|(?:can|may|shall) (?:i|we) (?:go ahead|proceed))$")
"""Asking whether the plan may go ahead, the whole of a plea ("carol, ok to proceed?")."""
_ASKS_ABOUT = re.compile(r"(?:is|are|was|were|does|do|did|has|have|had|should|shall|must|"
                         r"will|isn't|aren't|doesn't|don't|won't)\b")
"""A question about the approval, no plea for it ("is a second approval required?")."""
_PLEA_WORDS = frozenset({
    "approve", "approval", "approvals", "approver", "approving", "approved", "+1", "sign",
    "off", "signoff", "sign-off", "lgtm", "an", "a", "one", "the", "this", "it", "that",
    "plan", "request", "change", "my", "on", "for", "of", "from", "me", "i", "need",
    "needs", "needed", "required", "pending", "waiting", "want", "could", "can", "would",
    "will", "you", "u", "someone", "somebody", "anyone", "anybody", "sre", "on-call",
    "oncall", "here", "hey", "hi", "pls", "plz", "please", "thanks", "thank", "thx", "ty",
    "cheers", "in", "advance", "when", "ready", "asap", "quick", "quickly", "get", "give",
    "have", "whenever", "possible", "if", "next", "now", "soon", "so", "ok", "okay", "just",
    "ping", "pinging", "bump", "nudge", "sec", "second", "minute", "moment", "chance", "side",
    "is", "it's", "its", "this's", "urgent", "urgently", "still", "your", "review", "before",
    "release", "blocking", "blocked", "today",
})
"""Words of a message that only asks for the approval: a yes after it approves."""
_NOTHING_TO_ANSWER = frozenset({
    "thanks", "thank", "you", "thx", "ty", "tyvm", "cheers", "in", "advance", "a", "lot",
    "so", "much", "again", "all", "pls", "plz", "please", "bump", "ping", "anyone",
    "anybody", "someone", "somebody", "hello", "hey", "hi", "pray", "bow",
})
"""Words (and shortcodes) of a message that adds nothing to answer: thanks, a nudge."""
_NUDGE_MARKS = frozenset("?\N{PERSON WITH FOLDED HANDS}\N{PERSON BOWING DEEPLY}")
_QUESTION_MARKS = frozenset("?\N{FULLWIDTH QUESTION MARK}\N{ARABIC QUESTION MARK}"
                            "\N{INVERTED QUESTION MARK}")
_WORD = re.compile(r"[^\s<>@]+")
_MENTION = re.compile(r"<[@!#][^>]*>|(?<!\w)@[\w.-]+")
_MARKUP = "`*_~>\"'()[].,;:!"
_COMMANDS = frozenset({"approve", "deny", "reject"})
"""The bot's own words for a decision, said alone: after another person's words they still
decide ("approve" answers no "should I cancel it?"; "yes, approved" may answer "did you
approve my PR?")."""

Words = Literal["plea", "nothing", "open"]


def decides_by_command(text: str) -> bool:
    """Whether `text` is one of the bot's own words for a decision, alone."""
    return text.strip().strip(".!`*_ ").lower() in _COMMANDS


def _words(text: str) -> list[str]:
    """The words of `text` in lower case, without mentions, markup or punctuation around
    them (full-width forms folded), emoji left out; a shortcode is its name (":pray:" ->
    "pray")."""
    lowered = unicodedata.normalize("NFKC", text).lower().replace(
        "\N{RIGHT SINGLE QUOTATION MARK}", "'")
    words = (word.strip(_MARKUP + "?") for word in _WORD.findall(_MENTION.sub(" ", lowered)))
    return [w for w in words if any(ch.isalnum() for ch in w)]


def kind_of_words(text: str, names: Collection[str],
                  plan_words: Collection[str] = ()) -> Words:
    """What a yes or no after `text` may answer: `plea` (it only asks for the approval: the
    plan), `nothing` (thanks, a nudge, a plain yes: whatever came before it), `open` (its
    own words). `names`: the people it may address, left out; `plan_words`: the words of
    the plans waiting in the thread ("restart", "checkout-api"), which a plea may name."""
    words = _words(text)
    marks = {ch for ch in text if not ch.isspace() and not ch.isalnum()}
    question = not marks.isdisjoint(_QUESTION_MARKS)
    if says("confirm", text):
        return "nothing"  # someone's plain yes ("lgtm") may answer what came before it too
    asked = " ".join(w for w in words if w not in names and w not in ("hey", "hi"))
    if (_ASKS_FOR_APPROVAL.search(" ".join(words)) and _ASKS_ABOUT.match(asked) is None
            and all(w in _PLEA_WORDS or w in names or w in plan_words for w in words)) or (
            _ASKS_TO_GO.match(asked)):
        return "plea"
    emoji = {ch for ch in marks if unicodedata.category(ch) == "So"}
    if all(w.strip(":") in _NOTHING_TO_ANSWER or w in names for w in words) and (
            emoji <= _NUDGE_MARKS and (not question or not emoji)):
        return "nothing"  # "thanks in advance", "🙏", "bump", "anyone?" - not "☕?"
    return "open"


_ASKS_WHAT = re.compile(r"^(?:how (?!about\b)|what (?!about\b|if\b)|what's|whats|which|who|"
                        r"whose|where|when|why)", re.IGNORECASE)
"""A question that opens with a word a yes cannot answer ("how many replicas ...?", not
"how about ...?")."""
_ASKS_IF = re.compile(
    r"^(?:is|are|was|were|am|do|does|did|can|could|should|shall|will|would|may|might|must|"
    r"have|has|had|isn't|aren't|wasn't|don't|doesn't|didn't|can't|won't|shouldn't|any|"
    r"anything|anyone|ok|okay|right|want|wanna|tell me (?:if|whether))\b", re.IGNORECASE)
"""A clause that asks whether ("is it OOM", "was it you", "tell me if it is healthy")."""
_CLAUSES = re.compile(r"[,;:.!?\N{FULLWIDTH QUESTION MARK}\N{ARABIC QUESTION MARK}]+")
_OPENERS = frozenset({"hey", "hi", "so", "ok", "and", "btw", "also", "hmm", "um", "oh"})
_OWN_ASK = re.compile(r"\b(?:can|may|could|should|shall|do) (?:i|we)\b"
                      r"(?! get\b| have\b| go ahead\b| proceed\b)", re.IGNORECASE)
"""Asking for oneself ("can I approve?"): no plea for someone else's approval."""


def yes_or_no_question(text: str, names: Collection[str]) -> bool:
    """Whether `text` asks a question that a yes or no may answer: a clause that opens
    with a verb that asks ("is it OOM", "should I cancel it"), or a question mark (of any
    script) on words that do not open with "how many", "which", "who" and the like."""
    folded = unicodedata.normalize("NFKC", text)
    clauses = [" ".join(_opened(_words(clause), names)) for clause in _CLAUSES.split(folded)]
    if any(_ASKS_IF.match(clause) for clause in clauses if clause):
        return True
    if _QUESTION_MARKS.isdisjoint(folded):
        return False
    return _ASKS_WHAT.match(" ".join(_opened(_words(text), names))) is None


def _opened(words: list[str], names: Collection[str]) -> list[str]:
    """`words` without whom they address and a greeting or filler first."""
    while words and (words[0] in names or words[0] in _OPENERS):
        words = words[1:]
    return words


def after(previous: Said | None, by: str, name: str, text: str, names: Collection[str], *,
          planned: bool, ran: bool, plan_words: Collection[str] = ()) -> Said:
    """The thread's `Said` after `text` from `by` (`name`): `planned` when the bot made a
    plan of it or asked back, `ran` when it answered it with a read; `plan_words`: the
    words of the plans waiting in the thread. A plea for the approval closes only what
    nothing open stands before ("... my PTO request" - "carol can you approve it pls": the
    session's second review), unless it names a waiting plan ("approve the restart pls";
    with none waiting there is nothing to approve);
    what adds nothing passes what stands on, as the writer's (carol's "should we cancel?" -
    erin's "yes" - carol's "yes")."""
    if planned:
        return Said(by, name, answerable=False)
    kind = kind_of_words(text, names, plan_words)
    standing = previous if previous is not None and previous.answerable else None
    named = not plan_words or not set(_words(text)).isdisjoint(plan_words)
    if kind == "plea" and (standing is None or named) and _OWN_ASK.search(text) is None:
        return Said(by, name, answerable=False)
    asks = kind == "open" and yes_or_no_question(text, names)
    if kind == "open" and (not ran or asks):
        return Said(by, name, answerable=True, asks=asks)
    if standing is not None:
        # Named for who said the words that stand (the reply names them), held for anyone.
        return (standing if standing.by == by
                else Said(by, standing.name, answerable=True, asks=True))
    if kind == "plea":
        return Said(by, name, answerable=True, asks=True)  # "can I approve?"
    return Said(by, name, answerable=False)


def planned_or_asked(replies: Sequence[Reply]) -> bool:
    """Whether the bot answered a message with a plan or a question back."""
    return any(r.kind in ("plan", "question") for r in replies)

