"""The words of a `hygiene_check` slot: which phrases name which pod hygiene checks.

`chatops.runbook.slots.parse_hygiene_check` cleans the raw value and refuses what this
does not read.
"""

from __future__ import annotations

import re

from chatops.verbs import HYGIENE_CHECKS

# Words that name a pod hygiene check (after lower-casing; `:latest` loses its colon), and
# the words that may surround them ("which pods have NO memory limits SET"). Anything else
# is refused, so a typo never silently widens or narrows the audit.
_CHECK_WORDS: dict[str, tuple[str, ...]] = {
    "ratio": ("limit-ratio",), "ratios": ("limit-ratio",), "overcommit": ("limit-ratio",),
    "readiness": ("readiness-probe",), "liveness": ("liveness-probe",),
    "probe": ("probes",), "probes": ("probes",), "healthchecks": ("probes",),
    "latest": ("latest-tag",), "untagged": ("latest-tag",), "tag": ("latest-tag",),
    "tags": ("latest-tag",), "unpinned": ("latest-tag",),
    "registry": ("registry",), "registries": ("registry",),
    "privileged": ("privileged",), "privilege": ("privileged",),
    "tty": ("tty-stdin",), "stdin": ("tty-stdin",), "interactive": ("tty-stdin",),
    "hostpath": ("host-path",), "root": ("run-as-root",), "nonroot": ("run-as-root",),
    "allowlist": ("registry",),
    "runasnonroot": ("run-as-root",), "runasuser": ("run-as-root",),
}
_RESOURCE_WORDS = {"cpu": "cpu", "cpus": "cpu", "memory": "memory", "mem": "memory",
                   "ram": "memory"}
_KIND_WORDS = {"request": "requests", "requests": "requests", "limit": "limits",
               "limits": "limits", "resources": "", "resource": ""}
_FILLER = frozenset({
    "no", "not", "missing", "without", "lacking", "unset", "set", "any", "a", "an", "the",
    "with", "of", "for", "in", "on", "by", "to", "our", "their", "containers", "container",
    "pods", "pod", "images", "image", "using", "use", "used", "uses", "run", "running",
    "runs", "as", "outside", "list", "allowed", "allow", "approved", "unapproved", "non",
    "public", "third", "party", "unknown", "foreign", "docker", "hub", "dockerhub",
    "untrusted", "external", "other", "mode", "volumes", "volume", "mounts",
    "mount", "check", "checks", "checking", "and", "or", "user", "users", "enabled", "flag",
    "flags", "from", "pulling", "pulled", "is", "are", "have", "has", "pinned", "mutable",
    "health", "definitions", "defined", "kubernetes", "k8s", "sizing",
})


_JOINS = frozenset({"and", "or", "nor", "plus"})
"""Words that join two checks in one phrase ("cpu requests and memory limits")."""


def _resource_checks(resources: set[str], kinds: set[str]) -> list[str]:
    """`memory limits` -> memory-limits; `requests` -> both; `memory` -> both kinds."""
    which = sorted(resources) or ["cpu", "memory"]
    what = sorted(k for k in kinds if k) or ["requests", "limits"]
    return [f"{r}-{k}" for r in which for k in what]


def _parts(words: list[str]) -> list[list[str]]:
    """The phrase cut at its joining words and commas (already dropped by the split)."""
    parts: list[list[str]] = [[]]
    for word in words:
        if word in _JOINS:
            parts.append([])
        else:
            parts[-1].append(word)
    return [p for p in parts if p]


def _elided_resource_checks(read: list[tuple[set[str], set[str]]]) -> list[str]:
    """The resource checks of the parts' (resources, kinds): a part naming only kinds adds
    them to the resources before it ("memory requests and limits"); then a group missing
    its kinds takes the next group's, else the previous one's ("cpu and memory limits",
    "cpu requests and memory"), and one missing its resources the next group's ("limits
    and requests for memory")."""
    groups: list[tuple[set[str], set[str]]] = []
    for resources, kinds in read:
        if not (resources or kinds):
            continue
        if not resources and groups and groups[-1][0]:
            groups[-1][1].update(kinds)
        else:
            groups.append((set(resources), {k for k in kinds if k}))
    checks: list[str] = []
    for index, (resources, kinds) in enumerate(groups):
        after, before = groups[index + 1:], groups[:index][::-1]
        elided_kinds = kinds or next((k for _, k in (*after, *before) if k), kinds)
        elided = resources or next((r for r, _ in after if r), resources)
        checks.extend(_resource_checks(elided, elided_kinds))
    return checks


def hygiene_checks(value: str) -> str | None:
    """The canonical check names a lower-cased phrase names, comma-separated in report
    order, or None when a word in it is neither a check nor filler (or it names none).

    Checks joined by "and", "or" or a comma are read each on its own, so "cpu requests and
    memory limits" is two checks, not all four; a resource or a kind left out of one part
    is the next part's kind or the previous part's resource, as people elide them ("cpu and
    memory limits", "memory requests and limits").
    """
    named = {name.strip() for name in value.split(",")}
    if named <= set(HYGIENE_CHECKS):
        return ",".join(c for c in HYGIENE_CHECKS if c in named)
    text = re.sub(r"health ?checks?", "healthchecks", re.sub(r"host ?paths?", "hostpath", value))
    text = re.sub(r"non[- ]root", "nonroot", text)
    # "registries outside the allow-list": the list names the registry check.
    text = re.sub(r"(?:allow|white|approved)[- ]?list(?:ed)?", "allowlist", text)
    words: list[str] = []
    for piece in text.split(","):
        words.extend(re.findall(r"[a-z0-9]+", piece.replace("-", " ").replace("_", " ")))
        words.append("and")
    found: set[str] = set()
    unknown = []
    read: list[tuple[set[str], set[str]]] = []  # each part's resources and kinds
    for part in _parts(words):
        resources: set[str] = set()
        kinds: set[str] = set()
        for word in part:
            if word in _CHECK_WORDS:
                found.update(_CHECK_WORDS[word])
            elif word in _RESOURCE_WORDS:
                resources.add(_RESOURCE_WORDS[word])
            elif word in _KIND_WORDS:
                kinds.add(_KIND_WORDS[word])
            elif word not in _FILLER:
                unknown.append(word)
        # "limit ratio" names the ratio check, not limits.
        if not any(_CHECK_WORDS.get(word) == ("limit-ratio",) for word in part):
            read.append((resources, kinds))
    found.update(_elided_resource_checks(read))
    if "probes" in found:
        # "probes" alone means both; "readiness probe" only the one it names.
        found.discard("probes")
        if not found & {"readiness-probe", "liveness-probe"}:
            found.update(("readiness-probe", "liveness-probe"))
    if unknown or not found:
        return None
    return ",".join(c for c in HYGIENE_CHECKS if c in found)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` and `b` differ by one insertion, deletion, substitution or swap of two
    neighbouring letters ("memroy" / "memory")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _meaning(word: str) -> object:
    """What a known word stands for, so that words meaning the same compare equal."""
    for table in (_CHECK_WORDS, _RESOURCE_WORDS, _KIND_WORDS):
        if word in table:
            return table[word]
    return None  # filler


def corrected_phrase(value: str) -> str | None:
    """`value` with each unknown word of four letters or more set to the one check word
    a single edit away, when that reads as checks ("memroy limits" -> "memory limits");
    None when a word has no such neighbour (or several that mean different things) or
    nothing changed. For a suggestion
    only: a typo is never read as a check without the person saying so."""
    known = sorted({*_CHECK_WORDS, *_RESOURCE_WORDS, *_KIND_WORDS, *_FILLER})
    words = value.split()
    out = []
    for word in words:
        bare = word.strip(",.?!:;")
        if bare in known or len(bare) < 4 or not bare.isalpha():
            out.append(word)
            continue
        near = [k for k in known if _one_edit(bare, k)]
        # Neighbours that mean the same ("limit", "limits" for "limitz") are one answer.
        if not near or len({_meaning(k) for k in near}) != 1:
            return None
        out.append(word.replace(bare, near[0]))
    fixed = " ".join(out)
    return fixed if fixed != value and hygiene_checks(fixed) is not None else None
