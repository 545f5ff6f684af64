"""The `patch_hpa` verb: change the bounds of the autoscaler that targets a deployment."""

from __future__ import annotations

from typing import Any

from chatops.errors import ClusterError, NotFound, Refusal
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube, Target
from chatops.executor.patch import JSON_PATCH, Body, apply, put, say, summary
from chatops.executor.registry import Call, registry
from chatops.model import ParamValue
from chatops.results import StepResult


def find_hpa(kube: Kube, namespace: str, deployment: str) -> dict[str, Any]:
    """The HorizontalPodAutoscaler whose scale target is the deployment."""
    hpas = reads.items(kube.json(
        Target("list", "horizontalpodautoscalers", namespace),
        kube.autoscaling.list_namespaced_horizontal_pod_autoscaler, namespace))
    for h in hpas:
        ref = cv.get(h, "spec", "scaleTargetRef", default={})
        if ref.get("kind") == "Deployment" and ref.get("name") == deployment:
            return h
    names = tuple(str(cv.get(h, "spec", "scaleTargetRef", "name")) for h in hpas)
    raise NotFound(f"no autoscaler targets deployment {deployment} in namespace {namespace}",
                   names, "Autoscaled deployments here: " + (", ".join(names) or "none") + ".")


def patch_hpa(kube: Kube, namespace: str, deployment: str, *, min_replicas: int | None,
              max_replicas: int | None, dry_run: bool) -> StepResult:
    """Change an autoscaler's minReplicas and/or maxReplicas."""
    if min_replicas is None and max_replicas is None:
        raise Refusal("give a minimum or a maximum number of replicas.")
    names: dict[str, str] = {}

    def read() -> dict[str, Any]:
        hpa = find_hpa(kube, namespace, deployment)
        names["hpa"] = str(cv.get(hpa, "metadata", "name"))
        return hpa

    def build(live: dict[str, Any]) -> tuple[Body, str]:
        low = min_replicas if min_replicas is not None else cv.get(
            live, "spec", "minReplicas", default=1)
        high = max_replicas if max_replicas is not None else cv.get(
            live, "spec", "maxReplicas", default=1)
        if low > high:
            raise Refusal(f"the minimum ({low}) would be above the maximum ({high}).",
                          "Change both, or pick values with min <= max.")
        ops = []
        if min_replicas is not None:
            ops.append(put("/spec/minReplicas", min_replicas))
        if max_replicas is not None:
            ops.append(put("/spec/maxReplicas", max_replicas))
        return ops, JSON_PATCH

    live_hpa = find_hpa(kube, namespace, deployment)
    hpa_name = str(cv.get(live_hpa, "metadata", "name"))
    applied = apply(kube, Target("patch", "horizontalpodautoscalers", namespace, hpa_name),
                    read=read, build=build,
                    send=kube.autoscaling.patch_namespaced_horizontal_pod_autoscaler,
                    send_args=(hpa_name, namespace), dry_run=dry_run)
    before: dict[str, ParamValue] = {
        "min_replicas": cv.get(applied.live, "spec", "minReplicas", default=1),
        "max_replicas": cv.get(applied.live, "spec", "maxReplicas"),
    }
    text = summary(f"change autoscaler {names['hpa']} of deployment {deployment} in "
                   f"{namespace}", applied.changes, dry_run)
    low = int(cv.get(applied.result, "spec", "minReplicas", default=1))
    high = int(cv.get(applied.result, "spec", "maxReplicas", default=1))
    moved = _moves_now(kube, namespace, deployment, low, high) if dry_run else None
    return StepResult("patch_hpa", dry_run, say(text, dry_run),
                      applied.changes, (), before, warnings=(moved,) if moved else ())


def _moves_now(kube: Kube, namespace: str, deployment: str, low: int, high: int) -> str | None:
    """What the new bounds do to the deployment at once: the controller brings a count
    outside [min, max] inside it, and an undo of the bounds does not bring it back. None
    when the count stays (or cannot be read as the requester: the warning is a courtesy)."""
    try:
        current = int(cv.get(reads.read_deployment(kube, namespace, deployment),
                             "spec", "replicas", default=1))
    except ClusterError:
        return None
    if current == 0:  # the autoscaler leaves a deployment at 0 alone
        return None
    target = low if current < low else high if current > high else current
    if target == current:
        return None
    way = "up" if target > current else "down"
    return (f"under the new bounds the autoscaler scales deployment {deployment} from "
            f"{current} {way} to {target} at once; an undo of the bounds does not scale it back")


@registry.write("patch_hpa")
def _patch_hpa(c: Call) -> StepResult:
    p = c.params
    return patch_hpa(c.kube, p.s("namespace"), p.s("deployment"),
                     min_replicas=p.opt_i("min_replicas"), max_replicas=p.opt_i("max_replicas"),
                     dry_run=c.dry_run)
