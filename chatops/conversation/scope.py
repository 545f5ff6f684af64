"""Scope: requests to create something, or to change a kind of object no runbook changes.

The model is trained to answer these out of scope; this is the second line for the one
mistake that matters, a creation request read as a change to something that exists ("roll
out a second copy of search as search-next" read as `set_image search`). A message that
asks to create, install or provision is never answered with a mutating runbook, whatever
the model's confidence; it gets an honest "I can't create that" and what the bot can do.
The same holds for a write request whose target is named as a kind no runbook changes
(`other_kind`), and a general question that names no target is not a request at all
(`general_question`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from chatops.model import SlotSpan

# Kinds of things one asks to have; autoscalers apart, see `_ACQUIRE`.
_THINGS = (
    r"deployments?|services?|svcs?|namespaces?|ns|clusters?|apps?|applications?|"
    r"workloads?|cron ?jobs?|jobs?|secrets?|config ?maps?|ingress(?:es)?|roles?|"
    r"role ?bindings?|cluster ?roles?|service ?accounts?|network ?polic(?:y|ies)|"
    r"pvcs?|persistent ?volume(?: ?claim)?s?|volumes?|statefulsets?|daemonsets?|"
    r"node ?pools?|nodes?|pods?|charts?|releases?|databases?|"
    r"queues?|buckets?|users?|groups?|certificates?|dns records?|load ?balancers?|"
    r"environments?|envs?|instances?|copies|copy|replicas? of|replica ?sets?"
)
_OBJECTS = r"(?:hpas?|autoscalers?|" + _THINGS + ")"
# Policy objects no runbook creates or changes, which read like a deployment's resources or
# replicas ("a quota of 64Gi", "a disruption budget with minAvailable 2"); CamelCase kind
# names match too (ResourceQuota, LimitRange, PodDisruptionBudget).
_POLICY_OBJECTS = (
    r"(?:resource ?quotas?|quotas?|limit ?ranges?|pod ?disruption ?budgets?|"
    r"disruption ?budgets?|pdbs?|priority ?class(?:es)?|storage ?class(?:es)?|"
    r"vertical ?pod ?autoscalers?|vpas?|runtime ?class(?:es)?)"
)
_CREATION = re.compile(
    r"\b(?:"
    r"create|creating|provision(?:ing)?|bootstrap|scaffold|"
    r"install(?:ing)?|helm install|kubectl (?:create|apply|run|autoscale|expose)|"
    r"launch(?:ing)?|"
    r"deploy(?:ing)? (?:the |a |an |our |this )?(?:brand[- ])?new|"
    # A second workload beside the first ("a canary next to the stable pods").
    r"(?:alongside|next to|side by side with|beside) (?:the |our )?(?:current|existing|"
    r"stable|old|live|running)|"
    r"(?:spin|stand|set|fire) up (?:a |an |another |one more |the )?(?:new )?" + _OBJECTS + r"|"
    # "the new deployment of search" is one that exists; "a new deployment" is not yet.
    r"(?<!the )(?<!this )(?<!that )(?<!our )(?<!my )(?<!its )"
    # ("a third of users" is a share, not a third user.)
    r"(?:new|second|third|another|extra|additional|separate|parallel|duplicate) "
    r"(?:(?!of\b)\w+[- ])?" + _OBJECTS + r"|"
    r"(?:a |another |second )?(?:copy|clone|duplicate) of|"
    r"(?:clone|copy|duplicate) [\w.-]+ (?:in)?to|"
    r"(?:grant|give) [\w.@-]+ (?:\w+ )?(?:admin|access|permissions?|rights?|roles?)|"
    r"(?:write|generate|draft) (?:a |an |the |me |some )?(?:k8s |kubernetes )?"
    r"(?:yaml|manifests?|helm charts?|dockerfile|kustomization)|"
    # "we need a quota of 40 cores", "put a PodDisruptionBudget on checkout"; not a
    # mention in passing ("a broker which has a disruption budget").
    r"(?:set up|add|put|apply|configure|define|introduce|enforce|need|want|create|get) "
    r"(?:a|an|one|some|new) (?:\w+ )?" + _POLICY_OBJECTS + r"|"
    r"(?:add|grant|give) (?:a |an |the )?(?:new )?"
    r"(?:network ?polic(?:y|ies)|role ?bindings?|roles?|secrets?|ingress|namespace|"
    r"service ?accounts?|admin|access|permissions?|user)"
    r")\b",
    re.IGNORECASE,
)
# Asking for a thing, with up to two words of size, image or purpose before its kind ("set
# up a 100Gi volume", "add a redis instance", "we need a cronjob that ..."). Not "a drain
# of node-3" (no "of" in between), "a pod list" or "a node cordoned" (a word after the kind
# that makes it the subject of something else), nor "one more pod" (scaling, see below).
# An autoscaler is left out: "add an autoscaler to orders, min 1 max 5" is the autoscaling
# runbook's own wording (it changes one that exists, and says so when there is none).
_ACQUIRE = re.compile(
    r"\b(?:add|make|need|want|set up|spin up|stand up|fire up|build|provision)"
    r" (?:me |us )?(?:a|an|one|some|another) (?:(?!of\b)[\w.:-]+ ){0,2}?"
    + "(?:" + _THINGS + ")" +
    r"\b(?! ?(?:list|status|logs?|names?|overview|count|summary|health|report|details|"
    r"events|restarts?|images?|history|usage|autoscalers?|\w+ed)\b)",
    re.IGNORECASE,
)
# "another replica", "one more instance": that is scaling what exists, not creating.
_SCALING = re.compile(r"\b(?:another|extra|additional|more|new) (?:\w+ )?(?:replicas?|"
                      r"instances?|pods?|copies)\b(?! of)", re.IGNORECASE)


def asks_to_create(text: str) -> bool:
    """Whether `text` asks to create, install or provision something (no runbook does)."""
    if any(not _SCALING.fullmatch(match.group(0)) for match in _CREATION.finditer(text)):
        return True
    for match in _ACQUIRE.finditer(text):
        tail = _SCALING.search(match.group(0))
        if tail is None or tail.end() != len(match.group(0)):
            return True
    return False


# Kinds the mutating runbooks never change: a write request whose target is named as one
# ("restart the statefulset kafka", "grow the pvc data-0 to 200Gi") was read onto a
# deployment runbook by mistake. Only the word next to the target counts: "restart api so
# it picks up the new configmap" is a restart. The target itself counts too: in "delete the
# PVC data-0" the model may take "PVC" for the pod's name, and a statefulset's pods share
# names with its claims.
_OTHER_KIND = re.compile(
    r"(statefulset|daemonset|configmap|secret|ingress|networkpolic(?:y|ies)|serviceaccount|"
    r"rolebinding|clusterrole|role|persistentvolumeclaim|persistentvolume|pvc|crd|"
    r"sts|ds|cm|pv|sa|volume|resourcequota|quota|limitrange|poddisruptionbudget|pdb|"
    r"priorityclass|storageclass|verticalpodautoscaler|vpa|replicaset|rs|disk|storage)"
    r"(?:es|s)?",
    re.IGNORECASE,
)
# Kind words too common in other senses to count anywhere in a request that names its
# target ("restart the storage service api"): only next to the target, or when no target
# was tagged.
_LOOSE = frozenset({"volume", "disk", "storage", "role", "quota", "sa", "cm", "ds", "pv", "rs",
                    "crd", "secret"})
# "service" and "job" are what people call a deployment and a cronjob, so they are fine
# next to those; but a pod is never a service or a job, nor a cronjob a service: "delete
# the service gate-lb" read as a pod deletion is a change to something no runbook changes.
_NOT_THIS_KIND = {
    "pod": re.compile(r"(service|svc|job)s?", re.IGNORECASE),
    "node": re.compile(r"(service|svc|job)s?", re.IGNORECASE),
    "cronjob": re.compile(r"(service|svc)s?", re.IGNORECASE),
}
# What a node has of its own: next to a node, these name a part of it.
_NODE_PARTS = frozenset({"disk", "storage", "volume", "pv", "persistentvolume"})
# The kind as a refusal names it: "I can't change a statefulset", not "a sts".
_FULL_NAME = {"sts": "statefulset", "ds": "daemonset", "cm": "configmap",
              "pv": "persistentvolume", "sa": "serviceaccount", "svc": "service",
              "rs": "replicaset", "disk": "volume", "storage": "volume"}
# The words before a target (the kind is the last one, or the last two or three written
# apart: "stateful set", "persistent volume claim"): "statefulset kafka", "sts/kafka",
# "statefulsets.apps/kafka" (an API group after the kind), "statefulset: kafka",
# "statefulset, kafka".
_BEFORE = re.compile(r"([a-z]+(?:[ -][a-z]+){0,2})(?:\.[a-z0-9.]+)?(?:/|[:,]?\s+"
                     r"(?:(?:of|on|for)\s+)?(?:the\s+|called\s+|named\s+)?|[:,])$",
                     re.IGNORECASE)
# The words after it: "the kafka statefulset", "the kafka stateful set". Not in parentheses:
# "restart checkout (configmap changed)" asks for the deployment.
_AFTER = re.compile(r"^\s*([a-z]+(?:[ -][a-z]+){0,2})", re.IGNORECASE)
# In apposition after it: "kafka-main in bags, a statefulset with three replicas".
# Only the kind and what may follow it there: not "checkout, the secret was rotated".
_APPOSED = re.compile(r"^(?:\s+in\s+[\w.-]+)?\s*,\s*(?:a|an|the|our)\s+"
                      r"([a-z]+(?:[ -][a-z]+){0,2}?)(?=\s*(?:$|[,.;:)!?]|(?:with|in|of|that|"
                      r"which|running|behind|for)\b))", re.IGNORECASE)
_TARGETS = ("deployment", "pod", "cronjob", "node")
# Where the request's object ends and its context begins: "restart so it picks up the new
# configmap", "restart after the secret rotation", "restart it, the configmap changed".
_CONTEXT = re.compile(r"[,;:.!?()]| - |\b(?:so|because|since|as|after|before|when|while|"
                      r"once|until|then|but|which|that|with|for|due|from|now|if|coz|cause|"
                      r"to)\b", re.IGNORECASE)
# Where a sentence ends, and the words that make one a request.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
_ASKING = re.compile(r"\b(?:can|could|would|will) (?:you|u|someone|somebody)\b|\bplease\b|"
                     r"\bpl[sz]\b|\bi need you\b|\bi(?:'d| would) like you\b", re.IGNORECASE)
# Changing a cronjob's schedule: no runbook does ("move the export to 16:00" is not a
# suspend or a resume).
_SCHEDULE_CHANGE = re.compile(r"\b(?:change|move|update|set|edit|shift|modify|adjust|alter)\b"
                              r"(?:\s+[\w'-]+){0,4}?\s+(?:schedule|cron expression|timing)\b|"
                              r"\breschedul", re.IGNORECASE)
# The target said to be of a kind, anywhere: "bounce mq? it's the statefulset in ingest",
# "it's a statefulset btw", "which is a daemonset".
# Not "its" (its replica set will bring up a fresh one): the apostrophe is needed.
_SAID_TO_BE = re.compile(r"\b(?:it[\u2019']s|it is|that[\u2019']s|that is|which is|this is|"
                         r"they[\u2019']re|they are)\s+(?:(?:a|an|the|our|my|just)\s+)?"
                         r"([a-z]+(?:[ -][a-z]+){0,2})", re.IGNORECASE)
# Slack mentions and emoji shortcodes (":broom: clean up ..."), whose colons and brackets
# are not where the request ends.
_DECORATION = re.compile(r"<[@!#][^>]*>|(?<!\S)(?::[a-z0-9_+-]+:)+(?!\S)", re.IGNORECASE)
# A word or two written apart: "daemon set", "load balancer service", "persistent volume
# claim". Not inside a name: "role-service" is one word.
_WORD = re.compile(r"(?<![\w.-])[a-z]+(?![\w-])", re.IGNORECASE)


def other_kind(text: str, spans: Iterable[SlotSpan], target: str | None = None) -> str | None:
    """The kind of object a request's target is named as, when no mutating runbook changes
    that kind as that slot (`statefulset` in "restart the statefulset kafka", `service` in
    "delete the service gate-lb" read as a pod); None otherwise.

    `target` is the slot the runbook changes. When no span fills it, the model matched the
    verb and missed the object: then the kind named in the request itself, before any
    context, counts ("resize the data-0 pvc to 200Gi", "clean up the completed jobs" read
    as a drain)."""
    spans = list(spans)
    for span in spans:
        if span.slot not in _TARGETS:
            continue
        before = _BEFORE.search(text[max(0, span.start - 60):span.start])
        after = _AFTER.match(text[span.end:span.end + 60])
        apposed = _APPOSED.match(text[span.end:span.end + 80])
        words = [span.text.strip()]
        if before is not None:  # "set", "statefulset" (from "the stateful set")
            parts = re.split(r"[ -]", before.group(1))
            words += ["".join(parts[-n:]) for n in range(1, len(parts) + 1)]
        if after is not None:  # "stateful", "statefulset" (from "stateful set in")
            parts = re.split(r"[ -]", after.group(1))
            words += ["".join(parts[:n]) for n in range(1, len(parts) + 1)]
        if apposed is not None:  # the kind, whole
            words.append(re.sub(r"[ -]", "", apposed.group(1)))
        for word in words:
            kind = _kind_of(word, span.slot)
            if kind is not None:
                return kind
    for said in _SAID_TO_BE.finditer(text):
        parts = re.split(r"[ -]", said.group(1))
        for n in range(1, len(parts) + 1):
            kind = _kind_of("".join(parts[:n]), target or "deployment")
            if kind is not None:
                return kind
    if target in _TARGETS:
        tagged = [span for span in spans if span.slot == target]
        sentence = _request_sentence(text, tagged[0].start if tagged else None)
        return _request_kind(sentence, target, loose=not tagged)
    return None


def _request_sentence(text: str, at: int | None) -> str:
    """The sentence that asks: the one holding offset `at` (the target), else the last
    that asks for something ("can you ...", "please ..."), else the first."""
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    sentences = [(a, b) for a, b in pairwise(bounds) if text[a:b].strip()]
    if not sentences:
        return text
    if at is not None:
        return next((text[a:b] for a, b in sentences if a <= at < b), text)
    asking = [text[a:b] for a, b in sentences if _ASKING.search(text[a:b])]
    return asking[-1] if asking else text[sentences[0][0]:sentences[0][1]]


def target_of(slots: Iterable[str]) -> str | None:
    """The slot among a runbook's `slots` that names what it changes (`deployment`, `pod`,
    `node`, `cronjob`), if it has one."""
    names = set(slots)
    return next((slot for slot in _TARGETS if slot in names), None)


def _request_kind(text: str, target: str, *, loose: bool) -> str | None:
    """The other kind named in the request itself, before any context: a kind word (or
    two or three written apart) before the first context marker ("resize the data-0 pvc
    to 200Gi", "restart checkout and the redis statefulset"). Words with other common
    senses (`_LOOSE`) count only when `loose`: when the model tagged no target, the object
    the verb was matched on is all there is."""
    head = _CONTEXT.split(_DECORATION.sub(" ", text).strip(), maxsplit=1)[0]
    if target == "cronjob" and _SCHEDULE_CHANGE.search(head):
        return "schedule"
    words = [m.group(0) for m in _WORD.finditer(head)]
    for i in range(len(words)):
        for n in (3, 2, 1):
            if i + n > len(words):
                continue
            joined = "".join(words[i:i + n])
            kind = _kind_of(joined, target)
            if kind is not None and (loose or re.sub(r"e?s$", "", joined.lower()) not in _LOOSE):
                return kind
    return None


def _kind_of(word: str, slot: str) -> str | None:
    """The kind `word` names, in the singular and in full ("pvcs" -> "pvc", "sts" ->
    "statefulset"), when a runbook taking `slot` does not change it."""
    kind = _OTHER_KIND.fullmatch(word)
    not_this = _NOT_THIS_KIND.get(slot)
    if kind is None and not_this is not None:
        kind = not_this.fullmatch(word)
    if kind is None:
        return None
    singular = re.sub(r"ies$", "y", kind.group(1).lower())
    if slot == "node" and singular in _NODE_PARTS:
        return None  # "the faulty disk on worker-14": a node's own disk, not another object
    return _FULL_NAME.get(singular, singular)


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
    if any(span.slot in (*_TARGETS, "node") for span in spans):
        return False
    return _GENERAL_QUESTION.search(text.strip()) is not None
