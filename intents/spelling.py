"""Misspelt command words, set right before the model reads them.

People type fast in an incident: "rolback search-gw", "evnets in billing", "dpeloyment
recon-worker is not healthy". The model has seen typos in training, but a misspelt verb
still often lands out of scope, because its sub-words say nothing. A word is read as a
command word when it is one edit away (a letter inserted, dropped, changed, or two
neighbours swapped) from exactly one of them, and is not a word in its own right.

What counts as "a word in its own right" is the encoder's vocabulary: a word it has whole
("scaled", "stats", "drained") is English it understands, and is never rewritten, so an
inflection or another word is not turned into an imperative. Only letters, at least five
of them (four for two neighbours swapped: "lgos"): names with digits, dashes or dots, and
short words with too many neighbours, are left alone. Only what the model reads changes;
slot values still come from the text as the person typed it.
"""

from __future__ import annotations

from collections.abc import Callable

from chatops.near_names import without_vowels

# The catalogue's verbs and nouns, and their forms the encoder does not have whole (so
# that they are never "corrected" into another command word).
COMMAND_WORDS = frozenset((
    "restart", "restarts", "restarted", "restarting", "rollback", "rollbacks", "rollout",
    "rollouts", "revert", "undo", "scale", "scaling", "drain", "drained", "draining", "cordon",
    "cordoned", "cordoning", "uncordon", "uncordoned", "uncordoning", "delete", "deleted",
    "deleting", "describe", "suspend", "suspended", "resume", "resumed", "pause", "paused",
    "diagnose", "diagnosis", "troubleshoot", "evict", "terminate", "recreate", "replace",
    "increase", "decrease", "raise", "lower", "update", "upgrade", "downgrade", "bump", "set",
    "show", "list", "check", "deployment", "deployments", "namespace", "namespaces", "events",
    "event", "logs", "status", "replicas", "replica", "history", "revision", "revisions",
    "previous", "version", "image", "images", "pods", "nodes", "node", "cronjob", "cronjobs",
    "container", "containers", "healthy", "unhealthy", "broken", "failing", "crashing",
    "crashloop", "memory", "limits", "limit", "requests", "request", "resources", "autoscaler",
    "autoscaling", "minimum", "maximum", "hygiene", "probes", "probe", "readiness", "liveness",
    "privileged", "registry", "registries", "rightsize", "schedulable", "unschedulable",
    "workloads", "workload", "what", "which", "please",
    # Words of their own that are one edit from one above ("kubectl autoscale" creates).
    "autoscale", "autoscaled", "rightsized", "rightsizing", "cordons", "uncordons",
))

_MIN_LENGTH = 5
_SWAP_LENGTH = 4

DELETING = frozenset(("delete", "deleted", "deleting", "terminate", "recreate", "replace"))
"""Command words of a deletion, which no typo or shorthand is read as: the guards read the
words as typed, and "trmnt node-1" or "termnate node-1" is no deletion to them (an
attacker review: a drain was planned for "trmnt node-1", which "terminate" is refused as)."""


def _deletes(word: str) -> list[str]:
    """`word` and every string one letter shorter."""
    return [word, *(word[:i] + word[i + 1:] for i in range(len(word)))]


# Each command word under itself and each of its one-letter deletions: two words one
# insertion, deletion or change apart share an entry (a symmetric-delete index), so a typo
# is looked up in a few dictionary reads, not compared with every command word.
_BY_DELETION: dict[str, frozenset[str]] = {}
for _command in COMMAND_WORDS:
    for _key in _deletes(_command):
        _BY_DELETION[_key] = _BY_DELETION.get(_key, frozenset()) | {_command}


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one insertion, deletion, change or swap of
    neighbours (both differ)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
    return short[i:] == long[i + 1:]


# Shorthand typed in a hurry or borrowed from kubectl ("desc po ...", "logs in prod ns",
# "whats up w/ calc-app"; a second user trial): what the model reads instead. Never
# "deploy" (a verb too), nor the short names of kinds no runbook changes ("sts", "svc",
# "ds"): the model reads those as such already, and "statefulsets" made it refuse "delete
# the sts pod zk-1" (the attacker sets' requests); nor "po", which cost a blind incident
# set a message read right.
SHORTHAND = {
    "desc": "describe", "ns": "namespace", "cj": "cronjob", "chk": "check",
    "w/": "with", "w/o": "without", "evts": "events",
    "deets": "details", "imgs": "images", "img": "image", "req": "request",
    "reqs": "requests", "lim": "limit", "lims": "limits",
}


# A command word written without its vowels ("pls rstrt chkout-api": a user trial got
# "rstrt" as the deployment), when no other command word is written the same way.
_SKELETONS: dict[str, str | None] = {}
for _command in COMMAND_WORDS:
    _bare = without_vowels(_command)
    # Not "pls": the model knows it as typed, and read as "please" it made an attacker
    # set's words to a colleague a request.
    if (len(_bare) >= 3 and _bare != _command and _command not in DELETING
            and _command != "please"):
        _SKELETONS[_bare] = None if _bare in _SKELETONS else _command


def _swaps(word: str) -> set[str]:
    """The command words `word` is with two neighbours swapped."""
    return {swapped for i in range(len(word) - 1)
            if (swapped := word[:i] + word[i + 1] + word[i] + word[i + 2:]) in COMMAND_WORDS}


def corrected(word: str, known: Callable[[str], bool]) -> str:
    """`word`, or the one command word it is a typo of, or what its shorthand stands for;
    `known(w)` says whether the encoder has the lower-case word `w` whole."""
    lower = word.lower()
    if lower in SHORTHAND:
        return SHORTHAND[lower]
    if (lower.isascii() and lower.isalpha() and without_vowels(lower) == lower
            and (whole := _SKELETONS.get(lower))):
        return whole
    if (len(lower) < _SWAP_LENGTH or not lower.isascii() or not lower.isalpha()
            or lower in COMMAND_WORDS or known(lower)):
        return word
    if len(lower) < _MIN_LENGTH:
        # Four letters: only two neighbours swapped ("lgos", "lsit", "shwo": a user trial),
        # the commonest slip of a fast hand; any edit would have too many neighbours.
        swaps = _swaps(lower) - DELETING
        return next(iter(swaps)) if len(swaps) == 1 else word
    candidates: set[str] = set()
    for key in _deletes(lower):
        candidates |= _BY_DELETION.get(key, frozenset())
    # A swap of neighbours is two deletions apart: looked up directly.
    candidates |= _swaps(lower)
    near = {c for c in candidates if one_edit_apart(lower, c) and c not in DELETING}
    return next(iter(near)) if len(near) == 1 else word
