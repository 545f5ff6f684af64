"""Deletions: what a request asks to delete, when no runbook deletes it.

Only pods are deleted by a runbook. The model read "drop the nightly-report cronjob" and
"delete cronjob nightly-report in prod" as suspends at 0.96-1.00 (a user trial planned
the suspend), and "delete node-2" or "remove the autoscaler from search-indexer" as the
changes nearest them. A deletion of anything else is said to be one no runbook makes,
with what comes close, and never bent onto another change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatops.conversation.asking import clauses, takes_back_a_version
from chatops.conversation.kinds import clean_text
from chatops.model import SlotSpan

# The order's first words: a deletion verb, after politeness or "we need to".
_DELETE = re.compile(
    r"^\W*(?:(?:please|pls|plz|can you|could you|can u|could u|would you|will you|just|"
    r"go ahead and|(?:i|we) (?:want|need|would like) (?:you )?to|let[\u2019']?s|lets|ok|okay|"
    r"now|then|and|sure|alright|all right|so|yeah|yes|yep|well|right|fine|"
    r"(?:can|could|shall|should) (?:we|i|you)|we (?:should|must|have to|gotta)|"
    r"(?:need|have|want) to)\W+)*"
    r"(?:delete|remove|nuke|destroy|drop|get rid of|purge|tear down|teardown|uninstall|"
    r"decommission|wipe|kill|terminate|rm|trash|scrap)\b",
    re.IGNORECASE)
# Where the verb's object ends: a preposition, a clause break.
_OBJECT_END = re.compile(r"\s(?:from|in|on|at|of|for|with|so|because|since|to|and|then|but|"
                         r"out|off|asap|now|please|pls|today|tonight|tomorrow|right|"
                         r"immediately|first|again|too|also|entirely|completely|for good|"
                         r"altogether|permanently)\b|[,;:!?()\u2013\u2014]|\.(?=\s|$)",
                         re.IGNORECASE)
# A deletion verb that asks for another change: "drop checkout-api to 2 replicas", "remove
# node-2 from rotation" (a cordon), "remove the bad release" (a rollback, `asking`), "by
# rolling back".
_NOT_DELETING = re.compile(
    r"\b(?:to \d|down to|replicas?|by (?:rolling|restarting|scaling|reverting|setting|"
    r"changing|cordoning|draining)|from (?:the )?(?:rotation|scheduling|service|traffic|"
    r"load ?balanc\w*|lb|pool of schedulable))\b",
    re.IGNORECASE)
# Kind words, the noun of the object phrase; the last one decides ("the stuck job pod" is
# a pod, "the nightly-report cronjob" a cronjob).
_KINDS = {
    "pod": "pod", "pods": "pod", "po": "pod", "container": "pod", "containers": "pod",
    "deployment": "deployment", "deployments": "deployment", "deploy": "deployment",
    "deploys": "deployment", "app": "deployment", "application": "deployment",
    "cronjob": "cronjob", "cronjobs": "cronjob", "cron": "cronjob", "crons": "cronjob",
    "job": "job", "jobs": "job",
    "node": "node", "nodes": "node", "vm": "node", "instance": "node",
    "namespace": "namespace", "namespaces": "namespace", "ns": "namespace",
    "hpa": "autoscaler", "hpas": "autoscaler", "autoscaler": "autoscaler",
    "autoscalers": "autoscaler", "autoscaling": "autoscaler",
    "service": "service", "services": "service", "svc": "service",
    "statefulset": "statefulset", "statefulsets": "statefulset", "sts": "statefulset",
    "daemonset": "daemonset", "daemonsets": "daemonset", "ds": "daemonset",
    "replicaset": "replicaset", "replicasets": "replicaset", "rs": "replicaset",
    "configmap": "configmap", "configmaps": "configmap", "cm": "configmap",
    "secret": "secret", "secrets": "secret",
    "ingress": "ingress", "ingresses": "ingress",
    "pvc": "volume claim", "pvcs": "volume claim", "volume": "volume", "volumes": "volume",
    "release": "Helm release", "chart": "Helm release",
}
_WORD = re.compile(r"[\w][\w.-]*")
_JOINED = re.compile(r",|&|\+|\b(?:and|plus|then|also|as well as)\s", re.IGNORECASE)
_NAMESPACE_CUE_AFTER = re.compile(r"\s+(?:ns|namespace|-n|--namespace)(?:\s*[:=]\s*|\s+)"
                                  r"[\w.-]+\W*$", re.IGNORECASE)
_PRONOUNS = frozenset({"it", "them", "this", "that", "these", "those"})
# A deletion asked for in the passive or as a wish: "needs to be deleted", "should be
# removed", "we need it gone", "want the cronjob deleted"; not what happened or will ("it
# has been deleted", "it will be deleted next week").
_DELETED = re.compile(
    r"\b(?:(?:needs?|has|have|must|should|ought)\s+to\s+be|(?:must|should|can|could)\s+be|"
    r"(?:want|wants|need|needs)\s+(?:it|them|this|that|(?:the\s+)?[\w.-]+(?:\s+[\w.-]+){0,3}))"
    r"\s+(?:deleted|removed|nuked|destroyed|dropped|decommissioned|torn down|uninstalled|"
    r"terminated|wiped|purged|gone)\b", re.IGNORECASE)
# What the model's slots name, where the object phrase names no kind.
_SLOT_KINDS = {"pod": "pod", "deployment": "deployment", "cronjob": "cronjob", "node": "node"}


def deleted_kind(text: str, spans: Iterable[SlotSpan]) -> str | None:
    """The kind of object the request's first order asks to delete, when it is not a pod
    ("delete cronjob nightly-report", "remove node-2 from the cluster", "get rid of the
    calc-app deployment"); None when it asks for no deletion, deletes a pod, or names no
    object whose kind is known."""
    cleaned = clean_text(text).strip()
    if not cleaned:
        return None
    found = None
    bounds = clauses(cleaned)
    for at, (a, b) in enumerate(bounds):
        clause = cleaned[a:b]
        if _NOT_DELETING.search(clause):
            continue
        if _DELETED.search(clause):
            # "the nightly-report cronjob in prod needs to be deleted", "we need it gone" (an
            # attacker review: planned as a suspend).
            return _kind_named(cleaned, spans)
        verb = _DELETE.match(clause)
        if verb is not None:
            found = (clause, verb)
            also = _also_deleted(cleaned[slice(*bounds[at + 1])] if at + 1 < len(bounds)
                                 else "")
            if also is not None:
                return also  # "delete pod X and ns staging": the namespace too
            break
    if found is None:
        return None
    order, verb = found
    if takes_back_a_version(order[verb.end():]):
        return None
    rest = order[verb.end():]
    end = _OBJECT_END.search(rest)
    phrase = rest[:end.start()] if end else rest
    # "nuke pod X ns comms": a namespace's cue after the object says where it is.
    cue = _NAMESPACE_CUE_AFTER.search(phrase)
    if (cue is not None and _WORD.search(phrase[:cue.start()])
            and not _JOINED.search(phrase[:cue.start()] + " ")):
        # Not after a join: "delete pod X and ns payments" deletes the namespace too.
        phrase = phrase[:cue.start()]
    words = [w.lower().rstrip(".") for w in _WORD.findall(phrase)]
    if not words:
        return None
    # The phrase's head noun is its last word: a kind ("the nightly-report cronjob", "all
    # pods"), or a name the model tagged ("node-2"), with its kind before it ("cronjob
    # nightly-report"). Another head is what is removed ("the deployment's memory limit",
    # "the node-2 cordon"): no deletion of the object.
    tagged = {s.text.lower(): _SLOT_KINDS[s.slot] for s in spans if s.slot in _SLOT_KINDS}
    head = words[-1]
    if head in _PRONOUNS and len(words) == 1:
        # "nightly-report cronjob in prod: delete it": what the message names.
        return _kind_named(cleaned, spans)
    if head in _KINDS:
        kind = _KINDS[head]
    elif len(words) > 1 and words[-2] in _KINDS:
        kind = _KINDS[words[-2]]
    elif head in tagged:
        kind = tagged[head]
    else:
        return None
    return None if kind == "pod" else kind


def _also_deleted(clause: str) -> str | None:
    """The kind of a second object the clause after a deletion's names with no verb of its
    own ("... and ns staging", "... and the deployment calc-app"), when it is no pod."""
    words = [w.lower() for w in _WORD.findall(clause)]
    if words[:1] == ["the"]:
        words = words[1:]
    kind = _KINDS.get(words[0]) if words and len(words) <= 3 else None
    return kind if kind not in (None, "pod") else None


def _kind_named(cleaned: str, spans: Iterable[SlotSpan]) -> str | None:
    """The one kind the message names by a kind word, else the kind of the target the
    model tagged; None when none, several, or a pod."""
    named = {_KINDS[w.lower()] for w in _WORD.findall(cleaned) if w.lower() in _KINDS}
    if len(named) > 1:
        return None
    kind = next(iter(named), None) or next((_SLOT_KINDS[s.slot] for s in spans
                                            if s.slot in _SLOT_KINDS), None)
    return None if kind in (None, "pod") else kind
