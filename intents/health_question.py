"""A question of how one thing is doing, in two or three words: "billing ok?", "is search
all good?", "node gke-pool-a-1234 ok?".

The model, trained on requests that name a runbook's words, reads such a question out of
scope, or as `help` ("search ok?"), and the bot answered "outside what I can do". The one
name is a namespace or a workload's (the conversation tells which from the cluster, as for
any diagnosis of a namespace: "no namespace is called 'orders'; read as deployment orders
in shop"), or a node's after "node". A read; it changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STATES = (r"ok|okay|k|fine|good|all good|alright|all right|healthy|happy|green|up|alive|"
           r"working|running|in good shape|looking good|looking ok|doing ok|doing fine|"
           r"doing alright")
_ONE_NAME = re.compile(
    r"^[^\w@<]*(?:(?:hey|hi|so|and|also|quick q|btw|@[\w.-]+|<@\w+>)[^\w@<]+)*"
    r"(?:(?:is|are)\s+)?(?:the\s+)?(?P<node>node\s+)?(?P<name>[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"
    r"(?:\s+(?:namespace|ns))?(?:\s+(?:still|again|now))?\s+(?:" + _STATES + r")"
    r"(?:\s+(?:now|again|still|atm|rn|after (?:the|that) (?:deploy|release|rollout|restart)))?"
    r"\s*\?+[\s\W]*$", re.IGNORECASE)
_NOT_A_NAME = frozenset((
    "it", "this", "that", "everything", "everyone", "everybody", "all", "things", "we", "you",
    "u", "i", "he", "she", "they", "bot", "chatops", "the", "prod-like", "stuff", "life",
    "anyone", "somebody", "someone", "y'all", "yall", "team", "guys", "folks", "us", "ok",
    "cluster", "k8s", "kubernetes", "node", "nodes", "pods", "pod", "deployment",
    "deployments", "namespace", "that's", "thats", "its", "is", "are", "tomorrow", "today",
    "friday", "monday", "lunch", "coffee", "weekend", "food", "yes", "yeah", "yep", "no",
    "nope", "sure", "cool", "so", "and", "also", "me", "my", "our", "your", "their",
    "anybody", "bro", "dude", "boss", "mom", "plan", "pr", "release", "fix", "idea", "noon",
    "soon", "tonight", "sunday", "saturday", "tuesday", "wednesday", "thursday", "wifi",
    "vpn", "internet", "laptop", "demo", "standup", "meeting", "call", "zoom",
))
"""Words before "ok?" that name no workload or namespace ("everything ok?", "we good?")."""


@dataclass(frozen=True)
class Asked:
    """The one name a health question asks after, where it is in the text."""

    start: int
    end: int
    node: bool
    """Whether "node" names it a node."""


def one_name_asked_after(text: str) -> Asked | None:
    """The name `text` asks how it is doing, when that is all it says ("billing ok?",
    "is search all good?", "node pool-x8a2k-3c9df ok?"); None otherwise."""
    if len(text) > 120:
        return None
    found = _ONE_NAME.match(text)
    if found is None or found["name"].lower() in _NOT_A_NAME:
        return None
    return Asked(found.start("name"), found.end("name"), bool(found["node"]))
