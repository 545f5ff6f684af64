"""`set_resources` against the sandbox: the dry-run diff, the real change, the rollout
verification and the undo the runbook derives from `before`; and its refusals."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from chatops.errors import NotFound, Refusal, SlotError
from chatops.executor import KubeExecutor
from chatops.model import Step
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.render import render, undo_slots
from tests.executor.helpers import ADMIN, deploy, deployment, paths

pytestmark = pytest.mark.k8s

APP = "spec.template.spec.containers[app].resources"


def resources(api: Any, namespace: str, name: str, container: str = "app") -> dict[str, Any]:
    d = client.AppsV1Api(api).read_namespaced_deployment(name, namespace)
    c = next(c for c in d.spec.template.spec.containers if c.name == container)
    r = c.resources
    return {"requests": dict(r.requests or {}), "limits": dict(r.limits or {})} if r else {}


def generation(api: Any, namespace: str, name: str) -> int:
    return int(client.AppsV1Api(api).read_namespaced_deployment(name, namespace)
               .metadata.generation)


def test_set_resources_diff_apply_verify_undo(ex: KubeExecutor, catalogue: Catalogue,
                                             k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2, memory="128Mi"))
    runbook = catalogue.get("set_resources")
    plan = render(runbook, {"deployment": "web", "namespace": namespace,
                            "memory_limit": "256Mi", "cpu_request": "0.1"})
    (step,) = plan.steps
    assert step.params["cpu_request"] == "100m" and step.params["container"] is None

    before_gen = generation(k8s_admin, namespace, "web")
    dry = ex.run_step(step, ADMIN, dry_run=True)
    assert generation(k8s_admin, namespace, "web") == before_gen, "the dry-run changed it"
    assert [(c.path, c.before, c.after) for c in dry.changes] == [
        (f"{APP}.limits.memory", "128Mi", "256Mi"), (f"{APP}.requests.cpu", None, "100m")]
    assert dry.summary.startswith("Would set the resources of container app of deployment "
                                  f"web in {namespace}: ")
    assert len(dry.affected_pods) == 2  # a new template replaces every pod

    real = ex.run_step(step, ADMIN)
    assert paths(real) == paths(dry) and not real.dry_run
    assert resources(k8s_admin, namespace, "web") == {
        "requests": {"cpu": "100m"}, "limits": {"memory": "256Mi"}}
    assert dict(real.before) == {"container": "app", "cpu_request": "none", "cpu_limit": "",
                                 "memory_request": "", "memory_limit": "128Mi"}
    (check,) = plan.verify
    verdict = ex.verify(Step(check.verb, {**check.params, "timeout_seconds": 90}), ADMIN)
    assert verdict.ok, verdict.message

    # Undo puts back exactly what was there: the limit it had, and no CPU request.
    undo = undo_slots(plan, real.before)
    assert undo == {"deployment": "web", "namespace": namespace, "container": "app",
                    "cpu_request": "none", "memory_limit": "128Mi"}
    back = render(catalogue.get(plan.undo.runbook if plan.undo else ""), undo)
    ex.run_step(back.steps[0], ADMIN)
    assert resources(k8s_admin, namespace, "web") == {"requests": {},
                                                      "limits": {"memory": "128Mi"}}


def test_set_resources_refusals(ex: KubeExecutor, catalogue: Catalogue, k8s_admin: Any,
                                namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 1, memory="128Mi"))
    start = generation(k8s_admin, namespace, "web")

    def step(**params: Any) -> Step:
        return Step("set_resources", {"namespace": namespace, "deployment": "web", **params})

    # A limit below its request, after the change: the existing 128Mi limit stays.
    with pytest.raises(Refusal) as info:
        ex.run_step(step(memory_request="512Mi"), ADMIN, dry_run=True)
    assert info.value.message == ("the memory limit of container app would be 128Mi, below "
                                  "its memory request of 512Mi.")
    assert "raise memory_limit" in info.value.hint
    with pytest.raises(Refusal, match="CPU limit of container app would be 500m, below its "
                                      "CPU request of 1 core"):
        ex.run_step(step(cpu_request="1", cpu_limit="500m"), ADMIN)
    # Raising both together is fine (checked in a dry-run).
    ok = ex.run_step(step(memory_request="512Mi", memory_limit="1Gi"), ADMIN, dry_run=True)
    assert paths(ok) == [f"{APP}.limits.memory", f"{APP}.requests.memory"]

    with pytest.raises(NotFound) as missing:
        ex.run_step(step(container="sidecar", cpu_request="100m"), ADMIN, dry_run=True)
    assert "container sidecar not found in deployment web" in missing.value.message
    with pytest.raises(Refusal, match="is not a Kubernetes quantity"):
        ex.run_step(step(memory_limit="lots"), ADMIN)
    with pytest.raises(Refusal, match="at least one of cpu_request"):
        ex.run_step(step(), ADMIN)

    # The slot types refuse before anything is planned.
    runbook = catalogue.get("set_resources")
    base = {"deployment": "web", "namespace": namespace}
    for slot, value, words in (("memory_limit", "256m", "thousandths of a byte"),
                               ("memory_limit", "1GB", "not a Kubernetes memory quantity"),
                               ("cpu_request", "2 cpus", "not a CPU amount"),
                               ("cpu_limit", "300", "above the maximum of 256 cores"),
                               ("memory_request", "2", "Did you mean 2Mi?")):
        with pytest.raises(SlotError) as bad:
            render(runbook, {**base, slot: value})
        assert words in str(bad.value), (value, str(bad.value))
    assert generation(k8s_admin, namespace, "web") == start, "a refusal changed the spec"


def test_set_resources_names_the_container_of_several(ex: KubeExecutor, k8s_admin: Any,
                                                      namespace: str) -> None:
    two = [client.V1Container(name="app", image="nginx:1.21"),
           client.V1Container(name="sidecar", image="busybox:1.36",
                              resources=client.V1ResourceRequirements(
                                  requests={"cpu": "50m", "memory": "32Mi"},
                                  limits={"memory": "64Mi", "ephemeral-storage": "1Gi"}))]
    deploy(k8s_admin, namespace, deployment("web", 1, containers=two))
    step = Step("set_resources", {"namespace": namespace, "deployment": "web",
                                  "memory_limit": "128Mi"})
    with pytest.raises(Refusal, match="has 2 containers: app, sidecar"):
        ex.run_step(step, ADMIN, dry_run=True)
    result = ex.run_step(Step(step.verb, {**step.params, "container": "sidecar"}), ADMIN)
    assert [(c.path, c.before, c.after) for c in result.changes] == [
        ("spec.template.spec.containers[sidecar].resources.limits.memory", "64Mi", "128Mi")]
    # Only the named container's memory limit moved; its other resources stayed.
    assert resources(k8s_admin, namespace, "web", "sidecar") == {
        "requests": {"cpu": "50m", "memory": "32Mi"},
        "limits": {"memory": "128Mi", "ephemeral-storage": "1Gi"}}
    assert resources(k8s_admin, namespace, "web", "app") == {"requests": {}, "limits": {}}
