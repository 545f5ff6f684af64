"""A question of which pods restart, or how often: answered with the pods and their restart
counts, most first.

A user trial asked "which pods have restarted the most in prod" and was told "'most' is
not a pod hygiene check" (the model read the hygiene runbook and tagged "most" as its
check); "restart counts in prod please" was read as a restart and asked which deployment
to restart. The pods' list has a RESTARTS column: it answers, with the pods that restarted
most named first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from chatops.results import PodInfo

_ASKED = re.compile(
    r"\brestart(?:ed|ing|s)\s+(?:the\s+)?most\b"
    r"|\bmost\s+restart(?:s|ed)?\b"
    r"|\b(?:high(?:est)?|lots\s+of|many|a\s+lot\s+of|frequent)\s+restarts\b"
    r"|\brestarting\s+(?:a\s+lot|so\s+much|often|repeatedly|constantly|over\s+and\s+over)\b"
    r"|\bkeeps?\s+(?:on\s+)?restarting\b",
    re.IGNORECASE)
_COUNTED = re.compile(
    r"\brestart[\s-]?counts?\b|\bnumber\s+of\s+restarts\b|\bhow\s+many\s+restarts\b"
    r"|\bhow\s+(?:many\s+times|often)\b[^?.!]{0,60}?\brestart(?:ed|s|ing)?\b",
    re.IGNORECASE)
"""A count asked for in words no order takes ("restart counts in prod", "how many times
has api restarted"): asked even where the model read a restart."""


def asks_about_restarts(text: str, slots: Mapping[str, str], *, read_as_change: bool
                        ) -> bool:
    """Whether `text` asks which pods restart or how often, of a namespace or a deployment
    (`slots`, the model's); a message the model read as a change only in words that count
    ("restart counts"), never "restart the most ...". One pod's restarts are its
    description's (the incident sets expect `describe_pod`), and a workload named as one
    that keeps restarting is trouble, the diagnosis's."""
    if slots.get("pod"):
        return False
    if _COUNTED.search(text):
        return True
    return (not read_as_change and not slots.get("deployment")
            and _ASKED.search(text) is not None)


MOST = 5
"""How many pods the answer names, most restarts first."""


def most_restarted(records: Sequence[object]) -> tuple[tuple[str, int], ...]:
    """The pods of `records` that restarted, most first (name, restarts), at most `MOST`."""
    pods = sorted((r for r in records if isinstance(r, PodInfo) and r.restarts > 0),
                  key=lambda p: (-p.restarts, p.name))
    return tuple((p.name, p.restarts) for p in pods[:MOST])
