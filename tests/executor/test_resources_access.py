"""The requests `rightsize` and `set_resources` make (`ACCESS`), checked against the demo's
roles on the sandbox's real RBAC: a viewer may right-size (including reading pod metrics)
but not change resources; an operator may do both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from chatops.demo.world import _cluster_roles
from chatops.executor import KubeExecutor
from chatops.executor.access import accesses
from chatops.model import Identity, Step


def test_the_table_names_what_the_verbs_send() -> None:
    rightsize = accesses(Step("rightsize", {"namespace": "prod", "deployment": "web"}))
    assert [(a.group, a.describe()) for a in rightsize] == [
        ("apps", "get deployments web in namespace prod"),
        ("", "list pods in namespace prod"),
        ("autoscaling", "list horizontalpodautoscalers in namespace prod"),
        ("metrics.k8s.io", "list pods in namespace prod")]
    change = accesses(Step("set_resources", {"namespace": "prod", "deployment": "web",
                                             "memory_limit": "1Gi"}))
    assert [(a.group, a.describe()) for a in change] == [
        ("apps", "patch deployments web in namespace prod")]


@pytest.fixture
def demo_roles(k8s_admin: Any) -> Iterator[dict[str, str]]:
    """The demo's operator and viewer ClusterRoles under a unique prefix."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    rbac = client.RbacAuthorizationV1Api(k8s_admin)
    roles = _cluster_roles(prefix)
    for role in roles:
        rbac.create_cluster_role(role)
    try:
        yield {r["metadata"]["name"].removeprefix(prefix): r["metadata"]["name"] for r in roles}
    finally:
        for role in roles:
            rbac.delete_cluster_role(role["metadata"]["name"])


@pytest.mark.k8s
def test_demo_roles_allow_what_the_verbs_ask(k8s_admin: Any, namespace: str,
                                             demo_roles: dict[str, str]) -> None:
    rbac = client.RbacAuthorizationV1Api(k8s_admin)
    for role, group in (("chatops-viewer", "sizers"), ("chatops-operator", "operators")):
        rbac.create_namespaced_role_binding(namespace, {
            "metadata": {"name": group},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                        "name": demo_roles[role]},
            "subjects": [{"kind": "Group", "name": group,
                          "apiGroup": "rbac.authorization.k8s.io"}]})
    ex = KubeExecutor(k8s_admin)
    look = Step("rightsize", {"namespace": namespace, "deployment": "web"})
    change = Step("set_resources", {"namespace": namespace, "deployment": "web",
                                    "cpu_request": "100m"})
    viewer, operator = Identity("vera", ("sizers",)), Identity("otto", ("operators",))
    assert ex.first_denied(viewer, [look]) is None
    assert ex.first_denied(viewer, [change]) == f"patch deployments web in namespace {namespace}"
    assert ex.first_denied(operator, [look, change]) is None
