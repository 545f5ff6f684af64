"""A question about the state a change sets, read as the change.

A user trial: "is nightly-report suspended in prod?" and "did the nightly-report job run
in prod" were read as a suspend and a resume; the guards turned both down (no request), and
the person got "outside what I can do". A question whose reading the guards turned down as
no request, about the object the change would change, asks for that object's state: the
read-only runbook the change's `state_read` names answers it, about the same object.
Nothing is changed, and a request in question form ("can you suspend it?") is no such
question: the guards take it as a request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from chatops.conversation.asking import said_to_someone_else
from chatops.conversation.guards import Verdict, guard
from chatops.model import OUT_OF_SCOPE, ParsedIntent, Risk
from chatops.runbook.schema import Runbook

_OBJECT_TYPES = frozenset({"deployment", "cronjob", "node", "pod"})
UNSURE_FLOOR = 0.25
"""Under its bar, the change the model found likeliest must get this much for a question
to be read as about the state it sets ("why is nightly-report paused": a suspend at 0.6).
It was 0.5 until a CI run failed: "is nightly-report suspended in w…-prod?" got a suspend
at 0.29-0.50 for 24 namespace prefixes in 300 (1 in 300 at 0.25); the incident sets'
counts are the same at both bars (none taken)."""
_QUESTION = re.compile(
    r"^\W*(?:(?:hey|hi|so|ok|okay|quick question|qq|btw|hmm|also|and)\W+)*"
    r"(?:is|isn'?t|are|aren'?t|was|wasn'?t|were|did|didn'?t|does|doesn'?t|do|has|hasn'?t|"
    r"have|haven'?t|had|when|what|which|how|why|who|whether|any idea (?:if|whether|why))\b",
    re.IGNORECASE)


_PUT_UP = re.compile(
    r"\b(?:thoughts|wdyt|opinions?|objections?|what do (?:you|y[\u2019']?all|people|folks) "
    r"think|suppose|supposing|what if|if we|should we|shall we|we should|could we|can we|"
    r"would it|what (?:breaks|happens)|is it (?:ok|okay|safe|fine|wise))\b", re.IGNORECASE)
"""A change put up for discussion or supposed ("we should scale it to 5, thoughts?",
"suppose we restart it, what breaks?"): a question about the change, not the state."""


_STATE_OF = {"cordoned": "cordon_node", "uncordoned": "uncordon_node", "drained": "drain_node",
             "suspended": "suspend_cronjob", "paused": "suspend_cronjob",
             "unsuspended": "resume_cronjob", "resumed": "resume_cronjob"}
"""The state a change sets, by its participle: which change a question of it asks about,
whatever weight the model gave that change (`state_read` then needs its object named)."""
_STATE_SAID = re.compile(
    r"\b(?:is|isn'?t|are|aren'?t|was|wasn'?t|were|still|got|been|being)\s+(?:[\w.-]+\s+){0,2}?"
    r"(cordoned|uncordoned|drained|suspended|paused|unsuspended|resumed)\b", re.IGNORECASE)


def asks_about_state(text: str) -> bool:
    """Whether `text` is a question (it opens like one or asks with a question mark: "node-1
    ok? pods keep getting drained off it") and puts no change up for discussion."""
    return ((_QUESTION.match(text) is not None or "?" in text)
            and _PUT_UP.search(text) is None)


def state_read(text: str, parsed: ParsedIntent, verdict: Verdict,
               runbooks: Mapping[str, Runbook]) -> tuple[str, dict[str, str]] | None:
    """(the read, its values) that answers `text`, read as the change `parsed.intent` and
    judged by the guards (`verdict`), when it is a question about the state that change
    sets: the guards turned it down as no request, and it is no creation, no kind no
    runbook changes, no many objects, not said to someone else, and it names the object;
    None otherwise (a general question keeps its answer)."""
    runbook = runbooks.get(parsed.intent)
    target = runbooks.get(runbook.state_read or "") if runbook is not None else None
    if (runbook is None or target is None or runbook.risk is Risk.READ
            or not verdict.not_asked or verdict.creation or verdict.kind
            or verdict.many or not asks_about_state(text)
            or said_to_someone_else(text, parsed.spans)):
        return None
    objects = [name for name, spec in runbook.slots.items() if spec.type in _OBJECT_TYPES]
    if not any(parsed.slots.get(name) for name in objects):
        return None
    return target.name, {k: v for k, v in parsed.slots.items() if k in target.slots}


def question_of_state(text: str, parsed: ParsedIntent, runbooks: Mapping[str, Runbook],
                      verdict: Verdict | None = None
                      ) -> tuple[ParsedIntent, str, dict[str, str]] | None:
    """(the reading taken as the change, the read, its values) for `text`, as the dialogue
    answers it: the model's change and the guards' `verdict` (judged here when None), or,
    under the model's bar, the change it found likeliest at `UNSURE_FLOOR` or more."""
    if parsed.intent == OUT_OF_SCOPE:
        said = _STATE_SAID.search(text)
        if said is not None and said.group(1).lower() in _STATE_OF:
            # "why is node-2 cordoned?" (the cordon at 0.08 in session 42's trial): the
            # state's own word says which change sets it.
            intent, score = _STATE_OF[said.group(1).lower()], 0.0
        elif not parsed.alternatives or parsed.alternatives[0][1] < UNSURE_FLOOR:
            return None
        else:
            intent, score = parsed.alternatives[0]
        parsed, verdict = replace(parsed, intent=intent, confidence=score), None
    runbook = runbooks.get(parsed.intent)
    if runbook is None or not runbook.state_read:
        return None
    if verdict is None:
        verdict = guard(text, parsed.spans, runbook.slots, parsed.intent)
    found = state_read(text, parsed, verdict, runbooks)
    return (parsed, *found) if found is not None else None


_RUNS_ASKED = re.compile(
    r"^\W*(?:(?:hey|hi|so|ok|okay|quick question|qq|btw|also|and)\W+)*(?:when|what\s+time|"
    r"how\s+often|did|has|have|is)\b[^.!]{0,60}?\b(?:runs?|ran|running|fires?|fired|"
    r"scheduled|schedule|triggers?|triggered|kicks?\s+off|kicked\s+off|succeeded|succeed)\b"
    r"|\b(?:next|last|previous|latest|last\s+successful)\s+(?:run|runs|execution|firing|"
    r"schedule)\b|\bschedule\s+(?:of|for)\b",
    re.IGNORECASE)


def asks_cronjob_runs(text: str) -> bool:
    """Whether `text` asks when a cronjob runs or ran ("when does nightly-report run
    next?", "when did nightly-report last run", "what's the schedule of nightly-report"),
    and puts no change up for discussion."""
    return _RUNS_ASKED.search(text) is not None and _PUT_UP.search(text) is None
