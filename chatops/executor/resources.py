"""`set_resources`: one container's CPU and memory requests and limits, canonicalised and
checked (a limit never below its request) before the deployment is patched through
`chatops.executor.writes`' deployment write, like the other deployment verbs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatops.errors import Refusal
from chatops.executor import convert as cv
from chatops.executor.client import Kube
from chatops.executor.patch import JSON_PATCH, Body, pointer, put, summary
from chatops.executor.registry import Call, registry
from chatops.executor.writes import deployment_result, deployment_write, pick_container
from chatops.model import ParamValue
from chatops.quantities import (
    QuantityError,
    describe_cpu,
    describe_memory,
    format_cpu,
    format_memory,
    memory_bytes,
    millicores,
)
from chatops.results import StepResult

RESOURCE_PARAMS: tuple[tuple[str, str, str], ...] = (
    ("cpu_request", "requests", "cpu"), ("cpu_limit", "limits", "cpu"),
    ("memory_request", "requests", "memory"), ("memory_limit", "limits", "memory"),
)
"""`set_resources` parameter -> (`requests` or `limits`, resource name)."""
UNSET = "none"
"""A `set_resources` value that removes the request or limit (and what `before` holds for
one that was not set, so that undo removes what the change added)."""


def _canonical(resource: str, text: str, param: str) -> str:
    """A quantity in the form the slot types accept (`500m`, `256Mi`); refuses junk."""
    hint = "Use e.g. 250m or 0.5 for CPU, 256Mi or 1Gi for memory, or none to remove it."
    try:
        amount = millicores(text) if resource == "cpu" else memory_bytes(text)
    except QuantityError as e:
        raise Refusal(f"{param}: {e.message}", hint) from None
    if amount < 0:
        raise Refusal(f"{param}: {text[:32]!r} is negative.", hint)
    return format_cpu(amount) if resource == "cpu" else format_memory(amount)


def _check_order(resources: Mapping[str, Mapping[str, str]], container: str) -> None:
    """A limit below its request is refused (the API server would refuse it too, less
    clearly). A request left unset takes the limit's value, so it cannot be above it."""
    for resource, show in (("cpu", describe_cpu), ("memory", describe_memory)):
        request = resources.get("requests", {}).get(resource)
        limit = resources.get("limits", {}).get(resource)
        if request is None or limit is None:
            continue
        parse = millicores if resource == "cpu" else memory_bytes
        if parse(limit) < parse(request):
            word = "CPU" if resource == "cpu" else "memory"
            raise Refusal(
                f"the {word} limit of container {container} would be {show(parse(limit))}, "
                f"below its {word} request of {show(parse(request))}.",
                f"A limit must be at least the request: raise {resource}_limit, or lower "
                f"{resource}_request in the same change.")


def set_resources(kube: Kube, namespace: str, name: str, values: Mapping[str, str | None], *,
                  container: str | None, dry_run: bool, cause: str = "") -> StepResult:
    """Set one container's CPU/memory requests and limits (`none` removes one); the other
    resources of the container, and the other containers, are left as they are."""
    wanted = {param: (UNSET if str(v).lower() == UNSET else _canonical(resource, str(v), param))
              for param, _, resource in RESOURCE_PARAMS
              if (v := values.get(param)) not in (None, "")}
    if not wanted:
        raise Refusal("give at least one of cpu_request, cpu_limit, memory_request or "
                      "memory_limit.", "For example: memory_limit=512Mi.")
    chosen: dict[str, str] = {}
    before: dict[str, ParamValue] = {}

    def build(live: dict[str, Any]) -> tuple[Body, str]:
        containers = cv.get(live, "spec", "template", "spec", "containers", default=[])
        c = pick_container(containers, container, name, namespace)
        chosen["name"] = str(c["name"])
        current: dict[str, Any] = dict(c.get("resources") or {})
        maps = {kind: {k: str(v) for k, v in (current.get(kind) or {}).items()}
                for kind in ("requests", "limits")}
        before.clear()
        before["container"] = chosen["name"]
        for param, kind, resource in RESOURCE_PARAMS:
            if param not in wanted:
                before[param] = ""
                continue
            old = maps[kind].get(resource)
            before[param] = _canonical(resource, old, param) if old is not None else UNSET
            if wanted[param] == UNSET:
                maps[kind].pop(resource, None)
            else:
                maps[kind][resource] = wanted[param]
        _check_order(maps, chosen["name"])
        for kind in ("requests", "limits"):
            if maps[kind]:
                current[kind] = maps[kind]
            else:
                current.pop(kind, None)
        # The index is safe: the generation test refuses the patch if the spec moved.
        index = containers.index(c)
        return [put(pointer("spec", "template", "spec", "containers", index, "resources"),
                    current)], JSON_PATCH

    written = deployment_write(kube, namespace, name, build, dry_run, cause=cause)
    applied = written[0]
    text = summary(f"set the resources of container {chosen['name']} of deployment {name} "
                   f"in {namespace}", applied.changes, dry_run)
    return deployment_result("set_resources", text, written, dry_run=dry_run, before=before)


@registry.write("set_resources")
def _set_resources(c: Call) -> StepResult:
    p = c.params
    return set_resources(c.kube, p.s("namespace"), p.s("deployment"),
                         {param: p.opt_s(param) for param, _, _ in RESOURCE_PARAMS},
                         container=p.opt_s("container"), dry_run=c.dry_run, cause=c.cause)
