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
from intents.spelling import corrected

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
    # "launch a cache", not "before the product launch".
    r"launch(?:ing)? (?=(?:a|an|the|another|new|one|our|\w+-\w+)\b)|"
    # "deploy a brand new service"; not "deploy the new build of api" (an image change).
    r"deploy(?:ing)? (?:the |a |an |our |this )?(?:brand[- ])?new"
    r"(?! (?:build|image|version|tag|release)s? (?:of|to|for)\b)|"
    # A second workload beside the first ("a canary next to the stable pods").
    r"(?:alongside|next to|side by side with|beside) (?:the |our )?(?:current|existing|"
    r"stable|old|live|running)|"
    r"(?:spin|stand|set|fire) up (?:a |an |another |one more |the )?(?:new )?" + _OBJECTS + r"|"
    # "the new deployment of search" is one that exists; "a new deployment" is not yet.
    r"(?<!the )(?<!this )(?<!that )(?<!our )(?<!my )(?<!its )"
    # Not a place ("schedule on another node") nor the subject of what happened ("a new
    # release broke it", "another node is taking over").
    r"(?<!on )(?<!onto )(?<!to )(?<!from )(?<!in )"
    # ("a third of users" is a share, not a third user.)
    r"(?:new|second|third|another|extra|additional|separate|parallel|duplicate) "
    r"(?:(?!of\b)\w+[- ])?" + _OBJECTS +
    r"(?!\s+(?:broke|breaks|is|was|has|had|failed|fails|caused|causes|went|introduced|"
    r"crashed|seems|looks|made|took|takes|will)\b)|"
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
    r"events|restarts?|images?|history|usage|autoscalers?|bounce|restart|rollback|"
    r"rollout|redeploy|back|\w+ed)\b)",
    re.IGNORECASE,
)
# "another replica", "one more instance": that is scaling what exists, not creating.
_SCALING = re.compile(r"\b(?:another|extra|additional|more|new|some) (?:\w+ )?(?:replicas?|"
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
# deployment runbook by mistake. What counts is the kind the target's own noun phrase
# names: the word before the name ("statefulset kafka"), the noun that ends the phrase
# after it ("the kafka statefulset in bags", "the ledger-db data PVC to 500Gi"), a kind set
# beside it ("kafka (statefulset)", "kafka, the ingest statefulset", "kafka - sts") or said
# of it ("it's a statefulset btw", "kafka is a statefulset"). A kind that only modifies
# another noun ("it's a statefulset pod", "the sts pod zk-1") or sits in a clause of its
# own ("restart api so it picks up the new configmap", "restart checkout (configmap
# changed)") does not. The target itself counts too: in "delete the PVC data-0" the model
# may take "PVC" for the pod's name, and a statefulset's pods share names with its claims.
_OTHER_KIND = re.compile(
    r"(statefulset|daemonset|configmap|secret|ingress|networkpolic(?:y|ies)|serviceaccount|"
    r"rolebinding|clusterrole|role|persistentvolumeclaim|persistentvolume|pvc|crd|"
    r"sts|ds|cm|pv|sa|volume|resourcequota|quota|limitrange|poddisruptionbudget|pdb|"
    r"priorityclass|storageclass|verticalpodautoscaler|vpa|replicaset|rs|disk|storage)"
    r"(?:es|s)?",
    re.IGNORECASE,
)
# Kind words too common in other senses to count in a request whose target was tagged,
# except right at the target: only when no target was tagged, where the object the verb
# was matched on is all there is.
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
                     r"(?:(of|on|for)\s+)?(?:the\s+|called\s+|named\s+)?|[:,])$",
                     re.IGNORECASE)
# A name right after a word: "secret db-creds", "pvc data-0".
_NAME_NEXT = re.compile(r"^\s+[a-z0-9]+(?:[-_.][a-z0-9]+)+", re.IGNORECASE)
# A namespace named in passing: "in the secrets namespace", "-n ingress", "ns: storage".
_NAMESPACE_WORDS = re.compile(r"\b[\w-]+\s+(?:namespace|ns)\b|(?:\bnamespace|\bns|-n)[\s:=]+[\w-]+",
                              re.IGNORECASE)
# What may come between a target and a kind set beside it: "kafka (statefulset)",
# "kafka in bags, a statefulset with ...", "kafka - sts", "kafka: statefulset", "kafka is a
# statefulset", "kafka, one of our statefulsets", "kafka and zk, both statefulsets",
# "checkout and the redis statefulset" (a second object, of another kind).
_BESIDE = re.compile(
    r"^(?:\s+in\s+[\w.-]+)?\s*(?:[,(\[:=&]|(?<=\s)-{1,2}(?=\s)|\u2013|\u2014|"
    r"\s+(?:is|was|runs as|is deployed as|are|were|and)\b)"
    r"\s*(?:(?:which is|it[\u2019']?s|that[\u2019']?s|is)\s+)?"
    r"(?:(?:a|an|the|our|one of (?:the|our)|both|all|just)\s+)?",
    re.IGNORECASE)
# The target said to be of a kind anywhere: "bounce mq? it's the statefulset in ingest",
# "it's a statefulset btw", "which is a daemonset", "its an sts".
_SAID_TO_BE = re.compile(
    r"\b(?:it[\u2019'\u02bc`]?s|it is|that[\u2019'\u02bc`]?s|that is|which is|which are|this is|"
    r"these are|they[\u2019'\u02bc`]?re|they are)\s+(?:(?:a|an|the|our|my|just|one of (?:the|our))"
    r"\s+)?|"
    # "kafka is a statefulset", "we run kafka as a statefulset", "deployed via a statefulset"
    r"\b(?:is|are|as|via)\s+(?:a|an|the|our|one of (?:the|our))\s+", re.IGNORECASE)
# Words that end a noun phrase: "the kafka statefulset | in bags", "a statefulset | btw".
# Not verbs: "the secret was rotated" runs on into a clause, whose last word is no kind.
_PHRASE_END = frozenset((
    "in", "on", "to", "for", "with", "of", "from", "at", "by", "into", "via", "over", "under",
    "after", "before", "until", "during", "once", "while", "without", "about", "like", "per",
    "than", "through", "the", "a", "an", "and", "or", "but", "so", "because", "since", "as",
    "btw", "pls", "plz", "please", "now", "asap", "too", "again", "then", "if", "when",
    "that", "which", "who", "running", "behind", "thanks", "thx", "ty", "ignoring",
    "excluding", "including", "except", "skipping", "leaving", "keeping", "letting", "using",
))
_TOKEN = re.compile(r"[a-z]+(?:[-\u2011][a-z]+)*|\S", re.IGNORECASE)
_TARGETS = ("deployment", "pod", "cronjob", "node")
# Where the request's object ends and its context begins: "restart so it picks up the new
# configmap", "restart after the secret rotation", "restart it, the configmap changed".
_CONTEXT = re.compile(r"[,;:.!?()\u2013\u2014]| - | -- |&|\b(?:so|because|since|as|after|before|"
                      r"when|while|once|until|then|but|which|that|with|for|due|from|now|if|"
                      r"coz|cause|to|ignoring|even though|and let)\b", re.IGNORECASE)
# Where a sentence ends, and the words that make one a request.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
_ASKING = re.compile(r"\b(?:can|could|would|will) (?:you|u|someone|somebody)\b|\bplease\b|"
                     r"\bpl[sz]\b|\bi need you\b|\bi(?:'d| would) like you\b", re.IGNORECASE)
# Changing a cronjob's schedule: no runbook does ("move the export to 16:00" is not a
# suspend or a resume).
_SCHEDULE_CHANGE = re.compile(r"\b(?:change|move|update|set|edit|shift|modify|adjust|alter)\b"
                              r"(?:\s+[\w'-]+){0,4}?\s+(?:schedule|cron expression|timing)\b|"
                              r"\breschedul", re.IGNORECASE)
# Slack mentions, emoji shortcodes, link targets and markdown, which hide or split words:
# ":broom: clean up ...", "<https://console/.../statefulsets/kafka|kafka>", "*statefulset*".
_DECORATION = re.compile(r"<[@!#][^>]*>|(?<!\S)(?::[a-z0-9_+-]+:)+(?!\S)|[`*_~\"\u201c\u201d]",
                         re.IGNORECASE)
_LINK = re.compile(r"<[a-z]+://[^|>]*?/([a-z]+)/[^/|>]*\|([^>]*)>", re.IGNORECASE)
# A word or two written apart: "daemon set", "load balancer service", "persistent volume
# claim". Not inside a name: "role-service" is one word.
_WORD = re.compile(r"(?<![\w.-])[a-z]+(?![\w-])", re.IGNORECASE)


def _clean(text: str) -> str:
    """The text with Slack decoration and markdown taken out, a link's kind ("<https://
    .../statefulsets/kafka|kafka>") written before its label, at the same length (spans keep
    their offsets)."""
    def link(m: re.Match[str]) -> str:  # the label stays where it was
        lead = f"{m.group(1)} ".rjust(m.start(2) - m.start(0))
        return lead + m.group(2) + " " * (m.end(0) - m.end(2))

    text = _LINK.sub(link, text)
    return _DECORATION.sub(lambda m: " " * len(m.group(0)), text)


def other_kind(text: str, spans: Iterable[SlotSpan], target: str | None = None) -> str | None:
    """The kind of object a request's target is named as, when no mutating runbook changes
    that kind as that slot (`statefulset` in "restart the statefulset kafka", `service` in
    "delete the service gate-lb" read as a pod); None otherwise.

    `target` is the slot the runbook changes. When no span fills it, the model matched the
    verb and missed the object: then the kind named in the request itself, before any
    context, counts ("resize the data-0 pvc to 200Gi", "clean up the completed jobs" read
    as a drain)."""
    spans = list(spans)
    text = _clean(text)
    for span in spans:
        if span.slot not in _TARGETS:
            continue
        # The target's text itself ("delete the PVC data-0" read as pod=PVC); a word with
        # other senses only when a name follows it ("wipe the secret db-creds"), not in
        # "restart the storage api" read as deployment=storage.
        named = _NAME_NEXT.match(text[span.end:span.end + 60]) is not None
        words = [span.text.strip()] if named or not _loose(span.text.strip()) else []
        before = _BEFORE.search(text[max(0, span.start - 60):span.start])
        if before is not None:  # "set", "statefulset" (from "the stateful set")
            parts = re.split(r"[ -]", before.group(1))
            joined = ["".join(parts[-n:]) for n in range(1, len(parts) + 1)]
            # "the storage api" names an api; "the storage of ledger-db", "cm/app-config"
            # (kubectl's kind/name) name a storage and a configmap.
            explicit = before.group(2) is not None or before.group(0).endswith("/")
            words += [w for w in joined if explicit or not _loose(w)]
        for word in words:
            kind = _kind_of(word, span.slot)
            if kind is not None:
                return kind
        after = text[span.end:span.end + 120]
        kind = _phrase_kind(after, span.slot)  # "the kafka statefulset in bags"
        beside = _BESIDE.match(after)
        if kind is None and beside is not None and beside.end() > 0:
            kind = _phrase_kind(after[beside.end():], span.slot)
        if kind is not None:
            return kind
    for said in _SAID_TO_BE.finditer(text):
        kind = _phrase_kind(text[said.end():said.end() + 120], target or "deployment")
        if kind is not None:
            return kind
    if target in _TARGETS and not any(span.slot == target for span in spans):
        # What other slots hold (a namespace "secrets") is no object of the request.
        for span in spans:
            text = text[:span.start] + " " * (span.end - span.start) + text[span.end:]
        return _request_kind(_request_sentence(_NAMESPACE_WORDS.sub(" ", text)), target)
    return None


def _loose(word: str) -> bool:
    """Whether `word` is a kind word with other common senses (`_LOOSE`)."""
    kind = _OTHER_KIND.fullmatch(word)
    return kind is not None and kind.group(1).lower() in _LOOSE


def _phrase_kind(text: str, slot: str) -> str | None:
    """The other kind that heads the noun phrase `text` starts with: its last noun, before
    a word or mark that ends it ("statefulset in bags", "ingest statefulset, ...", "data PVC
    to 500Gi"); None when the phrase ends in another noun ("statefulset pod") or runs on
    past four words (a clause, not a name for the target)."""
    phrase: list[str] = []
    for token in _TOKEN.findall(text):
        if not token[0].isalpha() or token.lower() in _PHRASE_END:
            break
        phrase.append(token)
        if len(phrase) > 4:
            return None
    if phrase and phrase[-1].lower() in ("one", "ones"):  # "the sts one"
        phrase.pop()
    parts = [p for word in phrase for p in re.split(r"[-\u2011]", word)]
    for n in (3, 2, 1):
        if len(parts) >= n:
            kind = _kind_of("".join(parts[-n:]), slot)
            if kind is not None:
                return kind
    return None


def _request_sentence(text: str) -> str:
    """The sentence that asks: the last that asks for something ("can you ...", "please
    ..."), else the first."""
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    sentences = [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()]
    if not sentences:
        return text
    asking = [s for s in sentences if _ASKING.search(s)]
    return asking[-1] if asking else sentences[0]


def target_of(slots: Iterable[str]) -> str | None:
    """The slot among a runbook's `slots` that names what it changes (`deployment`, `pod`,
    `node`, `cronjob`), if it has one."""
    names = set(slots)
    return next((slot for slot in _TARGETS if slot in names), None)


def _request_kind(text: str, target: str) -> str | None:
    """The other kind named as the object of a request whose target was not tagged: a kind
    word (or two or three written apart) before the first context marker ("resize the
    data-0 pvc to 200Gi", "clean up all the completed jobs" read as a drain)."""
    head = _CONTEXT.split(text.strip(), maxsplit=1)[0]
    if target == "cronjob" and _SCHEDULE_CHANGE.search(head):
        return "schedule"
    words = [m.group(0) for m in _WORD.finditer(head)]
    for i in range(len(words)):
        for n in (3, 2, 1):
            if i + n <= len(words):
                kind = _kind_of("".join(words[i:i + n]), target)
                if kind is not None:
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
    cleaned = _clean(text).strip()
    found = _NOT_A_REQUEST.search(cleaned)
    if found is None:
        return False
    if re.search(r"don|do not|never|no need", found.group(0), re.IGNORECASE):
        return True
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(cleaned)), len(cleaned)]
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
    if _RUN_OR_RETIME.search(text) is None and _SCHEDULE_CHANGE.search(text) is None:
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
    if any(span.slot in (*_TARGETS, "node") for span in spans):
        return False
    return _GENERAL_QUESTION.search(text.strip()) is not None
