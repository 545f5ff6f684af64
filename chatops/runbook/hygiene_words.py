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
    "runs", "as", "outside", "list", "allowed", "allow", "allowlist", "approved",
    "unapproved", "untrusted", "external", "other", "mode", "volumes", "volume", "mounts",
    "mount", "check", "checks", "checking", "and", "or", "user", "users", "enabled", "flag",
    "flags", "from", "pulling", "pulled", "is", "are", "have", "has", "pinned", "mutable",
    "health", "definitions", "defined", "kubernetes", "k8s", "sizing",
})


def _resource_checks(resources: set[str], kinds: set[str]) -> list[str]:
    """`memory limits` -> memory-limits; `requests` -> both; `memory` -> both kinds."""
    which = sorted(resources) or ["cpu", "memory"]
    what = sorted(k for k in kinds if k) or ["requests", "limits"]
    return [f"{r}-{k}" for r in which for k in what]


def hygiene_checks(value: str) -> str | None:
    """The canonical check names a lower-cased phrase names, comma-separated in report
    order, or None when a word in it is neither a check nor filler (or it names none)."""
    named = {name.strip() for name in value.split(",")}
    if named <= set(HYGIENE_CHECKS):
        return ",".join(c for c in HYGIENE_CHECKS if c in named)
    text = re.sub(r"health ?checks?", "healthchecks", value.replace("host path", "hostpath"))
    text = re.sub(r"non[- ]root", "nonroot", text)
    words = re.findall(r"[a-z0-9]+", text.replace("-", " ").replace("_", " "))
    found: set[str] = set()
    resources: set[str] = set()
    kinds: set[str] = set()
    unknown = []
    for word in words:
        if word in _CHECK_WORDS:
            found.update(_CHECK_WORDS[word])
        elif word in _RESOURCE_WORDS:
            resources.add(_RESOURCE_WORDS[word])
        elif word in _KIND_WORDS:
            kinds.add(_KIND_WORDS[word])
        elif word not in _FILLER:
            unknown.append(word)
    if "limit-ratio" not in found and (resources or kinds):
        found.update(_resource_checks(resources, kinds))
    if "probes" in found:
        # "probes" alone means both; "readiness probe" only the one it names.
        found.discard("probes")
        if not found & {"readiness-probe", "liveness-probe"}:
            found.update(("readiness-probe", "liveness-probe"))
    if unknown or not found:
        return None
    return ",".join(c for c in HYGIENE_CHECKS if c in found)
