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
    r"going to\b|the (?:runbook|alert|doc|wiki) says\b|"
    # "hold off on restarting checkout", "nobody touch node-7", "TODO restart checkout"
    r"hold off on\b|(?:nobody|no one|noone) (?:touch|restart|drain|cordon|scale|delete)|todo\b|"
    # "I just accidentally scaled api to 0", "ugh, we restarted it twice already"
    r"(?:(?:ugh|oops|argh|damn|welp|so|ok|okay)\W+)?(?:i|we) (?:just |already |accidentally |"
    r"just accidentally )?(?:restarted|scaled|drained|cordoned|uncordoned|deleted|rolled|"
    r"killed|suspended|resumed|bumped|changed|updated|bounced)\b)",
    re.IGNORECASE,
)
# Anywhere in a message: a change named as a thing that happened ("the restart of checkout
# fixed it", "yesterday's drain of node-7 went fine", "the cordon on node-3 was
# intentional"), unless a clause of it gives an order.
_TALKED_ABOUT = re.compile(
    r"\b(?:the|that|this|our|your|my|[a-z]+[\u2019']s)\s+(?:restart|rollback|roll-?back|drain|"
    r"cordon|uncordon|scale-?(?:up|down)|scaling|deletion|suspension|bounce|rollout)\s+"
    r"(?:of|on|for)\s+(?:\S+\s+){1,4}?(?:was|were|is|went|fixed|worked|did|didn[\u2019']?t|"
    r"broke|helped|failed|caused|took|looks?|seems?)\b",
    re.IGNORECASE,
)
# A change put up for discussion, even in the imperative ("scale api to 10? wdyt").
_OPINION = re.compile(r"\b(?:thoughts|objections|opinions)\s*\?|\bwdyt\b|"
                      r"\bwhat do (?:you|y[\u2019']?all|people|folks) think\b", re.IGNORECASE)
_ASKS_ANYWAY = re.compile(r"\b(?:can|could|would|will) you\b|\bplease (?!don)|\bpl[sz]\b|"
                          r"\bgo ahead\b|\bi need you to\b", re.IGNORECASE)


# Where a clause ends: "the rollout failed, roll it back", "... so scale it to 5".
_CLAUSE = re.compile(r"[,;.!?:()\u2013\u2014]|\s-\s|\b(?:so|then|and)\b", re.IGNORECASE)


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
    if _OPINION.search(cleaned) is not None and _ASKS_ANYWAY.search(text) is None:
        return True
    if _TALKED_ABOUT.search(cleaned) is not None and _ASKS_ANYWAY.search(text) is None:
        # Unless a clause of it gives an order: "the rollout of checkout failed, roll it back".
        clauses = _CLAUSE.split(cleaned)
        if not any(_ORDER.search(clause) for clause in clauses):
            return True
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


# Taking a workload away: no runbook deletes a deployment or uninstalls a release, and a
# restart, rollback or image change is not what "remove the old api-v1 deployment" asks.
_TAKE_AWAY = re.compile(r"^\W*(?:(?:please|pls|can you|could you)\W+)?(?:uninstall|delete|remove|"
                        r"decommission|tear down|teardown|destroy|get rid of|purge|nuke)\b",
                        re.IGNORECASE)
# Runbooks whose every slot is one of these change a deployment as a whole.
_WHOLE_DEPLOYMENT = frozenset({"deployment", "namespace", "revision", "image", "container"})


def takes_away(slots: Iterable[str], text: str) -> bool:
    """Whether a request read as a restart, rollback or image change asks to delete or
    uninstall the workload, with no later clause giving another order."""
    names = set(slots)
    if "deployment" not in names or not names <= _WHOLE_DEPLOYMENT:
        return False
    cleaned = clean_text(text).strip()
    if _TAKE_AWAY.search(cleaned) is None:
        return False
    clauses = _CLAUSE.split(cleaned)[1:]
    return not any(_ORDER.search(clause) for clause in clauses)


# What the request's first words ask to change, when no runbook changes it: a deployment's
# other fields ("set maxSurge to 50% on api", "add an env var to checkout"), a node's taints
# ("untaint worker-12"), annotations. Not labels, ports or commands: those words name pods
# and containers in everyday requests too.
_OTHER_FIELD = re.compile(
    r"\b(?:max ?surge|max ?unavailable|(?:rollout|update) strategy|env(?:ironment)? ?vars?|"
    r"env(?:ironment)? variables?|annotations?|annotate|tolerations?|node ?selectors?|"
    r"(?:anti-?)?affinity|(?:un)?taints?|(?:un)?tainted)\b",
    re.IGNORECASE)
# A cron expression ("0 3 * * *") asks for a schedule, which no runbook sets.
_CRON = re.compile(r"(?:^|\s)(?:[\d*/,-]+\s+){4}[\d*/,-]+(?:\s|$)")


def other_field(text: str) -> bool:
    """Whether the words before a request's first context marker name a field or property
    no runbook changes (`_OTHER_FIELD`), or the request gives a cron expression."""
    if _CRON.search(text):
        return True
    cleaned = clean_text(text).strip()
    bounds = [0, *(m.end() for m in SENTENCE_END.finditer(cleaned)), len(cleaned)]
    sentences = [cleaned[a:b] for a, b in pairwise(bounds) if cleaned[a:b].strip()]
    asking = [s for s in sentences if _ORDER.search(s) or _ASKS_ANYWAY.search(s)]
    request = (asking or sentences or [cleaned])[0]
    head = re.split(r"\b(?:to|so|because|since|after|before|with|for|from|but|then)\b|"
                    r"[,;:.!?()\u2013\u2014]", request, maxsplit=1, flags=re.IGNORECASE)[0]
    return _OTHER_FIELD.search(head) is not None


def other_change(slots: Iterable[str], text: str) -> bool:
    """Whether a request read as the runbook with `slots` asks for a change it does not
    make (`cronjob_other_change`, `storage_not_memory`, `takes_away`, `other_field`)."""
    names = set(slots)
    if "cronjob" in names:
        return cronjob_other_change(text)
    if names & {"memory_limit", "memory_request", "cpu_limit", "cpu_request"}:
        return storage_not_memory(text) or other_field(text)
    return takes_away(names, text) or other_field(text)


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


# Many objects at once: "restart all deployments in payments", "drain every node in pool-b",
# "roll back everything in payments". Each runbook changes one object, and picking one of
# them would be a guess: the bot asks the person to name it instead. The noun counts only
# when it is what the runbook changes ("restart checkout, it fails on all nodes" is one
# restart); "all pods of checkout" is one deployment's restart.
_BULK = re.compile(
    r"\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+|our\s+|my\s+|these\s+|those\s+)?"
    r"(?:[a-z-]+\s+)?(deployments?|deploys?|apps?|services?|workloads?|pods?|replicas?|nodes?|"
    r"cronjobs?|crons?|jobs?)\b|\b(everything|every ?thing|the whole (?:namespace|ns|cluster))\b",
    re.IGNORECASE)
_MANY = {
    "deployment": ("deployment", "deploy", "app", "service", "workload", "pod", "replica"),
    "pod": ("pod", "replica"),
    "node": ("node",),
    "cronjob": ("cronjob", "cron", "job"),
}


def bulk_request(text: str, spans: Iterable[SlotSpan], slots: Iterable[str]) -> str | None:
    """The kind a request asks to change many of at once ("all deployments"), when the
    runbook with `slots` changes one; None otherwise."""
    names = set(slots)
    target = next((slot for slot in TARGETS if slot in names), None)
    if target is None:
        return None
    spans = list(spans)
    for match in _BULK.finditer(clean_text(text)):
        # A target named on its own is what the request changes ("restart all pods of
        # checkout", "raise checkout's max like all our other services"); one the model
        # tagged inside the phrase ("all deployments") is no name.
        named = [span for span in spans if span.slot == target
                 and not match.start() <= span.start < match.end()]
        noun = (match.group(1) or "").lower().rstrip("s")
        if named or (match.group(1) is not None and noun not in _MANY[target]):
            continue
        return target
    return None
