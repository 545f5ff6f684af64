"""Readings of a name by its place in the message, where the model read it `O` or as the
wrong slot: steps 14 and 16-19 of the slot decoding (`intents/slots.py`).

Terse messages name the object, then its namespace ("resume cache-warmer search", "logs
pls chat-relay realtime"); a namespace's cue follows its object ("logs imgresize (media)",
"imgresize ns media"); a Service's DNS form joins them ("ledger.billing"); a read of three
words names its scope last ("events customs"). Each step fills only slots nothing was
read for, never takes a word another slot holds or one said to be fine or ruled out (step
15), and takes nothing when more than one word would do.

They are for reads. In a change the name so placed was as often the one to leave alone
("restart everything other than api -n billing", "restart the rest, api.billing is fine":
session 48's attacker review) or another object ("restart cart orders" may name two
deployments: session 46's). One reading holds for a change: the namespace right after the
change's own object (step 16, "pause invoice-rollup billing"), unless words before the
object rule things out or pick among many; the parser marks it `placed`, and the
conversation keeps it only where that namespace holds the object (`conversation/placed.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from intents.kubectl import OTHER_KINDS
from intents.names import (
    DNS_LABEL,
    NAME_TYPES,
    POD_SHAPE,
    POSSESSIVE,
    RULED_OUT,
    RULED_OUT_BEFORE,
    names_a_role,
    workload_shaped,
)
from intents.text import Word

IN_CUES = frozenset({"in", "-n", "--namespace"})
"""Words right before a namespace (step 14)."""
NOT_AFTER_IN = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "my", "our", "your", "its", "his",
    "her", "their", "some", "any", "all", "every", "each", "no", "one", "it", "there", "here",
    "us", "them", "me", "case", "order", "time", "progress", "place", "fact", "general",
    "particular", "total", "short", "advance", "line", "sync", "parallel", "front", "turn",
    "detail", "full", "part", "charge", "mind", "touch", "flight", "bulk", "loop", "theory",
    "practice", "prod-like", "minutes", "hours", "seconds", "days", "weeks", "morning",
    "evening", "afternoon", "tonight", "today", "grafana", "datadog", "kibana", "slack", "jira",
    "logs", "metrics", "dashboards", "ci", "git", "github", "terraform", "helm", "argo",
    "argocd", "prometheus", "sentry", "pagerduty", "staging-like", "between", "question",
    "response", "addition", "effect", "use", "vain", "favour", "favor", "which", "good",
    "bad", "better", "great", "trouble", "danger", "limbo", "pending", "error", "errors",
    "crashloop", "crashloopbackoff", "backoff", "shape", "state", "sight", "now", "future",
    "production",
})
"""Words after "in" that are not a namespace ("in a minute", "in grafana", "in case")."""


def namespace_after_in(chosen: dict[str, tuple[int, int]], words: Sequence[Word],
                       namespace: str) -> None:
    """A namespace the model read no word for is the one word right after "in" (or `-n`)
    that no slot holds and that is a name ("It currently runs four replicas in discovery",
    a context sentence the model read `O`); nothing when there are several such words or
    none (in place; step 14). For reads only: in a change, "in X" may be where something
    else runs ("restart api; everything in staging is fine")."""
    taken = _taken(chosen)
    found = {words[i].text: i for i in range(1, len(words))
             if words[i - 1].text.lower() in IN_CUES and i not in taken
             and DNS_LABEL.fullmatch(words[i].text) and words[i].text not in NOT_AFTER_IN}
    if len(found) == 1:
        at = found.popitem()[1]
        chosen[namespace] = (at, at)


SCOPED_OBJECTS = frozenset({"deployment", "pod", "cronjob"})
"""Slot types of objects that live in a namespace."""
NOT_BESIDE = NOT_AFTER_IN | frozenset({
    # fillers, times and manners
    "pls", "plz", "please", "asap", "again", "too", "then", "first", "quickly", "already",
    "thanks", "thx", "ty", "thank", "you", "u", "kthx", "cheers", "ta", "lol", "pl", "hey", "hi",
    "hello", "yes", "ok", "okay", "right", "once", "twice", "anyway", "anyways", "yet", "instead",
    "meanwhile", "yesterday", "tomorrow", "atm", "rn", "currently", "recently", "lately",
    "anymore", "ago", "soon", "later", "immediately", "urgent", "urgently", "stat", "fast",
    "quick", "last", "overall", "itself", "wise", "safely", "gently", "completely", "entirely",
    "fully", "properly", "cleanly", "manually", "temporarily", "horizontally", "vertically",
    "everytime",
    # function words
    "back", "up", "down", "out", "off", "for", "to", "from", "with", "and", "or", "but", "is",
    "are", "was", "were", "has", "have", "had", "keeps", "still", "also", "just", "only", "if",
    "when", "so", "because", "as", "after", "before", "until", "till", "while", "in", "on", "at",
    "of", "by", "into", "onto", "across", "over", "under", "via", "per", "within", "inside",
    "around", "about", "should", "needs", "need", "must", "will", "would", "can", "could", "may",
    "might", "shall", "gets", "got", "get", "did", "does", "do", "be", "been", "being", "am",
    "whose", "who", "what", "where", "how", "why", "way", "bit", "little", "lot", "more", "less",
    "further", "higher", "lower", "it's", "using", "without", "since", "everyone", "team",
    "folks", "bot", "chatops", "everywhere", "anywhere",
    # kinds, parts and quantifiers
    "pods", "pod", "replicas", "replica", "deployment", "deploy", "deployments", "cronjob",
    "cronjobs", "job", "jobs", "events", "status", "rollout", "image", "images", "limit",
    "limits", "request", "requests", "cpu", "memory", "mem", "container", "containers", "sidecar",
    "sidecars", "history", "revision", "version", "tag", "mins", "min", "max", "hpa", "vpa",
    "autoscaler", "node", "nodes", "cluster", "namespace", "ns", "env", "environment", "side",
    "cache", "log", "replicaset", "rs", "sts", "statefulset", "daemonset", "ds", "pdb", "svc",
    "ingress", "configmap", "secret", "pvc", "pv", "service", "services", "app", "apps",
    "workload", "workloads", "stack", "everything", "anything", "something", "stuff", "things",
    "thing", "whole", "entire", "rest", "other", "others", "both", "previous", "prev", "json",
    "yaml", "verbose", "init", "wide", "raw", "follow", "current", "old", "new",
    # states
    "stuck", "broken", "crashing", "failing", "dead", "slow", "hung", "flapping", "doing",
    "looking", "holding", "behaving", "going", "running", "working", "performing", "acting",
    "faring", "coping", "looks", "look", "seems", "seem", "feels", "health", "healthy", "alright",
    "fine", "weird", "odd", "alive",
})
"""Words right after an object that are not its namespace ("restart api now", "pause
db-backup again", "logs api errors")."""
_BESIDE_GAP = 2
"""At most this many words between the namespace beside an object and the value after it
("rollbak tax-calculator billing to revison 15", "search-api search to 8")."""


def namespace_beside(chosen: dict[str, tuple[int, int]], words: Sequence[Word],
                     namespace: str, types: Mapping[str, str], fine: Collection[int], *,
                     swap: bool = True) -> None:
    """A namespace no word was read for is the one name right after the object, where
    the request ends or its value follows ("logs pls chat-relay realtime", "deployment
    status webhooks-relay integrations", "history of api billing to revision 3"): terse
    messages name the object, then its namespace, and the model reads the second name `O`
    or as a second object (in place; step 16). Not a name shaped like a workload's ("logs
    cart orders-api" may name two), nor a word of `NOT_BESIDE`, nor a name said to be
    fine; not before "and" or other words ("logs cart orders and payments").

    Two names side by side the model read the wrong way round, a workload's name (by its
    hyphens, `names.workload_shaped`) second as the object or first as the namespace
    ("logs bol-renderer freight"), are the object, then its namespace (`swap`: for reads
    only; a change keeps the object the model read).

    For a change (without `swap`; the parser marks the namespace `placed`), only where the
    object comes after no words that rule things out or pick among many ("restart
    everything other than api billing", "restart both: api billing"), and only value
    words stand between the namespace and the value after it, no name ("scale api billing
    web to 0": two attacker reviews of session 48)."""
    objects = [(slot, first, last) for slot, (first, last) in chosen.items()
               if types.get(slot, slot) in SCOPED_OBJECTS]
    if len(objects) != 1:
        return
    slot, first, last = objects[0]
    if POSSESSIVE.search(words[last].text):
        return  # "restart web-frontend's sidecar now": the word after names a part of it
    taken = _taken(chosen)
    held = chosen.get(namespace)
    if (swap and held is not None and held == (first - 1, first - 1) and first == last
            and workload_shaped(words[first - 1].text)
            and not workload_shaped(words[first].text) and not names_a_role(words[first].text)):
        # "rollout history bol-renderer freight" read the other way round: a workload's
        # name, then a plain word, is the object, then its namespace.
        chosen[slot], chosen[namespace] = held, (first, last)
        return
    if held is not None:
        return
    if (swap and first == last and first > 0 and first - 1 not in taken
            and first - 1 not in fine
            and workload_shaped(words[first - 1].text)
            and words[first - 1].text not in NOT_BESIDE
            and not workload_shaped(words[first].text)
            and not names_a_role(words[first].text)
            and DNS_LABEL.fullmatch(words[first].text)
            and words[first].text not in NOT_BESIDE):
        # "rollback bol-renderer freight asap": the model read the second name as the
        # object; a workload's name, then a plain word, is the object, then its namespace.
        chosen[slot] = (first - 1, first - 1)
        chosen[namespace] = (first, first)
        return
    if not swap and _ruling_out(words, first, taken):
        return  # "restart everything other than api billing": no namespace read for a change
    at = last + 1
    if at >= len(words) or at in taken or at in fine:
        return
    name = words[at].text
    if (not DNS_LABEL.fullmatch(name) or name in NOT_BESIDE or names_a_role(name)
            or name.endswith("ly")):  # "scale api horizontally", "restart api gracefully"
        return
    following = sorted((a, slot) for slot, (a, _) in chosen.items() if a > at)
    if not swap and following and types.get(following[0][1], following[0][1]) in NAME_TYPES:
        return  # "set api billing web cpu limit to 1": a third name, read as the container
    values = [a for a, _ in following]
    rest = range(at + 1, values[0] if values else len(words))
    said = [words[i].text.lower() for i in rest if any(c.isalnum() for c in words[i].text)]
    if values and len(said) > _BESIDE_GAP:
        return
    if not swap and any(w not in _TO_A_VALUE for w in said) and values:
        return  # "scale api billing web to 0": a third name, no namespace for a change
    if not values and said and not all(w in _TERSE_ENDINGS for w in said):
        return
    chosen[namespace] = (at, at)


_BEFORE_NAMESPACE_CUES = frozenset({"ns", "namespace", "-n", "--namespace", "("})
"""Cues of a namespace that follow its object without a verb between ("imgresize ns media",
"imgresize -n media", "imgresize (media)")."""


_NOT_AN_OBJECTS_KIND = OTHER_KINDS - {"hpa", "horizontalpodautoscaler", "svc", "service",
                                      "services"}
"""Kinds whose name, right after the kind, is no object of a runbook; an autoscaler or a
service is named after its deployment ("the hpa checkout-api in prod")."""


def object_before_namespace(chosen: dict[str, tuple[int, int]], words: Sequence[Word],
                            namespace: str, types: Mapping[str, str], *,
                            required: Collection[str], fine: Collection[int],
                            by_place: bool) -> None:
    """A read's object no word was read for is the name right before its namespace's cue
    ("logs imgresize (media)", "status of status-page ns public-web"), or before "in" and
    its namespace when it is shaped like a workload's ("what's wrong with notif-dispatcher
    in comms"); the model reads such a name `O` (in place; step 17). Only where the runbook
    requires an object (a namespace's read names none: "pods (payments)"); not a word of
    `NOT_BESIDE` nor the message's first, nor another kind's name ("the PVC data-0 in db"),
    nor one ruled out or said to be fine. For reads only (`by_place`): in a change the
    name was as often the one to leave alone ("restart everything other than api -n
    billing", "restart the rest, api -n billing is fine": session 48's attacker review)."""
    if namespace not in chosen or any(
            types.get(slot, slot) in SCOPED_OBJECTS for slot in chosen) or not any(
            types.get(slot, slot) in SCOPED_OBJECTS for slot in required):
        return  # a read of a namespace alone may name no object ("pods (payments)")
    first = chosen[namespace][0]
    at = first - 2
    if at < 1 or at in fine or at in _taken(chosen):
        return  # not the message's first word: its verb ("restart -n billing")
    cue, name = words[first - 1].text.lower(), words[at].text
    before = words[at - 1].text.lower() if at > 0 else ""
    if before in _NOT_AN_OBJECTS_KIND or before in RULED_OUT | RULED_OUT_BEFORE:
        return  # "resize the PVC data-postgres-0 in staging-db", "all but cart -n shop"
    if (not by_place or not DNS_LABEL.fullmatch(name) or name in NOT_BESIDE
            or name.isdigit() or name.endswith("ly")
            or not (cue in _BEFORE_NAMESPACE_CUES or (cue in IN_CUES and workload_shaped(name)))):
        return
    slot = _object_slot(name, types)
    if slot is not None:
        chosen[slot] = (at, at)


def dotted_name(chosen: dict[str, tuple[int, int]], words: Sequence[Word], namespace: str,
                types: Mapping[str, str], fine: Collection[int], *, by_place: bool) -> None:
    """An object and a namespace no word was read for are the two halves of one
    `name.namespace` word, as in a Service's DNS name ("ledger.billing is busted again",
    split in two by `text.split_words`): the model reads some such words `O` (in place;
    step 19). For reads only (`by_place`): in a change it was as often the one to leave
    alone ("restart the rest, api.billing is fine": session 48's attacker review); nor a
    word of `NOT_BESIDE` on either side ("please restart.billing is on fire")."""
    if (not by_place or namespace in chosen
            or any(types.get(s, s) in SCOPED_OBJECTS for s in chosen)):
        return
    taken = _taken(chosen) | set(fine)
    found = [i for i in range(len(words) - 2)
             if words[i + 1].text == "." and words[i].end == words[i + 1].start
             and words[i + 1].end == words[i + 2].start and not {i, i + 2} & taken
             and all(DNS_LABEL.fullmatch(w) and w not in NOT_BESIDE and w not in _COMMANDS
                     for w in (words[i].text, words[i + 2].text))]
    if len(found) != 1:
        return
    at = found[0]
    slot = _object_slot(words[at].text, types)
    if slot is not None:
        chosen[slot] = (at, at)
        chosen[namespace] = (at + 2, at + 2)


_TERSE_WORDS = 4
"""A read of at most this many words may name its namespace by its place alone."""
_READ_WORDS = frozenset({
    "show", "list", "get", "check", "describe", "tail", "see", "view", "give", "fetch",
    "display", "print", "scan", "audit", "any", "whats", "what's", "how", "hows", "how's",
    "imgs", "img", "hist", "evts", "ev", "me", "what", "inventory", "problems",
    "issues", "wrong", "happening", "happened", "going", "on", "up", "latest", "recent",
})
"""Words of a terse read that are not its namespace ("show pods", "imgs customs")."""


def namespace_last(chosen: dict[str, tuple[int, int]], words: Sequence[Word],
                   namespace: str) -> None:
    """A terse read that the model read no name in takes its last word as the namespace,
    when that word is a name and no other word of the message could be ("events customs",
    "pods tracking", "imgs customs"): a read of at most `_TERSE_WORDS` words names its
    scope last (in place; step 18). For reads only."""
    said = [i for i, w in enumerate(words) if any(c.isalnum() for c in w.text)]
    while said and words[said[-1]].text.lower() in _TERSE_ENDINGS:
        said.pop()
    if not 2 <= len(said) <= _TERSE_WORDS:
        return
    names = [i for i in said if DNS_LABEL.fullmatch(words[i].text)
             and words[i].text not in NOT_BESIDE and words[i].text not in _READ_WORDS]
    if names == [said[-1]]:
        chosen[namespace] = (said[-1], said[-1])


_TERSE_ENDINGS = frozenset({"pls", "plz", "please", "now", "asap", "thanks", "thx", "ty",
                            "again", "too", "quickly", "kthx", "cheers", "ta", "for",
                            "tonight", "today", "overnight"})
"""Words that may close a terse request after the namespace beside its object."""


def _taken(chosen: Mapping[str, tuple[int, int]]) -> set[int]:
    """The words some slot holds."""
    return {i for first, last in chosen.values() for i in range(first, last + 1)}


def _object_slot(name: str, types: Mapping[str, str]) -> str | None:
    """The slot an object's `name` goes to: the pod slot for a pod's name (its hashes),
    else the runbook's deployment or cronjob slot; None when the runbook has none."""
    wanted = "pod" if POD_SHAPE.fullmatch(name) else None
    return next((slot for slot, kind in types.items() if kind in SCOPED_OBJECTS
                 and (kind == wanted if wanted else kind != "pod")), None)


_RULING_OUT = RULED_OUT | RULED_OUT_BEFORE | frozenset({
    "other", "others", "than", "rest", "else", "everything", "all", "every", "apart",
    "instead", "rather", "excluded", "leave", "keep", "spare", "aside", "unlike", "vs",
    "versus", "only", "just", "both", "these", "those", "two", "three", "each", "either",
    "neither", "deployments", "cronjobs", "pods", "services", "apps", "workloads", "several",
    "many", "multiple", "few",
})
"""Words before a change's object that make it one of many, or the one left out."""
_TO_A_VALUE = frozenset({"to", "by", "at", "revision", "rev", "replicas", "image", "img",
                         "cpu", "memory", "mem", "request", "requests", "req", "limit",
                         "limits", "lim", "min", "max", "from", "down", "up", "back"})
"""Words between a change's namespace by its place and the value after it ("rollback api
billing to revision 2"); any other, a third name above all, leaves the namespace unread."""
_COMMANDS = frozenset({
    "restart", "restarts", "rollback", "rollout", "scale", "drain", "cordon", "uncordon",
    "delete", "suspend", "resume", "pause", "unpause", "describe", "logs", "show", "list",
    "check", "set", "bump", "update", "please", "pls", "thanks", "done", "ok",
})
"""Command words: a sentence that ends on one and the next that starts without a space
("please restart.billing is on fire") is no `name.namespace`."""


def _ruling_out(words: Sequence[Word], first: int, values: Collection[int] = ()) -> bool:
    """Whether a word of the clause before word `first` rules things out or picks among
    many (`_RULING_OUT`, or a number: "restart 2 deployments: api billing"); not a number
    a slot holds as its value ("hpa max 20 search-api search", "cpu req 250m lim 1 ...":
    session 49)."""
    for at in range(first - 1, -1, -1):
        text = words[at].text.lower()
        if text in {".", ";", "!", "?"}:
            return False
        if text in _RULING_OUT or (text.isdigit() and at not in values):
            return True
    return False
