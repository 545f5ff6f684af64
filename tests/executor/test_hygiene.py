"""`pod_hygiene` against the sandbox: each check flagged and passed, the registry
allow-list unset and set, unknown checks refused, and identities without list rights."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from chatops.errors import Forbidden, Refusal
from chatops.executor import KubeExecutor
from chatops.executor.hygiene import MAX_ROWS, audit
from chatops.messages import records_text
from chatops.model import Identity, Step
from chatops.replies import Reply
from chatops.results import HygieneCheck, HygieneRow, HygieneSummary, Record
from chatops.settings import Settings
from chatops.slack.blocks import MAX_SECTIONS, SECTION_LIMIT, reply_blocks
from chatops.verbs import HYGIENE_CHECKS, HygieneRules
from tests.executor.helpers import deployment
from tests.plugins.sandbox_fixtures import wait_for

ALLOW = HygieneRules(allowed_registries=("ghcr.io/acme",), max_limit_ratio=4.0)


def _container(name: str, image: str, **kw: Any) -> client.V1Container:
    return client.V1Container(name=name, image=image, **kw)


def bad_deployment() -> client.V1Deployment:
    """Fails every check: `app` and `side` share the failures between them."""
    app = _container(
        "app", "nginx", tty=True,
        resources=client.V1ResourceRequirements(requests={"cpu": "100m"}, limits={"cpu": "1"}),
        security_context=client.V1SecurityContext(privileged=True),
        volume_mounts=[client.V1VolumeMount(name="logs", mount_path="/logs")])
    side = _container("side", "registry.example/x:latest", stdin=True)
    dep = deployment("bad", 1, containers=[app, side])
    dep.spec.template.spec.volumes = [client.V1Volume(
        name="logs", host_path=client.V1HostPathVolumeSource(path="/var/log"))]
    return dep


def good_deployment() -> client.V1Deployment:
    probe = client.V1Probe(http_get=client.V1HTTPGetAction(path="/healthz", port=8080))
    app = _container(
        "app", "ghcr.io/acme/api:1.2", readiness_probe=probe, liveness_probe=probe,
        resources=client.V1ResourceRequirements(requests={"cpu": "500m", "memory": "128Mi"},
                                                limits={"cpu": "1", "memory": "256Mi"}),
        security_context=client.V1SecurityContext(run_as_non_root=True, run_as_user=1000))
    return deployment("good", 2, containers=[app])


def pods_exist(api: Any, namespace: str, count: int) -> bool:
    pods = client.CoreV1Api(api).list_namespaced_pod(namespace).items
    return len([p for p in pods if p.status.phase == "Running"]) >= count


@pytest.fixture
def good_ns(k8s_admin: Any) -> Iterator[str]:
    core = client.CoreV1Api(k8s_admin)
    name = f"t-{uuid.uuid4().hex[:10]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    try:
        yield name
    finally:
        core.delete_namespace(name)


def hygiene(ex: KubeExecutor, identity: Identity | None = None, **params: Any
            ) -> tuple[HygieneSummary, dict[str, HygieneCheck], tuple[Record, ...]]:
    records = ex.run_step(Step("pod_hygiene", params), identity).records
    summary = records[0]
    assert isinstance(summary, HygieneSummary)
    checks = {r.check: r for r in records[1:] if isinstance(r, HygieneCheck)}
    return summary, checks, records


@pytest.mark.k8s
def test_each_check_flagged_and_passed(k8s_admin: Any, namespace: str, good_ns: str) -> None:
    apps = client.AppsV1Api(k8s_admin)
    apps.create_namespaced_deployment(namespace, bad_deployment())
    apps.create_namespaced_deployment(good_ns, good_deployment())
    wait_for(lambda: pods_exist(k8s_admin, namespace, 1), timeout=90, what="the bad pod")
    wait_for(lambda: pods_exist(k8s_admin, good_ns, 2), timeout=90, what="the good pods")
    ex = KubeExecutor(k8s_admin, hygiene=ALLOW)

    summary, checks, records = hygiene(ex, namespace=namespace)
    assert (summary.namespace, summary.pods, summary.workloads) == (namespace, 1, 1)
    assert list(checks) == list(HYGIENE_CHECKS)  # all fail, so in report order
    assert not any(c.passed for c in checks.values())

    def rows(check: str) -> set[tuple[str, str]]:
        return {(r.container, r.detail) for r in checks[check].rows}

    assert all(r.workload == "deployment/bad" and r.namespace == namespace and r.pods == 1
               for c in checks.values() for r in c.rows)
    assert rows("cpu-requests") == rows("cpu-limits") == {("side", "")}
    assert rows("memory-requests") == rows("memory-limits") == {("app", ""), ("side", "")}
    assert rows("limit-ratio") == {("app", "cpu 10x (100m -> 1)")}
    assert checks["limit-ratio"].setting == "4x"
    assert rows("readiness-probe") == rows("liveness-probe") == {("app", ""), ("side", "")}
    assert rows("latest-tag") == rows("registry") == {
        ("app", "nginx"), ("side", "registry.example/x:latest")}
    assert rows("privileged") == {("app", "")}
    assert rows("tty-stdin") == {("app", "tty"), ("side", "stdin")}
    assert rows("host-path") == {("", "volume logs: /var/log")}
    assert rows("run-as-root") == {("app", "runAsUser unset, runAsNonRoot not true"),
                                   ("side", "runAsUser unset, runAsNonRoot not true")}
    text = records_text(records)
    assert text.startswith(f"Pod hygiene in namespace {namespace}: 1 pod of 1 workload; "
                           "13 of 13 checks fail.")
    assert "[fail] memory-limits: no memory limit (2 containers)" in text

    summary, checks, records = hygiene(ex, namespace=good_ns)
    assert (summary.pods, summary.workloads) == (2, 1)
    assert all(c.passed for c in checks.values()) and list(checks) == list(HYGIENE_CHECKS)
    assert records_text(records).endswith(f"[pass] {', '.join(HYGIENE_CHECKS)}: every "
                                          "container passes.")

    # One check named: only that one, as the slot type spells it.
    _, only, _ = hygiene(ex, namespace=namespace, check="memory-limits,privileged")
    assert list(only) == ["memory-limits", "privileged"]

    # Every namespace (the admin may list pods everywhere): both namespaces' pods.
    summary, checks, _ = hygiene(ex)
    assert summary.namespace is None and summary.unreadable == 0
    assert {r.namespace for r in checks["privileged"].rows} >= {namespace}
    assert good_ns not in {r.namespace for c in checks.values() for r in c.rows}


@pytest.mark.k8s
def test_registry_allow_list_unset_and_set(k8s_admin: Any, namespace: str) -> None:
    client.AppsV1Api(k8s_admin).create_namespaced_deployment(namespace, bad_deployment())
    wait_for(lambda: pods_exist(k8s_admin, namespace, 1), timeout=90, what="the pod")
    unset = KubeExecutor(k8s_admin)
    _, checks, records = hygiene(unset, namespace=namespace, check="registry,privileged")
    assert not checks["registry"].configured and not checks["registry"].passed
    assert checks["registry"].rows == ()
    text = records_text(records)
    assert "[not set] registry: no registry allow-list is configured" in text
    assert "1 of 2 checks fail" in text

    allowed = KubeExecutor(k8s_admin, hygiene=HygieneRules(("docker.io", "registry.example")))
    _, checks, _ = hygiene(allowed, namespace=namespace, check="registry")
    assert checks["registry"].passed
    narrow = KubeExecutor(k8s_admin, hygiene=HygieneRules(("docker.io/library",)))
    _, checks, records = hygiene(narrow, namespace=namespace, check="registry")
    assert [(r.container, r.detail) for r in checks["registry"].rows] == [
        ("side", "registry.example/x:latest")]
    assert "outside the allow-list (docker.io/library)" in records_text(records)


@pytest.mark.k8s
def test_unknown_check_is_refused(ex: KubeExecutor, namespace: str) -> None:
    with pytest.raises(Refusal) as err:
        ex.run_step(Step("pod_hygiene", {"namespace": namespace, "check": "seccomp"}), None)
    assert "no pod hygiene check called 'seccomp'" in err.value.message
    assert "memory-limits" in err.value.hint


@pytest.mark.k8s
def test_callers_without_list_rights_are_refused(k8s_admin: Any, namespace: str) -> None:
    ex = KubeExecutor(k8s_admin)
    nobody = Identity(f"nobody-{uuid.uuid4().hex[:6]}")
    with pytest.raises(Forbidden) as err:
        ex.run_step(Step("pod_hygiene", {"namespace": namespace}), nobody)
    assert err.value.message == f"{nobody.user} may not list pods in namespace {namespace}."
    with pytest.raises(Forbidden) as err:
        ex.run_step(Step("pod_hygiene", {}), nobody)
    assert "nor list the namespaces" in err.value.message and err.value.hint

    # Allowed to list namespaces and one namespace's pods: that namespace is audited, the
    # others are counted as left out.
    rbac = client.RbacAuthorizationV1Api(k8s_admin)
    carol = Identity(f"carol-{uuid.uuid4().hex[:6]}")
    subject = [client.RbacV1Subject(kind="User", name=carol.user,
                                    api_group="rbac.authorization.k8s.io")]
    rbac.create_cluster_role(client.V1ClusterRole(
        metadata=client.V1ObjectMeta(name=carol.user),
        rules=[client.V1PolicyRule(api_groups=[""], resources=["namespaces"], verbs=["list"])]))
    rbac.create_cluster_role_binding(client.V1ClusterRoleBinding(
        metadata=client.V1ObjectMeta(name=carol.user), subjects=subject,
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                  name=carol.user)))
    rbac.create_namespaced_role(namespace, client.V1Role(
        metadata=client.V1ObjectMeta(name="pods"),
        rules=[client.V1PolicyRule(api_groups=[""], resources=["pods"], verbs=["list"])]))
    rbac.create_namespaced_role_binding(namespace, client.V1RoleBinding(
        metadata=client.V1ObjectMeta(name="pods"), subjects=subject,
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                                  name="pods")))
    try:
        client.AppsV1Api(k8s_admin).create_namespaced_deployment(namespace, bad_deployment())
        wait_for(lambda: pods_exist(k8s_admin, namespace, 1), timeout=90, what="the pod")

        def audited() -> HygieneSummary | None:
            try:
                summary, _, _ = hygiene(ex, carol, check="privileged")
            except Forbidden:
                return None
            return summary if summary.pods else None

        summary = wait_for(audited, timeout=30, what="RBAC to apply")
        assert summary.namespace is None and summary.namespaces == 1
        assert summary.pods == 1 and summary.unreadable >= 1
    finally:
        rbac.delete_cluster_role_binding(carol.user)
        rbac.delete_cluster_role(carol.user)


def _pod(name: str, image: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "prod"},
            "spec": {"containers": [{"name": "app", "image": image}]}}


def test_rows_are_bounded_and_hostile_text_stays_one_short_line() -> None:
    hostile = "evil.example/x\n[pass] all good <!channel> ```" + "a" * 300
    pods = [_pod(f"p{i:02d}", "nginx:latest") for i in range(30)] + [_pod("zz", hostile)]
    checks, workloads = audit(pods, ("latest-tag",), HygieneRules())
    (latest,) = checks
    assert workloads == 31 and latest.total == 31 and len(latest.rows) == MAX_ROWS
    assert latest.rows[0] == HygieneRow("prod", "pod/p00", "app", "nginx:latest")
    text = records_text((HygieneSummary("prod", 31, 31), latest))
    assert "  ... and 23 more" in text
    # Every check failing with long rows still fits Slack's limits.
    many = [_pod(f"{'x' * 200}-{i}", hostile) for i in range(40)]
    checks, _ = audit(many, HYGIENE_CHECKS, ALLOW)
    records: tuple[Record, ...] = (HygieneSummary(None, 40, 40, 3), *checks)
    text = records_text(records)
    assert "\n[pass] all good" not in text  # a line break in an image cannot forge a line
    blocks = reply_blocks(Reply("answer", text, records=records))
    assert len(blocks) <= MAX_SECTIONS
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT + 10 for b in blocks)
    assert "more lines not shown" not in str(blocks)
    assert "<!channel>" not in str(blocks)


def test_the_settings_default_ratio_is_the_rules_default() -> None:
    settings = Settings.from_env({})
    assert settings.hygiene_max_limit_ratio == HygieneRules().max_limit_ratio
    assert settings.hygiene_registries == HygieneRules().allowed_registries == ()
    configured = Settings.from_env({"CHATOPS_HYGIENE_REGISTRIES": "ghcr.io/acme, Docker.io",
                                    "CHATOPS_HYGIENE_MAX_LIMIT_RATIO": "2.5"})
    assert configured.hygiene_registries == ("ghcr.io/acme", "docker.io")
    assert configured.hygiene_max_limit_ratio == 2.5
