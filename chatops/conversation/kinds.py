"""Kinds: a write request whose target is named as a kind no runbook changes.

The model may read "restart the statefulset kafka" as `restart_deployment kafka`: the
runbooks change deployments, pods, nodes, cronjobs and autoscalers only. `other_kind`
finds the kind the target's own words name, and the conversation refuses such a request
plainly ("I can't change a statefulset"), whatever the model's confidence. Also the text
helpers the other guards share (`clean_text`, `plain_text`, `SENTENCE_END`,
`SCHEDULE_CHANGE`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import pairwise

from chatops.model import SlotSpan
from intents.spelling import one_edit_apart

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58"
                         "\ufe63\uff0d\u30fc\u2043\u2e3a\u2e3b\u2796\u02d7\u00ad\u2027"})


def plain_text(text: str) -> str:
    """`text` as it reads: compatibility forms folded (fullwidth letters), every dash a
    hyphen (a soft one too), format characters (zero-width spaces) and combining marks
    left over (an underline drawn through a name) taken out."""
    return "".join(char for char in unicodedata.normalize("NFKC", text).translate(_DASHES)
                   if unicodedata.category(char) not in ("Cf", "Mn"))


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
    r"priorityclass|storageclass|verticalpodautoscaler|vpa|replicaset|rs|disk|storage|"
    # Objects of tools and operators on top of Kubernetes: "the argo rollout checkout",
    # "the redis helm release", "the elasticsearch CR logs-es", "the keda scaledobject"; not a
    # bare "release", which is also a version ("undo the release of kafka-connect").
    r"argorollout|argoapp|argoapplication|argocdapp|argocdapplication|helmrelease|"
    r"helmchart|cr|customresource|scaledobject|knativeservice|ksvc|"
    # "restart kafka (it's stateful)", "restart the kafka sfs" (or "ss"), "the ro checkout"
    # (an Argo rollout).
    r"stateful|sfs|ss|ro)"
    r"(?:es|s)?",
    re.IGNORECASE,
)
# Kind words too common in other senses to count in a request whose target was tagged,
# except right at the target: only when no target was tagged, where the object the verb
# was matched on is all there is.
_LOOSE = frozenset({"volume", "disk", "storage", "role", "quota", "sa", "cm", "ds", "pv", "rs",
                    "crd", "secret", "cr"})
# "service" and "job" are what people call a deployment and a cronjob, so they are fine
# next to those; but a pod is never a service or a job, nor a cronjob a service: "delete
# the service gate-lb" read as a pod deletion is a change to something no runbook changes.
# And no target is a namespace: "nuke the dev-42 namespace" read as a pod deletion.
_NOT_THIS_KIND = {
    "pod": re.compile(r"(service|svc|job|namespace|ns)s?", re.IGNORECASE),
    "node": re.compile(r"(service|svc|job|namespace|ns)s?", re.IGNORECASE),
    # Nor is a cronjob a rollout, a webhook or an account: "pause the rollout of checkout",
    # "resume the paused stripe webhook", "suspend bob's account".
    "cronjob": re.compile(r"(service|svc|namespace|ns|rollout|webhook|account|user|"
                          r"subscription)s?", re.IGNORECASE),
    # Nor a deployment a job: "give cache-warmer's job pods 2Gi", "the backfill-2024 job".
    "deployment": re.compile(r"(namespace|ns|job|cronjob|cron)s?", re.IGNORECASE),
}
# Kind words long enough to be told apart with a typo in them.
_LONG_KINDS = ("statefulset", "statefulsets", "daemonset", "daemonsets", "configmap",
               "configmaps", "replicaset", "replicasets", "persistentvolumeclaim",
               "networkpolicy", "serviceaccount", "poddisruptionbudget", "storageclass")
# What a node has of its own: next to a node, these name a part of it.
_NODE_PARTS = frozenset({"disk", "storage", "volume", "pv", "persistentvolume"})
# The kind as a refusal names it: "I can't change a statefulset", not "a sts".
_FULL_NAME = {"sts": "statefulset", "ds": "daemonset", "cm": "configmap",
              "pv": "persistentvolume", "sa": "serviceaccount", "svc": "service",
              "rs": "replicaset", "disk": "volume", "storage": "volume", "ns": "namespace",
              "argorollout": "Argo rollout", "argoapp": "Argo CD application",
              "argoapplication": "Argo CD application", "argocdapp": "Argo CD application",
              "argocdapplication": "Argo CD application", "helmrelease": "Helm release",
              "helmchart": "Helm release",
              "cr": "custom resource", "customresource": "custom resource",
              "scaledobject": "KEDA ScaledObject", "knativeservice": "Knative service",
              "ksvc": "Knative service", "stateful": "statefulset", "sfs": "statefulset",
              "ss": "statefulset", "ro": "Argo rollout",
              "webhook": "webhook", "account": "user account", "user": "user account",
              "subscription": "subscription"}
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
TARGETS = ("deployment", "pod", "cronjob", "node")
# Where the request's object ends and its context begins: "restart so it picks up the new
# configmap", "restart after the secret rotation", "restart it, the configmap changed".
_CONTEXT = re.compile(r"[,;:.!?()\u2013\u2014]| - | -- |&|\b(?:so|because|since|as|after|before|"
                      r"when|while|once|until|then|but|which|that|with|for|due|from|now|if|"
                      r"coz|cause|to|ignoring|even though|and let)\b", re.IGNORECASE)
# Where a sentence ends, and the words that make one a request.
SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
_ASKING = re.compile(r"\b(?:can|could|would|will) (?:you|u|someone|somebody)\b|\bplease\b|"
                     r"\bpl[sz]\b|\bi need you\b|\bi(?:'d| would) like you\b", re.IGNORECASE)
# A verb of change, to find the sentence that asks when none says "please".
_CHANGE_VERB = re.compile(r"\b(?:restart|bounce|roll|rollback|revert|scale|drain|cordon|"
                          r"uncordon|delete|kill|nuke|remove|suspend|pause|resume|unpause|set|"
                          r"bump|raise|lower|increase|decrease|update|change|evict|recycle|"
                          r"resize|grow|expand|shrink|clean|purge|wipe|patch|give)\b",
                          re.IGNORECASE)
# Changing a cronjob's schedule: no runbook does ("move the export to 16:00" is not a
# suspend or a resume).
SCHEDULE_CHANGE = re.compile(r"\b(?:change|move|update|set|edit|shift|modify|adjust|alter)\b"
                              r"(?:\s+[\w'-]+){0,4}?\s+(?:schedule|cron expression|timing)\b|"
                              r"\breschedul", re.IGNORECASE)
# Slack mentions, emoji shortcodes, link targets and markdown, which hide or split words:
# ":broom: clean up ...", "<https://console/.../statefulsets/kafka|kafka>", "*statefulset*".
_DECORATION = re.compile(r"<[@!#][^>]*>|(?<!\S)(?::[a-z0-9_+-]+:)+(?!\S)|[`*_~\"\u201c\u201d]",
                         re.IGNORECASE)
_LINK = re.compile(r"<[a-z]+://[^|>]*?/([a-z]+)/[^/|>]*\|([^>]*)>", re.IGNORECASE)
# Single quotes around a word ("it's an 'sts'"), not an apostrophe inside one ("it's").
_QUOTED = re.compile(r"(?<!\w)['\u2018]([^'\u2019\s]+)['\u2019](?!\w)")
# A word or two written apart: "daemon set", "load balancer service", "persistent volume
# claim". Not inside a name: "role-service" is one word.
_WORD = re.compile(r"(?<![\w.-])[a-z]+(?![\w-])", re.IGNORECASE)


def clean_text(text: str) -> str:
    """The text with Slack decoration and markdown taken out, a link's kind ("<https://
    .../statefulsets/kafka|kafka>") written before its label, at the same length (spans keep
    their offsets)."""
    def link(m: re.Match[str]) -> str:  # the label stays where it was
        # The kind anywhere in the path: ".../kubernetes/statefulset/us-east1/prod/ingest/
        # kafka/details", ".../applications/payments" (an Argo CD application).
        path = m.group(0)[:m.start(2) - m.start(0)]
        segments = re.findall(r"/([a-z]+)(?=/)", path, re.IGNORECASE)
        kind = next((s for s in segments if _OTHER_KIND.fullmatch(s) and not _loose(s)),
                    None) or next(("argoapp" for s in segments
                                   if s.lower() in ("applications", "application")), m.group(1))
        lead = f"{kind} ".rjust(m.start(2) - m.start(0))
        return lead + m.group(2) + " " * (m.end(0) - m.end(2))

    text = _LINK.sub(link, text)
    text = _QUOTED.sub(lambda m: f" {m.group(1)} ", text)
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
    text = clean_text(text)
    for span in spans:
        if span.slot not in TARGETS:
            # A value the model tagged as another slot that is a controller's kind ("scale
            # kafka to 5 (sts)" with namespace "sts"), or a kind set beside it ("scale
            # clickhouse to 4, the analytics statefulset").
            kind = _kind_of(span.text.strip(), "deployment")
            if kind in _CONTROLLERS:
                return kind
            after = text[span.end:span.end + 120]
            beside = _BESIDE.match(after)
            if beside is not None and beside.end() > 0:
                kind = _phrase_kind(after[beside.end():], "deployment", beside=True)
                # Not a word with other senses: "..., the volume of traffic is up".
                if kind is not None and kind != "namespace" and kind not in _LOOSE_NAMES:
                    return kind
            continue
        # The target's text itself ("delete the PVC data-0" read as pod=PVC); a word with
        # other senses only when a name follows it ("wipe the secret db-creds"), not in
        # "restart the storage api" read as deployment=storage.
        next_words = re.match(r"(?:\s+[a-z]+){1,3}", text[span.end:span.end + 60], re.IGNORECASE)
        roles = next_words.group(0).lower().split() if next_words else []
        if span.slot == "deployment" and (span.text.strip().lower() in _ROLES
                                          or not _ROLES.isdisjoint(roles)):
            continue  # "the ingress controller", "the argo rollouts controller": a deployment
        if span.slot == "deployment" and _ROLLOUT_BEFORE.search(text[max(0, span.start - 30):
                                                                      span.start]):
            return "Argo rollout"  # "scale the rollout checkout to 5"
        named = _NAME_NEXT.match(text[span.end:span.end + 60]) is not None
        words = [span.text.strip()] if named or not _loose(span.text.strip()) else []
        # The target and the word after it: "the argo rollout checkout" tagged "argo".
        following = _WORD.match(text[span.end:span.end + 40].lstrip())
        # Not "ns" before the namespace the model read: "restart ws-gateway ns prod".
        labelled = not _label_split(text[span.end:span.end + 120], spans).strip(" '\"`")
        if following is not None and not labelled:
            words.append(span.text.strip() + following.group(0))
        # The kind before the name, wherever the name is written: also "kubectl get sts
        # kafka" pasted under "restart kafka".
        written = re.finditer(rf"(?<![\w-]){re.escape(span.text.strip())}(?![\w-])", text)
        starts = [span.start, *(m.start() for m in written if m.start() != span.start)]
        for start in starts:
            before = _BEFORE.search(text[max(0, start - 60):start])
            if before is None:
                continue
            if start != span.start and before.group(2) is not None:
                continue  # "the configmap for orders changed; restart orders": context
            parts = re.split(r"[ -]", before.group(1))
            joined = ["".join(parts[-n:]) for n in range(1, len(parts) + 1)]
            # "the storage api" names an api; "the storage of ledger-db", "cm/app-config"
            # (kubectl's kind/name) name a storage and a configmap.
            explicit = before.group(2) is not None or before.group(0).endswith("/")
            words += [w for w in joined if explicit or not _loose(w)]
        for word in words:
            kind = _kind_of(word, span.slot)
            # "the jobs api": a job word before a deployment's name modifies it; only
            # after it ("the backfill-2024 job") does it name the kind.
            if kind is not None and not (span.slot == "deployment"
                                         and kind in ("job", "cronjob", "cron")):
                return kind
        after = text[span.end:span.end + 120]
        if span.slot == "deployment" and _JOB_PODS.match(after):
            return "job"  # "give cache-warmer's job pods 2Gi": a job's pods
        # "the kafka statefulset in bags"; not "token-refresh namespace: platform", where
        # the word labels the next slot.
        unlabelled = _label_split(after, spans)
        kind = _phrase_kind(unlabelled, span.slot)
        paired = _KIND_THEN_NAME.match(unlabelled)  # "the elasticsearch CR logs-es"
        if kind is None and paired is not None:
            kind = _kind_of(paired.group(1), span.slot)
        opens = max((m.end() for m in SENTENCE_END.finditer(text[:span.start])), default=0)
        head = _CONTEXT.split(text[opens:], maxsplit=1)[0].rstrip()
        if kind is None and span.start >= opens + len(head):
            # The target comes after the object the verb names: "scale the kafka CR to 5
            # brokers" tagged "brokers". That object's last word is its kind.
            kind = _head_kind(head, span.slot)
        beside = _BESIDE.match(after)
        if kind is None and beside is not None and beside.end() > 0:
            kind = _phrase_kind(after[beside.end():], span.slot, beside=True)
        if kind is not None:
            return kind
    for said in _SAID_TO_BE.finditer(text):
        if _COMPARED.search(text[max(0, said.start() - 30):said.start()]):
            continue  # "a 2Gi limit, same as the redis statefulset": compared, not said
        kind = _phrase_kind(text[said.end():said.end() + 120], target or "deployment")
        if kind is not None:
            return kind
    if target in TARGETS and not any(span.slot == target for span in spans):
        if _NAMESPACE_TARGET.search(_request_sentence(text)):  # "nuke the dev-42 namespace"
            return "namespace"
        own_kind = _OWN_KIND_OBJECT.get(target)
        if own_kind is not None and own_kind.search(_request_sentence(text)):
            # "Could you delete that pod in comms so the replicaset creates a fresh one?":
            # the verb's object is the runbook's own kind; a controller named after it is
            # what happens next (session 50's end-to-end bench: refused as a replicaset).
            return None
        # What other slots hold (a namespace "secrets") is no object of the request.
        for span in spans:
            text = text[:span.start] + " " * (span.end - span.start) + text[span.end:]
        text = _NAMESPACE_WORDS.sub(" ", text)
        return _request_kind(_request_sentence(text), target) or _controller_named(text)
    return None


# The runbook's own kind as the verb's object, named without a name ("delete that pod",
# "restart the deployment"), not a part of another ("that pod's replicaset").
_OWN_KIND_OBJECT = {
    target: re.compile(
        r"\b(?:delete|kill|nuke|remove|evict|recycle|bounce|restart|cordon|uncordon|drain|"
        r"suspend|pause|resume|unpause)\s+(?:(?:the|that|this|its|a|an|one|stuck|wedged|bad|"
        rf"broken|hung|old)\s+){{0,2}}(?:{words})\b(?!['\u2019]s|\s+of\b)", re.IGNORECASE)
    for target, words in (("pod", "pods?"), ("deployment", "deployments?|deploy"),
                          ("node", "nodes?"), ("cronjob", "cron ?jobs?"))
}
# A namespace as the object of the verb: "nuke the dev-42 namespace", "delete ns dev-42";
# not "restart checkout in namespace prod".
_NAMESPACE_TARGET = re.compile(
    r"^\W*(?:(?:please|pls|can you|could you)\W+)?(?:delete|nuke|remove|wipe|destroy|drop|"
    r"kill|purge|clean(?: up)?|tear down|recreate|restart|bounce|reset)\s+(?:the\s+|this\s+|"
    r"that\s+)?(?:(?!(?:in|on|of|for|from|to|all|every)\b)[\w-]+\s+(?:namespace|ns)\b"
    # "restart checkout-api namespace=prod": after a name, a label, not the object; with
    # no name before it, "restart namespace: payments" names the namespace (an attacker
    # review).
    r"(?!\s*[:=])|(?:namespace|ns)\b)",
    re.IGNORECASE)
# The loose kinds by the names a refusal gives them.
_LOOSE_NAMES = frozenset(_FULL_NAME.get(word, word) for word in _LOOSE)
# What a deployment that serves a kind is called: a kind word before it modifies it.
_ROLES = frozenset({"controller", "controllers", "operator", "operators", "webhook", "server",
                    "gateway", "proxy", "manager", "exporter", "provisioner", "driver"})
# And the parts of a tool that run as deployments: after a tool's word, they name one ("the
# airflow scheduler", "the jenkins agents", "the queue consumers").
_PARTS = _ROLES | {"scheduler", "schedulers", "webserver", "worker", "workers", "consumer",
                   "consumers", "agent", "agents", "runner", "runners", "triggerer", "api",
                   "daemon", "relay", "dispatcher", "processor", "processors"}
# What each runbook's target is called, as a word after another that modifies it ("the
# EC2 node"); not "service", which other tools have too ("the ECS service checkout").
_OWN_NOUNS = {"node": frozenset({"node", "nodes"}),
              "deployment": frozenset({"deployment", "deployments", "deploy"}),
              "pod": frozenset({"pod", "pods"}), "cronjob": frozenset({"cronjob", "cronjobs"})}
# A comparison before "as the ...": "same as the redis statefulset", "same image as the
# ingress", "just as the sts does".
_COMPARED = re.compile(r"\b(?:same|such|similar|just|as well|identical)\b(?:\s+[\w-]+){0,2}\s*$",
                       re.IGNORECASE)
_JOB_PODS = re.compile(r"^\W*(?:cron)?jobs?\s+pods?\b", re.IGNORECASE)
_NAMESPACE_LABEL = re.compile(r"\b(?:namespace|ns)\s*[:=]", re.IGNORECASE)


def _label_split(after: str, spans: Iterable[SlotSpan]) -> str:
    """What follows a target up to a namespace's label: "ns:" / "namespace=", or "ns"
    before the namespace the model read ("restart ws-gateway ns realtime-prod": where it
    is, not a namespace to change; session 50's end-to-end bench)."""
    values = [re.escape(s.text.strip()) for s in spans if s.slot == "namespace" and s.text.strip()]
    head = _NAMESPACE_LABEL.split(after, maxsplit=1)[0]
    if not values:
        return head
    # Only "ns NAME" goes: a kind after it is still read ("restart api ns prod sts", the
    # second review).
    return re.sub(rf"\b(?:namespace|ns)\s+(?:{'|'.join(values)})(?![\w-])", " ", head,
                  flags=re.IGNORECASE)


# "rollout" right before a deployment's name names an Argo rollout ("scale the rollout
# checkout"); "the rollout of checkout" is the deployment's own.
_ROLLOUT_BEFORE = re.compile(r"\brollouts?\s+(?:(?:named|called)\s+)?$", re.IGNORECASE)
# A kind word, then a name: "CR logs-es", "statefulset redis-main".
_KIND_THEN_NAME = re.compile(r"^\s+([a-z]+)\s+[a-z0-9]+(?:[-_.][a-z0-9]+)+", re.IGNORECASE)


def _head_kind(head: str, slot: str) -> str | None:
    """The kind that ends `head`, the words before a request's first context marker."""
    words = [m.group(0) for m in _WORD.finditer(head)]
    for n in (3, 2, 1):
        if len(words) >= n:
            kind = _kind_of("".join(words[-n:]), slot)
            if kind is not None:
                return kind
    return None


# Controllers that are plainly not a deployment, wherever they are named: with no target
# tagged, "restart kafka (statefulset)" or "kafka runs as sts. roll it back" is about one.
_CONTROLLERS = frozenset({"statefulset", "daemonset", "replicaset", "Argo rollout",
                          "Argo CD application", "KEDA ScaledObject", "Knative service"})


def _controller_named(text: str) -> str | None:
    """A controller kind (`_CONTROLLERS`) named anywhere in `text`, by a word or two."""
    words = [m.group(0) for m in _WORD.finditer(text)]
    for i in range(len(words)):
        for n in (2, 1):
            if i + n <= len(words) and not _loose("".join(words[i:i + n])):
                kind = _kind_of("".join(words[i:i + n]), "deployment")
                if kind in _CONTROLLERS:
                    return kind
    return None


def _loose(word: str) -> bool:
    """Whether `word` is a kind word with other common senses (`_LOOSE`)."""
    kind = _OTHER_KIND.fullmatch(word)
    return kind is not None and kind.group(1).lower() in _LOOSE


def _phrase_kind(text: str, slot: str, *, beside: bool = False) -> str | None:
    """The other kind that heads the noun phrase `text` starts with: its last noun, before
    a word or mark that ends it ("statefulset in bags", "ingest statefulset, ...", "data PVC
    to 500Gi"); None when the phrase ends in another noun ("statefulset pod") or runs on
    past four words (a clause, not a name for the target). `beside`: the phrase is set
    beside the target, where a namespace with its name is where the target is."""
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
            if kind == "namespace" and beside and len(phrase) > 1:
                return None  # "restart checkout, prod namespace": where it is, not what
            if kind is not None:
                return kind
    return None


def _request_sentence(text: str) -> str:
    """The sentence that asks: the last that asks for something ("can you ...", "please
    ..."), else the last with a verb of change in it, else the last: a context sentence
    ("disk usage alerts are going off too.") comes first."""
    bounds = [0, *(m.end() for m in SENTENCE_END.finditer(text)), len(text)]
    sentences = [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()]
    if not sentences:
        return text
    asking = [s for s in sentences if _ASKING.search(s)]
    changing = [s for s in sentences if _CHANGE_VERB.search(s)]
    return (asking or changing or sentences)[-1]


def target_of(slots: Iterable[str]) -> str | None:
    """The slot among a runbook's `slots` that names what it changes (`deployment`, `pod`,
    `node`, `cronjob`), if it has one."""
    names = set(slots)
    return next((slot for slot in TARGETS if slot in names), None)


def _request_kind(text: str, target: str) -> str | None:
    """The other kind named as the object of a request whose target was not tagged: a kind
    word (or two or three written apart) before the first context marker ("resize the
    data-0 pvc to 200Gi", "clean up all the completed jobs" read as a drain)."""
    head = _CONTEXT.split(text.strip(), maxsplit=1)[0]
    if target == "cronjob" and SCHEDULE_CHANGE.search(head):
        return "schedule"
    words = [m.group(0) for m in _WORD.finditer(head)]
    for i in range(len(words)):
        for n in (3, 2, 1):
            if i + n <= len(words):
                kind = _kind_of("".join(words[i:i + n]), target)
                # "restart the sync job in prod", no name tagged: people call deployments
                # jobs too; only next to a name is a job plainly not the deployment.
                if kind is not None and not (target == "deployment" and kind == "job"):
                    return kind
    return None


def _two_edits_apart(a: str, b: str) -> bool:
    """Whether `a` becomes `b` with at most two insertions, deletions or substitutions."""
    if abs(len(a) - len(b)) > 2:
        return False
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1] <= 2


def _kind_of(word: str, slot: str) -> str | None:
    """The kind `word` names, in the singular and in full ("pvcs" -> "pvc", "sts" ->
    "statefulset"), when a runbook taking `slot` does not change it."""
    kind = _OTHER_KIND.fullmatch(word)
    if kind is None and len(word) >= 8:  # "statefullset", "deamonset": one slip of the key
        near = [full for full in _LONG_KINDS if one_edit_apart(word.lower(), full)]
        if not near and len(word) >= 11:  # "stetefullset": two in a long word, same ends
            near = [full for full in _LONG_KINDS if word[:2].lower() == full[:2]
                    and word[-2:].lower() == full[-2:] and _two_edits_apart(word.lower(), full)]
        if len(set(near) - {n + "s" for n in near}) == 1:
            kind = _OTHER_KIND.fullmatch(near[0])
    not_this = _NOT_THIS_KIND.get(slot)
    if kind is None and not_this is not None:
        kind = not_this.fullmatch(word)
    if kind is None:
        return None
    singular = re.sub(r"ies$", "y", kind.group(1).lower())
    if slot == "node" and singular in _NODE_PARTS:
        return None  # "the faulty disk on worker-14": a node's own disk, not another object
    return _FULL_NAME.get(singular, singular)


# Objects outside what the runbooks change, named in the order: other tools' objects,
# cloud infrastructure, processes, code, traffic, files. "scale the ASG web-asg to 10",
# "pause the airflow DAG nightly-etl", "revert PR #4521", "drain traffic from us-east-1".
_FOREIGN = (
    ("Airflow DAG", r"dags?|airflow"), ("Argo workflow", r"argo workflows?|workflows?"),
    ("Kafka connector", r"connectors?|mirror ?maker"), ("Flux object",
     r"flux|kustomizations?|gitrepository"),
    ("Crossplane resource", r"crossplane|xrs?"),
    ("cloud autoscaling group", r"asgs?|autoscaling groups?|managed instance groups?|"
     r"instance groups?|migs?|vmss|scale sets?"),
    ("node group", r"node ?groups?|nodegroups?|machinesets?|machine ?pools?|"
     r"cluster autoscaler"),
    ("cloud service", r"ecs|lambda|aurora|rds|ec2|ebs|iops|s3"),
    ("node service", r"containerd|kubelet|dockerd?"), ("process", r"pid|query|queries"),
    ("code change", r"pr|prs|pull requests?|commits?|merge requests?"),
    ("database migration", r"(?:db |database |schema )?migrations?"),
    ("service mesh route", r"virtualservices?|destinationrules?"),
    ("region", r"(?:us|eu|ap|sa|ca|me|af)-(?:east|west|north|south|central|northeast|"
     r"southeast|northwest|southwest)(?:-\d[a-z]?)?|(?:us|europe|asia|australia|"
     r"northamerica|southamerica)-[a-z]+\d(?:-[a-z])?|regions?|zones?|availability zones?"),
    ("Helm values file", r"[\w.-]+\.ya?ml|values file"),
    ("queue", r"queues?|offsets?"), ("webhook", r"webhooks?"),
    ("user account", r"accounts?"), ("alert", r"alerts|alerting"),
    ("backup schedule", r"velero"), ("CI job", r"jenkins|pipelines?"),
    ("stateful cluster", r"brokers|ensemble|quorum|primary"),
    ("control plane component", r"etcd|kube-apiserver|kube-scheduler|"
     r"kube-controller-manager|controller-manager|control[- ]plane"),
    ("database record", r"db|database|databases|tables?|rows?|records?|(?:order|user|account|"
     r"row|record|entry|invoice|payment|transaction)s?\s+#?\d{3,}"),
    ("certificate", r"certs?|certificates?|issuance|issuers?|tls"),
    # (Not a bare "pool": "drain every node in the pool" is a node pool.)
    ("connection pool", r"connections?|pgbouncer|connection pools?|db pools?"),
    ("feature flag", r"flags?|feature flags?|toggles?|launchdarkly|unleash"),
    ("Kustomize overlay", r"kustomize|overlays?"),
    ("admission policy", r"gatekeeper|kyverno|opa|admission|enforcement|psp|pod security"),
    ("another scheduler", r"cloud scheduler|systemd|timers?|snowflake|github actions?|"
     r"gh actions|crontab|cron\.d|jenkins jobs?"),
    ("paging", r"pagerduty|opsgenie|escalations?|paging"),
    ("traffic routing", r"traffic|canary weights?|weights?"),
    ("service mesh", r"istio|linkerd"),
)
# Everyday words that may well be a workload's name.
_NAMEABLE = frozenset({
    "webhook", "webhooks", "queue", "queues", "pipeline", "pipelines", "connector",
    "connectors", "workflow", "workflows", "account", "accounts", "alerts", "alerting",
    "brokers", "primary", "ensemble", "quorum", "migration", "migrations", "commit",
    "commits", "offsets", "offset", "query", "queries", "process", "pr", "prs", "regions",
    "region", "values file", "db", "database", "table", "tables", "records", "rows", "tls",
    "connections", "flags", "toggles", "weights", "timers", "zones",
    "certs", "overlays", "enforcement"})
# Verbs of what a workload does to something else, right before it.
_IMPACTED = re.compile(
    r"\b(?:hammering|hitting|overloading|flooding|spamming|locking|blocking|starving|"
    r"slamming|saturating|hogging|eating|filling|thrashing|pounding|choking|exhausting|"
    r"maxing out|clogging|swamping|overwhelming|stressing|ddosing|killing|melting)\s+"
    r"(?:up\s+)?(?:the\s+|our\s+|its\s+|their\s+|a\s+|all\s+(?:the\s+)?)?"
    r"(?:[a-z0-9-]+\s+){0,2}$", re.IGNORECASE)
# Whole words only: not inside a name ("traffic-router", "pr-bot", "docker.io/...").
_FOREIGN_WORD = re.compile(r"(?<![\w.-])(?:" + "|".join(f"({w})" for _, w in _FOREIGN)
                           + r")(?![\w-]|\.\w)", re.IGNORECASE)
# A CamelCase word is a kind, never a name (Kubernetes names are lower case):
# "the RabbitmqCluster replicas", "the RedisFailover cache-rf", "the MongoDBCommunity".
_CAMEL = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\b")
_OWN_KINDS = frozenset({"Deployment", "CronJob", "HorizontalPodAutoscaler", "ReplicaSet",
                        "StatefulSet", "DaemonSet", "ConfigMap", "PodDisruptionBudget"})


def other_sense(name: str) -> str | None:
    """The kind of thing an everyday word that may be a workload's name means otherwise
    ("db": a database record), as `foreign_object` labels it; None for other words."""
    word = name.lower()
    if word not in _NAMEABLE:
        return None
    return next((label for label, pattern in _FOREIGN
                 if re.fullmatch(pattern, word, re.IGNORECASE)), None)


def foreign_object(text: str, spans: Iterable[SlotSpan], slots: Iterable[str],
                   within: tuple[int, int]) -> str | None:
    """What the order (`text[within[0]:within[1]]`, the clause that gives it) asks to change
    when that is no Kubernetes object the runbook with `slots` changes: another tool's
    object, cloud infrastructure, a process, code, traffic, a file, or a custom resource's
    kind. A word that is a tagged value ("restart webhook in payments") is a name."""
    slots = tuple(slots)
    if not set(slots) & set(TARGETS):
        return None
    cleaned = clean_text(text)
    tagged = [(span.start, span.end) for span in spans]
    start, end = within
    for found in _FOREIGN_WORD.finditer(cleaned, start, end):
        label = next(label for (label, _), group in zip(_FOREIGN, found.groups(), strict=True)
                     if group is not None)
        # A tagged everyday word is a name ("restart webhook in payments"); a tool's or a
        # cloud's word never is one ("scale the ASG checkout" with ASG read as the name).
        if found.group(0).lower() in _NAMEABLE and any(
                a < found.end() and found.start() < b for a, b in tagged):
            continue
        # The role of a tagged name: "restart the cert-manager webhook" is a deployment.
        if found.group(0).lower() in _ROLES and any(
                b <= found.start() and not cleaned[b:found.start()].strip() for _, b in tagged):
            continue
        # A word that modifies what the runbook changes or names its role: "the EC2 node
        # ip-10-...", "the airflow scheduler", "the queue consumers (orders-consumer)".
        after = [m.group(0).lower() for m in _WORD.finditer(cleaned, found.end(),
                                                            min(end, found.end() + 40))][:2]
        own = _OWN_NOUNS.get(target_of(slots) or "", frozenset())
        if (after[:1] and after[0] in own) or not _PARTS.isdisjoint(after):
            continue
        # What the target does to it, not what is asked: "the nightly-report job is
        # hammering the db, can we pause it" (a user trial: refused as a database record).
        if _IMPACTED.search(cleaned, max(0, found.start() - 40), found.start()):
            continue
        # A place, not an object: "bump checkout-api in prod us-east-1 to 12".
        if label == "region" and re.search(r"\bin(?:\s+[\w-]+)?\s*$", cleaned[:found.start()]):
            continue
        return label
    camel = [m for m in _CAMEL.finditer(cleaned, start, end) if m.group(0) not in _OWN_KINDS
             and not any(a < m.end() and m.start() < b for a, b in tagged)]
    return "custom resource" if camel else None
