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

from intents.emoji import shortcodes_say

# `<@U123ABC>` / `<@W123|alice>` user mentions, `<!here>` specials: no meaning for the NLU.
_MENTION = re.compile(r"<[@!][^>\s]*>")
# `<#C123|ops-alerts>` channel links and `<https://x|label>` links: keep the label only.
_LABELLED_LINK = re.compile(r"<[#]?[^>|\s]+\|([^>]*)>")
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^>|\s]+)>")
# `:fire:` / `:+1::skin-tone-2:`. Only whole words, so `nginx:1.25` or `ns:prod:` inside a
# name are left alone.
_EMOJI = re.compile(r"(?<!\S)(?::[a-z0-9_+\-]+:)+(?!\S)")
# `~restart checkout~`: Slack's strikethrough, words the writer took back ("~restart
# checkout-api~ no wait, just show me the pods": a user trial read the restart).
_STRUCK = re.compile(r"(?<!\S)~[^~\n]+~(?!\S)")
# Characters that decorate rather than carry content in Slack messages.
_DECORATION = frozenset("`*~")
# Punctuation peeled off the edges of a word into words of their own. Dots, colons and
# slashes inside a word are kept: they belong to node names and image references.
_LEADING = "([{\"'\u201c\u2018<@"
_TRAILING = ")]}\"',.;:!?\u201d\u2019>"


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

    Removed: user mentions and specials (`<@U123>`, `<!here>`), emoji shortcodes (but for
    those of an emoji that says yes or no, `intents.emoji`), struck
    text (`~...~`), backticks/asterisks/tildes. Links keep their label. Whitespace runs
    collapse to one space and the result is stripped.
    """
    keep = [True] * len(text)
    for pattern in (_MENTION, _EMOJI, _STRUCK):
        for match in pattern.finditer(text):
            if pattern is _EMOJI and shortcodes_say(match.group()) is not None:
                continue  # ":+1:" is Slack's "👍": a yes, kept like the emoji itself
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


# kubectl's `kind/name` form: `deploy/app`, `pod/app-7d9f8b6c5-x2kqp`. Only these kinds, so
# image references (`acme/cart:1.9`, `ghcr.io/acme/api`) are never split at a slash.
_KINDS = frozenset((
    "deploy", "deployment", "deployments", "deployment.apps", "po", "pod", "pods", "svc",
    "service", "services", "ns", "namespace", "namespaces", "no", "node", "nodes", "cj",
    "cronjob", "cronjobs", "job", "jobs", "sts", "statefulset", "ds", "daemonset", "rs",
    "replicaset", "app", "apps",
))
# `app.prod` (name.namespace, as in Service DNS names) is split at its dot; a word whose
# last part looks like a domain or a file type is a host or file name and stays whole.
_NAME_PART = re.compile(r"[a-z][a-z0-9_-]*[a-z0-9]", re.IGNORECASE)
_NOT_NAMESPACES = frozenset((
    "com", "io", "net", "org", "internal", "local", "svc", "cluster", "co", "ai", "sh",
    "yaml", "yml", "json", "txt", "py", "sh", "md", "log", "conf", "cfg", "toml", "tf",
    "html", "js", "go", "ini", "env", "pem", "key", "crt",
))


def _split_name(text: str, start: int, end: int) -> list[Word]:
    """Split `kind/name` and `name.namespace[.svc...]` words into their parts, and flags
    at `=` (`--image=nginx:1.27`, `--limits=memory=1Gi`) so the value is a word."""
    token = text[start:end]
    if "=" in token.strip("="):
        cut = start + token.index("=", 1)
        words = [Word(text[start:cut], start, cut), Word("=", cut, cut + 1)]
        return words + (_split_name(text, cut + 1, end) if cut + 1 < end else [])
    kind, slash, rest = token.partition("/")
    if slash and rest and kind.lower() in _KINDS and "/" not in rest:
        cut = start + len(kind)
        return [Word(kind, start, cut), Word("/", cut, cut + 1),
                *_split_name(text, cut + 1, end)]
    parts = token.split(".")
    if len(parts) >= 2 and all(_NAME_PART.fullmatch(p) for p in parts[:2]):
        tail = [p.lower() for p in parts[2:]]
        dns = not tail or tail[0] == "svc"
        if dns and parts[1].lower() not in _NOT_NAMESPACES:
            first_end = start + len(parts[0])
            second_end = first_end + 1 + len(parts[1])
            words = [Word(parts[0], start, first_end), Word(".", first_end, first_end + 1),
                     Word(parts[1], first_end + 1, second_end)]
            if second_end < end:
                words += [Word(".", second_end, second_end + 1),
                          Word(text[second_end + 1 : end], second_end + 1, end)]
            return words
    return [Word(token, start, end)]


def split_words(text: str) -> list[Word]:
    """Split on whitespace, then peel leading/trailing punctuation into separate words.

    `"restart checkout-api in prod?"` gives `restart`, `checkout-api`, `in`, `prod`, `?`,
    so a slot never swallows the question mark, while `ip-10-0-1-23.ec2.internal` and
    `ghcr.io/acme/api:v2.3.1` stay whole. kubectl's `deploy/app` and the DNS-style
    `app.prod` (`app.prod.svc.cluster.local`) are split at the slash or dot, so the name
    and the namespace become words (and slots) of their own.
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
        if shortcodes_say(match.group()) is not None:
            # A yes or no shortcode kept by `normalise` (":+1:") is one word, colons and all.
            words.append(Word(match.group(), match.start(), match.end()))
            continue
        words.extend(head)
        if start < end:
            words.extend(_split_name(text, start, end))
        words.extend(reversed(tail))
    return words
