"""The "done when" checks of the sandbox (issue 3), each against the running cluster."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from chatops.cli.sandbox_cmd import sandbox as sandbox_group
from chatops.sandbox import manager
from tests.plugins.sandbox_fixtures import wait_for

pytestmark = pytest.mark.k8s

APP = "web"


def deployment(name: str, replicas: int, image: str = "nginx:1.27") -> client.V1Deployment:
    labels = {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(
                    containers=[client.V1Container(name="app", image=image)],
                    termination_grace_period_seconds=30,
                ),
            ),
        ),
    )


def pod(
    name: str,
    image: str = "nginx:1.27",
    annotations: dict[str, str] | None = None,
    node_selector: dict[str, str] | None = None,
) -> client.V1Pod:
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, annotations=annotations),
        spec=client.V1PodSpec(
            containers=[client.V1Container(name="app", image=image)],
            node_selector=node_selector,
        ),
    )


def is_ready(p: client.V1Pod) -> bool:
    if p.metadata.deletion_timestamp is not None or p.status.phase != "Running":
        return False
    return any(c.type == "Ready" and c.status == "True" for c in p.status.conditions or [])


def ready_pods(core: client.CoreV1Api, ns: str, app: str) -> list[client.V1Pod]:
    pods = core.list_namespaced_pod(ns, label_selector=f"app={app}").items
    return [p for p in pods if is_ready(p)]


def all_pods(core: client.CoreV1Api, ns: str, app: str) -> list[client.V1Pod]:
    return core.list_namespaced_pod(ns, label_selector=f"app={app}").items


def rollout_complete(apps: client.AppsV1Api, ns: str, name: str) -> bool:
    """The same test `kubectl rollout status` applies."""
    d = apps.read_namespaced_deployment(name, ns)
    s = d.status
    want = d.spec.replicas
    return bool(
        s.observed_generation is not None
        and s.observed_generation >= d.metadata.generation
        and (s.updated_replicas or 0) == want
        and (s.replicas or 0) == want
        and (s.available_replicas or 0) == want
    )


def container_status(core: client.CoreV1Api, ns: str, name: str) -> client.V1ContainerStatus | None:
    p = core.read_namespaced_pod(name, ns)
    statuses = p.status.container_statuses or []
    return statuses[0] if statuses else None


def events_for(core: client.CoreV1Api, ns: str, name: str) -> list[client.CoreV1Event]:
    return core.list_namespaced_event(ns, field_selector=f"involvedObject.name={name}").items


@pytest.fixture
def core(k8s_admin: Any) -> client.CoreV1Api:
    return client.CoreV1Api(k8s_admin)


@pytest.fixture
def apps(k8s_admin: Any) -> client.AppsV1Api:
    return client.AppsV1Api(k8s_admin)


def test_server_reports_real_version(k8s_admin: Any) -> None:
    info = client.VersionApi(k8s_admin).get_code()
    assert info.git_version == "v1.37.2"


def test_deployment_scales(core: client.CoreV1Api, apps: client.AppsV1Api, namespace: str) -> None:
    apps.create_namespaced_deployment(namespace, deployment(APP, 3))
    wait_for(lambda: len(ready_pods(core, namespace, APP)) == 3, what="3 ready pods")
    pods = ready_pods(core, namespace, APP)
    for p in pods:
        cs = p.status.container_statuses[0]
        assert cs.ready and cs.state.running is not None and cs.container_id and cs.image_id
        assert p.status.pod_ip

    apps.patch_namespaced_deployment_scale(APP, namespace, {"spec": {"replicas": 5}})
    wait_for(lambda: len(ready_pods(core, namespace, APP)) == 5, what="5 ready pods")

    apps.patch_namespaced_deployment_scale(APP, namespace, {"spec": {"replicas": 0}})
    wait_for(lambda: not all_pods(core, namespace, APP), what="all pods gone")
    assert rollout_complete(apps, namespace, APP)


def replica_sets(apps: client.AppsV1Api, ns: str) -> list[client.V1ReplicaSet]:
    return apps.list_namespaced_replica_set(ns, label_selector=f"app={APP}").items


def test_rollout_restart_and_rollback(
    core: client.CoreV1Api, apps: client.AppsV1Api, namespace: str
) -> None:
    apps.create_namespaced_deployment(namespace, deployment(APP, 2, image="nginx:1.26"))
    wait_for(lambda: rollout_complete(apps, namespace, APP), what="initial rollout")
    (first_rs,) = replica_sets(apps, namespace)

    # `kubectl rollout restart` = a template annotation change.
    restarted_at = "2026-01-01T00:00:00Z"
    apps.patch_namespaced_deployment(
        APP,
        namespace,
        {
            "spec": {
                "template": {
                    "metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": restarted_at}}
                }
            }
        },
    )
    wait_for(lambda: len(replica_sets(apps, namespace)) == 2, what="a new ReplicaSet")
    wait_for(lambda: rollout_complete(apps, namespace, APP), timeout=90, what="restart rollout")
    old = apps.read_namespaced_replica_set(first_rs.metadata.name, namespace)
    assert old.status.replicas == 0

    # A change of image, then a rollback to the previous revision the way kubectl does it:
    # copy the previous ReplicaSet's template (minus pod-template-hash) into the Deployment.
    apps.patch_namespaced_deployment(
        APP,
        namespace,
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}},
    )
    wait_for(lambda: rollout_complete(apps, namespace, APP), timeout=90, what="image rollout")
    d = apps.read_namespaced_deployment(APP, namespace)
    current_rev = int(d.metadata.annotations["deployment.kubernetes.io/revision"])
    previous = next(
        rs
        for rs in replica_sets(apps, namespace)
        if int(rs.metadata.annotations["deployment.kubernetes.io/revision"]) == current_rev - 1
    )
    template = k8s_dict(previous.spec.template)
    template["metadata"]["labels"].pop("pod-template-hash", None)
    apps.patch_namespaced_deployment(
        APP, namespace, [{"op": "replace", "path": "/spec/template", "value": template}]
    )
    wait_for(lambda: rollout_complete(apps, namespace, APP), timeout=90, what="rollback")
    d = apps.read_namespaced_deployment(APP, namespace)
    assert d.spec.template.spec.containers[0].image == "nginx:1.26"
    assert d.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] == restarted_at
    # The rolled-back-to ReplicaSet is reused (and becomes the newest revision), not recreated.
    rolled = apps.read_namespaced_replica_set(previous.metadata.name, namespace)
    assert rolled.status.ready_replicas == 2
    assert int(rolled.metadata.annotations["deployment.kubernetes.io/revision"]) == current_rev + 1
    assert all(p.spec.containers[0].image == "nginx:1.26" for p in ready_pods(core, namespace, APP))


def k8s_dict(obj: Any) -> Any:
    return client.ApiClient().sanitize_for_serialization(obj)


def test_server_side_dry_run_changes_nothing(apps: client.AppsV1Api, namespace: str) -> None:
    apps.create_namespaced_deployment(namespace, deployment(APP, 2))
    before = apps.read_namespaced_deployment(APP, namespace)
    would_be = apps.patch_namespaced_deployment(
        APP,
        namespace,
        {
            "spec": {
                "replicas": 7,
                "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}},
            }
        },
        dry_run="All",
    )
    assert would_be.spec.replicas == 7
    assert would_be.spec.template.spec.containers[0].image == "nginx:1.28"
    after = apps.read_namespaced_deployment(APP, namespace)
    assert after.spec.replicas == 2
    assert after.spec.template.spec.containers[0].image == "nginx:1.27"
    # The controllers keep updating .status, so the spec's generation is what must not move.
    assert after.metadata.generation == before.metadata.generation


@pytest.fixture
def dev_and_prod(k8s_admin: Any) -> Iterator[tuple[str, str]]:
    core = client.CoreV1Api(k8s_admin)
    suffix = uuid.uuid4().hex[:6]
    names = (f"dev-{suffix}", f"prod-{suffix}")
    for n in names:
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=n)))
    try:
        yield names
    finally:
        for n in names:
            core.delete_namespace(n)


def test_alice_is_allowed_in_dev_only(
    k8s_admin: Any,
    sandbox: manager.SandboxStatus,
    sandbox_binary: Path,
    dev_and_prod: tuple[str, str],
    tmp_path: Path,
) -> None:
    dev, prod = dev_and_prod
    rbac = client.RbacAuthorizationV1Api(k8s_admin)
    rbac.create_namespaced_role(
        dev,
        client.V1Role(
            metadata=client.V1ObjectMeta(name="developer"),
            rules=[
                client.V1PolicyRule(
                    api_groups=["", "apps"],
                    resources=["pods", "deployments"],
                    verbs=["get", "list", "watch", "create", "patch"],
                )
            ],
        ),
    )
    rbac.create_namespaced_role_binding(
        dev,
        client.V1RoleBinding(
            metadata=client.V1ObjectMeta(name="alice-developer"),
            role_ref=client.V1RoleRef(
                api_group="rbac.authorization.k8s.io", kind="Role", name="developer"
            ),
            subjects=[
                client.RbacV1Subject(
                    kind="User", name="alice", api_group="rbac.authorization.k8s.io"
                )
            ],
        ),
    )

    # Her own client certificate, minted by `ktc kubeconfig`.
    kubeconfig = tmp_path / "alice.kubeconfig"
    manager.mint_kubeconfig(sandbox.state_dir, sandbox_binary, "alice", ["dev"], kubeconfig)
    alice = config.new_client_from_config(config_file=str(kubeconfig))
    # The admin impersonating her.
    impersonated = config.new_client_from_config(config_file=str(sandbox.kubeconfig))
    impersonated.set_default_header("Impersonate-User", "alice")

    for api_client in (alice, impersonated):
        core = client.CoreV1Api(api_client)
        wait_for(lambda core=core: can_list_pods(core, dev), timeout=30, what="RBAC to apply")
        with pytest.raises(ApiException) as err:
            core.list_namespaced_pod(prod)
        assert err.value.status == 403
        assert '"alice"' in err.value.body or "alice" in err.value.body

    who = client.AuthenticationV1Api(alice).create_self_subject_review(client.V1SelfSubjectReview())
    assert who.status.user_info.username == "alice"
    assert "dev" in who.status.user_info.groups


def can_list_pods(core: client.CoreV1Api, ns: str) -> bool:
    try:
        core.list_namespaced_pod(ns)
    except ApiException as e:
        if e.status == 403:
            return False
        raise
    return True


def test_pod_logs_through_the_api(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_pod(namespace, pod("logger"))
    wait_for(lambda: is_ready(core.read_namespaced_pod("logger", namespace)), what="pod ready")
    text = wait_for(lambda: core.read_namespaced_pod_log("logger", namespace), what="logs")
    assert "starting app (image nginx:1.27)" in text
    last = core.read_namespaced_pod_log("logger", namespace, tail_lines=1)
    assert last.strip() == "ready to serve requests"
    stamped = core.read_namespaced_pod_log("logger", namespace, tail_lines=1, timestamps=True)
    assert stamped.split(" ", 1)[0].endswith("Z")


def test_events_show_scheduling_and_failures(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_pod(namespace, pod("broken", image="nginx:bad"))
    core.create_namespaced_pod(namespace, pod("nowhere", node_selector={"disk": "quantum"}))

    def reasons(name: str) -> set[str]:
        return {e.reason for e in events_for(core, namespace, name)}

    wait_for(
        lambda: {"Scheduled", "Failed", "BackOff"} <= reasons("broken"),
        what="Scheduled/Failed/BackOff events",
    )
    failed = [e for e in events_for(core, namespace, "broken") if e.reason == "Failed"]
    assert any(e.type == "Warning" and "nginx:bad" in e.message for e in failed)
    scheduled = next(e for e in events_for(core, namespace, "broken") if e.reason == "Scheduled")
    assert scheduled.source.component == "default-scheduler" or scheduled.reporting_component
    wait_for(lambda: "FailedScheduling" in reasons("nowhere"), what="FailedScheduling event")
    assert core.read_namespaced_pod("nowhere", namespace).status.phase == "Pending"


def test_bad_image_is_image_pull_back_off(core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_pod(namespace, pod("broken", image="registry.example/shop/api:bad"))

    def waiting_reason() -> str | None:
        cs = container_status(core, namespace, "broken")
        return cs.state.waiting.reason if cs and cs.state.waiting else None

    assert wait_for(waiting_reason, what="a waiting reason") == "ImagePullBackOff"
    p = core.read_namespaced_pod("broken", namespace)
    assert p.status.phase == "Pending"


@pytest.mark.parametrize(
    ("annotation", "reason", "exit_code"),
    [
        ("sandbox.chatops.dev/crashloop", "Error", 1),
        ("sandbox.chatops.dev/oomkill", "OOMKilled", 137),
    ],
)
def test_crash_loop_and_oom_kill(
    core: client.CoreV1Api, namespace: str, annotation: str, reason: str, exit_code: int
) -> None:
    core.create_namespaced_pod(
        namespace, pod("crashy", image="shop/api:1.4", annotations={annotation: "true"})
    )

    def restarted_twice() -> client.V1ContainerStatus | None:
        cs = container_status(core, namespace, "crashy")
        return cs if cs and cs.restart_count >= 2 else None

    cs = wait_for(restarted_twice, timeout=60, what="restartCount >= 2")
    term = cs.last_state.terminated
    assert term.reason == reason and term.exit_code == exit_code
    wait_for(
        lambda: (
            (s := container_status(core, namespace, "crashy")) is not None
            and s.state.waiting is not None
            and s.state.waiting.reason == "CrashLoopBackOff"
        ),
        what="CrashLoopBackOff",
    )
    events = events_for(core, namespace, "crashy")
    assert any(e.reason == "BackOff" and e.type == "Warning" for e in events)


def nodes_of(core: client.CoreV1Api, ns: str) -> dict[str, str]:
    return {
        p.metadata.name: p.spec.node_name
        for p in all_pods(core, ns, APP)
        if p.metadata.deletion_timestamp is None
    }


def set_unschedulable(core: client.CoreV1Api, node: str, value: bool) -> None:
    core.patch_node(node, {"spec": {"unschedulable": value}})


def test_cordon_and_drain_respect_pdb(
    core: client.CoreV1Api, apps: client.AppsV1Api, k8s_admin: Any, namespace: str
) -> None:
    policy = client.PolicyV1Api(k8s_admin)
    apps.create_namespaced_deployment(namespace, deployment(APP, 6))
    wait_for(lambda: rollout_complete(apps, namespace, APP), what="6 available replicas")
    placement = nodes_of(core, namespace)
    target = max(set(placement.values()), key=list(placement.values()).count)
    on_target = [p for p, n in placement.items() if n == target]

    # A PDB that allows no disruption: the Eviction API must refuse.
    policy.create_namespaced_pod_disruption_budget(
        namespace,
        client.V1PodDisruptionBudget(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1PodDisruptionBudgetSpec(
                min_available=6, selector=client.V1LabelSelector(match_labels={"app": APP})
            ),
        ),
    )
    wait_for(
        lambda: (
            (
                policy.read_namespaced_pod_disruption_budget(
                    "web", namespace
                ).status.observed_generation
                or 0
            )
            >= 1
        ),
        what="PDB observed",
    )

    set_unschedulable(core, target, True)
    try:
        with pytest.raises(ApiException) as err:
            evict(core, namespace, on_target[0])
        assert err.value.status == 429

        # Cordon: new pods avoid the node.
        apps.patch_namespaced_deployment_scale(APP, namespace, {"spec": {"replicas": 9}})
        wait_for(lambda: len(ready_pods(core, namespace, APP)) == 9, what="9 ready pods")
        assert sum(1 for n in nodes_of(core, namespace).values() if n == target) == len(on_target)

        # Drain: evict what runs there, retrying on 429 as `kubectl drain` does, while the PDB
        # (now one disruption at a time) is respected.
        policy.patch_namespaced_pod_disruption_budget(
            "web", namespace, {"spec": {"minAvailable": None, "maxUnavailable": 1}}
        )

        def drain_step() -> bool:
            remaining = [p for p, n in nodes_of(core, namespace).items() if n == target]
            for name in remaining:
                try:
                    evict(core, namespace, name)
                except ApiException as e:
                    if e.status not in (404, 429):
                        raise
            return not [p for p in all_pods(core, namespace, APP) if p.spec.node_name == target]

        wait_for(drain_step, timeout=120, interval=0.5, what=f"{target} drained")
        wait_for(
            lambda: len(ready_pods(core, namespace, APP)) == 9, what="9 ready pods after drain"
        )
        assert target not in nodes_of(core, namespace).values()
    finally:
        set_unschedulable(core, target, False)


def evict(core: client.CoreV1Api, ns: str, name: str) -> None:
    core.create_namespaced_pod_eviction(
        name, ns, client.V1Eviction(metadata=client.V1ObjectMeta(name=name, namespace=ns))
    )


def test_cli_status_json(sandbox: manager.SandboxStatus, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(sandbox_group, ["status", "--json", "--state", str(sandbox.state_dir)])
    assert res.exit_code == 0, res.output
    info = json.loads(res.output)
    assert info["ready"] is True
    assert info["kubeconfig"] == str(sandbox.kubeconfig)
    assert info["server"] == sandbox.server

    res = runner.invoke(sandbox_group, ["status", "--json", "--state", str(tmp_path / "none")])
    assert res.exit_code == 1
    assert json.loads(res.output) == {"ready": False, "state_dir": str(tmp_path / "none")}
