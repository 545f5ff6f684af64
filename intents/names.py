"""What a name's shape says: a Kubernetes name at all, a workload's (by its role or its
hyphens) rather than a namespace's or English, a pod's (by its hashes); and the words that
rule a name out. Shared by the slot decoding (`intents/slots.py`), the readings by a
name's place (`intents/places.py`) and the parser."""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatops.model import SlotSpan
from intents.text import Normalised, Word

NAME_TYPES = frozenset({"deployment", "pod", "node", "cronjob", "namespace", "container"})
"""Slot types whose values are names."""
DNS_LABEL = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
"""A Kubernetes name: a lowercase DNS label."""
NAME_SHAPE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
"""A hyphenated name, as workloads are named."""
POD_SHAPE = re.compile(r".*-[a-z0-9]{5,10}-[a-z0-9]{5}")
"""A pod's name: its workload's, its ReplicaSet's hash and its own."""
WORD_PREFIXES = frozenset({"non", "re", "pre", "post", "self", "co", "anti", "multi", "cross",
                           "well", "semi", "un", "over", "under", "x", "e", "ex", "sub",
                           "mid", "half", "all", "long", "short", "high", "low", "so",
                           "up", "follow", "set", "roll", "check", "log", "sign", "opt",
                           "built", "real", "read", "on", "off", "out", "in", "day", "time",
                           "one", "two", "three"})
WORD_SUFFIXES = frozenset({"wise", "like", "ish", "free", "based", "related", "level", "wide",
                           "side", "up", "in", "out", "off", "on", "down", "over", "call",
                           "only", "date", "time", "term", "ready", "safe", "aware", "run",
                           "running", "owned", "made", "hoc", "priority", "scale", "scaling",
                           "style", "type", "grade", "specific", "friendly", "compatible"})
"""Hyphenated English ("event-wise", "on-call", "non-approved", "follow-up"), never a name
read by its shape."""
RULED_OUT = frozenset({"not", "except", "excluding", "without", "minus", "besides", "but"})
"""Words right before a name that rule it out as an object ("the pods in shop, not
team-risk")."""
RULED_OUT_BEFORE = frozenset({"except", "excluding", "besides", "avoid", "skip"})
"""Words right before a name that rule it out ("restart api except in staging"). Not
"not" nor "never": "never seen node-1 like this", "not node-1's fault" say nothing of
what to leave alone (an attacker review)."""
POSSESSIVE = re.compile(r"['\u2019]s?$")
"""A possessive's end of a word ("api's", "api’s", "teams'")."""
WORKLOAD_ROLES = frozenset({
    "api", "apis", "svc", "service", "services", "srv", "server", "worker", "workers", "gateway",
    "gw", "web", "www", "proxy", "db", "cache", "redis", "scheduler", "dispatcher", "consumer",
    "producer", "exporter", "controller", "operator", "job", "cron", "sync", "relay", "bot",
    "engine", "scorer", "renderer", "indexer", "app", "frontend", "backend", "ui", "router",
    "queue", "writer", "reader", "processor", "handler", "manager", "agent", "daemon",
    "listener", "mailer", "sender", "notifier", "builder", "resizer", "collector", "store",
    "loader", "importer", "uploader", "fetcher", "poller", "runner", "canary",
    "v1", "v2", "v3", "primary", "replica", "leader", "follower", "cli", "grpc", "http", "rest",
    "webhook", "webhooks", "hooks",
})
"""The last part of a name that says it is a workload ("checkout-api", "notif-worker",
"search-gw"): a role. A team's or an environment's namespace ("analytics", "ml-serving",
"team-growth") has none."""


def workload_shaped(name: str) -> bool:
    """Whether `name` is hyphenated like a workload's and not like English ("notif-worker",
    not "follow-up" nor "non-approved")."""
    parts = name.split("-")
    return (bool(NAME_SHAPE.fullmatch(name)) and parts[0] not in WORD_PREFIXES
            and parts[-1] not in WORD_SUFFIXES)


def names_a_role(name: str) -> bool:
    """Whether `name` reads as a workload's rather than a namespace's: it ends in a role
    (`WORKLOAD_ROLES`: "search-gw", "cartsvc", "authapi"), has a pod's hash, or is not a
    plain lowercase DNS label at all."""
    if not DNS_LABEL.fullmatch(name) or POD_SHAPE.fullmatch(name):
        return True
    last = name.rsplit("-", 1)[-1]
    if "-" in name and len(last) > 4 and last.endswith(("er", "or")):
        return True  # an agent noun: "label-printer", "eta-predictor", "rate-quoter"
    return last in WORKLOAD_ROLES or any(
        name.endswith(role) and len(name) > len(role) + 2 for role in ("svc", "api", "srv"))


def name_shaped(words: Sequence[Word], norm: Normalised, original: str, slot: str,
                spans: Sequence[SlotSpan]) -> SlotSpan | None:
    """The one word shaped like a workload's name (lowercase, hyphenated: `notif-dispatcher`,
    `image-resizer`) that no slot holds, as a span of `slot`; None when there is none or
    more than one. The model misses some names outright ("what's wrong with
    notif-dispatcher in comms": `O` at 0.98), and a read that names no object asks which
    one; a name's shape is no English (hyphenated English is left out, `WORD_PREFIXES`,
    `WORD_SUFFIXES`; pod names with their hashes too)."""
    found: list[SlotSpan] = []
    for at, word in enumerate(words):
        if (not workload_shaped(word.text) or POD_SHAPE.fullmatch(word.text)
                or (at > 0 and words[at - 1].text.lower() in RULED_OUT)):
            continue  # "show me the pods in shop, not team-risk": ruled out, no object
        start, end = norm.original_span(word.start, word.end)
        if any(span.start < end and start < span.end for span in spans):
            continue
        found.append(SlotSpan(slot, start, end, original[start:end]))
    return found[0] if len(found) == 1 else None
