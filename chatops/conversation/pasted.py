"""Pasted text: terminal output, logs, tracebacks and alerts around a person's own words.

A second user trial pasted what they saw and asked about it ("$ kubectl get pods -n prod"
and its table, then "can you restart calc-app in prod?"; a Traceback, then "restart it in
prod"; "[FIRING:1] KubePodCrashLooping prod/calc-app ...", then "can someone look at
this"): the model read the paste's words with the request's, and 12 of the trial's 22
answers still wrong were such messages (not understood, a number in a traceback taken as
a duration, outside what I can do). What was pasted is not what the person asked: only
their own words are read as the request, and the paste is kept apart, as the object of a
question that names none ("what's wrong with it?"). Nothing a paste says is an order
either: a log line that reads "restart payments" is the cluster's text, not the person's.

A paste is known by its form, line by line: a fenced code block over several lines, a
quote, a shell prompt, a command followed by its output, columns lined up with runs of
spaces, a traceback's or a Go or Java stack's lines (and indented lines below them), a
log line's timestamp and words or its upper-case level, syslog's date, an alert's header
with the lines that follow it up to the person's own question or order on its last line,
any line between two pasted ones, and a label of a few closed words right above a paste
("logs:", "got paged:"). A message that is all paste is left whole: the guards already
read it as talk (`talk.py`). The guards also read the whole message as sent
(`guards.guard`'s `whole`), so that talk or another kind named there still holds a change:
what is taken out here is only kept from the model, the schedule parser and the
dialogue's own readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatops.conversation.asking import CHANGE

# A fenced block over more than one line; an unclosed fence runs to the end. A one-line
# ```restart api``` is written like inline code, not pasted output.
_FENCE = re.compile(r"```(?:[^`]|`(?!``))*?(?:```|\Z)")

_OUTPUT_LINE = re.compile(
    r"^\s*(?:>|&gt;)|"  # a quote
    r"^\s*\$\s+\S|"  # a shell prompt
    r"\S(?: {2,}|\t)\S+(?: {2,}|\t)\S|"  # three columns lined up
    r"^\s*Traceback \(most recent call last\)|^\s*File \"[^\"]*\", line \d+|"
    r"^\s*(?:[a-z_]+\.)+[A-Za-z_]*(?:Error|Exception)\b|^\s*[A-Z][A-Za-z]*(?:Error|Exception):|"
    r"^\s*at [\w.$]+\([\w.]*(?::\d+)?\)|^goroutine \d+ \[|^panic: |"  # Java, Go
    r"^\s*Error from server\b|^\s*Events:\s*$|"
    # A log line: a timestamp and the words after it, not a time said alone
    r"^\s*\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}\S*\]?\s+\S+\s+\S|"
    r"^\s*\[\d{2}:\d{2}:\d{2}|^\s*\{\s*\"[a-z_@]+\"\s*:|"
    r"^\s*(?:level|lvl|ts|time|msg)=\S+\s+[a-z_]+=|"  # logfmt, two fields at least
    r"^\s*(?:deployment\.apps|statefulset\.apps|daemonset\.apps|pod|node|service|"
    r"cronjob\.batch|job\.batch|horizontalpodautoscaler\.autoscaling)/\S+ [a-z]|"
    r"^\s*Waiting for (?:deployment|rollout)\b|^\s*(?:Normal|Warning)(?: {2,}|\t)\S|"
    r"^[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} |"  # syslog, journalctl
    r"\b0x[0-9a-f]{6,}\b|^\s*/\S+\.go:\d+")  # a Go stack's addresses and files
# A log level as loggers write it, upper case ("ERROR db timeout", "[WARN]", "E1206 14:05").
_LEVEL = re.compile(r"^\s*\[?(?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL|PANIC|TRACE)\b[\]:]?\s|"
                    r"^[IWEF]\d{4} \d{2}:")

# An alert's first line, as Alertmanager, PagerDuty or Grafana send it into a channel.
_ALERT_HEAD = re.compile(
    r"^\W*(?:\[(?:FIRING|RESOLVED)(?::\d+)?\]|(?:FIRING|RESOLVED):|(?:Alert|ALERT)\s*:|"
    r"alertname\s*[:=]|(?:Labels|Annotations)\s*:\s*$|"
    r"\[(?:Alerting|OK|No Data|Pending)\]|(?:PagerDuty|Opsgenie|Datadog|Grafana)\b.{0,40}"
    r"\b(?:TRIGGERED|FIRING|ALERT|Triggered|Alerting)\b)")

# A command the output below it came from: "kubectl rollout status deploy/x -n prod".
_COMMAND = re.compile(r"^\s*(?:\$\s*)?(?:kubectl|k|helm|oc|stern)\s+\S", re.IGNORECASE)

# A line of the person's own after an alert's: a question, or words that ask or order.
_OWN_AFTER_ALERT = re.compile(
    rf"\?\s*$|^\W*(?:can|could|would|will|pls|please|plz|why|what|whats|how|who|is|are|any|"
    rf"anyone|someone|somebody|help|look|check|fix|show|get|list|tail|describe|diagnose|"
    rf"ok|okay|so|hey|hi|thoughts|ideas|{CHANGE})\b|\b(?:you|u|this|it|that)\b",
    re.IGNORECASE)


_INDENTED = re.compile(r"^(?: {2,}|\t)\S")
_FENCED = "\x00"
"""The line a fenced block stands on while lines are told apart."""
# A paste's label above it, in words that name nothing: "logs:", "seeing this:", "got
# paged:", "here's the output:". A label with anything else in it ("staging logs:", "DO NOT
# RUN:", "testing:", "@carol:", "in 10 minutes:") stays the person's own words.
_LABEL = re.compile(r"^\W*+(?:[^\s:]++\s++){0,4}[^\s:]++\s*+:\s*+$")
_LABEL_WORDS = frozenset((
    "logs", "log", "output", "error", "errors", "seeing", "see", "saw", "this", "these",
    "here", "here's", "heres", "is", "are", "the", "what", "i", "i'm", "im", "we", "we're",
    "got", "get", "getting", "paged", "trace", "traceback", "stack", "stacktrace", "events",
    "alert", "alerts", "from", "kubectl", "describe", "says", "said", "look", "at", "fyi",
    "context", "details", "below", "it", "status", "result", "results", "just", "now",
    "currently", "a", "an", "and", "some", "of", "our", "my", "me", "for", "shows", "showing",
))


def _label(line: str) -> bool:
    """Whether `line` only labels what follows it, naming nothing ("logs:", "got paged:")."""
    if not _LABEL.match(line):
        return False
    words = re.findall(r"[a-z']+|[^a-z'\s:]+", line.lower())
    return bool(words) and all(word in _LABEL_WORDS for word in words)


def _pasted_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it was pasted: by its own form, as a line of an alert (up
    to the person's question on the alert's last line), as the command above its output,
    between two pasted lines (a log entry's second line, an alert's text ending in "please
    restart payments-api": never the person's own), or as a label right above a paste."""
    pasted = [line == _FENCED or bool(_OUTPUT_LINE.search(line) or _LEVEL.search(line))
              for line in lines]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    last = {i for n, i in enumerate(filled) if n + 1 == len(filled)
            or filled[n + 1] != i + 1}  # the last line of each block of lines
    in_alert = False
    for i, line in enumerate(lines):
        if not line.strip():
            in_alert = False
        elif _ALERT_HEAD.search(line):
            pasted[i], in_alert = True, True
        elif in_alert and not (i in last and _OWN_AFTER_ALERT.search(line)):
            pasted[i] = True
    for i in range(1, len(lines)):
        # A stack's or a wrapped log's indented line goes with the pasted line above it.
        if pasted[i - 1] and _INDENTED.match(lines[i]):
            pasted[i] = True
    for i, line in enumerate(lines[:-1]):
        # The command is pasted with its output; a command alone may be the request.
        if _COMMAND.search(line) and pasted[i + 1]:
            pasted[i] = True
    marked = [i for i, mark in enumerate(pasted) if mark]
    if marked:
        for i in range(marked[0], marked[-1]):
            pasted[i] = pasted[i] or bool(lines[i].strip())
        above = next((i for i in range(marked[0] - 1, -1, -1) if lines[i].strip()), None)
        if above is not None and _label(lines[above]) and marked[-1] < filled[-1]:
            pasted[above] = True  # a label, with the person's own words after the paste
    return pasted


@dataclass(frozen=True)
class Split:
    """A message's own words and what was pasted around them ("" when nothing was)."""

    own: str
    pasted: str


def split(text: str) -> Split:
    """`text`'s own words (its lines with the pasted ones and multi-line fenced blocks
    taken out) and the pasted text; the whole text as its own where nothing was pasted,
    or nothing but a paste."""
    blocks: list[str] = []

    def fenced(m: re.Match[str]) -> str:
        if "\n" not in m.group(0).strip("\n"):
            return m.group(0)
        blocks.append(m.group(0).strip("`"))
        return f"\n{_FENCED}\n"

    unfenced = _FENCE.sub(fenced, text)
    lines = unfenced.split("\n")
    marks = _pasted_lines(lines)
    own = "\n".join(line for line, mark in zip(lines, marks, strict=True)
                    if not mark and line.strip()).strip()
    blocks += [line for line, mark in zip(lines, marks, strict=True)
               if mark and line != _FENCED]
    if not blocks or not re.search(r"[A-Za-z0-9]", own):
        return Split(text, "")
    return Split(own, "\n".join(blocks))


# A pod's name after its owner's: a ReplicaSet's hash and a random suffix
# ("calc-app-5c9d7b8f6-x2k4l"), or a StatefulSet's ordinal.
_POD_TAIL = re.compile(r"(?:[a-z0-9]{6,10}-)?[a-z0-9]{5}|\d{1,3}")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9]")
# A question about what was pasted ("what's wrong with it?", "can someone look at this",
# "thoughts?"), not an order.
_ABOUT_IT = re.compile(
    r"\?|\b(?:look|check|investigate|help|why|what|whats|wrong|fix|broken|debug|idea|ideas|"
    r"thoughts|explain|mean|means|happening|going on)\b", re.IGNORECASE)


def pasted_names(pasted: str) -> str:
    """The paste's words that could be names, lower-cased, with the owner of each pod
    name among them (its deployment's or statefulset's), one space apart."""
    words = _TOKEN.findall(pasted.lower())
    owners = []
    for word in words:
        cut = word.find("-")
        while cut != -1:
            if _POD_TAIL.fullmatch(word[cut + 1:]):
                owners.append(word[:cut])
                break
            cut = word.find("-", cut + 1)
    return " ".join(dict.fromkeys([*words, *owners]))


def asks_about_it(own: str) -> bool:
    """Whether the person's own words ask about what they pasted rather than say
    something else ("lol", "ty")."""
    return bool(_ABOUT_IT.search(own))


_MANIFEST_KIND = re.compile(
    r"^[ \t{]*[\"']?kind[\"']?[ \t]*:[ \t]*[\"']?([A-Za-z]+)[\"']?,?[ \t]*$", re.MULTILINE)
# (Spaces and tabs only: "\\s" would run over line ends, in quadratic time on many.)
_DOCUMENT_BREAK = re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE)


def kind_in_manifest(text: str, name: str) -> str | None:
    """The kind a pasted manifest (YAML or JSON) gives the object called `name`
    ("kind: StatefulSet ... name: kafka"), lower-cased; None when no document of `text`
    is of one kind and names it."""
    for document in _DOCUMENT_BREAK.split(text.replace("`", "")):
        kinds: set[str] = set(_MANIFEST_KIND.findall(document))
        named = re.search(
            rf"^[ \t]*[\"']?name[\"']?[ \t]*:[ \t]*[\"']?{re.escape(name)}[\"']?,?[ \t]*$",
            document, re.MULTILINE | re.IGNORECASE)
        if len(kinds) == 1 and named is not None:
            return kinds.pop().lower()
    return None
