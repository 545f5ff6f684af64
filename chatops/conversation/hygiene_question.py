"""A question of pod hygiene the model left under its bar: answered with the checks it
names.

Session 42's user trial: "who's missing liveness probes in prod" (out of scope at 0.92,
the check tagged) and "does anything in prod mount a hostPath" (the hygiene read at 0.61,
under the read bar) got "I'm not sure". A question that names a check, read by the model
as no change, with the hygiene read weighed or its check tagged, gets `pod_hygiene` for
those checks: a read, which changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatops.conversation.asking import general_question, said_to_someone_else
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.hygiene_words import hygiene_checks
from chatops.runbook.schema import Runbook

HYGIENE = "pod_hygiene"
FLOOR = 0.05
"""The least the model must give the hygiene read, when it tagged no check, for a
question naming a check to be read as the hygiene's ("does anything in prod mount a
hostPath": 0.09 to 0.61, by the namespace's letters)."""

_CHECK = re.compile(
    r"\bhost\s?paths?\b|\bprivileged\b|\b(?:liveness|readiness)(?:\s+probes?)?\b"
    r"|\bprobes?\b|\bhealth\s?checks?\b|:latest\b|\blatest\s+tags?\b|\buntagged\b"
    r"|\b(?:run(?:s|ning)?\s+)?as\s+root\b|\bnon-?root\b|\brunasnonroot\b"
    r"|\b(?:cpu|memory|mem)\s+(?:limits?|requests?)(?:\s+(?:or|and)\s+(?:limits?|requests?))?"
    r"\b|\b(?:resource\s+)?limits\b|\btty\b|\bstdin\b",
    re.IGNORECASE)
"""Words that name a hygiene check in a sentence (`hygiene_words` reads them)."""
_ASKS = re.compile(
    r"^\W*(?:(?:hey|so|ok|okay|qq|quick question|also)\W+)*(?:which|what|who|whose|any|"
    r"anything|anyone|anybody|does|do|is|are|list|show|find|how many)\b",
    re.IGNORECASE)


def hygiene_asked(text: str, parsed: ParsedIntent, runbooks: Mapping[str, Runbook]
                  ) -> dict[str, str] | None:
    """`pod_hygiene`'s values for `text`, read by the model as out of scope, when it asks
    which pods fail checks it names, the model tagged a check or weighed the hygiene read
    (`FLOOR`), and it is not said to someone else; None otherwise."""
    runbook = runbooks.get(HYGIENE)
    if runbook is None or parsed.intent != OUT_OF_SCOPE or parsed.source != "model":
        return None
    if (_ASKS.match(text) is None or said_to_someone_else(text, parsed.spans)
            or (general_question(text, parsed.spans) and not parsed.slots.get("namespace"))):
        return None  # "what is a hostPath?" is no question about the cluster's pods
    tagged = parsed.slots.get("check", "")
    if not tagged and dict(parsed.alternatives).get(HYGIENE, 0.0) < FLOOR:
        return None
    checks = checks_named(text) or (hygiene_checks(tagged.lower()) if tagged else None)
    if checks is None:
        return None
    values = {"check": checks}
    if parsed.slots.get("namespace") and "namespace" in runbook.slots:
        values["namespace"] = parsed.slots["namespace"]
    return values


def checks_named(text: str) -> str | None:
    """The hygiene checks the words of `text` name ("who's missing liveness probes": the
    liveness probe's, where the model tagged "probes"), or None."""
    named = [m.group(0).lower().lstrip(":") for m in _CHECK.finditer(text)]
    return hygiene_checks(" and ".join(named)) if named else None


def check_as_named(text: str, parsed: ParsedIntent) -> dict[str, str] | None:
    """The model's reading of `pod_hygiene` with the check its words name, when the check
    it tagged is not one ("which pods mount host paths": "host" tagged) or it tagged none
    ("check for untagged images in prod" ran every check: session 48's set K); None
    otherwise, and when the words name none ("hygiene audit of prod": every check)."""
    tagged = parsed.slots.get("check", "")
    if parsed.intent != HYGIENE or (tagged and hygiene_checks(tagged.lower()) is not None):
        return None
    checks = checks_named(text)
    return None if checks is None else {**parsed.slots, "check": checks}
