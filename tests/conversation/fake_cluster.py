"""A tiny in-memory stand-in for the executor, for the conversation's pure-logic tests.

It models deployments (replicas) and nodes, for the few verbs these tests look at. Any
other declared verb gets a plain answer built from its `VerbSpec` (no records; one
stand-in change for a mutating verb's diff), so adding a verb to `chatops.verbs` does not
mean editing this file; a name outside the verb set is still a test bug. Everything that touches real Kubernetes semantics is tested
against the sandbox instead (tests/scenarios/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chatops.errors import Forbidden, NotFound, Retryable
from chatops.model import Identity, Step
from chatops.ports import Progress, ResourceKind
from chatops.results import (
    CronjobState,
    DeploymentInfo,
    FieldChange,
    Finding,
    HealthSummary,
    PodInfo,
    RevisionInfo,
    StepResult,
    VerifyResult,
)
from chatops.verbs import VERBS, summarize

_Handler = Callable[["FakeCluster", Step, bool], StepResult]
_MODELLED: dict[str, _Handler] = {}


def _models(*verbs: str) -> Callable[[_Handler], _Handler]:
    def register(fn: _Handler) -> _Handler:
        for verb in verbs:
            assert verb in VERBS, f"the fake models {verb}, which is not a declared verb"
            _MODELLED[verb] = fn
        return fn
    return register


@dataclass
class FakeCluster:
    deployments: dict[tuple[str, str], int] = field(default_factory=dict)
    nodes: dict[str, bool] = field(default_factory=dict)
    denied_users: set[str] = field(default_factory=set)
    calls: list[tuple[str, bool, str | None]] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    """The provenance each real write was given (`Executor.run_step`'s `cause`)."""
    lacking_rights: set[str] = field(default_factory=set)
    """Users whose own rights reviews say no (approvers who could not make the change)."""
    reviews_fail: bool = False
    """Whether asking about someone's rights fails (the API server unreachable)."""
    reviews: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    reviewed_params: list[dict[str, object]] = field(default_factory=list)
    """Each reviewed step's parameters, in order (what a review names)."""
    crashing: set[tuple[str, str]] = field(default_factory=set)
    """(namespace, deployment) pairs a diagnosis finds crash-looping."""
    not_pulling: set[tuple[str, str]] = field(default_factory=set)
    """(namespace, deployment) pairs whose image a diagnosis finds cannot be pulled."""
    dependency_down: set[tuple[str, str]] = field(default_factory=set)
    """Crashing deployments whose logs say a dependency is unreachable (a caveat)."""
    checks: list[Step] = field(default_factory=list)
    pods: set[tuple[str, str]] = field(default_factory=set)
    pod_restarts: dict[tuple[str, str], int] = field(default_factory=dict)
    """(namespace, pod) -> its restarts; `list_pods` lists these pods only when given."""
    cronjobs: set[tuple[str, str]] = field(default_factory=set)
    """(namespace, cronjob) pairs the cluster has."""
    suspended: set[tuple[str, str]] = field(default_factory=set)
    """Its cronjobs that are suspended (a namespace's scan reports them)."""
    verify_fails: bool = False
    """Whether every verification fails (a rollout that never finishes)."""
    writes_fail: bool = False
    """Whether the real (not dry-run) steps are refused (an admission webhook, say)."""
    writes_time_out: bool = False
    """Whether the real steps act, then time out (a drain that cordoned, then waited)."""
    revisions: dict[tuple[str, str], int] = field(default_factory=dict)
    """(namespace, deployment) -> its current revision (2 until a rollback)."""
    history: dict[tuple[str, str], tuple[RevisionInfo, ...]] = field(default_factory=dict)
    """What `rollout_history` reads of a deployment (none: an empty history)."""
    dies_verifying: bool = False
    """Whether the process "dies" in the verification (SystemExit, after the steps)."""

    def _check(self, identity: Identity | None, verb: str, namespace: str | None) -> None:
        if identity is not None and identity.user in self.denied_users:
            raise Forbidden(f"{identity.user} may not {verb} in namespace {namespace}")

    def names(self, kind: ResourceKind, namespace: str | None,
              identity: Identity | None) -> tuple[str, ...]:
        if kind == "namespace":
            return tuple(sorted({ns for ns, _ in self.deployments}))
        if kind == "deployment":
            return tuple(sorted(d for ns, d in self.deployments if ns == namespace))
        if kind == "node":
            return tuple(sorted(self.nodes))
        if kind == "pod":
            return tuple(sorted(p for ns, p in self.pods if ns == namespace))
        if kind == "cronjob":
            return tuple(sorted(c for ns, c in self.cronjobs if ns == namespace))
        return ()

    def first_denied(self, identity: Identity, steps: Iterable[Step]) -> str | None:
        steps = tuple(steps)
        verbs = tuple(step.verb for step in steps)
        self.reviews.append((identity.user, verbs))
        self.reviewed_params += [dict(step.params) for step in steps]
        if self.reviews_fail:
            raise Retryable("could not reach the Kubernetes API server to create "
                            "subjectaccessreviews.")
        if identity.user in self.lacking_rights and verbs:
            return f"{verbs[0]} (as the fake cluster says)"
        return None

    def current_replicas(self, namespace: str, deployment: str,
                         identity: Identity | None) -> int:
        return self.deployments[(namespace, deployment)]

    def run_step(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
                 progress: Progress | None = None, cause: str = "") -> StepResult:
        spec = VERBS.get(step.verb)
        if spec is None or spec.kind == "verify":
            raise AssertionError(f"unexpected verb {step.verb}")
        self.calls.append((step.verb, dry_run, identity.user if identity else None))
        if spec.mutating and not dry_run:
            self.causes.append(cause)
        self._check(identity, step.verb, str(step.params.get("namespace")))
        if self.writes_fail and not dry_run and spec.mutating:
            raise Forbidden(f"an admission webhook refused {step.verb}")
        handler = _MODELLED.get(step.verb)
        if handler is not None:
            result = handler(self, step, dry_run)
            if self.writes_time_out and not dry_run and spec.mutating:
                raise Retryable(f"{step.verb} did not finish within 2 s")
            return result
        # A change the fake does not model changes something (as every real write's dry-run
        # lists): an empty diff would read as "nothing to change" and propose nothing.
        changes = (FieldChange(f"({step.verb})", None, "changed"),) if spec.mutating else ()
        return StepResult(step.verb, dry_run and spec.mutating,
                          summarize(step.verb, step.params), changes)

    def verify(self, step: Step, identity: Identity | None, *,
               progress: Progress | None = None) -> VerifyResult:
        self.checks.append(step)
        if self.dies_verifying:
            raise SystemExit("the bot process stopped")
        if self.verify_fails:
            return VerifyResult(step.verb, False, "1 of 2 replicas updated after 300 s", 300.0)
        return VerifyResult(step.verb, True, "looks right", 0.0)


@_models("delete_pod")
def _delete_pod(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    # What the real step reports of the pod it deletes, for the verification to use.
    return StepResult(step.verb, dry_run, f"delete pod {step.params['pod']}",
                      (FieldChange("metadata.deletionTimestamp", None, "now"),), before={"pod_uid": "uid-1", "pod_owner": "ReplicaSet/web-7d9f8b6c5"})


@_models("list_pods")
def _list_pods(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    if not cluster.pod_restarts:
        return StepResult(step.verb, dry_run, "read")
    namespace, deployment = str(step.params.get("namespace")), step.params.get("deployment")
    listed = sorted(pod for (ns, pod) in cluster.pod_restarts
                    if ns == namespace and (not deployment or pod.startswith(f"{deployment}-")))
    return StepResult(step.verb, dry_run, "read", records=tuple(
        PodInfo(pod, namespace, "Running", "1/1", cluster.pod_restarts[(namespace, pod)])
        for pod in listed))


@_models("get_deployment")
def _get_deployment(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    key = (str(step.params.get("namespace")), str(step.params["deployment"]))
    if key not in cluster.deployments:
        raise NotFound(f"deployment {key[1]} not found in namespace {key[0]}")
    n = cluster.deployments[key]
    return StepResult(step.verb, dry_run, "read", records=(
        DeploymentInfo(key[1], key[0], n, n, n, n, 1),))


@_models("diagnose")
def _diagnose(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    if not step.params.get("deployment"):
        namespace = str(step.params["namespace"])
        states = tuple(CronjobState(name, "0 2 * * *", (ns, name) in cluster.suspended,
                                    None, None)
                       for ns, name in sorted(cluster.cronjobs) if ns == namespace)
        suspended = tuple(Finding("warning", f"cronjob {s.name}",
                                  f"cronjob {s.name} is suspended.", "resume_cronjob",
                                  {"namespace": namespace, "cronjob": s.name})
                          for s in states if s.suspended)
        return StepResult(step.verb, dry_run, "read", records=(
            *suspended, HealthSummary(namespace, cronjobs=len(states) - len(suspended),
                                      problems=len(suspended), cronjob_states=states)))
    namespace, deployment = str(step.params["namespace"]), str(step.params["deployment"])
    if (namespace, deployment) in cluster.not_pulling:
        return StepResult(step.verb, dry_run, "read", records=(Finding(
            "error", "container app", "image nginx:bad cannot be pulled.", "set_image",
            {"namespace": namespace, "deployment": deployment, "container": "app"}),))
    if (namespace, deployment) not in cluster.crashing:
        return StepResult(step.verb, dry_run, "read", records=(
            Finding("info", f"deployment {deployment}", f"deployment {deployment} is healthy."),))
    caveat = ("the diagnosis found it cannot reach a dependency: a restart helps only once "
              "that is back" if (namespace, deployment) in cluster.dependency_down else "")
    return StepResult(step.verb, dry_run, "read", records=(Finding(
        "error", "container app", "container app is crash-looping.", "restart_deployment",
        {"namespace": namespace, "deployment": deployment}, caveat=caveat),))


@_models("rollout_history")
def _rollout_history(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    key = (str(step.params["namespace"]), str(step.params["deployment"]))
    return StepResult(step.verb, False, "read", records=cluster.history.get(key, ()))


@_models("scale")
def _scale(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    key = (str(step.params.get("namespace")), str(step.params["deployment"]))
    before = cluster.deployments[key]
    after = int(step.params["replicas"] or 0)
    changes = (FieldChange("spec.replicas", before, after),) if before != after else ()
    if not dry_run:
        cluster.deployments[key] = after
    return StepResult(step.verb, dry_run, f"scaled {key[1]} to {after}", changes,
                      before={"replicas": before})


@_models("rollout_undo")
def _rollout_undo(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    """Revisions as the deployment controller numbers them: a rollback to revision N
    writes N's template as a new revision, the current one plus one."""
    key = (str(step.params.get("namespace")), str(step.params["deployment"]))
    current = cluster.revisions.setdefault(key, 2)
    target = int(step.params.get("revision") or current - 1)
    if not dry_run:
        cluster.revisions[key] = current + 1
    return StepResult(step.verb, dry_run, f"roll back {key[1]} to revision {target}",
                      (FieldChange("spec.template", f"revision {current}",
                                   f"revision {target}"),),
                      before={"revision": current})


@_models("cordon", "uncordon", "drain")
def _cordon(cluster: FakeCluster, step: Step, dry_run: bool) -> StepResult:
    node = str(step.params["node"])
    after = step.verb != "uncordon"
    changes = ((FieldChange("spec.unschedulable", cluster.nodes[node], after),)
               if cluster.nodes[node] != after else ())
    if not dry_run:
        cluster.nodes[node] = after
    return StepResult(step.verb, dry_run, f"{step.verb} {node}", changes)
