"""The Helm chart (deploy/helm/chatops): lint, render in both Slack modes, its schema, its RBAC
against `chatops policy rbac`, and the rendered objects applied to the sandbox API server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.cli.policy_cmd import executor_requests
from chatops.demo import DEMO_POLICY
from chatops.policy.identity_rbac import SLOT_RESOURCES, diagnostics_grants, preview_grants
from chatops.verbs import VERBS
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
    (["--set", "watches.namespaces={dev,team-*}"], "/watches/namespaces/1"),
    (["--set", "watches.identity=system:admin"], "/watches/identity"),
    (["--set", "watches.nodes=maybe"], "/watches/nodes"),
    (["--set", "watches.pendingMinutes=-1"], "/watches/pendingMinutes"),
    (["--set-json", "hygiene.maxLimitRatio=0.5"], "/hygiene/maxLimitRatio"),
    (["--set", "rightsizing.prometheusUrl=http://user:pw@prometheus:9090"],
     "/rightsizing/prometheusUrl"),
    (["--set-json", 'rbac.identities.preview={"user": "p", "rules": [{"apiGroups": [""], '
      '"resources": ["*"], "verbs": ["get"]}]}'], "/rbac/identities/preview/rules/0/resources/0"),
    (["--set-json", 'rbac.identities.diagnostics={"user": "d", "rules": [{"apiGroups": [""], '
      '"resources": ["pods"], "verbs": ["*"]}]}'],
     "/rbac/identities/diagnostics/rules/0/verbs/0"),
    (["--set-json", 'rbac.identities.preview={"user": "system:admin", "rules": []}'],
     "/rbac/identities/preview/user"),
], ids=["replicas-string", "unknown-mode", "misspelt-key", "system-group", "system-user",
        "negative-budget", "wildcard-namespace", "system-watch-identity", "nodes-not-bool",
        "negative-pending", "ratio-below-one", "credentials-in-url", "wildcard-resource",
        "wildcard-verb", "system-identity"])
def test_schema_refuses_bad_values(helm: Helm, args: list[str], where: str) -> None:
    result = helm("template", "chatops", CHART, *args)
    assert result.returncode != 0, result.stdout
    assert "values don't meet the specifications of the schema" in result.stderr, result.stderr
    assert where in result.stderr, result.stderr


def identity_rules(identity: str, group: str, resource: str, verb: str) -> list[str]:
    rule = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
    return ["--set-json", f"rbac.identities.{identity}="
            + json.dumps({"user": f"chatops:{identity}", "rules": [rule]})]


@pytest.mark.parametrize(("args", "where"), [
    (identity_rules("preview", "", "serviceaccounts/token", "create"), "resources/0"),
    (identity_rules("preview", "", "secrets", "get"), "resources/0"),
    (identity_rules("diagnostics", "", "secrets", "list"), "resources/0"),
    (identity_rules("preview", "", "pods/exec", "create"), "resources/0"),
    (identity_rules("diagnostics", "", "nodes/proxy", "get"), "resources/0"),
    (identity_rules("preview", "rbac.authorization.k8s.io", "deployments", "patch"),
     "apiGroups/0"),
    (identity_rules("diagnostics", "rbac.authorization.k8s.io", "deployments", "get"),
     "apiGroups/0"),
    (identity_rules("diagnostics", "", "pods", "delete"), "verbs/0"),
    (identity_rules("preview", "apps", "deployments", "update"), "verbs/0"),
], ids=["token-create", "preview-secrets", "diagnostics-secrets", "pods-exec", "nodes-proxy",
        "preview-rbac-group", "diagnostics-rbac-group", "diagnostics-write", "preview-update"])
def test_schema_refuses_identity_rights_the_runbooks_never_need(
        helm: Helm, args: list[str], where: str) -> None:
    """An operator's values can give the bot's identities only what `chatops policy rbac`
    could render: a stolen bot token never gets secrets, exec, tokens or RBAC this way."""
    identity = args[1].split("=")[0].rsplit(".", 1)[1]
    for command in (("template", "chatops"), ("lint", "--strict")):
        result = helm(*command, CHART, *args)
        assert result.returncode != 0, result.stdout
        assert f"/rbac/identities/{identity}/rules/0/{where}" in result.stderr + result.stdout


def test_schema_allows_exactly_what_the_identity_rbac_can_render() -> None:
    """The schema's lists are those `chatops.policy.identity_rbac` gives for every verb, so
    rendered values always pass and nothing else does."""
    schema = json.loads((Path(CHART) / "values.schema.json").read_text(encoding="utf-8"))
    reads = [name for name, spec in VERBS.items() if not spec.mutating]
    possible = {"diagnostics": diagnostics_grants(reads, SLOT_RESOURCES, executor_requests),
                "preview": preview_grants(VERBS, SLOT_RESOURCES, executor_requests)}
    for identity, grants in possible.items():
        ref = schema["properties"]["rbac"]["properties"]["identities"]["properties"][identity]
        rule = schema["$defs"][ref["$ref"].rsplit("/", 1)[1]]["properties"]["rules"]["items"]
        for field, values in (("apiGroups", {g.group for g in grants}),
                              ("resources", {g.resource for g in grants}),
                              ("verbs", {g.verb for g in grants})):
            assert set(rule["properties"][field]["items"]["enum"]) == values, (identity, field)


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
    # The identities' roles are among them, under the same names.
    prefix = cli_args[-1] if cli_args else "chatops"
    assert {f"{prefix}-diagnostics", f"{prefix}-preview"} <= {
        d["metadata"]["name"] for d in rendered if d["kind"] == "ClusterRole"}


def test_identity_roles_bind_only_the_identity_users(helm: Helm, rbac_values: Path) -> None:
    docs = render(helm, "-f", rbac_values)
    for suffix, user in (("diagnostics", "chatops:alerts"), ("preview", "chatops:alerts-preview")):
        binding = one(docs, "ClusterRoleBinding", f"chatops-{suffix}")
        assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                        "name": user}]
        rules = one(docs, "ClusterRole", f"chatops-{suffix}")["rules"]
        assert rules and not [v for r in rules for k in ("apiGroups", "resources", "verbs")
                              for v in r[k] if "*" in v]
    # Without values, or with rbac off, no identity role.
    for args in ([], ["-f", str(rbac_values), "--set", "rbac.create=false"]):
        assert not [d for d in render(helm, *args)
                    if d["metadata"]["name"].endswith(("-diagnostics", "-preview"))]


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
                      "--set", f"watches.namespaces={{{namespace}}}",
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


SETTINGS_VALUES = [
    "--set", "watches.namespaces={dev,staging}", "--set", "watches.pendingMinutes=2.5",
    "--set", "watches.nodes=false", "--set", "rbac.impersonate.users={chatops:alerts}",
    "--set", "hygiene.registries={ghcr.io/acme,registry.internal:5000}",
    "--set", "hygiene.maxLimitRatio=3", "--set",
    "rightsizing.prometheusUrl=http://prometheus.monitoring:9090", "--set",
    "rightsizing.metricsApi=true", "--set", "schedules.timezone=Europe/Berlin",
    "--set", "schedules.graceSeconds=0"]
"""Every setting of watches, hygiene, right-sizing and schedules, given."""

NEW_SETTINGS = {
    "CHATOPS_WATCH_NAMESPACES": "dev,staging", "CHATOPS_WATCH_PENDING_MINUTES": "2.5",
    "CHATOPS_WATCH_NODES": "false",
    "CHATOPS_HYGIENE_REGISTRIES": "ghcr.io/acme,registry.internal:5000",
    "CHATOPS_HYGIENE_MAX_LIMIT_RATIO": "3",
    "CHATOPS_PROMETHEUS_URL": "http://prometheus.monitoring:9090",
    "CHATOPS_METRICS_API": "true", "CHATOPS_SCHEDULE_TIMEZONE": "Europe/Berlin",
    "CHATOPS_SCHEDULE_GRACE_SECONDS": "0"}


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
                      "--set", "slack.teamId=T0TEAM", "--set", "slack.appId=A0APP",
                      *SETTINGS_VALUES)
        assert set(env_of(one(docs, "Deployment"))) <= read


def test_new_settings_are_unset_unless_given_and_parse_as_the_bot_reads_them(
        helm: Helm) -> None:
    from chatops.settings import Settings

    assert not set(NEW_SETTINGS) & set(env_of(one(render(helm), "Deployment")))
    env = env_of(one(render(helm, *SETTINGS_VALUES), "Deployment"))
    assert {k: env[k]["value"] for k in NEW_SETTINGS} == NEW_SETTINGS
    # What the chart writes is what the bot accepts (false and 0 are values, not "unset").
    settings = Settings.from_env({k: env[k]["value"] for k in NEW_SETTINGS})
    assert settings.watch_namespaces == ("dev", "staging")
    assert settings.watch_pending_minutes == 2.5 and settings.watch_nodes is False
    assert settings.hygiene_registries == ("ghcr.io/acme", "registry.internal:5000")
    assert settings.hygiene_max_limit_ratio == 3.0 and settings.metrics_api is True
    assert settings.prometheus_url == "http://prometheus.monitoring:9090"
    assert settings.schedule_timezone == "Europe/Berlin"
    assert settings.schedule_grace_seconds == 0.0
    # A values file's numbers and booleans render alike.
    env = env_of(one(render(helm, "--set", "watches.pendingMinutes=15", "--set",
                            "watches.nodes=true", "--set", "hygiene.maxLimitRatio=2"),
                     "Deployment"))
    assert (env["CHATOPS_WATCH_PENDING_MINUTES"]["value"], env["CHATOPS_WATCH_NODES"]["value"],
            env["CHATOPS_HYGIENE_MAX_LIMIT_RATIO"]["value"]) == ("15", "true", "2")


WATCH_RULES = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "watch"]},
               {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["list", "watch"]},
               {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get"]},
               {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "list"]}]
DIAGNOSTICS_USER = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                     "name": "chatops:alerts"}]


def test_watched_namespaces_grant_the_diagnostics_user_what_the_watch_reads(
        helm: Helm, rbac_values: Path) -> None:
    docs = render(helm, "-f", rbac_values, "--set", "watches.namespaces={dev,staging}")
    assert one(docs, "ClusterRole", "chatops-watch")["rules"] == WATCH_RULES
    bindings = [d for d in docs if d["kind"] == "RoleBinding"
                and d["metadata"]["name"] == "chatops-watch"]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["dev", "staging"]
    for binding in bindings:
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io",
                                      "kind": "ClusterRole", "name": "chatops-watch"}
        # The user only: its group (chatops:viewers) may be shared by people.
        assert binding["subjects"] == DIAGNOSTICS_USER
    assert one(docs, "ClusterRole", "chatops-watch-nodes")["rules"] == [
        {"apiGroups": [""], "resources": ["nodes"], "verbs": ["list", "watch"]}]
    nodes = one(docs, "ClusterRoleBinding", "chatops-watch-nodes")
    assert nodes["subjects"] == DIAGNOSTICS_USER
    assert nodes["roleRef"]["name"] == "chatops-watch-nodes"
    # Without nodes, no cluster-wide grant; without namespaces, or rbac off, nothing.
    no_nodes = render(helm, "-f", rbac_values, "--set", "watches.namespaces={dev}",
                      "--set", "watches.nodes=false")
    assert not [d for d in no_nodes if d["metadata"]["name"].endswith("watch-nodes")]
    for args in ([], ["--set", "watches.namespaces={dev}", "--set",
                      "watches.rbac.create=false"]):
        assert not [d for d in render(helm, "-f", rbac_values, *args)
                    if "-watch" in d["metadata"]["name"]]


def test_a_watch_identity_the_bot_may_not_impersonate_is_refused(helm: Helm) -> None:
    result = helm("template", "chatops", CHART, "--set", "watches.namespaces={dev}")
    assert result.returncode != 0
    assert 'watches.identity "chatops:alerts" is not in rbac.impersonate.users' in \
        result.stderr


def test_auto_rule_identities_are_impersonable_by_name_and_granted_nothing(
        helm: Helm, policy_file: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"rules": [{
        "name": "crash-looping pod in dev", "match": {"alertname": "KubePodCrashLooping"},
        "remediation": "restart_deployment", "auto": True, "namespaces": ["dev"],
        "as": {"user": "chatops:auto-dev", "groups": ["chatops:auto"]}}]}), encoding="utf-8")
    values, _ = render_rbac("--policy", str(policy_file), "--alert-rules", str(rules),
                            "--helm-values")
    path = tmp_path / "rbac-values.yaml"
    path.write_text(yaml.safe_dump(values[0]), encoding="utf-8")
    docs = render(helm, "-f", path, "--set", "watches.namespaces={dev}")
    rules_by = {tuple(r["resources"]): r for r in one(docs, "ClusterRole",
                                                      "chatops-impersonator")["rules"]}
    users = set(rules_by[("users",)]["resourceNames"])
    groups = set(rules_by[("groups",)]["resourceNames"])
    assert {"chatops:auto-dev"} <= users and {"chatops:auto"} <= groups
    # Nothing broader than the policy and the rules name: the same lists without the rule's
    # identity are exactly the policy's and the diagnostics and preview identities'.
    plain, _ = render_rbac("--policy", str(policy_file), "--helm-values")
    imp = plain[0]["rbac"]["impersonate"]
    assert users == {*imp["users"], "chatops:auto-dev"}
    assert groups == {*imp["groups"], "chatops:auto"}
    # What the automatic identity may do is the cluster operator's to bind: the chart binds
    # nothing to it.
    subjects = [s for d in docs if d["kind"] in ("RoleBinding", "ClusterRoleBinding")
                for s in d["subjects"]]
    assert not [s for s in subjects if s["name"] in ("chatops:auto-dev", "chatops:auto")]
