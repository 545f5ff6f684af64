"""Autoscalers in a diagnosis: what a HorizontalPodAutoscaler's conditions say is wrong.

Three states leave a workload without the scaling its team counts on, while its pods look
healthy: the controller cannot compute a count (`ScalingActive=False`: no metrics API, a
utilization target on containers without requests, an external metric that is gone), it
cannot read or change its target's scale (`AbleToScale=False`: the target is gone, or the
controller is refused), or it holds the target at its maximum while the load asks for
more (`ScalingLimited=True`, `TooManyReplicas`). Each is a warning, in fixed sentences
with the controller's own reason and (redacted, cut) message.

`ScalingActive=False` with `ScalingDisabled` is not a finding: the controller stands aside
while someone holds the target at zero replicas, as it is meant to.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from chatops.errors import ClusterError, Forbidden
from chatops.executor import convert as cv
from chatops.executor import reads
from chatops.executor.client import Kube, Target
from chatops.results import Condition, Finding

MESSAGE_CHARS = 240
"""The controller's message is quoted up to this many characters (external metric errors
can be long)."""

CEILING = 100
"""The highest maximum `set_autoscaling` accepts (its `max_replicas` slot)."""

_BOILERPLATE = "the HPA was unable to compute the replica count: "
_NO_METRICS_API = re.compile(r"metrics\.k8s\.io|resource metrics API", re.IGNORECASE)
_NO_REQUEST = re.compile(r"missing request for (cpu|memory)", re.IGNORECASE)

Obj = dict[str, Any]
log = logging.getLogger(__name__)


def listed(kube: Kube, namespace: str) -> list[Obj] | None:
    """The namespace's autoscalers, or None when the requester may not list them (the
    diagnosis goes on without them)."""
    try:
        return reads.items(kube.json(
            Target("list", "horizontalpodautoscalers", namespace),
            kube.autoscaling.list_namespaced_horizontal_pod_autoscaler, namespace))
    except Forbidden:
        return None
    except ClusterError as exc:
        # An attacker review: a failing listing failed the whole diagnosis it only adds to.
        log.info("autoscalers of %s not read: %s", namespace, exc.message)
        return []


def target(hpa: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, name) of what the autoscaler scales, the kind lower-cased (`deployment`)."""
    ref = cv.get(hpa, "spec", "scaleTargetRef", default={}) or {}
    return str(ref.get("kind", "")).lower(), str(ref.get("name", ""))


def targeting(hpas: Sequence[Obj], kind: str, name: str) -> list[Obj]:
    return [h for h in hpas if target(h) == (kind, name)]


def _why(c: Condition) -> str:
    message = c.message.removeprefix(_BOILERPLATE).strip()
    if len(message) > MESSAGE_CHARS:
        message = message[:MESSAGE_CHARS - 3] + "..."
    return f"{c.reason}: {message}" if message else c.reason or "no reason given"


def _count(value: Any, absent: int) -> int:
    """A replica count of the object, `absent` when it has none (0 stays 0)."""
    return absent if value is None else int(value)


def findings(hpa: Mapping[str, Any], namespace: str) -> list[Finding]:
    """The autoscaler's problems, each a warning titled with the autoscaler."""
    name = str(cv.get(hpa, "metadata", "name"))
    kind, of = target(hpa)
    subject = f"autoscaler {name}"
    low = _count(cv.get(hpa, "spec", "minReplicas", default=None), 1)
    high = _count(cv.get(hpa, "spec", "maxReplicas", default=None), 1)
    current = _count(cv.get(hpa, "status", "currentReplicas", default=None), 0)
    by_type = {c.type: c for c in cv.conditions(hpa)}
    out: list[Finding] = []
    able = by_type.get("AbleToScale")
    if able is not None and able.status == "False":
        verb = "read" if able.reason == "FailedGetScale" else "change"
        text = f"{subject} cannot {verb} the scale of {kind} {of} ({_why(able)})."
        if "not found" in able.message:
            text += f" The {kind} does not exist: the autoscaler is left over, or it names " \
                    "the wrong target."
        out.append(Finding("warning", subject, text))
    active = by_type.get("ScalingActive")
    if active is not None and active.status == "False" and active.reason != "ScalingDisabled":
        no_api = _NO_METRICS_API.search(active.message) is not None
        # Without a metrics API the controller's message is a long chain of wrappers; the
        # sentence added below says it plainly.
        why = active.reason if no_api else _why(active)
        text = (f"{subject} cannot compute a replica count for {kind} {of} ({why}): it does "
                f"not follow the load, and only keeps {of} between {low} and {high} replicas.")
        missing = _NO_REQUEST.search(active.message)
        if no_api:
            text += (" The cluster serves no resource metrics API (metrics-server missing or "
                     "down): every autoscaler on cpu or memory is affected.")
            out.append(Finding("warning", subject, text))
        elif missing and kind == "deployment":
            text += (f" A utilization target needs a {missing.group(1).lower()} request on "
                     "every container; rightsize suggests one from the usage.")
            out.append(Finding("warning", subject, text, "rightsize",
                               {"namespace": namespace, "deployment": of}))
        else:
            out.append(Finding("warning", subject, text))
    limited = by_type.get("ScalingLimited")
    if (limited is not None and limited.status == "True"
            and limited.reason == "TooManyReplicas" and current >= high):
        text = (f"{subject} holds {kind} {of} at its maximum of {high} replicas while the "
                "load asks for more.")
        if kind == "deployment" and high < CEILING:
            raised = min(CEILING, high + max(1, math.ceil(high / 2)))
            text += f" If the pods are overloaded, raise the maximum (to {raised}, say)."
            out.append(Finding("warning", subject, text, "set_autoscaling",
                               {"namespace": namespace, "deployment": of,
                                "max_replicas": str(raised)}))
        else:
            out.append(Finding("warning", subject, text, outside_catalogue=True))
    return out
