"""Approvers' own rights: an approval counts only if the approver's own mapped Kubernetes
identity could make the change itself. The bot asks the API server (a SubjectAccessReview
per request a step makes) before it counts a click; these tests run the demo world on the
sandbox's real API server, so RBAC answers, not a stand-in.

The demo policy lets only `sre` approve; here `dev` (alice, who operates only the dev
namespace) may approve writes too, and `dora` (whose group may scale deployments and patch
nodes everywhere but not evict pods) may approve critical requests. That the policy keeps
interns from approving at all is covered by `tests/scenarios/test_console_flows.py`.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from chatops.audit import AuditLog
from chatops.audit.events import AuditEvent
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.executor import KubeExecutor, RetryPolicy
from chatops.executor.access import ACCESS, accesses, missing
from chatops.executor.apply import apply_documents, delete_documents
from chatops.model import Identity, Message, Step
from chatops.policy.rules import parse_policy
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.stores import open_state
from chatops.verbs import VERBS
from tests.conversation.fake_cluster import FakeCluster
from tests.plugins.sandbox_fixtures import wait_for
from tests.plugins.world_fixtures import World

PREVIEW = Identity("chatops:alerts-preview", ("chatops:previewers",))


def ops_group(world: World) -> str:
    """Dora's group, unique to this world (cluster-wide bindings are shared by all tests)."""
    return f"{world.ns['prod'].removesuffix('prod')}ops"


def service(world: World, **changes: Any) -> ConversationService:
    """The world's engine with alice (dev) and dora (ops) among the approvers."""
    people = {**DEMO_POLICY["identities"],
              "dora": {"chat": ["U0DORA"], "kube_user": "dora",
                       "kube_groups": [ops_group(world)]}}
    policy = {**DEMO_POLICY, "identities": people,
              "approve": {"write": ["group:sre", "group:dev"],
                          "critical": ["group:sre", f"group:{ops_group(world)}"]},
              **changes}
    engine = world.service()
    engine.policy = parse_policy(policy)
    return engine


def ask(engine: ConversationService, user: str, text: str) -> str:
    """`user` asks for a change; the id of the proposed run."""
    replies = engine.handle(Message(user=user, text=text))
    plan = replies[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    return plan.run.id


def approve(engine: ConversationService, user: str, run_id: str) -> list[Reply]:
    return engine.decide(run_id, Message(user=user, text=f"approve {run_id}"), "approve")


def scale_prod(world: World) -> str:
    return (f"run scale_deployment deployment=checkout-api namespace={world.ns['prod']} "
            "replicas=4")


def audit_events(world: World, run_id: str) -> list[AuditEvent]:
    return AuditLog(world.audit_db).list(limit=500, run_id=run_id)


def assert_refused_privately(replies: list[Reply], *words: str) -> None:
    assert [r.kind for r in replies] == ["refusal"], [r.text for r in replies]
    assert replies[0].ephemeral
    for word in words:
        assert word in replies[0].text, replies[0].text


def assert_nothing_counted(world: World, engine: ConversationService, run_id: str) -> None:
    run = engine.store.get(run_id)
    assert run is not None and run.state is RunState.PROPOSED
    assert run.approvers() == ()
    assert "approved" not in {e.kind for e in audit_events(world, run_id)}


def rejected_approvals(world: World, run_id: str) -> list[AuditEvent]:
    return [e for e in audit_events(world, run_id)
            if e.kind == "rejected" and e.data.get("what") == "approval"]


@pytest.mark.k8s
def test_approval_by_someone_who_may_not_make_the_change_does_not_count(world: World) -> None:
    engine = service(world)
    run_id = ask(engine, "U0BOB", scale_prod(world))
    replies = approve(engine, "U0ALICE", run_id)
    assert_refused_privately(replies, "alice may not patch deployments checkout-api",
                             world.ns["prod"], "can't count")
    assert_nothing_counted(world, engine, run_id)
    assert world.replicas("prod", "checkout-api") == 3
    [rejected] = rejected_approvals(world, run_id)
    assert rejected.actor == "U0ALICE"
    assert rejected.data["approver"] == "alice" and rejected.data["user"] == "alice"
    assert "patch deployments checkout-api" in rejected.data["denied"]


@pytest.mark.k8s
def test_approval_by_someone_who_may_make_the_change_counts_and_runs(world: World) -> None:
    engine = service(world)
    run_id = ask(engine, "U0BOB", scale_prod(world))
    result = approve(engine, "U0ERIN", run_id)[-1]
    assert result.kind == "result" and result.run is not None
    assert result.run.state == "succeeded", result.text
    assert world.replicas("prod", "checkout-api") == 4
    assert rejected_approvals(world, run_id) == []


@pytest.fixture
def dora(world: World, k8s_admin: Any) -> Iterator[str]:
    """Dora's group may operate deployments and cordon nodes everywhere, but not evict."""
    prefix = world.ns["prod"].removesuffix("prod")
    group = ops_group(world)
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": f"{prefix}node-patcher"},
            "rules": [{"apiGroups": [""], "resources": ["nodes"],
                       "verbs": ["get", "list", "patch"]},
                      {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}

    def binding(name: str) -> dict[str, Any]:
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": f"{prefix}{name}-{group}"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": f"{prefix}{name}"},
                "subjects": [{"kind": "Group", "name": group,
                              "apiGroup": "rbac.authorization.k8s.io"}]}

    documents = [role, binding("node-patcher"), binding("chatops-operator")]
    apply_documents(k8s_admin, documents)
    try:
        wait_for(lambda: all(allowed(k8s_admin, group, verb, resource, api_group)
                             for verb, resource, api_group in (("patch", "nodes", ""),
                                                               ("patch", "deployments", "apps"))),
                 timeout=30, what="dora's RBAC to apply")
        yield group
    finally:
        delete_documents(k8s_admin, documents)


def allowed(api: Any, group: str, verb: str, resource: str, api_group: str) -> bool:
    review = client.AuthorizationV1Api(api).create_subject_access_review(
        client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(
            user="dora", groups=[group, "system:authenticated"],
            resource_attributes=client.V1ResourceAttributes(
                verb=verb, resource=resource, group=api_group))))
    return bool(review.status.allowed)


@pytest.mark.k8s
def test_approver_who_may_cordon_and_scale_but_not_evict_cannot_approve_a_drain(
        world: World, dora: str) -> None:
    engine = service(world)
    nodes = client.CoreV1Api(world.api).list_node().items
    node = sorted(n.metadata.name for n in nodes if not n.spec.unschedulable)[0]
    run_id = ask(engine, "U0BOB", f"run drain_node node={node}")
    replies = approve(engine, "U0DORA", run_id)
    assert_refused_privately(replies, "dora may not create pods/eviction", "can't count")
    assert_nothing_counted(world, engine, run_id)
    assert not client.CoreV1Api(world.api).read_node(node).spec.unschedulable
    [rejected] = rejected_approvals(world, run_id)
    assert rejected.data["user"] == "dora" and "pods/eviction" in rejected.data["denied"]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.mark.k8s
def test_approval_fails_closed_when_the_api_server_cannot_be_asked(
        world: World, closed_port: int) -> None:
    engine = service(world)
    run_id = ask(engine, "U0BOB", scale_prod(world))
    config = client.Configuration()
    config.host = f"https://127.0.0.1:{closed_port}"
    working = engine.executor
    engine.executor = KubeExecutor(client.ApiClient(config), retry=RetryPolicy(attempts=1))
    replies = approve(engine, "U0ERIN", run_id)
    assert_refused_privately(replies, "couldn't check", "try again")
    assert_nothing_counted(world, engine, run_id)
    [rejected] = rejected_approvals(world, run_id)
    assert rejected.data["approver"] == "erin"
    engine.executor = working  # the API server is back: the same click now counts
    result = approve(engine, "U0ERIN", run_id)[-1]
    assert result.run is not None and result.run.state == "succeeded", result.text
    assert world.replicas("prod", "checkout-api") == 4


@pytest.mark.k8s
def test_taking_on_an_alert_fix_needs_the_rights_to_make_it(world: World) -> None:
    """The first approver of an alert's fix becomes its requester, and with self-approval
    their click is also an approval: it counts only if they could make the change."""
    engine = service(world, self_approval=["write"])
    replies = engine.propose_for_alert(
        "scale_deployment",
        {"deployment": "checkout-api", "namespace": world.ns["prod"], "replicas": "4"},
        identity=PREVIEW, channel="C0ALERTS", thread="1700000000.000100", actor="alertmanager")
    run_id = next(r.run.id for r in replies if r.run is not None)
    refused = approve(engine, "U0ALICE", run_id)
    assert_refused_privately(refused, "alice may not patch deployments checkout-api")
    run = engine.store.get(run_id)
    assert run is not None and run.act_as_approver and run.identity == PREVIEW
    assert_nothing_counted(world, engine, run_id)
    result = approve(engine, "U0ERIN", run_id)[-1]
    assert result.run is not None and result.run.state == "succeeded", result.text
    run = engine.store.get(run_id)
    assert run is not None and run.identity.user == "erin"
    assert world.replicas("prod", "checkout-api") == 4


def test_only_approvers_other_than_the_requester_are_asked_about(
        tmp_path: Path, catalogue: Catalogue) -> None:
    """The requester's own rights are tried by the preview's dry-run and the run itself (it
    impersonates them), so their self-approval asks nothing; another approver's does, and
    one the cluster says no to is not counted."""
    cluster = FakeCluster(deployments={("prod", "web"): 2}, lacking_rights={"carol"})
    engine = ConversationService(
        catalogue=catalogue, executor=cluster,
        policy=parse_policy({**DEMO_POLICY, "self_approval": ["write"],
                             "approvals": {"read": 0, "write": 2, "critical": 2}}),
        stores=open_state(tmp_path / "state.db"), audit=AuditLog(tmp_path / "audit.db"))
    run_id = ask(engine, "U0BOB", "run scale_deployment deployment=web namespace=prod "
                 "replicas=3")
    assert "Approvals 1 of 2" in approve(engine, "U0BOB", run_id)[0].text
    assert cluster.reviews == []
    assert_refused_privately(approve(engine, "U0CAROL", run_id), "carol may not scale")
    result = approve(engine, "U0ERIN", run_id)[-1]
    assert result.run is not None and result.run.state == "succeeded", result.text
    assert cluster.reviews == [("carol", ("scale",)), ("erin", ("scale",))]


def test_every_verb_says_which_requests_it_makes() -> None:
    assert missing() == (), (
        "verbs without an entry in chatops/executor/access.py's ACCESS: approvals of plans "
        "with them could not be checked")
    assert set(ACCESS) == set(VERBS)


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_each_verb_names_at_least_one_request_from_its_required_parameters(verb: str) -> None:
    spec = VERBS[verb]
    params = {name: (1 if p.type == "int" else True if p.type == "bool" else "x")
              for name, p in spec.params.items() if p.required}
    found = accesses(Step(verb, params))
    assert found, verb
    for access in found:
        assert access.verb in {"get", "list", "create", "patch", "delete"}, access
        if spec.mutating:
            assert any(a.verb in {"create", "patch", "delete"} for a in found), verb


def test_the_table_names_what_the_implementations_send() -> None:
    """Spot checks against the code: scale patches the deployment itself (not its /scale
    subresource); a drain cordons and evicts in every namespace; an autoscaler is found by
    its target, so any autoscaler of the namespace."""
    scale = accesses(Step("scale", {"namespace": "prod", "deployment": "web", "replicas": 2}))
    assert [a.describe() for a in scale] == ["patch deployments web in namespace prod"]
    assert scale[0].group == "apps"
    drain = accesses(Step("drain", {"node": "node-1"}))
    assert [a.describe() for a in drain] == ["patch nodes node-1",
                                             "create pods/eviction in every namespace"]
    hpa = accesses(Step("patch_hpa", {"namespace": "prod", "deployment": "web",
                                      "min_replicas": 1}))
    assert [(a.group, a.describe()) for a in hpa] == [
        ("autoscaling", "patch horizontalpodautoscalers in namespace prod")]
    # A pod's replacement is checked on the pod, the replicaset that owned it and that
    # replicaset's pods (counted by owner, not from the replicaset's status).
    replaced = accesses(Step("wait_pod_replaced", {"namespace": "prod", "pod": "web-1"}))
    assert [(a.group, a.describe()) for a in replaced] == [
        ("", "get pods web-1 in namespace prod"), ("apps", "get replicasets in namespace prod"),
        ("", "list pods in namespace prod")]
