"""The fixed verb set: every action a runbook step may take, with its parameter schema.

This is the half of a verb the runbook engine sees (it validates and renders steps against
it), so it imports nothing from the executor or `kubernetes`. The other half, what the verb
does, is registered under the same name next to its code in `chatops.executor` (e.g.
`@registry.write("scale")` in `writes.py`); a test fails when either half lacks the other.
A runbook naming a verb outside this set is invalid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from chatops.model import frozen_map

ParamType = Literal["str", "int", "bool"]
VerbKind = Literal["read", "mutate", "verify"]


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a verb: its scalar type and whether a step must give it."""

    type: ParamType
    required: bool = False


@dataclass(frozen=True)
class VerbSpec:
    """A verb: what kind of call it is, its parameters, and a one-line summary template.

    `summary` is a `str.format` pattern over the parameters, used when a plan is explained.
    """

    name: str
    kind: VerbKind
    summary: str
    params: Mapping[str, ParamSpec] = field(default_factory=frozen_map)
    observes: tuple[str, ...] = ()
    """Parameters of a check that the run fills from what its steps observed (a step's
    `before`), not from the runbook: the deleted pod's uid and owner, for one."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", frozen_map(self.params))

    @property
    def mutating(self) -> bool:
        """Whether the verb changes the cluster (and so supports dry-run)."""
        return self.kind == "mutate"


def _req(kind: ParamType = "str") -> ParamSpec:
    return ParamSpec(kind, required=True)


def _opt(kind: ParamType = "str") -> ParamSpec:
    return ParamSpec(kind, required=False)


_NS = {"namespace": _req()}
_DEPLOY = {"namespace": _req(), "deployment": _req()}
_TIMEOUT = {"timeout_seconds": _opt("int")}

VERBS: dict[str, VerbSpec] = {
    v.name: v
    for v in (
        VerbSpec("list_pods", "read", "list pods in {namespace}",
                 {**_NS, "deployment": _opt()}),
        VerbSpec("get_deployment", "read", "read deployment {deployment} in {namespace}", _DEPLOY),
        VerbSpec("describe_pod", "read", "describe pod {pod} in {namespace}",
                 {**_NS, "pod": _req()}),
        VerbSpec("pod_logs", "read", "read logs in {namespace}",
                 {**_NS, "pod": _opt(), "deployment": _opt(), "container": _opt(),
                  "lines": _opt("int"), "since_seconds": _opt("int")}),
        VerbSpec("list_events", "read", "list events in {namespace}",
                 {**_NS, "deployment": _opt(), "pod": _opt(), "warnings_only": _opt("bool")}),
        VerbSpec("list_nodes", "read", "list nodes", {"node": _opt()}),
        VerbSpec("rollout_history", "read",
                 "read the rollout history of {deployment} in {namespace}", _DEPLOY),
        VerbSpec("list_images", "read", "list container images", {"namespace": _opt()}),
        VerbSpec("diagnose", "read", "diagnose in {namespace}",
                 {**_NS, "deployment": _opt(), "pod": _opt()}),
        VerbSpec("pod_hygiene", "read", "check pod hygiene",
                 {"namespace": _opt(), "check": _opt()}),
        VerbSpec("rightsize", "read",
                 "compare the resources of {deployment} in {namespace} with its usage",
                 _DEPLOY),
        VerbSpec("rollout_restart", "mutate", "restart deployment {deployment} in {namespace}",
                 _DEPLOY),
        VerbSpec("scale", "mutate",
                 "scale deployment {deployment} in {namespace} to {replicas} replicas",
                 {**_DEPLOY, "replicas": _req("int")}),
        VerbSpec("rollout_undo", "mutate", "roll back deployment {deployment} in {namespace}",
                 {**_DEPLOY, "revision": _opt("int")}),
        VerbSpec("set_image", "mutate",
                 "set the image of deployment {deployment} in {namespace} to {image}",
                 {**_DEPLOY, "image": _req(), "container": _opt()}),
        VerbSpec("set_resources", "mutate",
                 "set the resources of deployment {deployment} in {namespace}",
                 {**_DEPLOY, "container": _opt(), "cpu_request": _opt(), "cpu_limit": _opt(),
                  "memory_request": _opt(), "memory_limit": _opt()}),
        VerbSpec("delete_pod", "mutate", "delete pod {pod} in {namespace}",
                 {**_NS, "pod": _req()}),
        VerbSpec("cordon", "mutate", "cordon node {node}", {"node": _req()}),
        VerbSpec("uncordon", "mutate", "uncordon node {node}", {"node": _req()}),
        VerbSpec("drain", "mutate", "drain node {node}", {"node": _req(), **_TIMEOUT}),
        VerbSpec("suspend_cronjob", "mutate", "suspend cronjob {cronjob} in {namespace}",
                 {**_NS, "cronjob": _req()}),
        VerbSpec("resume_cronjob", "mutate", "resume cronjob {cronjob} in {namespace}",
                 {**_NS, "cronjob": _req()}),
        VerbSpec("patch_hpa", "mutate", "change the autoscaler of {deployment} in {namespace}",
                 {**_DEPLOY, "min_replicas": _opt("int"), "max_replicas": _opt("int")}),
        VerbSpec("wait_rollout", "verify", "wait for the rollout of {deployment} to finish",
                 {**_DEPLOY, **_TIMEOUT}),
        VerbSpec("wait_pods_ready", "verify", "wait for pods in {namespace} to be Ready",
                 {**_NS, "deployment": _opt(), **_TIMEOUT}),
        VerbSpec("wait_pod_replaced", "verify", "wait for pod {pod} to be replaced",
                 {**_NS, "pod": _req(), "pod_uid": _opt(), "pod_owner": _opt(), **_TIMEOUT},
                 observes=("pod_uid", "pod_owner")),
        VerbSpec("wait_node_cordoned", "verify", "check that node {node} is cordoned",
                 {"node": _req(), **_TIMEOUT}),
        VerbSpec("wait_node_uncordoned", "verify", "check that node {node} is schedulable",
                 {"node": _req(), **_TIMEOUT}),
        VerbSpec("wait_node_drained", "verify", "check that node {node} is drained",
                 {"node": _req(), **_TIMEOUT}),
        VerbSpec("wait_cronjob_suspended", "verify",
                 "check that cronjob {cronjob} is suspended={suspended}",
                 {**_NS, "cronjob": _req(), "suspended": _req("bool"), **_TIMEOUT}),
        VerbSpec("wait_hpa", "verify", "check the autoscaler of {deployment}",
                 {**_DEPLOY, "min_replicas": _opt("int"), "max_replicas": _opt("int"),
                  **_TIMEOUT}),
    )
}


HYGIENE_CHECKS: tuple[str, ...] = (
    "cpu-requests", "memory-requests", "cpu-limits", "memory-limits", "limit-ratio",
    "readiness-probe", "liveness-probe", "latest-tag", "registry", "privileged", "tty-stdin",
    "host-path", "run-as-root",
)
"""The checks `pod_hygiene` knows, in the order it reports them. Its `check` parameter is a
comma-separated list of these (the `hygiene_check` slot type turns people's words into it)."""


@dataclass(frozen=True)
class HygieneRules:
    """The platform team's bounds for `pod_hygiene`, from the settings
    (`CHATOPS_HYGIENE_REGISTRIES`, `CHATOPS_HYGIENE_MAX_LIMIT_RATIO`) via the entry point.

    `allowed_registries` are registry hosts or host/path prefixes (`ghcr.io/acme`); empty
    means no allow-list is configured, and the registry check says so rather than flagging
    every image. `max_limit_ratio` is the largest limit/request ratio accepted.
    """

    allowed_registries: tuple[str, ...] = ()
    max_limit_ratio: float = 4.0


def summarize(verb: str, params: Mapping[str, object]) -> str:
    """A one-line description of a step, for plan explanations."""
    spec = VERBS[verb]
    values = {name: params.get(name) for name in spec.params}
    try:
        return spec.summary.format(**values)
    except (KeyError, IndexError):
        return verb.replace("_", " ")
