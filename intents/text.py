"""Text handling shared by training and serving: Slack clean-up and word splitting.

The model sees *normalised* text (no mentions, backticks or emoji shortcodes) split into
words, but every slot value the bot acts on must come from what the user actually typed.
So normalisation keeps a map from each normalised character to its offset in the
original string, and words carry offsets into the normalised text.

Training (`finetune/`) imports this module, so the tokenisation the model was trained on
is, by construction, the one it is served with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `<@U123ABC>` / `<@W123|alice>` user mentions, `<!here>` specials: no meaning for the NLU.
_MENTION = re.compile(r"<[@!][^>\s]*>")
# `<#C123|ops-alerts>` channel links and `<https://x|label>` links: keep the label only.
_LABELLED_LINK = re.compile(r"<[#]?[^>|\s]+\|([^>]*)>")
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^>|\s]+)>")
# `:fire:` / `:+1::skin-tone-2:`. Only whole words, so `nginx:1.25` or `ns:prod:` inside a
# name are left alone.
_EMOJI = re.compile(r"(?<!\S)(?::[a-z0-9_+\-]+:)+(?!\S)")
# Characters that decorate rather than carry content in Slack messages.
_DECORATION = frozenset("`*~")
# Punctuation peeled off the edges of a word into words of their own. Dots, colons and
# slashes inside a word are kept: they belong to node names and image references.
_LEADING = "([{\"'"
_TRAILING = ")]}\"',.;:!?"


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus, for each of its characters, the offset in the original."""

    text: str
    offsets: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text onto the original text."""
        if start >= end:
            raise ValueError(f"empty span {start}:{end}")
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True)
class Word:
    """A whitespace word (punctuation peeled off) with offsets into the normalised text."""

    text: str
    start: int
    end: int


def normalise(text: str) -> Normalised:
    """Strip Slack markup that carries no meaning for the NLU, remembering offsets.

    Removed: user mentions and specials (`<@U123>`, `<!here>`), emoji shortcodes,
    backticks/asterisks/tildes. Links keep their label. Whitespace runs collapse to one
    space and the result is stripped.
    """
    keep = [True] * len(text)
    for pattern in (_MENTION, _EMOJI):
        for match in pattern.finditer(text):
            for i in range(match.start(), match.end()):
                keep[i] = False
    for match in _LABELLED_LINK.finditer(text):
        # Drop everything but the label group.
        for i in range(match.start(), match.end()):
            if not match.start(1) <= i < match.end(1):
                keep[i] = False
    for match in _BARE_LINK.finditer(text):
        keep[match.start()] = False
        keep[match.end() - 1] = False
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if not keep[i] or ch in _DECORATION:
            continue
        if ch.isspace() and (not chars or chars[-1] == " "):
            continue
        chars.append(" " if ch.isspace() else ch)
        offsets.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return Normalised("".join(chars), tuple(offsets))


def split_words(text: str) -> list[Word]:
    """Split on whitespace, then peel leading/trailing punctuation into separate words.

    `"restart checkout-api in prod?"` gives `restart`, `checkout-api`, `in`, `prod`, `?`,
    so a slot never swallows the question mark, while `ip-10-0-1-23.ec2.internal` and
    `ghcr.io/acme/api:v2.3.1` stay whole.
    """
    words: list[Word] = []
    for match in re.finditer(r"\S+", text):
        start, end = match.start(), match.end()
        head: list[Word] = []
        tail: list[Word] = []
        while start < end and text[start] in _LEADING:
            head.append(Word(text[start], start, start + 1))
            start += 1
        while end > start and text[end - 1] in _TRAILING:
            tail.append(Word(text[end - 1], end - 1, end))
            end -= 1
        words.extend(head)
        if start < end:
            words.append(Word(text[start:end], start, end))
        words.extend(reversed(tail))
    return words
