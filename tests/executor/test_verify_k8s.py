"""What a rollout's verification says while it waits, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from chatops.executor import KubeExecutor
from chatops.executor.verify import rollout
from tests.executor.helpers import deploy, deployment
from tests.plugins.sandbox_fixtures import wait_for

CRASH = {"sandbox.chatops.dev/crashloop": "true"}


@pytest.mark.k8s
def test_old_replicas_kept_for_new_ones_that_never_come_up_are_not_called_terminating(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    apps = client.AppsV1Api(k8s_admin)
    deploy(k8s_admin, namespace, deployment("calc", 1))
    calc = apps.read_namespaced_deployment("calc", namespace)
    calc.spec.template.metadata.annotations = CRASH
    apps.replace_namespaced_deployment("calc", namespace, calc)

    def both_kept() -> bool:
        st = apps.read_namespaced_deployment("calc", namespace).status
        return bool(st.updated_replicas == 1 and st.replicas == 2)

    wait_for(both_kept, timeout=60, what="the new pod beside the old one")
    done, said = rollout(ex.kube(None), namespace, "calc")()
    # The old pod stays because the new one is not available (it crash-loops): nothing is
    # terminating, and the answer must not send the reader looking for a stuck pod.
    assert not done
    assert "terminating" not in said, said
    assert said == ("1 old replica of deployment calc stays up: the new ones are not "
                    "available yet"), said


class _Status:
    """A stand-in for the API server that answers one deployment (pure logic)."""

    class apps:  # the attribute the check passes along, never called here
        read_namespaced_deployment = None

    def __init__(self, deployment: dict[str, Any]) -> None:
        self.deployment = deployment

    def json(self, target: Any, fn: Any, *args: Any) -> dict[str, Any]:
        return self.deployment


def test_a_scale_down_is_not_verified_while_the_extra_replicas_still_count() -> None:
    # A user trial: an undo that scaled 3 -> 2 said "rolled out: 3 of 2 replicas
    # available" in 0.0 s, before the ReplicaSet had stopped the third pod.
    spec = {"metadata": {"generation": 2}, "spec": {"replicas": 2}}
    lagging = {**spec, "status": {"observedGeneration": 2, "replicas": 3,
                                  "updatedReplicas": 3, "availableReplicas": 3}}
    done, said = rollout(_Status(lagging), "prod", "api")()  # type: ignore[arg-type]
    assert not done and said == "1 replica of deployment api above its 2 still stopping"
    settled = {**spec, "status": {"observedGeneration": 2, "replicas": 2,
                                  "updatedReplicas": 2, "availableReplicas": 2}}
    assert rollout(_Status(settled), "prod", "api")() == (  # type: ignore[arg-type]
        True, "deployment api rolled out: 2 of 2 replicas available")
