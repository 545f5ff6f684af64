"""Entity resolution: slot values as people type them, matched to names that exist.

"checkout" becomes deployment `checkout-api` when that is the only close name (and the
reply says so); two close names become a question with the choices; no close name is a
refusal that lists the nearest ones, or, where someone can be asked, a question offering
them. A missing name is asked for with the names the person can list offered
(`offered_names`). Listing names is read-only and done as the requester.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from chatops.conversation.placed import NAMESPACED_OBJECTS, namespaces_holding
from chatops.errors import ClusterError, Forbidden, NotFound
from chatops.messages import (
    did_you_mean_text,
    name_not_found_text,
    name_taken_note,
    namespace_wide_note,
    other_kind_note,
    other_kind_text,
    read_as_namespace_note,
    read_as_workload_note,
    which_name_text,
)
from chatops.model import Identity, Risk
from chatops.near_names import near_names
from chatops.ports import Executor, ResourceKind
from chatops.runbook.schema import Runbook, SlotSpec

log = logging.getLogger(__name__)

# Namespaces first: the other kinds are listed inside the resolved namespace.
_ORDER: tuple[ResourceKind, ...] = ("namespace", "node", "deployment", "cronjob", "pod")
_NAMESPACED = {"deployment", "cronjob", "pod"}

MAX_OFFERED = 20
"""More names than this are not offered as choices (nor, for namespaces, looked through for
a deployment: one API call each)."""


@dataclass(frozen=True)
class Question:
    """An ambiguity to put to the person: which of `choices` did they mean for `slot`."""

    slot: str
    text: str
    choices: tuple[str, ...]
    any_answer: bool = False
    """The choices are only offered (buttons): the question is free text, and any name
    typed instead answers it (checked like one typed with the request)."""


@dataclass(frozen=True)
class Resolution:
    """Slots after resolution, what was changed (in words), and a question if ambiguous."""

    slots: dict[str, str]
    notes: tuple[str, ...] = ()
    question: Question | None = None


_PARTS = re.compile(r"[-._]")
_NUMBERS = re.compile(r"[0-9]+")

_WORKLOADS: tuple[ResourceKind, ...] = ("deployment", "statefulset", "daemonset", "job",
                                        "cronjob", "pod")
"""Kinds a workload name may turn out to be, looked through when it is not of the kind the
runbook names (`kind_elsewhere`)."""


class OtherKind(NotFound):
    """A name given as one kind of workload is exactly the name of another kind in the
    namespace ("ledger-db" asked as a deployment, a statefulset there)."""

    def __init__(self, message: str, slot: str, kind: str, value: str) -> None:
        super().__init__(message)
        self.slot = slot
        self.kind = kind
        self.value = value


def candidates(value: str, names: tuple[str, ...], *, generated: bool = False) -> list[str]:
    """Names that `value` plausibly means: exact, then prefix or whole-word, then close typos.

    A close typo keeps the number of the name's parts: "serach-indexer" is search-indexer,
    but "ledger-db" is not ledger (a word more is another object, often of another kind);
    and its numbers: node-9 is not node-3, worker-4 not worker-2. `generated` names (pods:
    a workload's name, a hash, a random suffix) have no typos at all: a name one character
    off is another pod, often the one that replaced the pod named.
    """
    if value in names:
        return [value]
    partial = [n for n in names if _extends(value, n, generated)
               or value in n.split("-") or value in n.split(".")]
    if partial:
        return sorted(partial, key=len)
    if generated:
        return []
    parts = len(_PARTS.split(value))
    numbers = _NUMBERS.findall(value)
    return [n for n in difflib.get_close_matches(value, list(names), n=3, cutoff=0.8)
            if len(_PARTS.split(n)) == parts and _NUMBERS.findall(n) == numbers]


def _extends(value: str, name: str, generated: bool) -> bool:
    """Whether `name` completes `value`: never by more digits of its last number (node-1 is
    not node-10), and a generated name only at a part's end (a pod's workload, not half of
    its hash)."""
    if not name.startswith(value) or not value:
        return False
    following = name[len(value)]
    if value[-1].isdigit() and following.isdigit():
        return False
    return not generated or following in "-."


def nearest(value: str, names: tuple[str, ...], n: int = 3) -> tuple[str, ...]:
    """Up to `n` names near `value` to offer (not to take): `near_names.near_names`."""
    return near_names(value, names, n)


def kind_elsewhere(value: str, kind: str, namespace: str, executor: Executor,
                   identity: Identity | None) -> str | None:
    """The other workload kind that has an object named exactly `value` in `namespace`, if
    any the person may list does."""
    for other in _WORKLOADS:
        if other == kind:
            continue
        try:
            if value in executor.names(other, namespace, identity):
                return other
        except ClusterError:
            continue
    return None


NOT_A_NAME_PART = frozenset({
    "in", "on", "to", "for", "from", "at", "of", "and", "or", "with", "by", "now", "please",
    "pls", "plz", "again", "first", "then", "asap", "too", "also", "as", "so", "is", "was",
    "it", "its", "up", "down", "back", "the", "a", "an", "this", "that", "which", "because",
    "since", "if", "when", "before", "after", "until", "here", "there", "ok", "thanks",
    "thx", "quickly", "quick", "immediately", "right", "real", "deployment", "deployments",
    "deploy", "cronjob", "cronjobs", "cron", "job", "jobs", "pod", "pods", "node", "nodes",
    "service", "svc", "app", "replica", "replicas", "namespace", "ns", "cluster",
    "container", "containers", "image", "instance", "instances", "one", "ones", "env",
    "min", "max", "lines", "memory", "cpu", "tag", "revision", "version", "rest", "all",
    "others", "other", "everything", "everyone", "me", "us", "you", "why", "what", "how",
    "logs", "log", "events", "status", "more", "less", "check", "same",
})
"""Words that follow a name without being part of it ("restart checkout in prod", "the
nightly cronjob")."""


def cut_short(value: str, name: str, text: str) -> str | None:
    """The longer name `text` gives where the model kept only its first part: "pause the
    nightly backup" read as `nightly`, which would be completed to nightly-report. None when
    the word after `value` is part of `name`, a word that is no name's part, or absent."""
    # (Not a `key=value` pair or a slot name of the explicit grammar: "cpu_request=1".)
    after = re.search(rf"(?<![\w-]){re.escape(value)}[\s_-]+([a-z][a-z0-9]*)\b(?![=_])",
                      text.lower())
    if after is None:
        return None
    word = after.group(1)
    if word in NOT_A_NAME_PART or word in _PARTS.split(name):
        return None
    return f"{value}-{word}"


def resolve_names(runbook: Runbook, slots: Mapping[str, str], executor: Executor,
                  identity: Identity | None, *, ask_nearest: bool = False,
                  text: str | None = None) -> Resolution:
    """Match every name-typed slot against the cluster; see the module docstring.

    `ask_nearest`: a name that matches nothing, with names near it, becomes a question
    offering them (someone is there to answer) rather than a refusal. `text`: the message,
    for a change's names: a name it goes on past (`cut_short`) is asked about, never
    completed to another object.
    """
    resolved = dict(slots)
    notes: list[str] = []
    for kind in _ORDER:
        for spec in runbook.slots.values():
            value = resolved.get(spec.name)
            if spec.type != kind or not value:
                continue
            namespace = resolved.get("namespace") if kind in _NAMESPACED else None
            if kind in _NAMESPACED and not namespace:
                continue
            try:
                names = executor.names(kind, namespace, identity)
            except Forbidden:
                # The requester may not list these; the cluster will judge the request itself.
                continue
            except ClusterError as exc:
                log.info("name lookup for %s failed: %s", kind, exc.message)
                continue
            found = candidates(value, names, generated=kind == "pod")
            # An object of another kind named exactly so is what was meant, before a longer
            # name of this kind ("ledger-db", a statefulset, is not ledger-db-migrator);
            # but a pod is still found by its workload's name ("the ledger pod").
            if (value not in names and kind in _NAMESPACED and namespace
                    and (kind != "pod" or not found)):
                other = kind_elsewhere(value, kind, namespace, executor, identity)
                if other is not None:
                    raise OtherKind(other_kind_text(value, other, kind, namespace, runbook.name),
                                    spec.name, other, value)
            if not found:
                # A pod's name one character off is another pod, often the one that
                # replaced it (a user trial was offered the rollout's new pod): none.
                close = nearest(value, names) if kind != "pod" else ()
                text = name_not_found_text(kind, value, namespace)
                if close and ask_nearest:
                    return Resolution(resolved, tuple(notes), Question(
                        spec.name, f"{text} {did_you_mean_text(close)}", close,
                        any_answer=True))
                raise NotFound(text, close, did_you_mean_text(close))
            if len(found) > 1 and found[0] != value:
                return Resolution(resolved, tuple(notes), Question(
                    spec.name, which_name_text(kind, namespace), tuple(found[:5])))
            longer = cut_short(value, found[0], text) if text and found[0] != value else None
            # A change's name is completed from its start only, by whole parts: "api" that
            # is merely the end of checkout-api names another service (a user trial), and
            # "web" is not webhook-receiver (an attacker review).
            elsewhere = bool(text) and found[0] != value and (
                not found[0].startswith(value) or found[0][len(value)] not in "-.")
            if longer is not None or elsewhere:
                return Resolution(resolved, tuple(notes), Question(
                    spec.name, f"{name_not_found_text(kind, longer or value, namespace)} "
                    f"{did_you_mean_text((found[0],))}", (found[0],), any_answer=True))
            if found[0] != value:
                notes.append(name_taken_note(kind, value, found[0]))
                resolved[spec.name] = found[0]
    return Resolution(resolved, tuple(notes))


def namespace_named_as_workload(runbook: Runbook, slots: Mapping[str, str], executor: Executor,
                                identity: Identity | None) -> tuple[dict[str, str], str | None]:
    """A read-only runbook given one workload name and no namespace, where that name is
    exactly a namespace's ("is analytics healthy?"), reads the namespace instead: the model
    cannot tell the two apart, the cluster can. Only when the runbook then needs nothing
    else, and never for a runbook that changes something: its target is never reread.

    Returns the slots (changed or not) and the note that says what was done.
    """
    values = dict(slots)
    namespace_slots = [s.name for s in runbook.slots.values() if s.type == "namespace"]
    named = _named_workloads(runbook, values)
    if (runbook.risk is not Risk.READ or len(namespace_slots) != 1
            or values.get(namespace_slots[0]) or len(named) != 1 or named[0].required):
        return values, None
    spec = named[0]
    value = values.pop(spec.name)
    values[namespace_slots[0]] = value
    if (any(not values.get(s.name) for s in runbook.required_slots)
            or not _lists_namespace(value, executor, identity)):
        return dict(slots), None
    return values, read_as_namespace_note(spec.type, value)


def workload_named_as_namespace(runbook: Runbook, slots: Mapping[str, str],
                                executor: Executor, identity: Identity
                                ) -> tuple[dict[str, str], str | None]:
    """A read-only runbook given a namespace and no workload, where that namespace is none
    the person can list but exactly one namespace has a deployment of that name ("is
    orders healthy?", which the parser reads as a namespace's health by the name's shape:
    `intents.parser.ModelParser._name_alone`), reads that deployment in that namespace
    (`only_namespace_with`). Only when the runbook takes a deployment, and never for a
    change.

    Returns the slots (changed or not) and the note that says what was done.
    """
    values = dict(slots)
    name = values.get("namespace")
    deployment = next((s.name for s in runbook.slots.values() if s.type == "deployment"), None)
    if (runbook.risk is not Risk.READ or not name or deployment is None
            or _named_workloads(runbook, values) or "namespace" not in runbook.slots
            or _lists_namespace(name, executor, identity)):
        return values, None
    only = only_namespace_with({"deployment": name}, executor, identity)
    if only is None:
        return values, None
    values.update({deployment: name, "namespace": only[0]})
    return values, read_as_workload_note(name, "deployment", only[0])


def _named_workloads(runbook: Runbook, values: Mapping[str, str]) -> list[SlotSpec]:
    """The runbook's workload slots (deployment, cronjob, pod) that have a value."""
    return [s for s in runbook.slots.values() if s.type in _NAMESPACED and values.get(s.name)]


def _lists_namespace(name: str, executor: Executor, identity: Identity | None) -> bool:
    """Whether `name` is a namespace the person can list. A refusal (Forbidden included)
    counts as no: then the question the runbook asks stands."""
    try:
        return name in executor.names("namespace", None, identity)
    except ClusterError:
        return False


def namespace_wide(runbook: Runbook, slots: Mapping[str, str],
                   runbooks: Mapping[str, Runbook], executor: Executor,
                   identity: Identity | None) -> tuple[Runbook, dict[str, str], str | None]:
    """A read-only runbook about one workload, asked with a namespace and no workload ("is
    prod healthy?" read as `deployment_status namespace=prod`), or with a workload name that
    is exactly a namespace's ("what's the state of kube-system"), is answered with the
    runbook its `namespace_wide` names, for the whole namespace, instead of a question for
    a workload the person never meant. A namespace only the channel's default supplies
    does not count: nothing was asked about it.

    Returns the runbook to plan, its slots, and the note that says what was done.
    """
    values = {k: v for k, v in slots.items() if v}
    target = runbooks.get(runbook.namespace_wide or "")
    if (target is None or runbook.risk is not Risk.READ or target.risk is not Risk.READ
            or any(k not in runbook.slots for k in values)):
        # (A value the runbook doesn't declare is refused by the validation, as before.)
        return runbook, dict(slots), None
    named = _named_workloads(runbook, values)
    kind = next((s.type for s in runbook.required_slots if s.type in _NAMESPACED), "target")
    namespace = values.get("namespace")
    note = None
    if namespace and not named:
        note = namespace_wide_note(kind, namespace, target.name)
    elif not namespace and len(named) == 1:
        value = values[named[0].name]
        if not _lists_namespace(value, executor, identity):
            return runbook, dict(slots), None
        namespace = value
        note = read_as_namespace_note(named[0].type, value)
    if note is None or namespace is None:
        return runbook, dict(slots), None
    carried = {k: v for k, v in values.items() if k in target.slots and k != "namespace"
               and runbook.slots[k].type not in _NAMESPACED}
    return target, {**carried, "namespace": namespace}, note


_NARROWING = NAMESPACED_OBJECTS
"""The named objects that narrow a namespace question to the namespaces holding them."""


MAX_WORDS_FOR_A_NAMESPACE = 8
"""Only a message this short has its one namespace word taken as the namespace of a read
the model tagged none for ("is prod ok")."""


_EVERY_NAMESPACE = re.compile(
    r"\b(?:anywhere|everywhere|cluster[\s-]?wide|any\s+namespace|all\s+(?:the\s+)?namespaces"
    r"|(?:in|across|on|over)\s+(?:the\s+)?(?:whole\s+|entire\s+)?cluster"
    r"|of\s+the\s+(?:whole|entire)\s+cluster"
    r"|(?:in|across|over)\s+(?:any|all|every|each)\s+(?:of\s+the\s+)?namespaces?)\b",
    re.IGNORECASE)


def every_namespace(text: str) -> bool:
    """Whether `text` asks about every namespace ("anywhere", "across the cluster", "in all
    namespaces"): a read whose namespace may be left out is then asked of all the person may
    list, never of the thread's last namespace or the channel's."""
    return _EVERY_NAMESPACE.search(text) is not None


def namespace_in_words(text: str, executor: Executor, identity: Identity) -> str | None:
    """The one namespace the person can list that a word of a short `text` is exactly;
    None when none or several are, the text is longer, or they cannot be listed."""
    words = re.findall(r"[a-z0-9][a-z0-9-]*", text.lower())
    if len(words) > MAX_WORDS_FOR_A_NAMESPACE:
        return None
    return _one_listed_namespace(words, executor, identity)


def _one_listed_namespace(words: Iterable[str], executor: Executor,
                          identity: Identity) -> str | None:
    """The one namespace of `words` the person can list; None when none or several are,
    or they cannot be listed."""
    try:
        namespaces = set(executor.names("namespace", None, identity))
    except ClusterError:
        return None
    named = set(words) & namespaces
    return named.pop() if len(named) == 1 else None


def namespace_beside(text: str, name: str, executor: Executor,
                     identity: Identity) -> str | None:
    """The one namespace the person can list whose name stands right beside `name` in
    `text`: before it ("prod checkout-api is acting up"), after it ("checkout-api
    staging"), or after it and a comma at the message's end ("pods of checkout-api,
    staging"); None when none or several do. A namespace in another clause ("is
    checkout-api ok? staging is fine") is not the name's (an attacker review)."""
    lowered, name = text.lower(), re.escape(name.lower())
    word = r"([a-z0-9][a-z0-9-]{0,62})"
    beside = [m.group(1) for pattern in (
        rf"(?<![\w.-]){word}\s+{name}(?![\w.-])",
        rf"(?<![\w.-]){name}\s+{word}(?![\w.-])",
        rf"(?<![\w.-]){name},\s*{word}\s*[?!.]*\s*$",
    ) for m in [re.search(pattern, lowered)] if m is not None]
    return _one_listed_namespace(beside, executor, identity) if beside else None


def only_namespace_with(values: Mapping[str, str], executor: Executor,
                        identity: Identity) -> tuple[str, str, str] | None:
    """The one namespace the person can list that has an object of exactly the name the
    request gives (a deployment, cronjob or pod), with that object's kind and name; None
    when several or none have it, none is named, or they cannot be listed."""
    named = next(((k, values[k]) for k in _NARROWING if values.get(k)), None)
    if named is None:
        return None
    kind, name = named
    try:
        namespaces = executor.names("namespace", None, identity)
    except ClusterError:
        return None
    if len(namespaces) > MAX_OFFERED:
        return None
    holding = namespaces_holding(kind, name, namespaces, executor, identity)
    return (holding[0], kind, name) if len(holding) == 1 else None


def context_names(kind: str, executor: Executor, identity: Identity, *,
                  last: Mapping[str, str] | None, pasted: str) -> tuple[str, ...]:
    """Names of `kind` (a deployment, pod or cronjob) to offer for a change whose namespace
    is not known yet, so that `offered_names` has none: the object of the thread's last
    request (`last`, its values), then those `pasted` names (`pasted.pasted_names`) in a
    namespace it names too. Each is one the person can list there; never taken, only
    offered ("restart it" after a diagnosis of payments-api, "roll it back" under an alert
    about it: a user trial was asked "which deployment?" with nothing to pick from)."""
    found: list[str] = []
    try:
        if (last and last.get(kind) and last.get("namespace")
                and last[kind] in executor.names(cast(ResourceKind, kind), last["namespace"],
                                                 identity)):
            found.append(last[kind])
        words = set(pasted.split())
        if words:
            namespaces = executor.names("namespace", None, identity)
            for namespace in (ns for ns in namespaces if ns in words):
                found += sorted(words & set(executor.names(cast(ResourceKind, kind),
                                                           namespace, identity)))
    except ClusterError:
        pass  # what was found before the cluster refused is still offered
    return tuple(dict.fromkeys(found))[:MAX_OFFERED]


def offered_names(kind: str, values: Mapping[str, str], executor: Executor,
                  identity: Identity) -> tuple[str, ...]:
    """The names to offer as choices for a missing slot of `kind`: the namespaces the person
    can list (when a deployment, cronjob or pod is named, only those that have it), the
    deployments, pods or cronjobs in the request's namespace, or the nodes. None when they
    are too many, the kind is another, the namespace is not known yet, or they cannot be
    listed: the question stays free text.
    """
    try:
        if kind == "namespace":
            names = executor.names("namespace", None, identity)
            named = next(((k, values[k]) for k in _NARROWING if values.get(k)), None)
            if named is not None and len(names) <= MAX_OFFERED:
                within, name = named
                held = {ns: _holds(executor, within, name, ns, identity) for ns in names}
                # Where some namespace has the very name, only those: "api" is not the
                # checkout-api of the others.
                best = max(held.values(), default=0)
                names = tuple(ns for ns in names if held[ns] and held[ns] == best)
        elif kind in ("deployment", "pod", "cronjob") and values.get("namespace"):
            # "nuke the web-frontend pod in prod" (the name read as no pod): a user trial
            # was asked "Which pod?" with nothing to pick from.
            names = executor.names(cast(ResourceKind, kind), values["namespace"], identity)
        elif kind == "node":
            names = executor.names("node", None, identity)
        else:
            return ()
    except ClusterError:
        return ()
    return names if len(names) <= MAX_OFFERED else ()


def _holds(executor: Executor, kind: ResourceKind, name: str, namespace: str,
           identity: Identity) -> int:
    """How well `namespace` has an object of `kind` that `name` would resolve to: 2 that
    very name (a pod of that workload), 1 a name it would resolve to, 0 none; a namespace
    the person may not list it in has none."""
    try:
        listed = executor.names(kind, namespace, identity)
    except ClusterError:
        return 0
    found = candidates(name, listed, generated=kind == "pod")
    if name in found or (kind == "pod" and any(n.startswith(f"{name}-") for n in found)):
        return 2
    return 1 if found else 0


def read_as_other_kind(runbook: Runbook, slots: Mapping[str, str], other: OtherKind,
                       runbooks: Mapping[str, Runbook]) -> tuple[dict[str, str], str] | None:
    """The request again, after a name given as one kind turned out to be another: the
    runbook's own empty slot of that kind takes it ("why is the ledger pod failing",
    ledger a deployment), or the namespace scan reads the whole namespace, that object
    included ("fix statefulset/ledger-db": diagnose, the runbook others' `namespace_wide`
    names, scans statefulsets too). None when neither fits: the person is told what the
    name is (never another object read for it, nor every pod of the namespace for one).
    """
    values = {k: v for k, v in slots.items() if k != other.slot}
    into = next((s for s in runbook.slots.values()
                 if s.type == other.kind and not values.get(s.name)), None)
    if into is not None:
        values[into.name] = other.value
        return values, other_kind_note(other.value, other.kind, runbook.name, None)
    scan = any(rb.namespace_wide == runbook.name for rb in runbooks.values())
    if (scan and runbook.risk is Risk.READ and not _named_workloads(runbook, values)
            and all(values.get(s.name) for s in runbook.required_slots)):
        return values, other_kind_note(other.value, other.kind, runbook.name,
                                       values.get("namespace"))
    return None


_NAME_TOKEN = re.compile(r"[a-z0-9][a-z0-9-]*|[,&+/()]")
_JOINERS = frozenset((",", "&", "+", "/", "and", "or", "then", "plus", "also", "well"))
_BETWEEN = _JOINERS | frozenset(("(", ")", "as", "in", "on", "the", "both", "namespace",
                                 "namespaces", "ns"))
OWN_SUBJECT = frozenset(("is", "are", "was", "were", "has", "have", "looks", "seems", "will",
                          "team", "folks", "people", "users", "devs", "guys", "should",
                          "can", "could", "would", "stays", "remains", "too"))
"""After a namespace, words that make it the subject of a clause of its own ("staging is
fine", "dev team will watch it"), not a second target."""
MAX_JOIN = 6
"""Tokens between two namespaces named together ("prod, and also staging")."""


_NAMESPACE_OPTION = re.compile(
    r"(?:(?<![\w-])(?:namespace|ns)\s*[:=]\s*|(?<![\w-])(?:-n|--namespace)(?:\s*=\s*|\s+))"
    r"[`'\"*]*([a-z0-9][a-z0-9-]*)", re.IGNORECASE)
"""A namespace given as an option: "namespace=prod", "ns: prod", "-n prod", "--namespace
prod"."""
_IN_NAMESPACE = re.compile(r"\bin\s+(?:the\s+)?[`'\"*]*([a-z0-9][a-z0-9-]*)", re.IGNORECASE)


def other_namespaces(text: str, namespace: str | None, executor: Executor,
                     identity: Identity | None) -> tuple[str, ...]:
    """Namespaces `text` names together with `namespace` ("in prod and staging", "staging &
    prod", "prod, staging and dev", "`prod` and `staging`"): names of namespaces joined to
    it by "and", "or", "then", commas and the like, each the target of the same request
    (not "prod, staging is fine"); and any other namespace given as an option ("in dev
    (actually namespace=prod)", "-n staging in prod"), whether the cluster has it or not:
    the person said which, and it is not the one read. Empty when there is no namespace;
    only options when the namespaces cannot be listed. One pass over the message."""
    if not namespace:
        return ()
    options = [m.group(1).lower() for m in _NAMESPACE_OPTION.finditer(text)]
    given = tuple(dict.fromkeys(ns for ns in options if ns != namespace.lower()))
    try:
        names = set(executor.names("namespace", None, identity))
    except ClusterError:
        return given
    tokens = _NAME_TOKEN.findall(re.sub(r"[*_~`]", " ", text.lower()))
    chains: list[list[str]] = []
    chain: list[str] = []
    gap: list[str] = []
    for i, token in enumerate(tokens):
        if token in names:
            own = tokens[i + 1] if i + 1 < len(tokens) else ""
            joined = (chain and len(gap) <= MAX_JOIN and set(gap) <= _BETWEEN
                      and _JOINERS.intersection(gap))
            if own in OWN_SUBJECT and chain and joined:
                chains.append(chain)  # a subject of its own: no target, the chain ends
                chain, gap = [], []
                continue
            if not joined and chain:
                chains.append(chain)
                chain = []
            chain.append(token)
            gap = []
        else:
            gap.append(token)
    chains.append(chain)
    found = [ns for c in chains if namespace in c for ns in c if ns != namespace]
    if options:
        # Beside an option, a namespace the request is said to be "in" is one too: "in
        # staging (actually namespace=prod)".
        found += [ns for m in _IN_NAMESPACE.finditer(text)
                  if (ns := m.group(1).lower()) in names and ns != namespace.lower()]
    return tuple(dict.fromkeys([*given, *found]))
