"""Builders and waits for the executor's sandbox tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from kubernetes import client

from chatops.errors import Forbidden
from chatops.model import Identity
from tests.plugins.sandbox_fixtures import wait_for

ADMIN = Identity("ops-admin", ("system:masters",))
"""An impersonated identity with every right: mutating tests go through impersonation too."""


def deployment(name: str, replicas: int = 2, image: str = "nginx:1.21", *,
               annotations: dict[str, str] | None = None, memory: str | None = None,
               node_selector: dict[str, str] | None = None,
               containers: list[client.V1Container] | None = None) -> client.V1Deployment:
    labels = {"app": name}
    resources = (client.V1ResourceRequirements(limits={"memory": memory}) if memory else None)
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels, annotations=annotations),
                spec=client.V1PodSpec(
                    containers=containers or [client.V1Container(name="app", image=image,
                                                                 resources=resources)],
                    node_selector=node_selector,
                    termination_grace_period_seconds=5,
                ),
            ),
        ),
    )


def statefulset(name: str, image: str = "postgres:16", *,
                annotations: dict[str, str] | None = None) -> client.V1StatefulSet:
    """One replica, container `db`; `annotations` on its pods (the sandbox's crash loop)."""
    labels = {"app": name}
    return client.V1StatefulSet(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1StatefulSetSpec(
            service_name=name, replicas=1,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels, annotations=annotations),
                spec=client.V1PodSpec(containers=[
                    client.V1Container(name="db", image=image)]))))


def create(api: Any, namespace: str, dep: client.V1Deployment) -> None:
    client.AppsV1Api(api).create_namespaced_deployment(namespace, dep)


def rolled_out(api: Any, namespace: str, name: str) -> bool:
    d = client.AppsV1Api(api).read_namespaced_deployment(name, namespace)
    s, want = d.status, d.spec.replicas
    return bool((s.observed_generation or 0) >= d.metadata.generation
                and (s.updated_replicas or 0) == want and (s.replicas or 0) == want
                and (s.available_replicas or 0) == want)


def wait_rolled_out(api: Any, namespace: str, name: str, timeout: float = 90) -> None:
    wait_for(lambda: rolled_out(api, namespace, name), timeout=timeout,
             what=f"rollout of {name}")


def deploy(api: Any, namespace: str, dep: client.V1Deployment) -> None:
    create(api, namespace, dep)
    wait_rolled_out(api, namespace, dep.metadata.name)


def spec_state(api: Any, namespace: str, name: str) -> tuple[int, int, str]:
    """What a write would move: the generation (bumped by every spec change), the replicas
    and the images. The resourceVersion is no good here: controllers write status."""
    d = client.AppsV1Api(api).read_namespaced_deployment(name, namespace)
    return (d.metadata.generation, d.spec.replicas,
            ",".join(c.image for c in d.spec.template.spec.containers))


def paths(result: Any) -> list[str]:
    return [c.path for c in result.changes]


def grant(api: Any, namespace: str, user: str, rules: list[client.V1PolicyRule]) -> None:
    """A Role of `rules` in `namespace`, bound to `user` (both named after the user). A new
    Role reaches the API server's authorizer a moment later: wait on its effect."""
    rbac = client.RbacAuthorizationV1Api(api)
    rbac.create_namespaced_role(namespace, client.V1Role(
        metadata=client.V1ObjectMeta(name=user), rules=rules))
    rbac.create_namespaced_role_binding(namespace, client.V1RoleBinding(
        metadata=client.V1ObjectMeta(name=user),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                                  name=user),
        subjects=[client.RbacV1Subject(kind="User", name=user,
                                       api_group="rbac.authorization.k8s.io")]))


_T = TypeVar("_T")


def once_granted(call: Callable[[], _T], timeout: float = 30) -> _T:
    """`call`'s result once the API server's authorizer has seen a new Role (Forbidden
    until then)."""
    def granted() -> _T | None:
        try:
            return call()
        except Forbidden:
            return None
    return wait_for(granted, timeout=timeout, what="RBAC to apply")
