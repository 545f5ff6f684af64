"""A tiny in-memory stand-in for the executor, for the conversation's pure-logic tests.

It knows deployments (replicas, image) and nodes, and answers the few verbs these tests use.
Everything that touches real Kubernetes semantics is tested against the sandbox instead
(tests/scenarios/).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatops.errors import Forbidden, NotFound
from chatops.model import Identity, Step
from chatops.ports import Progress, ResourceKind
from chatops.results import DeploymentInfo, FieldChange, StepResult, VerifyResult


@dataclass
class FakeCluster:
    deployments: dict[tuple[str, str], int] = field(default_factory=dict)
    nodes: dict[str, bool] = field(default_factory=dict)
    denied_users: set[str] = field(default_factory=set)
    calls: list[tuple[str, bool, str | None]] = field(default_factory=list)

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
        return ()

    def current_replicas(self, namespace: str, deployment: str,
                         identity: Identity | None) -> int:
        return self.deployments[(namespace, deployment)]

    def run_step(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
                 progress: Progress | None = None) -> StepResult:
        p = step.params
        ns = p.get("namespace")
        self.calls.append((step.verb, dry_run, identity.user if identity else None))
        self._check(identity, step.verb, str(ns))
        if step.verb == "get_deployment":
            key = (str(ns), str(p["deployment"]))
            if key not in self.deployments:
                raise NotFound(f"deployment {key[1]} not found in namespace {key[0]}")
            n = self.deployments[key]
            return StepResult(step.verb, dry_run, "read", records=(
                DeploymentInfo(key[1], key[0], n, n, n, n, 1),))
        if step.verb == "scale":
            key = (str(ns), str(p["deployment"]))
            before = self.deployments[key]
            after = int(p["replicas"] or 0)
            changes = (FieldChange("spec.replicas", before, after),) if before != after else ()
            if not dry_run:
                self.deployments[key] = after
            return StepResult(step.verb, dry_run, f"scaled {key[1]} to {after}", changes,
                              before={"replicas": before})
        if step.verb in {"cordon", "uncordon", "drain"}:
            node = str(p["node"])
            after = step.verb != "uncordon"
            changes = ((FieldChange("spec.unschedulable", self.nodes[node], after),)
                       if self.nodes[node] != after else ())
            if not dry_run:
                self.nodes[node] = after
            return StepResult(step.verb, dry_run, f"{step.verb} {node}", changes)
        raise AssertionError(f"unexpected verb {step.verb}")

    def verify(self, step: Step, identity: Identity | None, *,
               progress: Progress | None = None) -> VerifyResult:
        return VerifyResult(step.verb, True, "looks right", 0.0)
