"""Words of trouble: a message that says something is wrong, and whether it asks anything.

`symptoms.py` answers such a message with a read; the guards (`guards.py`) keep a change
the model read into it from being planned when it only reports ("nightly-report hasn't
fired since monday in prod" was read as a suspend at 0.87, and a user trial planned it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatops.conversation.asking import (
    ASKS_ANYWAY,
    CHANGE,
    ordered_changes,
    orders,
    said_to_someone_else,
)
from chatops.conversation.kinds import TARGETS, clean_text
from chatops.schedules.context import ACTS

TROUBLE = re.compile(
    r"\b(?:"
    # states
    r"down|outage|broken|broke|borked|busted|hosed|dead|dying|died|unhealthy|degraded|flaky|"
    r"flapping|wedged|hung|hanging|stuck|unresponsive|unreachable|unavailable|slow|sluggish|"
    r"laggy|lagging|high latency|latency spikes?|thrashing|throttled|throttling|"
    r"on fire|fell over|falling over|blew up|blowing up|melting(?: down)?|"
    # what the cluster reports
    r"crash(?:es|ed|ing)?|crash-?loop(?:s|ing|ed)?|crashloopbackoff|restarting|restarts|"
    r"restarted \d+ times|oom(?:s|ed)?|oom-?kill(?:s|ed)?|oomkilled|evicted|pending|"
    r"imagepullbackoff|errimagepull|backoff|back-off|failing|fails|fail|failed|failures?|"
    r"erroring|errors?|exceptions?|timing out|time-?outs?|5\d\d(?:s|'s)?|5xx|"
    # what does not happen
    r"(?:not|never|isn'?t|aren'?t|won'?t|can'?t|cannot|doesn'?t|don'?t|didn'?t|hasn'?t|"
    r"haven'?t|stopped)\s+"
    # "isn't the calc-app hpa scaling": the subject may come between.
    r"(?:(?:the|its|our|my|[\w.]+-[\w.-]+|hpa|autoscaler|pods?|app|service)\s+){0,3}?"
    r"(?:be\s+|been\s+)?(?:working|work|ready|healthy|running|starting|start|responding|respond|"
    r"serving|coming up|come up|up|answering|scaling|scale|rolling out|pulling|scheduling|"
    r"run|ran|fire|fired|trigger|triggered|finish|finished|complete|completed)"
    r")\b",
    re.IGNORECASE,
)
"""Words that report trouble with a workload (a state, what the cluster says, what does
not happen)."""

_READS = frozenset({"show", "list", "get", "describe", "check", "diagnose", "tail", "give",
                    "look", "fix", "take", "do", "run", "start"})
"""Verbs of `ACTS` that ask for no change here: reads, "fix" (a diagnosis is the fix's
first step), and words of the trouble itself ("won't start", "can't run")."""
_CHANGES = ACTS - _READS | {"shut", "turn", "bring", "spin", "tear", "wind", "power", "flush",
                            "purge", "wipe", "clear", "reset", "kick", "nuke", "terminate"}
"""Verbs that ask for a change: a message with one of them is a change request the model
was unsure of, never read as trouble."""
_WORD = re.compile(r"[a-z]+")


# A question of a workload's health: "is calc-app ok in prod?", "how's calc-app doing?",
# "anything off with calc-app?" (a second user trial, after context: "we got paged, ...").
HEALTH = re.compile(
    r"(?:^|[,.;:!?]\s*|\b(?:so|but|and)\s+)(?:is|are)\s+(?:the\s+|our\s+|my\s+)?[\w.-]+"
    r"(?:\s+[\w.-]+){0,5}?\s+(?:ok|okay|healthy|fine|alright|all right|good|happy|"
    r"(?:actually\s+|really\s+)?(?:working|scaling))\b"
    r"(?!\s+(?:to|if|with)\b)"
    r"|\bhow(?:'s|\s+is|\s+are)\s+(?:the\s+|our\s+|my\s+)?[\w.-]+(?:\s+[\w.-]+){0,3}?\s+"
    r"(?:doing|looking|holding up)\b"
    r"|\b(?:any|anything)\s+(?:wrong|off|odd|weird|funny|strange)\s+(?:with|about|in)\b",
    re.IGNORECASE)


def reports_trouble(text: str) -> bool:
    """Whether `text` says something is wrong (or asks whether something is: "is calc-app
    ok?"), names no change to make, and is not addressed to someone else."""
    if ((TROUBLE.search(text) is None and HEALTH.search(text) is None)
            or said_to_someone_else(text, ())):
        return False
    return not any(word in _CHANGES for word in _WORD.findall(text.lower()))


# Asking words anywhere, at the end too ("no new pods on node-7 please, disk is flaky").
_PLEASE = re.compile(r"\b(?:please|pls|plz|kindly|asap)\b", re.IGNORECASE)
# A change's verb anywhere ("halt etl-hourly until the upstream is back, every run is
# failing"): the change may be what is asked, as the model read.
_CHANGE_WORD = re.compile(rf"\b(?:{CHANGE}|halt|freeze|unfreeze|skip|evacuate|empty|move|"
                          r"shift|put|mark|flip|switch|turn|shut|kick|cycle)\b"
                          # An order without a verb: "no new pods on it", "out of rotation".
                          r"|\bno\s+(?:new|more)\s+(?:pods|workloads|traffic)\b"
                          r"|\bout\s+of\s+(?:rotation|service|the\s+pool)\b", re.IGNORECASE)
# Slots a change takes that only name what it changes, not a value to set.
_OBJECT_SLOTS = frozenset({*TARGETS, "namespace", "container"})


def reported_only(text: str, slots: Iterable[str]) -> bool:
    """Whether `text` only reports trouble (`reports_trouble`), gives no order and asks
    nothing ("nightly-report hasn't fired since monday in prod", "calc-app keeps crashing
    in prod"), and the change read into it was given no value to set: it asks for no
    change. A value ("calc-app crashlooping, 3 replicas") may be the request itself."""
    if not set(slots) <= _OBJECT_SLOTS or not reports_trouble(text):
        return False
    cleaned = clean_text(text)
    return (not orders(cleaned) and not ordered_changes(text)
            and ASKS_ANYWAY.search(cleaned) is None and _PLEASE.search(cleaned) is None
            and _CHANGE_WORD.search(cleaned) is None)
