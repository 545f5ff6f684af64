"""The bot's own service account, with exactly the RBAC `chatops policy rbac` renders for the
demo policy, against the sandbox's real API server.

The bot acts as itself only on its Lease and its audit checkpoint ConfigMap; everything else
is sent as the person who asked (impersonation). So with its own token it can act as the
people the policy maps, within their own RBAC, and the API server refuses (403) anything else:
impersonating `system:masters`, a user the policy does not map, a group it does not name, a
service account, an extra key it does not send; reading or changing workloads as itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from chatops.cli.main import cli
from chatops.demo import DEMO_POLICY
from chatops.errors import Forbidden
from chatops.model import Identity, Message, Step
from chatops.policy.rbac import (
    SUBJECT_ACCESS_REVIEW,
    USER_EXTRAS,
    impersonation,
    impersonation_rules,
)
from chatops.policy.rules import parse_policy
from tests.plugins.sandbox_fixtures import wait_for

DEMO_USERS = ["alice", "bob", "carol", "chatops:alerts", "chatops:alerts-preview", "erin",
              "mallory"]
DEMO_GROUPS = ["chatops-admins", "chatops:previewers", "chatops:viewers", "dev", "interns",
               "sre"]
SA = "chatops-bot"


def render_rbac(*args: str) -> tuple[list[dict[str, Any]], str]:
    """`chatops policy rbac ARGS`: the documents it prints, and its stderr."""
    runner = CliRunner(env={"CHATOPS_POLICY": None, "CHATOPS_ALERT_RULES": None,
                            "CHATOPS_PROFILE": "none"})
    result = runner.invoke(cli, ["policy", "rbac", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc], result.stderr


@pytest.fixture
def demo_policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(DEMO_POLICY, sort_keys=False), encoding="utf-8")
    return path


def of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    [doc] = [d for d in docs if d["kind"] == kind]
    return doc


def named(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [doc] = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


# --- what is rendered (no cluster) ------------------------------------------------------


def test_demo_policy_rbac_names_every_identity_it_may_impersonate(
        demo_policy_file: Path) -> None:
    docs, stderr = render_rbac("--policy", str(demo_policy_file))
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("ClusterRole", "chatops-impersonator"), ("ClusterRoleBinding", "chatops-impersonator"),
        ("Role", "chatops"), ("RoleBinding", "chatops"),
        ("ConfigMap", "chatops-audit-checkpoint"),
        ("ClusterRole", "chatops-diagnostics"), ("ClusterRoleBinding", "chatops-diagnostics"),
        ("ClusterRole", "chatops-preview"), ("ClusterRoleBinding", "chatops-preview")]
    rules = named(docs, "ClusterRole", "chatops-impersonator")["rules"]
    # Besides impersonation, only asking whether an approver could make a change.
    assert rules[-1] == SUBJECT_ACCESS_REVIEW
    rules = rules[:-1]
    for rule in rules:
        assert rule["verbs"] == ["impersonate"], rule
        if rule["apiGroups"] == [""]:
            # users and groups only (never serviceaccounts or uids), each by exact name
            assert rule["resources"] in (["users"], ["groups"]), rule
            assert rule.get("resourceNames"), f"impersonate rule without resourceNames: {rule}"
        else:
            # Extra keys are named one by one; their values (run ids) cannot be listed.
            assert rule["apiGroups"] == ["authentication.k8s.io"], rule
            assert rule["resources"] == [f"userextras/{key}" for key in USER_EXTRAS], rule
    by_resource = {r["resources"][0]: r.get("resourceNames") for r in rules}
    assert by_resource["users"] == DEMO_USERS
    assert by_resource["groups"] == DEMO_GROUPS
    names = [n for r in rules for n in r.get("resourceNames", [])]
    assert not [n for n in names if n.casefold().startswith("system:") or "*" in n]
    # Unmapped people get a user per chat id (chat:{user}), which RBAC cannot list.
    assert "unmapped.kube_user 'chat:{user}'" in stderr


def test_the_bot_itself_gets_nothing_on_workloads(demo_policy_file: Path) -> None:
    docs, _ = render_rbac("--policy", str(demo_policy_file), "--namespace", "ops",
                          "--service-account", "bot")
    role = of_kind(docs, "Role")
    assert role["metadata"] == {"name": "bot", "namespace": "ops"}
    granted = {(group, resource, verb, tuple(rule.get("resourceNames", ())))
               for rule in role["rules"] for group in rule["apiGroups"]
               for resource in rule["resources"] for verb in rule["verbs"]}
    assert granted == {
        ("coordination.k8s.io", "leases", "get", ("bot",)),
        ("coordination.k8s.io", "leases", "update", ("bot",)),
        ("coordination.k8s.io", "leases", "create", ()),
        ("", "configmaps", "get", ("bot-audit-checkpoint",)),
        ("", "configmaps", "update", ("bot-audit-checkpoint",)),
    }
    for kind, name in (("ClusterRoleBinding", "bot-impersonator"), ("RoleBinding", "bot")):
        assert named(docs, kind, name)["subjects"] == [
            {"kind": "ServiceAccount", "name": "bot", "namespace": "ops"}]


def test_an_empty_list_of_names_is_left_out_not_rendered_as_all() -> None:
    """`resourceNames: []` would match every name: a policy that maps nobody (and keeps
    unmapped people out) gets no users rule at all, not an empty one."""
    policy = parse_policy({"unmapped": {"allow": "none"}})
    rules = impersonation_rules(impersonation(policy, ()))
    assert [r["resources"] for r in rules] == [[f"userextras/{k}" for k in USER_EXTRAS],
                                               ["subjectaccessreviews"]]


def test_a_fixed_unmapped_user_is_named_and_needs_no_warning() -> None:
    policy = parse_policy({"unmapped": {"allow": "read", "kube_user": "chatops:unmapped",
                                        "kube_groups": ["chatops:viewers"]}})
    imp = impersonation(policy, [Identity("chatops:alerts", ("chatops:viewers",))])
    assert imp.users == ("chatops:alerts", "chatops:unmapped")
    assert imp.groups == ("chatops:viewers",)
    assert imp.warnings == ()


# --- the same RBAC on the sandbox's API server ---------------------------------------


@dataclass
class Bot:
    """The bot's service account in `namespace`, with the rendered RBAC applied."""

    api: Any
    """A `kubernetes.client.ApiClient` with the service account's token."""
    namespace: str
    docs: list[dict[str, Any]]

    def as_(self, user: str, *groups: str, extras: dict[str, str] | None = None) -> Any:
        """A client on the bot's token that sends these impersonation headers."""
        from kubernetes import client

        api = client.ApiClient(self.api.configuration)
        api.set_default_header("Impersonate-User", user)
        if groups:
            # One value per default header; several groups go through the executor's client.
            [group] = groups
            api.set_default_header("Impersonate-Group", group)
        for key, value in (extras or {}).items():
            api.set_default_header(f"Impersonate-Extra-{key.replace('/', '%2F')}", value)
        return api


def token_client(admin: Any, namespace: str, service_account: str) -> Any:
    """An ApiClient authenticated by a TokenRequest token of `service_account`."""
    from kubernetes import client

    core = client.CoreV1Api(admin)
    token = core.create_namespaced_service_account_token(
        service_account, namespace, client.AuthenticationV1TokenRequest(
            spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=3600))).status.token
    cfg = client.Configuration()
    cfg.host = admin.configuration.host
    cfg.ssl_ca_cert = admin.configuration.ssl_ca_cert
    cfg.api_key = {"authorization": f"Bearer {token}"}
    return client.ApiClient(cfg)


@pytest.fixture
def bot(k8s_admin: Any, namespace: str, demo_policy_file: Path) -> Iterator[Bot]:
    from kubernetes import client

    from chatops.executor.apply import apply_documents, delete_documents

    client.CoreV1Api(k8s_admin).create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name=SA)))
    # Cluster-wide names are unique per test: other tests' bots must not share them.
    docs, _ = render_rbac("--policy", str(demo_policy_file), "--namespace", namespace,
                          "--service-account", SA, "--name", f"{namespace}-bot")
    apply_documents(k8s_admin, docs)
    api = token_client(k8s_admin, namespace, SA)
    try:
        yield Bot(api, namespace, docs)
    finally:
        api.close()
        delete_documents(k8s_admin, [d for d in docs if d["kind"].startswith("Cluster")])


def status_of(call: Callable[[], Any]) -> int:
    """The HTTP status `call` gets from the API server (200 when it succeeds)."""
    from kubernetes.client.exceptions import ApiException

    try:
        call()
    except ApiException as exc:
        return int(exc.status)
    return 200


def who_am_i(api: Any) -> Any:
    """The user info the API server sees for `api`'s requests (allowed to everyone)."""
    from kubernetes import client

    review = client.AuthenticationV1Api(api).create_self_subject_review(
        client.V1SelfSubjectReview())
    return review.status.user_info


def impersonation_refused(call: Callable[[], Any], resource: str) -> bool:
    from kubernetes.client.exceptions import ApiException

    try:
        call()
    except ApiException as exc:
        assert exc.status == 403, exc
        message = json.loads(exc.body)["message"]
        assert f'cannot impersonate resource "{resource}"' in message, message
        return True
    return False


def wait_until_allowed(call: Callable[[], Any], what: str) -> None:
    """RBAC objects reach the authorizer through a watch: wait for the grant to apply."""
    wait_for(lambda: status_of(call) == 200, timeout=30, what=what)


@pytest.mark.k8s
def test_mapped_people_act_through_the_bot_within_their_own_rbac(bot: Bot, world: Any) -> None:
    from chatops.executor import KubeExecutor

    prod = world.ns["prod"]
    executor = KubeExecutor(bot.api, poll_interval=0.2)
    bob = world.policy.requester(Message(user="U0BOB", text="")).identity
    alice = world.policy.requester(Message(user="U0ALICE", text="")).identity
    step = Step("scale", {"namespace": prod, "deployment": "checkout-api", "replicas": 4})

    def bob_may() -> bool:
        try:
            executor.run_step(step, bob, dry_run=True)
        except Forbidden:
            return False
        return True

    wait_for(bob_may, timeout=30, what="the bot's RBAC to apply")
    executor.run_step(step, bob)
    assert world.replicas("prod", "checkout-api") == 4
    # alice may be impersonated, but her own RBAC lets her change dev only.
    with pytest.raises(Forbidden):
        executor.run_step(step, alice)
    assert world.replicas("prod", "checkout-api") == 4
    # The alert diagnostics identity reads as chatops:viewers.
    from kubernetes import client

    diagnostics = bot.as_("chatops:alerts", "chatops:viewers")
    assert client.CoreV1Api(diagnostics).list_namespaced_pod(prod).items


@pytest.mark.k8s
def test_the_api_server_refuses_every_identity_the_policy_does_not_name(bot: Bot) -> None:
    from kubernetes import client

    def list_namespaces(api: Any) -> Callable[[], Any]:
        return lambda: client.CoreV1Api(api).list_namespace(limit=1)

    wait_until_allowed(lambda: who_am_i(bot.as_("chatops:alerts", "chatops:viewers")),
                       "the bot's RBAC to apply")
    # system:masters as a group, with a mapped user: cluster-admin if it got through.
    assert impersonation_refused(list_namespaces(bot.as_("bob", "system:masters")), "groups")
    # A user the policy does not map, and system users.
    for user in ("eve", "kubernetes-admin", "system:admin", "system:anonymous"):
        assert impersonation_refused(list_namespaces(bot.as_(user)), "users"), user
    # A group the policy does not name (bound to cluster-admin in many clusters).
    assert impersonation_refused(list_namespaces(bot.as_("bob", "cluster-admins")), "groups")
    # A service account: never impersonated.
    assert impersonation_refused(
        list_namespaces(bot.as_("system:serviceaccount:kube-system:default")),
        "serviceaccounts")
    # Extra keys: the bot's own arrive as sent, any other is refused.
    tagged = who_am_i(bot.as_("chatops:alerts", "chatops:viewers",
                              extras={"chatops.dev/run-id": "r-1a2b3c4d"}))
    assert tagged.username == "chatops:alerts"
    assert tagged.extra == {"chatops.dev/run-id": ["r-1a2b3c4d"]}
    other = bot.as_("chatops:alerts", "chatops:viewers", extras={"scopes": "admin"})
    assert impersonation_refused(lambda: who_am_i(other), "userextras/scopes")


@pytest.mark.k8s
def test_the_bot_itself_may_only_touch_its_lease_and_checkpoint(bot: Bot) -> None:
    from kubernetes import client

    from chatops.executor.checkpoints import ConfigMapCheckpointSink
    from chatops.executor.lease import LeaseElector

    ns = bot.namespace
    lease_name = f"{ns}-bot"
    checkpoint = f"{ns}-bot-audit-checkpoint"
    core, coordination = client.CoreV1Api(bot.api), client.CoordinationV1Api(bot.api)
    wait_until_allowed(lambda: core.read_namespaced_config_map(checkpoint, ns),
                       "the bot's Role to apply")
    # Its Lease, through the bot's own elector: created, renewed, released, taken over.
    first = LeaseElector(bot.api, ns, lease_name, "pod-a")
    assert first.try_once() and first.try_once()
    first.release()
    second = LeaseElector(bot.api, ns, lease_name, "pod-b")
    assert wait_for(second.try_once, timeout=10, what="pod-b to take the released lease")
    assert coordination.read_namespaced_lease(lease_name, ns).spec.holder_identity == "pod-b"
    # Its checkpoint ConfigMap, written by the bot's own sink.
    sink = ConfigMapCheckpointSink(bot.api, ns, checkpoint)
    sink.write(_Checkpoint(7, "ab" * 32))
    assert sink.read() is not None and '"event_id": 7' in (sink.read() or "")
    # Nothing else: other leases and ConfigMaps, workloads, secrets, other namespaces.
    refused = {
        "another lease": lambda: coordination.read_namespaced_lease("kube-scheduler", ns),
        "another configmap": lambda: core.read_namespaced_config_map("kube-root-ca.crt", ns),
        "a new configmap": lambda: core.create_namespaced_config_map(ns, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=f"x-{uuid.uuid4().hex[:6]}"))),
        "pods": lambda: core.list_namespaced_pod(ns),
        "secrets": lambda: core.list_namespaced_secret(ns),
        "deployments": lambda: client.AppsV1Api(bot.api).list_deployment_for_all_namespaces(),
        "namespaces": lambda: core.list_namespace(),
        "leases elsewhere": lambda: coordination.list_namespaced_lease("kube-node-lease"),
    }
    assert {what: status_of(call) for what, call in refused.items()} == {
        what: 403 for what in refused}


@dataclass(frozen=True)
class _Checkpoint:
    event_id: int
    event_hash: str

    def to_json(self) -> str:
        return f'{{"event_id": {self.event_id}, "event_hash": "{self.event_hash}"}}'


@pytest.mark.k8s
def test_the_bot_may_ask_whether_an_approver_could_make_a_change(bot: Bot, world: Any) -> None:
    """The rendered RBAC lets the bot create SubjectAccessReviews (approvers' own rights):
    the same review answers for bob (sre) and against alice (dev only) in prod."""
    from chatops.executor import KubeExecutor
    from chatops.model import Identity, Step

    executor = KubeExecutor(bot.api)
    scale = [Step("scale", {"namespace": world.ns["prod"], "deployment": "checkout-api",
                            "replicas": 4})]
    from chatops.errors import ClusterError

    def bob_allowed() -> bool:
        try:
            return executor.first_denied(Identity("bob", ("sre",)), scale) is None
        except ClusterError:  # 403 until the ClusterRole reaches the authorizer
            return False

    wait_for(bob_allowed, timeout=30, what="the bot's ClusterRole to allow reviews")
    denied = executor.first_denied(Identity("alice", ("dev",)), scale)
    assert denied is not None and "patch deployments" in denied


# --- the bot's own diagnostics and preview identities ----------------------------------


def test_every_verb_is_covered_by_the_identities_roles() -> None:
    """Every request of every read verb is in the diagnostics role, and every request of
    every mutating verb in the preview role (a new verb whose resources are missing fails
    here). Verifications run as the approver, never as these identities."""
    from chatops.cli.policy_cmd import executor_requests
    from chatops.policy.identity_rbac import Grant, identity_roles, verb_requests
    from chatops.runbook.catalogue import load_catalogue
    from chatops.verbs import VERBS

    roles = identity_roles(load_catalogue(), executor_requests)
    granted = {"read": set(roles.diagnostics), "mutate": set(roles.preview)}
    missing = []
    for verb, spec in VERBS.items():
        if spec.kind == "verify":
            continue
        for r in verb_requests(verb, executor_requests):
            resource = f"{r.resource}/{r.subresource}" if r.subresource else r.resource
            if Grant(r.group, resource, r.verb) not in granted[spec.kind]:
                missing.append(f"{verb}: {r.verb} {r.group}/{resource}")
    assert missing == []
    # Read-only means read-only; the preview never deletes anything but pods.
    assert {g.verb for g in roles.diagnostics} == {"get", "list", "watch"}
    assert {(g.resource, g.verb) for g in roles.preview if g.verb == "delete"} == {
        ("pods", "delete")}
    assert not [g for g in (*roles.diagnostics, *roles.preview)
                if g.resource.startswith(("secrets", "configmaps", "serviceaccounts"))
                or g.group == RBAC_API_GROUP]


RBAC_API_GROUP = "rbac.authorization.k8s.io"


def test_no_rendered_rule_has_a_wildcard(demo_policy_file: Path) -> None:
    docs, _ = render_rbac("--policy", str(demo_policy_file))
    values, _ = render_rbac("--policy", str(demo_policy_file), "--helm-values")
    identities = values[0]["rbac"]["identities"]
    assert set(identities) == {"diagnostics", "preview"}
    rules = [rule for doc in docs for rule in doc.get("rules", ())]
    rules += [rule for role in identities.values() for rule in role["rules"]]
    assert len(rules) > 10
    for rule in rules:
        for key in ("apiGroups", "resources", "verbs", "resourceNames"):
            assert not [v for v in rule.get(key, ()) if "*" in v], rule
    # Each identity role is bound to its user alone, never to a group people may share.
    for suffix, user in (("diagnostics", "chatops:alerts"), ("preview", "chatops:alerts-preview")):
        binding = named(docs, "ClusterRoleBinding", f"chatops-{suffix}")
        assert binding["subjects"] == [{"apiGroup": RBAC_API_GROUP, "kind": "User", "name": user}]
        assert identities[suffix]["user"] == user
        assert identities[suffix]["rules"] == named(docs, "ClusterRole", f"chatops-{suffix}")[
            "rules"]


@dataclass
class Identities:
    """The bot with the rendered RBAC, for diagnostics and preview identities of this test
    alone (so no other test's bindings count)."""

    bot: Bot
    diagnostics: Identity
    preview: Identity


@pytest.fixture
def identities(k8s_admin: Any, namespace: str, demo_policy_file: Path,
               tmp_path: Path) -> Iterator[Identities]:
    from kubernetes import client

    from chatops.alerts.rules import DEFAULT_RULES
    from chatops.executor.apply import apply_documents, delete_documents

    diagnostics = Identity(f"chatops:diag-{namespace}", (f"chatops:diag-{namespace}",))
    preview = Identity(f"chatops:preview-{namespace}", (f"chatops:preview-{namespace}",))
    rules = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    rules["diagnostics_identity"] = {"user": diagnostics.user, "groups": list(diagnostics.groups)}
    rules["preview_identity"] = {"user": preview.user, "groups": list(preview.groups)}
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump(rules), encoding="utf-8")
    client.CoreV1Api(k8s_admin).create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name=SA)))
    docs, _ = render_rbac("--policy", str(demo_policy_file), "--alert-rules", str(rules_file),
                          "--namespace", namespace, "--service-account", SA,
                          "--name", f"{namespace}-bot")
    assert {d["metadata"]["name"] for d in docs if d["kind"] == "ClusterRole"} == {
        f"{namespace}-bot-{s}" for s in ("impersonator", "diagnostics", "preview")}
    apply_documents(k8s_admin, docs)
    api = token_client(k8s_admin, namespace, SA)
    try:
        yield Identities(Bot(api, namespace, docs), diagnostics, preview)
    finally:
        api.close()
        delete_documents(k8s_admin, [d for d in docs if d["kind"].startswith("Cluster")])


def _dry_run_ok(executor: Any, step: Step, identity: Identity) -> bool:
    try:
        executor.run_step(step, identity, dry_run=True)
    except Forbidden:
        return False
    return True


@pytest.mark.k8s
def test_the_preview_identity_dry_runs_what_the_runbooks_change_and_nothing_else(
        identities: Identities, world: Any) -> None:
    from kubernetes import client

    from chatops.executor import KubeExecutor

    prod, preview = world.ns["prod"], identities.preview
    executor = KubeExecutor(identities.bot.api, poll_interval=0.2)
    scale = Step("scale", {"namespace": prod, "deployment": "checkout-api", "replicas": 5})
    restart = Step("rollout_restart", {"namespace": prod, "deployment": "checkout-api"})
    wait_for(lambda: _dry_run_ok(executor, scale, preview), timeout=30,
             what="the preview role to apply")
    assert executor.run_step(scale, preview, dry_run=True).dry_run
    assert executor.run_step(restart, preview, dry_run=True).dry_run
    assert world.replicas("prod", "checkout-api") == 3  # dry runs change nothing
    api = identities.bot.as_(preview.user, *preview.groups)
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    label = {"metadata": {"labels": {"chatops-test": "x"}}}
    refused = {
        "delete a deployment": lambda: apps.delete_namespaced_deployment(
            "checkout-api", prod, dry_run="All"),
        "read a secret": lambda: core.list_namespaced_secret(prod),
        "patch a configmap": lambda: core.patch_namespaced_config_map(
            "settings", prod, label, dry_run="All"),
        "patch a service": lambda: core.patch_namespaced_service(
            "checkout-api", prod, label, dry_run="All"),
        "patch a statefulset": lambda: apps.patch_namespaced_stateful_set(
            "db", prod, label, dry_run="All"),
        "create a pod": lambda: core.create_namespaced_pod(prod, client.V1Pod(
            metadata=client.V1ObjectMeta(name="x"), spec=client.V1PodSpec(
                containers=[client.V1Container(name="x", image="busybox")])), dry_run="All"),
        "watch pods": lambda: core.list_namespaced_pod(prod, watch=True, timeout_seconds=1),
    }
    assert {what: status_of(call) for what, call in refused.items()} == {
        what: 403 for what in refused}


@pytest.mark.k8s
def test_the_diagnostics_identity_reads_pods_and_logs_and_writes_nothing(
        identities: Identities, world: Any) -> None:
    from kubernetes import client

    from chatops.executor import KubeExecutor

    prod, diagnostics = world.ns["prod"], identities.diagnostics
    executor = KubeExecutor(identities.bot.api, poll_interval=0.2)
    pods = Step("list_pods", {"namespace": prod, "deployment": "checkout-api"})
    wait_for(lambda: _dry_run_ok(executor, pods, diagnostics), timeout=30,
             what="the diagnostics role to apply")
    assert executor.run_step(pods, diagnostics).records
    logs = Step("pod_logs", {"namespace": prod, "deployment": "checkout-api", "lines": 2})
    assert executor.run_step(logs, diagnostics).records
    diagnosis = Step("diagnose", {"namespace": prod})
    assert executor.run_step(diagnosis, diagnostics).records
    # A write, even a dry run of one, is refused: the API server answers 403.
    scale = Step("scale", {"namespace": prod, "deployment": "checkout-api", "replicas": 5})
    with pytest.raises(Forbidden):
        executor.run_step(scale, diagnostics, dry_run=True)
    api = identities.bot.as_(diagnostics.user, *diagnostics.groups)
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    [pod] = core.list_namespaced_pod(prod, label_selector="app=checkout-api", limit=1).items
    refused = {
        "read a secret": lambda: core.list_namespaced_secret(prod),
        "patch a deployment": lambda: apps.patch_namespaced_deployment(
            "checkout-api", prod, {"spec": {"replicas": 5}}, dry_run="All"),
        "delete a pod": lambda: core.delete_namespaced_pod(
            pod.metadata.name, prod, dry_run="All"),
        "evict a pod": lambda: core.create_namespaced_pod_eviction(
            pod.metadata.name, prod, client.V1Eviction(metadata=client.V1ObjectMeta(
                name=pod.metadata.name, namespace=prod)), dry_run="All"),
        "cordon a node": lambda: core.patch_node(
            pod.spec.node_name, {"spec": {"unschedulable": True}}, dry_run="All"),
    }
    assert {what: status_of(call) for what, call in refused.items()} == {
        what: 403 for what in refused}
