"""Asking: whether a message read as a change asks for that change.

A message can name a runbook's verb and target without asking for it: "don't drain
node-7 yet", "who scaled api down?", "what happens if I scale checkout to 0?", or a
general question about Kubernetes. It can also ask, in a runbook's words, for a change the
runbook does not make: a cronjob run now or moved read as a suspend or resume, a volume's
size read as a container's memory. The conversation answers these as out of scope, never
with a plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from chatops.conversation.kinds import SCHEDULE_CHANGE, SENTENCE_END, TARGETS, clean_text
from chatops.model import SlotSpan
from intents.spelling import corrected

# Messages about a change that do not ask for it: a negation ("don't drain node-7 yet"), a
# report or a thank-you ("who scaled api down?", "thanks for restarting checkout", "FYI
# drained node-4 earlier"), a plan or reminder of one's own ("I'm about to roll back
# checkout", "remind me to restart it"), a hypothetical or a condition ("what happens if I
# scale it to 0?", "if latency goes up, restart checkout"). A plan for them is not what was
# asked; a request that asks ("can you ...", "would you ...", "please ...") is.
_NOT_A_REQUEST = re.compile(
    r"^\W*(?:(?:please )?(?:don[\u2019']?t|do not|never|no need to)\b|"
    r"thanks?(?: you)? for\b|thank you for\b|"
    r"(?:who|why|did|has|have|was|were)\b|how long\b|how come\b|any reason\b|i wonder\b|"
    r"what (?:would|if|happens|happened)\b|would (?!you\b)|should (?:we|i)\b|"
    r"is it (?:safe|ok|okay|possible|wise|a good idea)\b|is there (?:any|a) (?:way|reason)\b|"
    r"if\b|in case\b|fyi\b|heads up\b|note to self\b|reminder\b|remind me\b|til\b|"
    r"later:|eli5\b|(?:i[\u2019']?m|i am|we[\u2019']?re|we are) (?:going|about) to\b|"
    r"going to\b|the (?:runbook|alert|doc|wiki) says\b)",
    re.IGNORECASE,
)
_ASKS_ANYWAY = re.compile(r"\b(?:can|could|would|will) you\b|\bplease (?!don)|\bpl[sz]\b|"
                          r"\bgo ahead\b|\bi need you to\b", re.IGNORECASE)


# A later sentence that gives an order: "did the deploy break checkout? roll it back".
_ORDER = re.compile(r"^\W*(?:(?:then|so|ok|okay|pls|plz|please|just)\W+)?(?:restart|bounce|roll|"
                    r"rollback|revert|scale|drain|cordon|uncordon|delete|kill|nuke|remove|"
                    r"suspend|pause|resume|unpause|set|bump|raise|lower|increase|decrease|"
                    r"update|change|evict|recycle|go ahead|do it)\b", re.IGNORECASE)


def not_a_request(text: str) -> bool:
    """Whether `text` opens by talking about a change without asking for it (a negation, a
    report or thanks, a plan of one's own, a hypothetical, a condition); asking words
    ("can you", "please") or a later sentence that gives an order make it a request after
    all, except after a negation ("please don't", "don't drain it. wait.")."""
    cleaned = clean_text(text).strip()
    found = _NOT_A_REQUEST.search(cleaned)
    if found is None:
        return False
    if re.search(r"don|do not|never|no need", found.group(0), re.IGNORECASE):
        return True
    bounds = [0, *(m.end() for m in SENTENCE_END.finditer(cleaned)), len(cleaned)]
    later = [cleaned[a:b] for a, b in pairwise(bounds)][1:]
    return _ASKS_ANYWAY.search(text) is None and not any(_ORDER.search(s) for s in later)


# A cronjob runbook suspends or resumes; running one now or changing when it runs is
# neither ("run nightly-report now", "push the export back an hour", "0 3 * * *"), unless
# the message also says to suspend or resume (typos read as meant: "resmue").
_RUN_OR_RETIME = re.compile(
    r"\b(?:run|execute|trigger|kick(?:ed)? off|fire(?: off)?)\b.{0,40}?\b(?:now|immediately|"
    r"right away|asap|once|manually)\b|\bone-?off\b|\bmanual(?:ly)? run\b|"
    r"\bevery \d+|\b(?:hourly|daily|weekly|nightly) instead\b|\brun (?:hourly|daily|weekly)\b|"
    r"\b(?:back|forward|earlier|later) (?:by )?(?:an? |\d+ )?(?:hour|hours|minutes?|mins?)\b|"
    r"\bby \d+ ?(?:minutes?|mins?|hours?|h)\b|\bfrom now on\b|"
    r"(?:^|\s)(?:[\d*/,-]+\s+){4}[\d*/,-]+(?:\s|$)", re.IGNORECASE)
_SUSPEND_RESUME = re.compile(
    r"\b(?:suspend|unsuspend|pause|unpause|resume|disable|enable|re-?enable|stop|halt|freeze|"
    r"hold|turn (?:it )?(?:off|on)|switch (?:it )?(?:off|on)|reactivate|continue|skip|"
    r"not (?:run|happen|fire))", re.IGNORECASE)


def cronjob_other_change(text: str) -> bool:
    """Whether a request read as a cronjob suspend or resume asks to run it now or to move
    its schedule, and says nothing of suspending or resuming."""
    if _RUN_OR_RETIME.search(text) is None and SCHEDULE_CHANGE.search(text) is None:
        return False
    words = " ".join(corrected(w, lambda _: False) for w in text.split())
    return _SUSPEND_RESUME.search(words) is None


# Storage asked for in a resources change: a volume's size, not a container's memory.
_STORAGE = re.compile(r"\b(?:storage|disk|disks|volume|volumes|pvc|pvcs|size|retention|"
                      r"ephemeral)\b", re.IGNORECASE)
_COMPUTE = re.compile(r"\b(?:memory|mem|ram|cpu|cpus|cores?|millicores|heap|oom)\b",
                      re.IGNORECASE)


def storage_not_memory(text: str) -> bool:
    """Whether a resources request speaks of storage and never of CPU or memory ("give
    elasticsearch 1Ti of storage", "set the size of data-pg-0 to 100Gi")."""
    return _STORAGE.search(text) is not None and _COMPUTE.search(text) is None


def other_change(slots: Iterable[str], text: str) -> bool:
    """Whether a request read as the runbook with `slots` asks for a change it does not
    make (`cronjob_other_change`, `storage_not_memory`)."""
    names = set(slots)
    if "cronjob" in names:
        return cronjob_other_change(text)
    if names & {"memory_limit", "memory_request", "cpu_limit", "cpu_request"}:
        return storage_not_memory(text)
    return False


# "how does a PodDisruptionBudget interact with kubectl drain?": a question about
# Kubernetes that mentions a runbook's verb, not a request to run it.
_GENERAL_QUESTION = re.compile(
    r"^\W*(?:how (?:does|do|is|are|would|should|can)|what (?:is|are|does|do|happens)|"
    r"what's (?:a|an|the difference)|why (?:does|do|would|is|are)|explain|"
    r"(?:is|are) there a way|difference between|when should|"
    # "does a rolling restart cause downtime?"; not "does it need a restart?"
    r"does (?!(?:it|this|that|he|she|they)\b)|is it (?:safe|ok|okay|possible|true)|"
    r"(?:can|will|would|should) (?:a|an) )\b",
    re.IGNORECASE,
)


def general_question(text: str, spans: Iterable[SlotSpan]) -> bool:
    """Whether `text` is a general question ("how does X work?") naming no target: then a
    runbook the model matched on a word in it is not what was asked for."""
    if any(span.slot in (*TARGETS, "node") for span in spans):
        return False
    return _GENERAL_QUESTION.search(text.strip()) is not None
