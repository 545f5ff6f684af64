"""Whether a time phrase says when something happened, not when to act.

"api fell over at 2:15, restart it" and "calc-app restarted at 4am, why?" hold a time of
day that is context: the phrase tells of the incident. "restart api at 3am like we did
last week" holds one that is the schedule. The phrase is judged by the words nearest to it
in its clause (the text between the nearest sentence ends, commas, dashes, parentheses and
subordinating words such as "as", "like", "once", "per"), never by the whole message:

- a future head ("tomorrow at 2:15", "tonight at 11pm", a date) is never context (a
  weekday is no future head: "crashed on saturday at 2am");
- "yesterday", "ago", "earlier", "last night" right next to it, or "last", "since" right
  before it, are;
- else the nearest verb before it decides: a verb the bot acts on ("restart", "show",
  "do") makes it the schedule; a past form ("fell", "was", "crashed", "oom'd", "has
  restarted") makes it context, unless a request or a state asks for the participle ("get
  it restarted at 3am", "web should be scaled to 4 at 9am") or it is an adjective ("the
  suspended cronjob"; "that", "which", "who" before it make a relative clause, a past);
- with no verb before it, the first after it in its clause decides ("at 9:15 we saw
  errors", "at 3am restart api");
- with none at all, a clause that says something else ("latency spike at 2:15 on api")
  is context when the message acts elsewhere ("..., restart it"); a clause that is the
  phrase alone ("at 3am, restart api") is not.

Names stay whole ("stuck-worker", "expired-sessions-cleaner" say no past). The work is
linear in the message: it is tokenised once, and each phrase looks at a bounded window.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatops.near_names import without_vowels

# Only these say the future: a weekday may be the last one ("crashed on saturday at 2am").
_FUTURE_HEAD = re.compile(r"\b(?:tomorrow|tonight|\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_CLAUSE_END = re.compile(
    r"[.!?;]+(?=\s|$)|[,()\[\]]|:\s|\s-+\s|\s(?:because|cause|cuz|bc|cos|coz|since|though|"
    r"although|as|like|when|once(?! more)|if|while|where|whereas|per|until|till|before|"
    r"after|same)\s",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]")
_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9'.-]*[a-z0-9'])?", re.IGNORECASE)
WINDOW = 12
"""Words looked at on each side of a phrase."""
_REACH = 160
"""Characters of the clause looked at on each side (bounds the work on long clauses)."""

ACTS = frozenset((
    "restart", "bounce", "reboot", "redeploy", "recycle", "cycle", "kick", "scale", "resize",
    "double", "triple", "halve",
    "roll", "rollback", "revert", "undo", "set", "update", "change", "bump", "raise", "lower",
    "increase", "decrease", "reduce", "drain", "cordon", "uncordon", "suspend", "pause",
    "resume", "unpause", "delete", "kill", "remove", "evict", "show", "list", "get",
    "describe", "check", "diagnose", "tail", "give", "add", "cut", "drop", "take", "patch",
    "do", "run", "stop", "start", "disable", "enable", "autoscale", "fix", "look",
))
"""Verbs of what the bot does (changes and reads): the phrase next to one is its time."""
_PAST = frozenset((
    "was", "were", "did", "had", "got", "went", "fell", "saw", "came", "began", "broke",
    "broken", "woke", "ran", "froze", "hung", "became", "rose", "been", "blew", "lost",
    "spiked", "stuck", "hit", "shot", "threw", "took", "left", "kept", "held", "sent",
    "said", "told", "found", "felt", "gave", "brought", "caught", "fought", "bit", "led",
    "fled", "sped", "slept", "stole", "wrote", "drove", "spoke", "chose", "tore", "wore",
    "dropped", "died",
))
_SINCE = frozenset(("last", "since", "past"))
"""Right before a time ("last saturday at 2am", "since monday at 9am")."""
_PAST_TIME = frozenset(("yesterday", "ago", "earlier"))
_LAST_WHAT = frozenset(("night", "week", "weekend", "time", "month", "year", "shift",
                        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                        "sunday"))
_NOT_PAST_ED = frozenset(("named", "called", "labeled", "labelled", "tagged", "scheduled",
                          "needed", "required", "wanted", "allowed", "limited", "based",
                          "related", "used", "expected", "planned", "approved"))
# (Not "that", "which", "who": "api that died at 3am" is a relative clause, a past.)
_DETERMINERS = frozenset(("the", "a", "an", "this", "these", "those", "its", "it's", "my",
                          "our", "your", "their", "any", "all", "every", "each", "no",
                          "some"))
_PERFECT = frozenset(("have", "has", "had", "'ve", "we've", "i've", "they've", "you've",
                      "it's", "he's", "she's", "haven't", "hasn't"))
_ASKED = frozenset(("get", "gets", "getting", "be", "is", "are", "am", "want", "wants",
                    "need", "needs", "keep", "like", "let's", "have"))
"""Before a participle, a request or a state: "get it restarted", "should be scaled"."""
_FILLER = frozenset(("ok", "okay", "so", "then", "please", "pls", "plz", "and", "also",
                     "again", "just", "now", "hey", "hi", "right", "alright", "preferably",
                     "ideally", "only", "maybe", "perhaps", "probably", "possibly", "not",
                     "but", "off-peak", "offpeak", "sometime", "around", "exactly", "sharp",
                     "latest", "at", "the", "earliest", "more", "once", "do", "it"))


@dataclass(frozen=True)
class Message:
    """A message read once: its lower-cased text and its clause boundaries."""

    text: str
    starts: tuple[int, ...]
    """Where each clause boundary starts, in order."""
    stops: tuple[int, ...]
    """Where each clause boundary ends, in order."""
    acts: bool
    """Whether any word of the message is a verb the bot acts on."""

    @classmethod
    def read(cls, text: str) -> Message:
        lowered = text.lower()
        ends = [(m.start(), m.end()) for m in _CLAUSE_END.finditer(lowered)]
        acts = any(t.group(0) in ACTS for t in _TOKEN.finditer(lowered))
        return cls(lowered, tuple(s for s, _ in ends), tuple(e for _, e in ends), acts)

    def words_before(self, begin: int) -> list[str]:
        """The words of the clause before the boundary ending at `begin`, nearest last;
        none when that boundary ends a sentence."""
        i = bisect.bisect_right(self.stops, begin) - 1
        if i < 0 or self.stops[i] != begin or _SENTENCE_END.search(
                self.text[self.starts[i]:self.stops[i]]):
            return []
        first = self.stops[i - 1] if i else 0
        return [t.group(0) for t in _TOKEN.finditer(self.text, max(first, self.starts[i]
                                                                   - _REACH),
                                                    self.starts[i])][-WINDOW:]

    def words_after(self, stop: int) -> list[str]:
        """The words of the clause after the boundary starting at `stop`, nearest first;
        none when that boundary ends a sentence."""
        j = bisect.bisect_left(self.starts, stop)
        if j >= len(self.starts) or self.starts[j] != stop or _SENTENCE_END.search(
                self.text[self.starts[j]:self.stops[j]]):
            return []
        last = self.starts[j + 1] if j + 1 < len(self.starts) else len(self.text)
        return [t.group(0) for t in _TOKEN.finditer(self.text, self.stops[j],
                                                    min(last, self.stops[j] + _REACH))][:WINDOW]

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Where the clause holding `start:end` begins and ends."""
        i = bisect.bisect_right(self.stops, start)
        j = bisect.bisect_left(self.starts, end)
        return (self.stops[i - 1] if i else 0,
                self.starts[j] if j < len(self.starts) else len(self.text))


_ACTS_WITHOUT_VOWELS = frozenset(
    short for act in ACTS if len(short := without_vowels(act)) >= 3 and short != act)
""""rstrt api in 10 minutes": the model reads the restart (`intents/spelling.py`), and so
must this (an attacker review: planned for now, the delay dropped)."""


def _verb(word: str, preceding: Sequence[str]) -> str | None:
    """What `word` says of the time next to it: "act", "past", "asked" (a participle a
    request or state asks for), or None (no verb, or an adjective)."""
    if word in ACTS or word in _ACTS_WITHOUT_VOWELS:
        return "act"
    if word in _PAST or (word.endswith("'d") and len(word) > 3):
        return "past"
    if (not word.endswith("ed") or len(word) < 4 or word.endswith("eed")
            or word in _NOT_PAST_ED or "-" in word or "." in word):
        return None
    previous = preceding[-1] if preceding else ""
    if previous in _PERFECT:
        return "past"  # "we have restarted it at 6am"
    if previous in _DETERMINERS:
        return None  # an adjective: "the suspended cronjob", "the failed pods"
    return "asked" if _ASKED.intersection(preceding[-5:]) else "past"


_NOT_ACTS = frozenset((
    "crash", "crashes", "crashing", "fail", "fails", "failing", "die", "dies", "dying",
    "come", "comes", "coming", "go", "goes", "going", "hang", "hangs", "ooms", "restarts",
    "breaks", "expires", "ends", "starts", "finishes", "will", "would", "'ll", "i'll",
    "we'll", "it'll", "they'll", "you'll", "be", "is", "are", "gets",
))
"""Verbs of what something else does, or will do ("it crashes in 10 minutes", "I'll be
back in an hour"): a delay next to one is no time to act."""


def set_in_the_sentence(message: Message, start: int, end: int) -> bool:
    """Whether the time at `start:end` stands in a clause with no verb of its own ("after
    the release tonight, roll api back"), in a message that acts: it then says when the
    sentence's order is to be done."""
    begin, stop = message.clause(start, end)
    words = [t.group(0) for t in _TOKEN.finditer(message.text, begin, stop)]
    return message.acts and not any(
        w in _NOT_ACTS or w in ACTS or w in _PAST or _verb(w, ()) is not None for w in words)


def said_as_a_request(message: Message, start: int, end: int) -> bool:
    """Whether the delay at `start:end` ("in 10 minutes") is when to do what the message
    asks: the nearest verb in its clause, before it (else after it), is one the bot acts
    on ("restart api in 10 minutes", "in 2 hours scale web"). "it crashes in 10 minutes"
    or "I will come back in half an hour" say what happens, not when to act; a delay
    reaches no further than its clause (its verb must be there)."""
    begin, stop = message.clause(start, end)
    before = [t.group(0) for t in _TOKEN.finditer(message.text, max(begin, start - _REACH),
                                                  start)][-WINDOW:]
    after = [t.group(0) for t in _TOKEN.finditer(message.text, end,
                                                 min(stop, end + _REACH))][:WINDOW]
    if all(word in _FILLER for word in before + after):
        # The delay set off on its own ("in 10 minutes, scale web", "scale web (in 10
        # minutes)"): it says when to do what the sentence's next clause, else its last,
        # says (an attacker review: it was dropped, and the change planned for now).
        later, earlier = _first_verb(message.words_after(stop)), _first_verb(
            message.words_before(begin)[::-1])
        return later == "act" or (later is None and earlier == "act")
    return _first_verb(before[::-1]) == "act" or (_first_verb(before[::-1]) is None
                                                  and _first_verb(after) == "act")


# A question of what something is or will do, not one asking for an act: "is nightly-report
# going to run tonight?", "does the backup run at 2am?", "when will it restart?"; not "can
# you restart it tonight?" nor "will you scale it at 6?".
_STATE_QUESTION = re.compile(
    r"^\W*(?:is|isn't|are|aren't|was|were|does|doesn't|do|did|has|have|will|won't|when|"
    r"what time)\b(?!\s+(?:you|u|we|someone|somebody|anyone|anybody)\b)", re.IGNORECASE)
_SENTENCE_MARK = re.compile(r"[.!?\n]")
# A question whether the time suits ("is tomorrow at 09:00 ok?", "is 18:00 fine?", "is
# node-2 still needed tonight? drain it then"): the time is proposed for the order.
_TIME_PROPOSED = re.compile(r"\b(?:ok|okay|fine|good|alright|all right|work|works|possible|"
                            r"acceptable|better|free|available|needed|enough)\b")


def asked_of_the_state(message: Message, start: int, end: int) -> bool:
    """Whether the time at `start:end` is in a question of what something is or will do
    (`_STATE_QUESTION`, a sentence that ends with "?"), in a message whose other sentence
    gives the order: "Is nightly-report going to run tonight? If it is, suspend it." (a
    fourth user trial: refused as a vague time to suspend it)."""
    text = message.text
    begin = max((m.end() for m in _SENTENCE_MARK.finditer(text, 0, start)), default=0)
    stop = _SENTENCE_MARK.search(text, end)
    if (stop is None or stop.group(0) != "?" or not _STATE_QUESTION.match(text[begin:start])
            or _TIME_PROPOSED.search(text[begin:stop.start()])):
        return False
    rest = text[:begin] + " " + text[stop.end():]
    if re.search(r"\bthen\b", rest):
        return False  # "... tonight? drain it then": at that time
    return any(t.group(0) in ACTS for t in _TOKEN.finditer(rest))


def _first_verb(words: Sequence[str]) -> str | None:
    """What the first verb of `words` says ("act" for one the bot acts on, "other" for a
    verb of what something else does), or None when there is none."""
    for word in words:
        if word in _NOT_ACTS:
            return "other"
        said = _verb(word, ())
        if said is not None:
            return "act" if said == "act" else "other"
    return None


def said_of_the_past(message: Message, start: int, end: int) -> bool:
    """Whether the time phrase at `start:end` of `message` tells when something happened."""
    if _FUTURE_HEAD.search(message.text[start:end]):
        return False
    begin, stop = message.clause(start, end)
    before = [t.group(0) for t in _TOKEN.finditer(message.text, max(begin, start - _REACH),
                                                  start)][-WINDOW:]
    after = [t.group(0) for t in _TOKEN.finditer(message.text, end,
                                                 min(stop, end + _REACH))][:WINDOW]
    near = before[-2:] + after[:2]
    if (_PAST_TIME.intersection(near) or set(before[-1:]) & _SINCE
            or (after[:1] == ["last"] and _LAST_WHAT.intersection(after[1:2]))):
        return True
    for i in range(len(before) - 1, -1, -1):
        said = _verb(before[i], before[:i])
        if said is not None:
            return said == "past"
    for i, word in enumerate(after):
        said = _verb(word, before + after[:i])
        if said is not None:
            return said == "past"
    says_more = any(w not in _FILLER for w in before)
    return says_more and message.acts
