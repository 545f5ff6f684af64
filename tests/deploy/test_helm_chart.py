"""The Helm chart (deploy/helm/chatops): lint, render in both Slack modes, its schema, its RBAC
against `chatops policy rbac`, and the rendered objects applied to the sandbox API server."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.demo import DEMO_POLICY
from tests.deploy.conftest import CHART, Helm, render
from tests.plugins.sandbox_fixtures import wait_for
from tests.security.test_rbac_sandbox import render_rbac

RBAC_KINDS = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")


def one(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind
             and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, [(d["kind"], d["metadata"]["name"]) for d in docs]
    return found[0]


def env_of(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e for e in container["env"]}


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(DEMO_POLICY, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def rbac_values(policy_file: Path, tmp_path: Path) -> Path:
    """The values `chatops policy rbac --helm-values` prints for the demo policy."""
    runner_docs, _ = render_rbac("--policy", str(policy_file), "--helm-values")
    path = tmp_path / "rbac-values.yaml"
    path.write_text(yaml.safe_dump(runner_docs[0]), encoding="utf-8")
    return path


@pytest.mark.parametrize("args", [[], ["--set", "mode=http"]], ids=["socket", "http"])
def test_lint_strict_passes(helm: Helm, args: list[str]) -> None:
    result = helm("lint", "--strict", CHART, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


def test_default_values_render_a_socket_mode_bot(helm: Helm) -> None:
    docs = render(helm)
    assert sorted(d["kind"] for d in docs) == sorted([
        "ServiceAccount", "ConfigMap", *RBAC_KINDS, "Service", "Deployment",
        "PodDisruptionBudget"])
    dep = one(docs, "Deployment")
    spec = dep["spec"]["template"]["spec"]
    [container] = spec["containers"]
    assert dep["spec"]["replicas"] == 2
    assert spec["serviceAccountName"] == "chatops"
    env = env_of(dep)
    assert "SLACK_APP_TOKEN" in env and "SLACK_SIGNING_SECRET" not in env
    assert env["SLACK_BOT_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "chatops", "key": "SLACK_BOT_TOKEN"}
    assert env["CHATOPS_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "chatops", "key": "CHATOPS_DATABASE_URL"}
    assert env["CHATOPS_POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert env["CHATOPS_LEADER_ELECTION"]["value"] == "true"
    assert env["CHATOPS_LEASE_NAME"]["value"] == "chatops"
    assert env["CHATOPS_AUDIT_CHECKPOINT_CONFIGMAP"]["value"] == (
        "chatops/chatops-audit-checkpoint")
    assert "CHATOPS_POLICY" not in env  # no policy given: the read-only default
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["securityContext"] == {"allowPrivilegeEscalation": False,
                                            "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    assert spec["securityContext"] == {"runAsNonRoot": True, "fsGroup": 10001}
    assert container["resources"]["limits"] == {"memory": "512Mi"}
    pdb = one(docs, "PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"] == {"maxUnavailable": 1, "selector": dep["spec"]["selector"]}
    # Nobody listed: the bot may impersonate nobody (no rule without resourceNames).
    rules = one(docs, "ClusterRole")["rules"]
    assert [r["resources"] for r in rules] == [["userextras/chatops.dev/run-id",
                                                "userextras/chatops.dev/audit-seq"],
                                               ["subjectaccessreviews"]]


def test_http_mode_with_a_policy(helm: Helm, policy_file: Path, rbac_values: Path) -> None:
    docs = render(helm, "--set", "mode=http", "--set-file", f"policy.content={policy_file}",
                  "-f", rbac_values)
    dep = one(docs, "Deployment")
    env = env_of(dep)
    assert "SLACK_SIGNING_SECRET" in env and "SLACK_APP_TOKEN" not in env
    service = one(docs, "Service")
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http",
                                         "protocol": "TCP"}]
    # CHATOPS_POLICY names the file the ConfigMap is mounted as.
    [container] = dep["spec"]["template"]["spec"]["containers"]
    mount = next(m for m in container["volumeMounts"] if m["name"] == "policy")
    volume = next(v for v in dep["spec"]["template"]["spec"]["volumes"]
                  if v["name"] == "policy")
    [item] = volume["configMap"]["items"]
    assert env["CHATOPS_POLICY"]["value"] == f"{mount['mountPath']}/{item['path']}"
    config = one(docs, "ConfigMap", volume["configMap"]["name"])
    assert yaml.safe_load(config["data"][item["key"]]) == DEMO_POLICY


@pytest.mark.parametrize(("args", "where"), [
    (["--set-string", "replicaCount=two"], "/replicaCount"),
    (["--set", "mode=websocket"], "/mode"),
    (["--set", "replicas=3"], "replicas"),
    (["--set", "rbac.impersonate.groups={sre,system:masters}"], "/rbac/impersonate/groups/1"),
    (["--set", "rbac.impersonate.users={System:admin}"], "/rbac/impersonate/users/0"),
    (["--set", "podDisruptionBudget.maxUnavailable=-1"], "/podDisruptionBudget/maxUnavailable"),
], ids=["replicas-string", "unknown-mode", "misspelt-key", "system-group", "system-user",
        "negative-budget"])
def test_schema_refuses_bad_values(helm: Helm, args: list[str], where: str) -> None:
    result = helm("template", "chatops", CHART, *args)
    assert result.returncode != 0, result.stdout
    assert "values don't meet the specifications of the schema" in result.stderr, result.stderr
    assert where in result.stderr, result.stderr


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """An object without labels and annotations (Helm adds its own)."""
    meta = {k: v for k, v in doc["metadata"].items() if k not in ("labels", "annotations")}
    return {**doc, "metadata": meta}


@pytest.mark.parametrize(("release", "namespace", "cli_args"), [
    ("chatops", "chatops", []),
    ("ops", "platform", ["--namespace", "platform", "--service-account", "ops-chatops",
                         "--name", "ops-chatops"]),
], ids=["defaults", "other-release-and-namespace"])
def test_chart_rbac_is_what_chatops_policy_rbac_renders(
        helm: Helm, policy_file: Path, rbac_values: Path, release: str, namespace: str,
        cli_args: list[str]) -> None:
    expected, _ = render_rbac("--policy", str(policy_file), *cli_args)
    chart = render(helm, "-f", rbac_values, release=release, namespace=namespace)
    names = {(d["kind"], d["metadata"]["name"]) for d in expected}
    rendered = [comparable(d) for d in chart if (d["kind"], d["metadata"]["name"]) in names]
    assert sorted(rendered, key=str) == sorted(map(comparable, expected), key=str)
    assert {d["kind"] for d in expected} == {*RBAC_KINDS, "ConfigMap"}


@pytest.mark.k8s
def test_rendered_objects_are_accepted_by_the_api_server(
        helm: Helm, k8s_admin: Any, namespace: str, policy_file: Path,
        rbac_values: Path) -> None:
    from kubernetes import client

    from chatops.executor.apply import apply_documents, delete_documents

    release = f"r{uuid.uuid4().hex[:6]}"  # cluster-wide names are per release
    for mode in ("http", "socket"):
        docs = render(helm, "--set", f"mode={mode}", "--set-file",
                      f"policy.content={policy_file}", "-f", rbac_values,
                      release=release, namespace=namespace)
        try:
            assert apply_documents(k8s_admin, docs) == len(docs)
        finally:
            delete_documents(k8s_admin, [d for d in docs if d["kind"].startswith("Cluster")])
    name = f"{release}-chatops"

    def available() -> bool:
        dep = client.AppsV1Api(k8s_admin).read_namespaced_deployment(name, namespace)
        return (dep.status.available_replicas or 0) == 2

    wait_for(available, timeout=90, what=f"deployment {name} to have 2 available replicas")
    pdb = client.PolicyV1Api(k8s_admin).read_namespaced_pod_disruption_budget(name, namespace)
    wait_for(lambda: client.PolicyV1Api(k8s_admin).read_namespaced_pod_disruption_budget(
        name, namespace).status.disruptions_allowed == 1, timeout=60,
        what="the PodDisruptionBudget to allow one disruption")
    assert pdb.spec.max_unavailable == 1


def test_every_variable_the_chart_sets_is_one_the_bot_reads(helm: Helm, policy_file: Path,
                                                            tmp_path: Path) -> None:
    from chatops.settings import environment_variables, setting_names

    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: []\n", encoding="utf-8")
    read = {v for name in setting_names() for v in environment_variables(name)}
    for mode in ("socket", "http"):
        docs = render(helm, "--set", f"mode={mode}", "--set-file",
                      f"policy.content={policy_file}", "--set-file",
                      f"alertRules.content={rules}", "--set", "alertChannel=C0ALERTS",
                      "--set", "slack.teamId=T0TEAM", "--set", "slack.appId=A0APP")
        assert set(env_of(one(docs, "Deployment"))) <= read
