"""Other objects of a change's kind that the person's words name beside its target.

The model tags one name. "restart calc-app checkout-api in prod" planned calc-app's
restart, "scale checkout-api staging calc-app to 0" checkout-api's scale in staging, and
"restart checkout-api in prod, calc-app too", "... then calc-app", "restart it" after two
names and a hundred other shapes each dropped the other name without a word (session 51;
session 52's attacker reviews). And the model's one name may be the one the words leave
out: "drain node-1, keep node-2 in rotation" planned node-2's drain. Two first versions,
one that followed joiner words from the target and one that set a name aside by its
clause's words, were each beaten by a white-box review: a list of words that join or
excuse misses the next word.

So any word that the cluster lists as another object of the runbook's kind (in any
namespace the person can list, the first `MAX_OFFERED`), or as another namespace with an
object of the target's name, is a candidate, and the bot asks which one (one click, never
a guess). A name is set aside only by a whole clause of a few fixed shapes without the
target (`_ASIDE`: said to be fine or to stay, left out or denied, a report or a reason, a
read after the order), with no change's verb in any form unless denied and no word that
adds it; and none is when another clause orders a change ("calc-app is stuck, bounce it
too") or no clause of the target's asks for it ("cordon node-1 (not node-2)" read as
node-2). What a rule cannot place is asked, which costs a click.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatops.conversation.asking import CHANGE
from chatops.conversation.kinds import plain_text
from chatops.conversation.placed import NAMESPACED_OBJECTS
from chatops.conversation.resolve import MAX_OFFERED, OWN_SUBJECT
from chatops.errors import ClusterError
from chatops.model import Identity
from chatops.ports import Executor, ResourceKind

_NAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")
_READ = (r"(?:check|look at|watch|monitor|ping|tell|notify|keep an eye on|let me know|"
         r"let the)\b")
"""A read or a word to people after the order: "and keep an eye on calc-app"."""
_CLAUSE_END = re.compile(r"[,;!?:()\[\]{}\n]|\.(?![a-z0-9])|(?<![a-z0-9])\.|\s-+\s"
                         r"|\b(?:but|though|although|whereas)\b"
                         r"|(?<!is )(?<!are )(?<!was )(?<!were )(?<!do )(?<!does )(?<!should )"
                         r"(?<!must )(?<!can )(?<!will )(?<!may )(?<!could )(?=\bnot\b)"
                         r"|(?=\b(?:except|excluding|instead of|rather than|because|since|"
                         r"without)\b)|\band\b(?=\s+(?:then\s+)?" + _READ + r")"
                         r"|(?<!well )(?<!same )(?<!such )(?=\bas\b(?!\s+well))")
"""Where a clause ends: marks, "but", and before "not", "except", "because" and the like,
which start a clause of their own ("cordon node-1 not node-2")."""
_CHANGE_WORD = re.compile(r"(?:" + CHANGE + r")(?:s|es|d|ed|ing)?")
"""A change's verb in any form: a clause with one is never aside ("calc-app has to be
restarted", "I want node-2 drained"), unless it is one of the shapes that deny it."""
_ADDS = frozenset({"too", "also", "well", "forget", "plus", "same", "likewise", "ditto",
                   "either", "then", "next", "after", "afterwards", "another",
                   "again"})
"""Words that add a name to the change after all ("calc-app too", "then calc-app")."""
_NEGATED = re.compile(r"\b(?:not|never|no need|don'?t|dont|n't|without)\b|n't\b")
"""A denial in a shape: a change's verb there is denied ("calc-app should not be
restarted", "no need to restart calc-app")."""
_READ_SHAPE = re.compile(r"(?:then\s+|after that\s+)?(?:i'll\s+|we'll\s+|i will\s+|"
                         r"we will\s+|please\s+)?" + _READ)
_FINE_TOO = re.compile(r"\b(?:fine|ok|okay|healthy|good|unaffected|green|stable)(?:\s+too)?$"
                       r"|\balso\s+(?:fine|ok|okay|healthy|good|unaffected|green|stable)\b")
"""A name said to be fine as well ("calc-app is fine too"): its "too" adds nothing."""
_START = r"(?:(?:and|but|so|just|please|pls|though|oh|btw|ok|okay)\s+)*"
_OBJECT = (r"(?:the\s+)?(?:(?:deployment|deploy|node|cronjob|namespace|ns)\s+)?X(?:\s+T)?"
           r"(?:\s+(?:one|pods?|deployment|deploy|node|app|service|namespace|ns))?")
"""A name set aside ("X"), also a namespace before the target ("the prod checkout-api")."""
_OBJECTS = _OBJECT + r"(?:\s+(?:and|or)\s+" + _OBJECT + r")*"
"""One name or several: "checkout-api and calc-app are both fine"."""
_END = r"(?:\s+(?:please|pls|thanks|thx|btw|for now|right now|tho|though))*"
_FINE = (r"(?:fine|ok|okay|healthy|good|unaffected|unrelated|green|stable|not affected|"
         r"not involved|not the problem|not the issue)")
_ASIDE = re.compile(_START + r"(?:" + "|".join((
    # "calc-app is fine", "the calc-app pods look healthy", "calc-app is fine too"
    _OBJECTS + r"\s+(?:also\s+)?(?:is|are|was|were|looks|look|seems|seem|stays|remains|"
    r"appears)(?:\s+(?:still|already|totally|all|just|perfectly|completely|both|also))?\s+" + _FINE
    + r"(?:\s+too)?",
    # "calc-app can wait", "node-2 stays in rotation", "calc-app should be left alone"
    _OBJECTS + r"\s+(?:(?:can|should|will|could|may|must)\s+(?:wait|stay|remain|be left alone|"
    r"be ok|be okay|be fine|recover)|stays|remains)(?:\s+(?:as it is|as is|up|put|running|"
    r"serving|schedulable|in rotation|online|on its own|by itself|at [0-9]+))?",
    _OBJECTS + r"\s+(?:needs nothing|(?:should|must|can|may)(?:\s+not|n't)\s+be\s+"
    r"(?:touched|[a-z]+ed))",
    # "leave calc-app alone", "don't touch calc-app", "do not restart calc-app"
    r"(?:leave|keep|spare|skip|ignore|exclude)\s+" + _OBJECT
    + r"(?:\s+(?:alone|as is|as it is|out of (?:it|this)|untouched|running|serving|up|"
    r"in rotation|schedulable|online))?",
    r"(?:do not|don'?t|dont|never|(?:there'?s |there is )?no need to)\s+(?:touch|" + CHANGE
    + r")\s+" + _OBJECT,
    # "not calc-app", "except node-2", "instead of calc-app"
    r"(?:not|except|excluding|instead of|rather than|without touching)\s+" + _OBJECT,
    # "calc-app doesn't need it"
    _OBJECT + r"\s+(?:doesn'?t|does not|don'?t|do not)\s+need\s+(?:it|one|a restart|that|"
    r"anything)",
    # "then check calc-app", "we'll look at calc-app later", "ping the calc-app folks after"
    r"(?:then\s+|after that\s+)?(?:i'll\s+|we'll\s+|i will\s+|we will\s+|please\s+)?"
    + _READ + r"(?:\s+on)?\s+" + _OBJECT
    + r"(?:\s+(?:myself|later|after|afterwards|folks|team|recovers|too))*",
    # "calc-app depends on it": what it has to do with the target
    _OBJECT + r"\s+(?:depends on|calls|talks to|uses|relies on|sits behind|is downstream of|"
    r"is upstream of)\s+(?:it|T|this|that)",
    r"(?:because|since|as)\s+(?:of\s+)?" + _OBJECT + r"\s+(?:alerts?|errors?|issues?|"
    r"problems?|incident|outage|latency)",
    r"(?:because|since|as)\s+it(?:'s|\s+is)\s+(?:breaking|hurting|affecting|slowing down|"
    r"blocking)\s+" + _OBJECT,
    # "calc-app is slow", "the calc-app pods keep crashing": a report of it
    _OBJECT + r"\s+(?:is|are|was|were|keeps|kept|has been|have been|seems|looks)(?:\s+still)?"
    r"\s+(?:slow|down|failing|crashing|flapping|broken|stuck|erroring|timing out|degraded|"
    r"unhealthy|red|on fire|affected|throwing [a-z0-9'-]+|the victim)",
    # "the calc-app team is waiting on it", "for the calc-app folks"
    r"(?:for\s+)?(?:the\s+)?X\s+(?:team|folks|owners|people|devs|users|on-?call)"
    r"(?:\s+[a-z0-9'-]+){0,8}",
    # "because calc-app times out on it", "since calc-app depends on it"
    r"(?:because|since|as)\s+" + _OBJECT + r"\s+(?:is|was|keeps|times|timed|depends|calls|"
    r"needs|uses|talks|throws|has|had|got|went)(?:\s+[a-z0-9'-]+){0,8}",
)) + r")" + _END)
"""The only shapes of a clause that set its name aside: leaves it out, denies the change
of it, says it is fine, or gives the order's reason. Whole clauses, nothing more."""


@dataclass(frozen=True)
class OthersNamed:
    """Which other objects of the kind, and which other namespaces with an object of the
    target's name, the words name as candidates, in the order they are named."""

    objects: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()


def others_named(text: str, target: str, kind: ResourceKind, namespace: str | None,
                 *, executor: Executor, identity: Identity | None) -> OthersNamed:
    """The other objects of `kind` than `target`, and the other namespaces than `namespace`
    with an object named `target`, that `text` names as candidates, as the cluster lists
    them to `identity`. A name is none when its own clause, without the target, has one
    of the shapes that set it aside (`_ASIDE`), a clause of the target's asks for the
    target, and no clause without the target gives a change. Empty when none, or the
    names cannot be listed (the plan's dry-run still checks its one object)."""
    target = target.lower()
    # Markdown inside a name ("*calc*-app") is no part of it.
    folded = re.sub(r"[*~`]", "", plain_text(text).lower())
    clauses = [" ".join(clause.split()) for clause in _CLAUSE_END.split(folded)]
    clauses = [clause for clause in clauses if _NAME.search(clause)]
    names = _Names(executor, identity, kind, namespace)
    objects: list[str] = []
    namespaces: list[str] = []
    aside: set[str] = set()
    named: set[str] = set()  # named at least once not aside
    ordered_elsewhere = False
    for clause in clauses:
        words = _words(clause)
        found_here = []
        for word in words:
            if word == target:
                continue
            if names.is_object(word):
                found = objects
            elif (kind in NAMESPACED_OBJECTS and namespace and word != namespace
                  and names.is_namespace(word) and names.holds(word, target)):
                found = namespaces
            else:
                continue
            if word not in found:
                found.append(word)
            if found is namespaces and _their_own_subject(words, word):
                aside.add(word)  # "... and tell staging folks", "dev team will watch it"
                continue
            found_here.append(word)
        shape = _shape(clause, found_here, target)
        # The target only right after a name set aside: "the prod checkout-api is fine".
        apart = re.search(r"(?<!X )\bT\b", shape) is None
        # "... too" beside "fine", "then" before a read: adds no change.
        fine_too = (_FINE_TOO.search(shape) is not None
                    or _READ_SHAPE.match(re.sub("^" + _START, "", shape)) is not None)
        if apart and _ASIDE.fullmatch(shape) and not (
                (_ADDS.intersection(words) and not fine_too)
                or (_CHANGE_WORD.search(shape) and not _NEGATED.search(shape))):
            aside.update(found_here)
            continue
        named.update(found_here)
        if target not in words and any(_CHANGE_WORD.fullmatch(w) for w in words):
            ordered_elsewhere = True  # "calc-app is stuck, bounce it too"
    asked = any(target in _words(clause) and not _ASIDE.fullmatch(_shape(clause, [target], ""))
                for clause in clauses)
    if asked and not ordered_elsewhere:
        objects = [o for o in objects if o not in aside - named]
        namespaces = [n for n in namespaces if n not in aside - named]
    return OthersNamed(tuple(objects), tuple(namespaces))


def _their_own_subject(words: list[str], word: str) -> bool:
    """Whether a namespace is the subject of words of its own that give no change ("tell
    staging folks"; not "staging has to be restarted")."""
    at = words.index(word)
    rest = words[at + 1:]
    return (bool(rest) and rest[0] in OWN_SUBJECT and not _ADDS.intersection(rest)
            and not any(_CHANGE_WORD.fullmatch(w) for w in rest))


def _shape(clause: str, names: list[str], target: str) -> str:
    """The clause with each of `names` as "X", the target as "T" (the rest is lower case),
    and marks and emoji taken out."""
    words = re.findall(r"[a-z0-9][a-z0-9.'-]*", clause)
    return " ".join("X" if w in names else "T" if w == target else w for w in words)


def _words(clause: str) -> list[str]:
    """A clause's words, a dotted name also by its parts ("calc-app.prod")."""
    words = []
    for match in _NAME.finditer(clause):
        word = match.group(0)
        words += [word, *word.split(".")] if "." in word else [word]
    return words


_NAME_LIKE = re.compile(r"[-0-9]")
"""What a name looked for in every namespace has ("calc-app", "redis-0")."""


class _Names:
    """The cluster's names, listed once each and only when asked for."""

    def __init__(self, executor: Executor, identity: Identity | None, kind: ResourceKind,
                 namespace: str | None) -> None:
        self._executor = executor
        self._identity = identity
        self._kind = kind
        self._namespace = namespace
        self._cache: dict[tuple[ResourceKind, str | None], frozenset[str]] = {}

    def _listed(self, kind: ResourceKind, namespace: str | None) -> frozenset[str]:
        key = (kind, namespace)
        if key not in self._cache:
            try:
                self._cache[key] = frozenset(self._executor.names(kind, namespace,
                                                                  self._identity))
            except ClusterError:
                self._cache[key] = frozenset()
        return self._cache[key]

    def _namespaces(self) -> list[str]:
        # The namespaces a name is looked for in, as the name resolution offers them.
        return sorted(self._listed("namespace", None))[:MAX_OFFERED]

    def is_namespace(self, word: str) -> bool:
        return word in self._listed("namespace", None)

    def holds(self, namespace: str, name: str) -> bool:
        return name in self._listed(self._kind, namespace)

    def is_object(self, word: str) -> bool:
        if word.isdigit():
            return False
        if self._kind not in NAMESPACED_OBJECTS:
            return word in self._listed(self._kind, None)
        if self._namespace and word in self._listed(self._kind, self._namespace):
            return True
        if self._namespace and not _NAME_LIKE.search(word):
            # A plain word ("restart", "in") is looked for in the request's namespace only:
            # every word in every namespace would cost up to 20 API calls per change.
            return False
        return any(word in self._listed(self._kind, ns) for ns in self._namespaces())
