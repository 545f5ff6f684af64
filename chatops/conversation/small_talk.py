"""Small talk: thanks, greetings and away notes, which ask the bot nothing.

A user trial: in an incident thread the bot answered "thanks bot", "good morning" and "brb
getting coffee" with "That is outside what I can do", noise in the channel the people in it
must read past. A message made only of such words (or opening with an away note and saying
nothing after it but where and how long) is answered with nothing. The words are a closed
set: a message with any other word in it ("thanks, what's the weather") is read as before.
"""

from __future__ import annotations

import re

_WORDS = frozenset({
    # thanks
    "thanks", "thank", "you", "ty", "thx", "tx", "tnx", "cheers", "appreciated", "appreciate",
    "it", "much", "many", "very", "so", "a", "lot", "again", "for", "the", "help", "ta",
    # greetings and goodbyes
    "hi", "hello", "hey", "yo", "morning", "good", "gm", "evening", "afternoon", "night",
    "gn", "bye", "later", "cya", "all", "everyone", "folks", "team", "guys", "there",
    # acknowledgements
    "ok", "okay", "k", "kk", "cool", "nice", "great", "awesome", "perfect", "sweet", "neat",
    "np", "noted", "got", "ack", "lol", "haha", "hah", "lmao", "wow", "oh", "ah", "yay",
    # the bot's own names
    "bot", "chatops",
})
_AWAY = re.compile(r"^(?:brb|afk|back|bbl|gtg|g2g|be right back|stepping away|stepping out)\b",
                   re.IGNORECASE)
_AWAY_REST = frozenset({
    "getting", "grabbing", "a", "an", "some", "coffee", "tea", "lunch", "food", "water",
    "break", "min", "mins", "minute", "minutes", "sec", "secs", "hour", "few", "now", "in",
    "for", "bit", "shortly", "soon", "again", "quick", "all", "folks", "everyone", "from",
    "meeting", "call", "the", "my", "desk", "and", "then", "brb", "afk", "back",
})
_EMOJI = re.compile(r":[a-z0-9_+-]+:|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
_WORD = re.compile(r"[a-z']+|\d+|[^\sa-z0-9']", re.IGNORECASE)
_PUNCTUATION = frozenset("!.,;:-~*()'\"")


def small_talk(text: str) -> bool:
    """Whether `text` is only thanks, a greeting, an acknowledgement or an away note."""
    plain = _EMOJI.sub(" ", text).strip()
    tokens = [t.lower() for t in _WORD.findall(plain)]
    words = [t for t in tokens if t not in _PUNCTUATION]
    if any(t in ("?", "`", "/", "=", "@", "<", ">") for t in tokens):
        return False
    if not words:
        return bool(text.strip())  # only emoji: a reaction typed as a message
    away = _AWAY.match(plain)
    if away is not None:
        rest = [t.lower() for t in _WORD.findall(plain[away.end():])]
        return all(w in _AWAY_REST or w.isdigit() or w in _PUNCTUATION for w in rest)
    return all(w in _WORDS for w in words)
