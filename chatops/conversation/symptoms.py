"""Trouble reported in words: a message that says something is wrong and asks for no change.

A user trial: "api down in prod, help" and "any crashloops in prod?" were answered "I'm not
sure what you want me to do" (the model under its bar, a read-only runbook first among its
guesses). Such a message asks for the one read the bot has for trouble, the diagnosis;
the dialogue takes it only when the model itself found no change likely and a name in it is
the cluster's (`Dialogue._unsure_symptom`). A diagnosis changes nothing and suggests its fix
as a plan one click away, so a wrong reading costs a read, never a change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chatops.conversation.asking import change_of_form, general_question
from chatops.conversation.guards import guard
from chatops.conversation.other_verbs import foreign_verb
from chatops.conversation.talk import just_talk
from chatops.conversation.trouble_words import HEALTH, reports_trouble
from chatops.model import OUT_OF_SCOPE, ParsedIntent, Risk
from chatops.runbook.schema import Runbook

DIAGNOSIS = "diagnose"
"""The runbook that answers trouble reported in words."""
UNSURE_FLOOR = 0.2
"""Under its bar, a change runbook the model gave this much keeps a message from being read
as trouble (it may be a change request), and a read runbook must get this much for it to
be (the model saw a read in it)."""



_WHY = re.compile(
    r"^\W*(?:(?:so|but|hmm+|ok|okay|hey)\W+)?(?:why|what(?:'s|s|\s+is)\s+(?:the deal|up|wrong|"
    r"going on|happening)\s+with|(?:any\s?one|anybody|any idea)(?:\s+know)?\s+why)\b",
    re.IGNORECASE)
"""A question why trouble happens ("why isnt the calc-app hpa scaling"): a diagnosis's."""


_FIX = re.compile(
    r"\b(?:fix|repair|sort\s+out|take\s+care\s+of|deal\s+with|look\s+after)\s+"
    r"(?P<object>[\w.-]+)|\bget\s+(?P<got>[\w.-]+)\s+(?:back\s+)?(?:up|working|running)\b"
    r"|\bsort\s+(?P<sorted>it|this|that|them)(?:\s+out)?\b|\bmake\s+it\s+work\b",
    re.IGNORECASE)
"""Words that ask for a fix ("can you sort it", "take care of it"): the diagnosis's, whose
fix is then offered one click away (#15)."""
_FIXED = frozenset({"it", "this", "that", "them", "things", "whatever", "everything"})
_CAUSE_ASKED = re.compile(
    r"\b(?:any\s+idea|anyone\s+know|do\s+you\s+know|can\s+you\s+(?:tell|see|find\s+out)|"
    r"wtf)\b[^.?!]{0,20}\b(?:what(?:'s|\s+is)\s+(?:going\s+on|wrong|happening)|why)\b"
    r"|\bwhat(?:'s|\s+is)\s+(?:going\s+on|wrong|happening)\s*(?:with\s+(?:it|that|them))?\s*\?",
    re.IGNORECASE)
"""A question of the cause of trouble, anywhere in the message ("... still crashing. any
idea what's going on?"): the diagnosis's."""
_BY_MEANS = re.compile(r"\b(?:by|via|with)\s+(?:a\s+|an\s+)?([a-z-]+)", re.IGNORECASE)


def fix_asked(text: str, parsed: ParsedIntent) -> bool:
    """Whether `text` asks to fix a workload the model tagged ("calc-app is flaky, can you
    sort it"): then the model's weight for a change (the fix's words weigh toward one)
    does not keep it from the diagnosis. Trouble must be reported and no change named
    (`reports_trouble`), as for any trouble."""
    named = {parsed.slots.get("deployment"), parsed.slots.get("pod")} - {None, ""}
    if not named:
        return False
    # The fix is of the workload ("fix it", "sort it out", "take care of calc-app"), not
    # of something said about a change ("could restarting checkout fix the leak?"); or
    # its cause is asked ("... it's still crashing. any idea what's going on?").
    if not any(m.group("sorted") or m.group(0).lower().startswith("make")
               or (m.group("object") or m.group("got") or "").lower() in _FIXED | named
               for m in _FIX.finditer(text)) and _CAUSE_ASKED.search(text) is None:
        return False
    # "sort it out by restarting it": the fix named is a change ("keeps restarting" is not).
    return not any(change_of_form(word.lower()) for word in _BY_MEANS.findall(text))


def _workload_named(parsed: ParsedIntent) -> bool:
    """Whether the model tagged a deployment or a pod in the message."""
    return bool(parsed.slots.get("deployment") or parsed.slots.get("pod"))


def cronjob_trouble(text: str, parsed: ParsedIntent) -> bool:
    """Whether `text`, which the model left under its bar with a cronjob tagged, reports
    trouble with it or asks why it failed, naming no change ("the nightly-report cronjob
    is busted, can you fix it?", "why did nightly-report fail last night"). The diagnosis
    takes no cronjob: its namespace's scan answers (failed jobs, a suspended cronjob)."""
    return (parsed.intent == OUT_OF_SCOPE and parsed.source == "model"
            and bool(parsed.slots.get("cronjob")) and reports_trouble(text)
            and not general_question(text, parsed.spans))


def _health_question(text: str, parsed: ParsedIntent) -> bool:
    """Whether `text` asks about a workload's health ("is calc-app healthy in prod") or why
    its trouble happens, which the guards take as no request by its first words (a
    question), and is no general question, talk or order of a verb no runbook has: a read
    is what it asks for."""
    asks = HEALTH.search(text) is not None or _WHY.match(text) is not None
    # A question mark ends the talk a health word can look like ("... actually working?").
    talk = not text.rstrip().endswith("?") and just_talk(text, parsed.spans)
    return (asks and not general_question(text, parsed.spans) and not talk
            and foreign_verb(text) is None)


def trouble_to_diagnose(text: str, parsed: ParsedIntent,
                        runbooks: Mapping[str, Runbook]) -> dict[str, str] | None:
    """The diagnosis's values (those of its slots the model read) for a message the model
    left under its bar, when it reports trouble (`reports_trouble`), the model gave a read
    real weight and no change, and it is no creation request, talk or question for
    someone else (the guards); else None. Whether its namespace is the cluster's is the
    caller's to check."""
    runbook = runbooks.get(DIAGNOSIS)
    if (runbook is None or parsed.intent != OUT_OF_SCOPE or parsed.source != "model"
            or not reports_trouble(text)):
        return None
    weighed = [(runbooks[name], score) for name, score in parsed.alternatives
               if name in runbooks and score >= UNSURE_FLOOR]
    # A fix asked for a workload named is the diagnosis's, whatever the weights.
    fix = fix_asked(text, parsed)
    if not fix and any(other.risk is not Risk.READ for other, _ in weighed):
        return None  # maybe a change request after all: the closest runbooks are offered
    if not fix and not weighed and not _workload_named(parsed):
        # The model saw no read in it either, and it names nothing of the cluster ("my
        # laptop is down"). A workload it tagged is the cluster's ("prod checkout-api is
        # slow", a user trial: "not sure").
        return None
    verdict = guard(text, parsed.spans, runbook.slots, DIAGNOSIS)
    if verdict.creation or (verdict.not_asked and not fix
                            and not _health_question(text, parsed)):
        # Kinds and many objects stay: a diagnosis reads them all ("ImagePullBackOff on
        # quote-svc", "all pods crash in prod").
        return None
    return {k: v for k, v in parsed.slots.items() if k in runbook.slots}


EVENTS = "recent_events"
_EVENT_WORDS = re.compile(r"\b(?:events?|warnings?|happen\w*|logs?|going\s+on|timeline|"
                          r"recent\w*|history)\b", re.IGNORECASE)


def trouble_not_events(text: str, parsed: ParsedIntent) -> bool:
    """Whether the model read as the namespace's events a message that reports trouble
    and says nothing of events ("anything on fire in prod?": session 42's trial got the
    events' list, where the namespace's scan answers): then the diagnosis answers."""
    return (parsed.intent == EVENTS and parsed.source == "model"
            and not (parsed.slots.get("deployment") or parsed.slots.get("pod"))
            and _EVENT_WORDS.search(text) is None and reports_trouble(text))
