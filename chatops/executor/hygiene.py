"""`pod_hygiene`: the pods' specs against the checks of Polaris, kube-score and the
Gatekeeper library: resources, probes, image tags and registries, privileges, host paths.

Read-only, as the requester: one namespace, or every namespace they may list pods in. Each
check yields a `HygieneCheck` with its failing rows, one per container of a workload (pods
of one deployment, statefulset, job, ... share a row and are counted), at most `MAX_ROWS`.
The registry allow-list and the limit/request ratio bound are the platform team's settings
(`Call.hygiene`, from `CHATOPS_HYGIENE_REGISTRIES` and `CHATOPS_HYGIENE_MAX_LIMIT_RATIO`);
with no allow-list the registry check reports itself unconfigured instead of flagging all.

Image names and volume paths are the cluster's text, so they are made one printable line
and cut short before they reach a record (Slack escaping happens where it is rendered).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from chatops.errors import Forbidden, Refusal
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube, Target
from chatops.executor.redact import redact
from chatops.executor.registry import Call, registry
from chatops.results import HygieneCheck, HygieneRow, HygieneSummary, Record
from chatops.verbs import HYGIENE_CHECKS, HygieneRules

MAX_ROWS = 8
"""Rows kept per check; the rest are counted (`HygieneCheck.total`)."""
CELL = 60
"""Longest text of the cluster's (an image name, a path) kept in a row."""

Obj = dict[str, Any]
ContainerCheck = Callable[[Obj, Obj, HygieneRules], str | None]
"""(pod spec, container, rules) -> why the container fails the check, or None."""

_INIT_CHECKS = frozenset({"latest-tag", "registry", "privileged", "tty-stdin", "run-as-root"})
"""Checks that apply to init containers too (probes and sizing concern long-running ones)."""
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|"
                       r"[numkMGTPE])?$")
_SUFFIX = {"Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30,
           "Ti": Decimal(2) ** 40, "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
           "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal(10**3),
           "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
           "P": Decimal(10**15), "E": Decimal(10**18)}


def cell(text: str, limit: int = CELL) -> str:
    """The cluster's text as one short printable line (no line breaks to fake rows with)."""
    flat = "".join(ch if ch.isprintable() else "?" for ch in redact(text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quantity(text: str) -> Decimal | None:
    """A Kubernetes quantity (`500m`, `1.5`, `128Mi`, `1e3`) as a number, or None."""
    match = _QUANTITY.match(text.strip())
    if not match:
        return None
    try:
        number, suffix = Decimal(match.group(1)), match.group(2) or ""
        if len(suffix) > 1 and suffix[0] in "eE":  # an exponent; a lone E is exa
            return number * Decimal(10) ** int(suffix[1:])
        return number * _SUFFIX.get(suffix, Decimal(1))
    except InvalidOperation:
        return None


def image_parts(image: str) -> tuple[str, str, bool]:
    """(repository with its registry, tag, pinned by digest) the way a runtime reads a
    reference: `nginx` is `docker.io/library/nginx` with no tag."""
    ref, _, digest = image.strip().partition("@")
    slash, colon = ref.rfind("/"), ref.rfind(":")
    tag = ref[colon + 1:] if colon > slash else ""
    repo = ref[:colon] if colon > slash else ref
    first = repo.split("/", 1)[0]
    if "/" not in repo:
        repo = f"docker.io/library/{repo}"
    elif "." not in first and ":" not in first and first != "localhost":
        repo = f"docker.io/{repo}"
    return repo.lower(), tag, bool(digest)


def _resource(kind: str, name: str) -> ContainerCheck:
    def check(_pod: Obj, c: Obj, _rules: HygieneRules) -> str | None:
        return None if cv.get(c, "resources", kind, name) else ""
    return check


def _ratio(_pod: Obj, c: Obj, rules: HygieneRules) -> str | None:
    over = []
    for name in ("cpu", "memory"):
        limit = str(cv.get(c, "resources", "limits", name, default=""))
        request = str(cv.get(c, "resources", "requests", name, default=""))
        lim, req = quantity(limit), quantity(request)
        if lim is None or req is None or req <= 0:
            continue
        ratio = lim / req
        if ratio > Decimal(str(rules.max_limit_ratio)):
            over.append(f"{name} {float(ratio):.3g}x ({cell(request, 12)} -> {cell(limit, 12)})")
    return ", ".join(over) or None


def _probe(kind: str) -> ContainerCheck:
    def check(_pod: Obj, c: Obj, _rules: HygieneRules) -> str | None:
        return None if c.get(kind) else ""
    return check


def _latest(_pod: Obj, c: Obj, _rules: HygieneRules) -> str | None:
    image = str(c.get("image") or "")
    _, tag, pinned = image_parts(image)
    if pinned or (tag and tag != "latest"):
        return None
    return cell(image)


def _registry(_pod: Obj, c: Obj, rules: HygieneRules) -> str | None:
    image = str(c.get("image") or "")
    repo, _, _ = image_parts(image)
    allowed = any(repo == e or repo.startswith(f"{e}/") for e in rules.allowed_registries)
    return None if allowed else cell(image)


def _privileged(_pod: Obj, c: Obj, _rules: HygieneRules) -> str | None:
    return "" if cv.get(c, "securityContext", "privileged") is True else None


def _tty(_pod: Obj, c: Obj, _rules: HygieneRules) -> str | None:
    on = [flag for flag in ("tty", "stdin") if c.get(flag) is True]
    return ", ".join(on) or None


def _root(pod: Obj, c: Obj, _rules: HygieneRules) -> str | None:
    """Root unless runAsNonRoot is true or runAsUser is not 0 (container over pod)."""
    def setting(key: str) -> Any:
        own = cv.get(c, "securityContext", key)
        return own if own is not None else cv.get(pod, "securityContext", key)
    if setting("runAsNonRoot") is True:
        return None
    user = setting("runAsUser")
    if user is not None and user != 0:
        return None
    return "runAsUser 0" if user == 0 else "runAsUser unset, runAsNonRoot not true"


CONTAINER_CHECKS: dict[str, ContainerCheck] = {
    "cpu-requests": _resource("requests", "cpu"),
    "memory-requests": _resource("requests", "memory"),
    "cpu-limits": _resource("limits", "cpu"),
    "memory-limits": _resource("limits", "memory"),
    "limit-ratio": _ratio,
    "readiness-probe": _probe("readinessProbe"),
    "liveness-probe": _probe("livenessProbe"),
    "latest-tag": _latest,
    "registry": _registry,
    "privileged": _privileged,
    "tty-stdin": _tty,
    "run-as-root": _root,
}


def _failures(pod: Obj, checks: tuple[str, ...], rules: HygieneRules
              ) -> list[tuple[str, str, str]]:
    """(check, container, detail) for everything the pod fails."""
    spec = cv.get(pod, "spec", default={})
    out: list[tuple[str, str, str]] = []
    containers = [(c, False) for c in spec.get("containers") or []]
    containers += [(c, True) for c in spec.get("initContainers") or []]
    for c, init in containers:
        for check in checks:
            fn = CONTAINER_CHECKS.get(check)
            if fn is None or (init and check not in _INIT_CHECKS):
                continue
            detail = fn(spec, c, rules)
            if detail is not None:
                out.append((check, str(c.get("name", "")), detail))
    if "host-path" in checks:
        for v in spec.get("volumes") or []:
            if v.get("hostPath"):
                path = cell(str(cv.get(v, "hostPath", "path", default="")))
                out.append(("host-path", "", f"volume {v.get('name', '')}: {path}"))
    return out


def audit(pods: list[Obj], checks: tuple[str, ...], rules: HygieneRules
          ) -> tuple[tuple[HygieneCheck, ...], int]:
    """Each check's outcome over `pods`, failing checks first, and the number of workloads."""
    rows: dict[str, dict[tuple[str, str, str, str], int]] = {c: {} for c in checks}
    workloads = set()
    for pod in pods:
        namespace = str(cv.get(pod, "metadata", "namespace", default=""))
        workload = cv.pod_workload(pod)
        workloads.add((namespace, workload))
        for check, container, detail in dict.fromkeys(_failures(pod, checks, rules)):
            key = (namespace, workload, container, detail)
            rows[check][key] = rows[check].get(key, 0) + 1
    results = []
    for check in checks:
        found = [HygieneRow(*key, pods=n) for key, n in sorted(rows[check].items())]
        if check == "registry" and not rules.allowed_registries:
            results.append(HygieneCheck(check, configured=False))
            continue
        setting = (f"{rules.max_limit_ratio:g}x" if check == "limit-ratio" else
                   ", ".join(rules.allowed_registries) if check == "registry" else "")
        results.append(HygieneCheck(check, tuple(found[:MAX_ROWS]), len(found),
                                    setting=setting))
    results.sort(key=lambda r: (r.passed, not r.configured))
    return tuple(results), len(workloads)


def _all_pods(kube: Kube) -> tuple[list[Obj], int, int]:
    """Pods of every namespace the requester may list: (pods, namespaces, unreadable)."""
    try:
        pods = reads.items(kube.json(Target("list", "pods"),
                                     kube.core.list_pod_for_all_namespaces))
        return pods, len({cv.get(p, "metadata", "namespace") for p in pods}), 0
    except Forbidden as denied:
        try:
            names = [str(cv.get(n, "metadata", "name")) for n in reads.items(
                kube.json(Target("list", "namespaces"), kube.core.list_namespace))]
        except Forbidden:
            raise Forbidden(f"{kube.who} may not list pods in every namespace, nor list the "
                            "namespaces to check them one by one.",
                            "Name a namespace you may read: pod hygiene in prod.") from denied
    pods, unreadable = [], 0
    for name in names:
        try:
            pods += reads.items(kube.json(Target("list", "pods", name),
                                          kube.core.list_namespaced_pod, name))
        except Forbidden:
            unreadable += 1
    if names and unreadable == len(names):
        raise Forbidden(f"{kube.who} may not list pods in any namespace.",
                        "Ask a cluster admin for a Role that allows it.")
    return pods, len(names) - unreadable, unreadable


def selected(raw: str | None) -> tuple[str, ...]:
    """The checks a `check` parameter names (comma-separated canonical names), or all."""
    if not raw:
        return HYGIENE_CHECKS
    named = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = sorted(named - set(HYGIENE_CHECKS))
    if unknown:
        raise Refusal(f"there is no pod hygiene check called {cell(unknown[0], 40)!r}.",
                      f"Checks: {', '.join(HYGIENE_CHECKS)}; or name none to run them all.")
    return tuple(c for c in HYGIENE_CHECKS if c in named)


def pod_hygiene(kube: Kube, namespace: str | None, checks: tuple[str, ...],
                rules: HygieneRules) -> tuple[Record, ...]:
    """A `HygieneSummary`, then a `HygieneCheck` per check, failing ones first. Pods that
    finished (Succeeded, Failed) or are being deleted are left out."""
    if namespace:
        pods = reads.items(kube.json(Target("list", "pods", namespace),
                                     kube.core.list_namespaced_pod, namespace))
        spaces, unreadable = 1, 0
    else:
        pods, spaces, unreadable = _all_pods(kube)
    live = [p for p in pods if cv.get(p, "status", "phase") not in ("Succeeded", "Failed")
            and not cv.get(p, "metadata", "deletionTimestamp")]
    results, workloads = audit(live, checks, rules)
    return (HygieneSummary(namespace, len(live), workloads, spaces, unreadable), *results)


@registry.read("pod_hygiene")
def _pod_hygiene(c: Call) -> tuple[Record, ...]:
    p = c.params
    return pod_hygiene(c.kube, p.opt_s("namespace"), selected(p.opt_s("check")), c.hygiene)
