"""Impersonation against the sandbox's real RBAC: groups arrive as separate groups, and a
denied identity gets a clear refusal while nothing changes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kubernetes import client

from chatops.errors import Forbidden
from chatops.executor import KubeExecutor
from chatops.model import Identity, Step
from tests.executor.helpers import create, deployment, spec_state
from tests.plugins.sandbox_fixtures import wait_for

pytestmark = pytest.mark.k8s

ALICE = Identity("alice", ("team-a", "team-b"))


def grant_group(api: Any, namespace: str, group: str,
                resources: tuple[str, ...] = ("pods", "deployments", "replicasets")) -> None:
    rbac = client.RbacAuthorizationV1Api(api)
    rbac.create_namespaced_role(namespace, client.V1Role(
        metadata=client.V1ObjectMeta(name="deployer"),
        rules=[client.V1PolicyRule(api_groups=["", "apps"], resources=list(resources),
                                   verbs=["get", "list", "watch", "patch"])]))
    rbac.create_namespaced_role_binding(namespace, client.V1RoleBinding(
        metadata=client.V1ObjectMeta(name="deployer"),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                                  name="deployer"),
        subjects=[client.RbacV1Subject(kind="Group", name=group,
                                       api_group="rbac.authorization.k8s.io")]))


@pytest.fixture
def other_namespace(k8s_admin: Any) -> Any:
    core = client.CoreV1Api(k8s_admin)
    name = f"prod-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    try:
        yield name
    finally:
        core.delete_namespace(name)


def test_groups_are_sent_as_separate_headers(k8s_admin: Any) -> None:
    kube = KubeExecutor(k8s_admin).kube(ALICE)
    review = client.AuthenticationV1Api(kube.api).create_self_subject_review(
        client.V1SelfSubjectReview())
    info = review.status.user_info
    assert info.username == "alice"
    assert {"team-a", "team-b"} <= set(info.groups)
    assert "team-a, team-b" not in info.groups


def test_rights_through_the_second_group_only(
    k8s_admin: Any, namespace: str, other_namespace: str
) -> None:
    """The Role is bound to team-b, alice's SECOND group: a client that sent only one group
    header, or joined them into one, would be refused here."""
    ex = KubeExecutor(k8s_admin, poll_interval=0.2)
    grant_group(k8s_admin, namespace, "team-b")
    create(k8s_admin, namespace, deployment("web", 1))
    create(k8s_admin, other_namespace, deployment("web", 1))
    step = Step("scale", {"namespace": namespace, "deployment": "web", "replicas": 3})

    def allowed() -> bool:
        try:
            ex.run_step(step, ALICE, dry_run=True)
        except Forbidden:
            return False
        return True

    wait_for(allowed, timeout=30, what="RBAC to apply")
    result = ex.run_step(step, ALICE)
    assert [(c.path, c.after) for c in result.changes] == [("spec.replicas", 3)]

    # The same verb in a namespace where she has no rights: refused, nothing changes.
    before = spec_state(k8s_admin, other_namespace, "web")
    denied = Step("scale", {"namespace": other_namespace, "deployment": "web", "replicas": 3})
    for dry_run in (True, False):
        with pytest.raises(Forbidden) as err:
            ex.run_step(denied, ALICE, dry_run=dry_run)
        assert err.value.message == (
            f"alice may not get deployments in namespace {other_namespace}.")
        assert err.value.hint
    assert spec_state(k8s_admin, other_namespace, "web") == before


def test_patch_denied_when_only_reads_are_allowed(k8s_admin: Any, namespace: str) -> None:
    rbac = client.RbacAuthorizationV1Api(k8s_admin)
    rbac.create_namespaced_role(namespace, client.V1Role(
        metadata=client.V1ObjectMeta(name="viewer"),
        rules=[client.V1PolicyRule(api_groups=["", "apps"],
                                   resources=["pods", "deployments", "replicasets"],
                                   verbs=["get", "list", "watch"])]))
    rbac.create_namespaced_role_binding(namespace, client.V1RoleBinding(
        metadata=client.V1ObjectMeta(name="viewer"),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                                  name="viewer"),
        subjects=[client.RbacV1Subject(kind="User", name="bob",
                                       api_group="rbac.authorization.k8s.io")]))
    create(k8s_admin, namespace, deployment("web", 1))
    ex = KubeExecutor(k8s_admin)
    bob = Identity("bob")
    wait_for(lambda: ex.current_replicas(namespace, "web", bob) == 1, timeout=30,
             what="RBAC to apply")
    before = spec_state(k8s_admin, namespace, "web")
    with pytest.raises(Forbidden) as err:
        ex.run_step(Step("rollout_restart", {"namespace": namespace, "deployment": "web"}),
                    bob, dry_run=True)
    assert err.value.message == f"bob may not patch deployments in namespace {namespace}."
    assert spec_state(k8s_admin, namespace, "web") == before


def test_a_write_by_someone_who_may_not_list_replicasets_counts_every_pod(
    k8s_admin: Any, namespace: str
) -> None:
    """The blast radius leaves out the pods of a ReplicaSet the change reuses, which takes
    a list of ReplicaSets; a requester without that right still gets the change made, and
    every pod counted (the safe side), never an error after the write."""
    create(k8s_admin, namespace, deployment("web", 2, image="shop/web:1.0"))
    grant_group(k8s_admin, namespace, "team-b", resources=("pods", "deployments"))
    core = client.CoreV1Api(k8s_admin)
    wait_for(lambda: len(core.list_namespaced_pod(namespace).items) == 2, what="two pods")
    ex = KubeExecutor(k8s_admin)
    ex.run_step(Step("set_image", {"namespace": namespace, "deployment": "web",
                                   "image": "shop/web:bad", "container": None}), None)
    pods = wait_for(lambda: len(names := {p.metadata.name for p in
                                          core.list_namespaced_pod(namespace).items}) == 3
                    and names, what="a pod of the failing release beside the two")
    # The old image again: the template of the ReplicaSet of revision 1 (a rollback
    # itself lists ReplicaSets, so it needs the right anyway).
    undo = Step("set_image", {"namespace": namespace, "deployment": "web",
                              "image": "shop/web:1.0", "container": None})
    # With the right, the two pods of the revision it returns to are left out ...
    assert len(ex.run_step(undo, None, dry_run=True).affected_pods) == 1
    # ... without it, every pod counts, and the rollback is made all the same.
    assert set(ex.run_step(undo, ALICE, dry_run=True).affected_pods) == pods
    real = ex.run_step(undo, ALICE)
    assert set(real.affected_pods) == pods and not real.kept_pods
    assert spec_state(k8s_admin, namespace, "web")[2] == "shop/web:1.0"
