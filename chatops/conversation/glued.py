"""A name as written: with what is glued to it, or the whole quoted text around it.

A user trial: "restart 'checkout-api; rm -rf /' in prod" was planned as a restart of
checkout-api: the model tagged the name inside the quotes and the rest was dropped without
a word. Nothing reaches a shell (the executor calls the Kubernetes API with the validated
name only), but a message that puts more than a name where the name goes did not ask for
the plan the bot would show. Such a value is taken as written, which no name validates, so
the request is refused as naming no valid object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatops.model import SlotSpan

_NAME_TYPES = frozenset({"deployment", "pod", "node", "cronjob", "namespace", "container"})
_COMMAND = frozenset(";|&$`<>")
"""Characters a shell gives meaning to, never part of a Kubernetes name."""
_QUOTES = {"'": "'", '"': '"', "`": "`", "\u2018": "\u2019", "\u201c": "\u201d"}


def _quoted(text: str, start: int, end: int) -> str | None:
    """The quoted text around `text[start:end]`, when the name is inside quotes on its
    line."""
    line_start = text.rfind("\n", 0, start) + 1
    for i in range(start - 1, line_start - 1, -1):
        close = _QUOTES.get(text[i])
        if text[i] == "(" and i == start - 1:
            close = ")"  # "(checkout-api; id)": brackets right around the name
        if close is None:
            continue
        stop = text.find(close, end)
        newline = text.find("\n", end)
        if stop != -1 and (newline == -1 or stop < newline):
            return text[i + 1:stop]
    return None


def _in_link_label(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is inside a Slack link's label ("<https://x|the checkout
    dashboard>"): its "<", "|" and ">" are Slack's markup, not a shell's."""
    opening = text.rfind("<", 0, start)
    if opening == -1 or ">" in text[opening:start] or "|" not in text[opening:start]:
        return False
    closing = text.find(">", end)
    return closing != -1 and "<" not in text[end:closing]


# Slack's inline code around a word ("to `nginx:1.25`"): formatting, not a command's
# substitution, when nothing inside it is a shell's.
_INLINE_CODE = re.compile(r"`[^`\s;|&$<>()]+`[,.!?:;)]*")


def _glued(text: str, start: int, end: int) -> str:
    """The name with the characters glued to it when a command character is among them
    ("checkout-api;rm", "checkout-api|sh", "$(id)"); a ";" or "," then a space only ends
    the clause ("restart checkout-api; it keeps crashing")."""
    after = end
    while after < len(text) and not text[after].isspace():
        after += 1
    before = start
    while before > 0 and not text[before - 1].isspace():
        before -= 1
    # Punctuation that ends the word ends a clause: "checkout-api;", "(checkout-api)".
    tail = text[end:after].rstrip(";,.!?:)'\"`")
    head = text[before:start].lstrip("('\"`")
    if not set(head + tail) & _COMMAND:
        return text[start:end]
    return text[before:after].strip("'\"`.,!?()")


_OPERATOR = ("&&", "||", ";", "|", "$(", "`")
"""How a shell command goes on after a word: "checkout-api && kubectl delete ns prod"."""


def _command_after(text: str, end: int) -> str | None:
    """The rest of the line after a name when a word on it starts like a shell operator
    ("checkout-api ;rm -rf /", "checkout-api && kubectl ..."); a ";" that ends a word
    ("in prod; thanks") ends a clause."""
    stop = text.find("\n", end)
    rest = text[end:stop if stop != -1 else len(text)]
    # What closes the name's own word ("checkout-api;", "`checkout-api`") is no command.
    rest = rest[len(rest) - len(rest.lstrip(";,.!?:)'\"`")):]
    # Inline code further on is Slack's ("set image of `api` in `prod` to `nginx:1.25`");
    # right after the name it is what the name is written with ("api `whoami`").
    if any(word.startswith(_OPERATOR) and (i == 0 or not _INLINE_CODE.fullmatch(word))
           for i, word in enumerate(rest.split())):
        return rest
    return None


def as_written(text: str, spans: Iterable[SlotSpan], types: dict[str, str]) -> dict[str, str]:
    """The values of name-typed slots (`types`: slot -> type) that are written with a
    command glued to them or inside quoted text holding one, as written; others are not
    listed."""
    found: dict[str, str] = {}
    for span in spans:
        if types.get(span.slot) not in _NAME_TYPES or text[span.start:span.end] != span.text:
            continue
        quoted = _quoted(text, span.start, span.end)
        if quoted is not None and set(quoted) & _COMMAND and quoted.strip() != span.text:
            found[span.slot] = quoted
            continue
        if _in_link_label(text, span.start, span.end):
            continue  # "<https://x|this dashboard>": Slack's markup around a word
        written = _glued(text, span.start, span.end)
        command = _command_after(text, span.end)
        if written != span.text:
            found[span.slot] = written
        elif command is not None:
            found[span.slot] = (span.text + command).strip()
    return found
