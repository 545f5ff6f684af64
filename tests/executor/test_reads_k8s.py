"""Read verbs and `diagnose` against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from chatops.executor import KubeExecutor
from chatops.messages import records_text
from chatops.model import Step
from chatops.results import (
    DeploymentInfo,
    EventInfo,
    Finding,
    ImageInfo,
    LogLines,
    NodeInfo,
    PodInfo,
    RevisionInfo,
    StepResult,
)
from tests.executor.helpers import ADMIN, create, deploy, deployment, statefulset
from tests.plugins.sandbox_fixtures import wait_for

pytestmark = pytest.mark.k8s



def run(ex: KubeExecutor, verb: str, **params: Any) -> StepResult:
    return ex.run_step(Step(verb, params), None)


def test_read_verbs(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2, image="nginx:1.21"))
    pods = run(ex, "list_pods", namespace=namespace, deployment="web").records
    assert len(pods) == 2 and all(isinstance(p, PodInfo) for p in pods)
    pod = pods[0]
    assert isinstance(pod, PodInfo) and pod.phase == "Running" and pod.ready == "1/1"
    assert pod.owner.startswith("ReplicaSet/web-") and pod.node

    (dep,) = run(ex, "get_deployment", namespace=namespace, deployment="web").records
    assert isinstance(dep, DeploymentInfo)
    assert (dep.desired, dep.available, dep.revision, dep.images) == (2, 2, 1, ("nginx:1.21",))

    described = run(ex, "describe_pod", namespace=namespace, pod=pod.name).records[0]
    assert isinstance(described, PodInfo)
    assert described.containers[0].state == "running"
    assert any(c.type == "Ready" and c.status == "True" for c in described.conditions)

    logs = wait_for(lambda: [r for r in run(ex, "pod_logs", namespace=namespace,
                                            deployment="web", lines=2).records
                             if isinstance(r, LogLines) and r.lines], what="logs")
    assert logs[0].container == "app" and len(logs[0].lines) == 2
    assert logs[0].lines[-1].endswith("ready to serve requests")

    events = run(ex, "list_events", namespace=namespace, deployment="web").records
    assert events and all(isinstance(e, EventInfo) for e in events)
    assert any(e.reason == "ScalingReplicaSet" for e in events)
    assert run(ex, "list_events", namespace=namespace, warnings_only=True).records == ()

    nodes = run(ex, "list_nodes").records
    assert len(nodes) >= 2 and all(isinstance(n, NodeInfo) and n.ready for n in nodes)
    # One node: what runs on it too ("what's on node-3?" before a drain), any namespace.
    one, *on_node = run(ex, "list_nodes", node=pod.node).records
    assert isinstance(one, NodeInfo) and one.pods == len(on_node) >= 1
    assert all(isinstance(p, PodInfo) and p.node == pod.node for p in on_node)
    assert pod.name in {p.name for p in on_node if isinstance(p, PodInfo)}

    (rev,) = run(ex, "rollout_history", namespace=namespace, deployment="web").records
    assert isinstance(rev, RevisionInfo) and rev.current and rev.revision == 1

    images = run(ex, "list_images", namespace=namespace).records
    assert images == (ImageInfo(namespace, "deployment/web", "app", "nginx:1.21"),)
    assert ex.names("pod", namespace, None) == tuple(sorted(p.name for p in pods))
    assert ex.names("container", namespace, None) == ("app",)


def findings(result: StepResult) -> list[Finding]:
    return [r for r in result.records if isinstance(r, Finding)]


def diagnosis(ex: KubeExecutor, namespace: str, deployment: str,
              want: str, timeout: float = 90) -> Finding:
    """Diagnose until a finding mentions `want` (the sandbox's failures take a few seconds)."""
    def check() -> Finding | None:
        result = run(ex, "diagnose", namespace=namespace, deployment=deployment)
        return next((f for f in findings(result) if want in f.explanation), None)
    return wait_for(check, timeout=timeout, interval=1.0, what=f"a finding about {want!r}")


def test_diagnose_each_failure_mode(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment("pull", 1, image="registry.example/shop/api:bad"))
    create(k8s_admin, namespace, deployment(
        "crash", 1, image="shop/api:1.4", annotations={"sandbox.chatops.dev/crashloop": "true"}))
    create(k8s_admin, namespace, deployment(
        "oom", 1, image="shop/api:1.4", memory="128Mi",
        annotations={"sandbox.chatops.dev/oomkill": "true"}))
    create(k8s_admin, namespace, deployment("nowhere", 1, node_selector={"disk": "quantum"}))
    deploy(k8s_admin, namespace, deployment("healthy", 1))

    pull = diagnosis(ex, namespace, "pull", "cannot be pulled")
    assert pull.severity == "error" and pull.runbook == "set_image"
    assert pull.slots == {"namespace": namespace, "deployment": "pull", "container": "app"}
    assert "registry.example/shop/api:bad" in pull.explanation

    crash = diagnosis(ex, namespace, "crash", "restarted 2 times")
    assert crash.explanation.startswith("container app is crash-looping in pod crash-")
    assert "exit code 1" in crash.explanation
    assert crash.runbook == "restart_deployment"
    result = run(ex, "diagnose", namespace=namespace, deployment="crash")
    logs = [r for r in result.records if isinstance(r, LogLines)]
    assert logs and any("connection refused" in line for line in logs[0].lines)
    # A user trial: the logs say a dependency refuses; a restart alone will not fix that.
    (found,) = [r for r in result.records if isinstance(r, Finding)
                and r.explanation.startswith("container app is crash-looping")]
    assert "cannot reach a dependency" in found.explanation
    assert "db:5432: connection refused" in found.explanation
    assert "helps only if the cause was transient" not in found.explanation
    # A user trial: the answer said a restart would not help, then offered one; it now
    # says when it does (once the dependency is back, sooner than the back-off).
    assert found.runbook == "restart_deployment"
    assert "does not help while that is down" in found.explanation
    # ... and the plan the restart starts carries it to the approver (a user trial: "fix
    # it" planned "the fix a diagnosis suggested", with nothing of the dependency).
    assert found.caveat.startswith("the diagnosis found it cannot reach a dependency")
    assert "Once it is back" in found.explanation and "at once with a restart" in \
        found.explanation
    assert any(isinstance(r, EventInfo) and r.reason == "BackOff" for r in result.records)

    oom = diagnosis(ex, namespace, "oom", "OOMKilled")
    assert "its memory limit is 128Mi" in oom.explanation
    assert oom.runbook == "set_resources" and not oom.outside_catalogue
    assert dict(oom.slots) == {"namespace": namespace, "deployment": "oom", "container": "app",
                               "memory_limit": "256Mi"}

    nowhere = diagnosis(ex, namespace, "nowhere", "cannot be scheduled")
    assert "node" in nowhere.explanation and "selector" in nowhere.explanation
    assert nowhere.outside_catalogue

    (healthy,) = findings(run(ex, "diagnose", namespace=namespace, deployment="healthy"))
    assert healthy.severity == "info"
    assert healthy.explanation.startswith("deployment healthy is healthy: 1 of 1 replicas")


def test_diagnose_bad_rollout_suggests_rollback(
    ex: KubeExecutor, k8s_admin: Any, namespace: str
) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2, image="shop/web:1.0"))
    ex.run_step(Step("set_image", {"namespace": namespace, "deployment": "web",
                                   "image": "bad"}), ADMIN)
    finding = diagnosis(ex, namespace, "web", "cannot be pulled")
    assert finding.runbook == "rollback_deployment"
    assert finding.slots == {"namespace": namespace, "deployment": "web", "revision": "1"}
    assert "revision 1 ran before it" in finding.explanation

    # Diagnosing one pod of it gives the same advice.
    bad = next(p.metadata.name for p in client.CoreV1Api(k8s_admin).list_namespaced_pod(
        namespace).items if p.spec.containers[0].image.endswith(":bad"))
    result = ex.run_step(Step("diagnose", {"namespace": namespace, "pod": bad}), None)
    assert findings(result)[0].runbook == "rollback_deployment"


@pytest.mark.k8s
def test_images_are_those_the_pods_run_whatever_workload_owns_them(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2))
    client.AppsV1Api(k8s_admin).create_namespaced_stateful_set(namespace, statefulset("db"))
    client.CoreV1Api(k8s_admin).create_namespaced_pod(namespace, client.V1Pod(
        metadata=client.V1ObjectMeta(name="debug"),
        spec=client.V1PodSpec(
            init_containers=[client.V1Container(name="fetch", image="busybox:1.36")],
            containers=[client.V1Container(name="shell", image="alpine:3.20")])))

    # A job's finished pod runs nothing.
    client.BatchV1Api(k8s_admin).create_namespaced_job(namespace, client.V1Job(
        metadata=client.V1ObjectMeta(name="once"),
        spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
            restart_policy="Never",
            containers=[client.V1Container(name="once", image="shop/once:1")])))))
    wait_for(lambda: client.BatchV1Api(k8s_admin).read_namespaced_job(
        "once", namespace).status.succeeded == 1, timeout=60, what="the job to finish")

    def listed() -> tuple[ImageInfo, ...] | None:
        images = run(ex, "list_images", namespace=namespace).records
        return images if len(images) == 4 else None  # type: ignore[return-value]

    images = wait_for(listed, timeout=60, what="the statefulset's and the pod's images")
    # One row per workload and container, whatever the number of its pods.
    assert images == (
        ImageInfo(namespace, "deployment/web", "app", "nginx:1.21"),
        ImageInfo(namespace, "pod/debug", "fetch (init)", "busybox:1.36"),
        ImageInfo(namespace, "pod/debug", "shell", "alpine:3.20"),
        ImageInfo(namespace, "statefulset/db", "db", "postgres:16"),
    )


def test_logs_of_a_container_that_never_started_say_why_there_are_none(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    # A user trial: the logs of a pod in ImagePullBackOff came back as "The cluster
    # refused: ... is waiting to start", which reads like a permission error.
    create(k8s_admin, namespace, deployment("broken", 1, image="nginx:bad"))
    core = client.CoreV1Api(k8s_admin)

    def waiting() -> bool:
        pods = core.list_namespaced_pod(namespace).items
        return bool(pods and pods[0].status.container_statuses
                    and pods[0].status.container_statuses[0].state.waiting)

    wait_for(waiting, what="the pod to wait for its image")
    (lines,) = run(ex, "pod_logs", namespace=namespace, deployment="broken").records
    assert isinstance(lines, LogLines)
    assert len(lines.lines) == 1 and lines.lines[0].startswith(
        "(no logs: container app has not started yet:")
    assert "ImagePullBackOff" in lines.lines[0] or "ErrImagePull" in lines.lines[0]


def test_status_during_a_stuck_rollout_says_what_the_ready_pods_run(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    # A user trial: "2/2 ready ... images: nginx:bad" while both ready pods ran the old
    # image and the new one could not be pulled.
    deploy(k8s_admin, namespace, deployment("web", 2, image="nginx:1.21"))
    client.AppsV1Api(k8s_admin).patch_namespaced_deployment("web", namespace, {"spec": {
        "template": {"spec": {"containers": [{"name": "app", "image": "nginx:bad"}]}}}})

    def stuck() -> DeploymentInfo | None:
        (dep,) = run(ex, "get_deployment", namespace=namespace, deployment="web").records
        assert isinstance(dep, DeploymentInfo)
        return dep if dep.running_images else None

    dep = wait_for(stuck, what="the rollout to stall on the new image")
    assert dep.images == ("nginx:bad",) and dep.running_images == ("nginx:1.21",)
    assert "the ready pods run nginx:1.21" in records_text((dep,))
    deploy(k8s_admin, namespace, deployment("api", 1, image="nginx:1.25"))
    (api,) = run(ex, "get_deployment", namespace=namespace, deployment="api").records
    assert isinstance(api, DeploymentInfo) and api.running_images == ()


def test_a_pod_still_terminating_after_a_rollout_is_not_what_it_runs(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    """A user trial: right after a rollout had finished, the status said "the ready pods
    run nginx:1.25, nginx:1.27: the rollout has not reached them": an old pod in its grace
    period (held here by a finalizer) still counted as a ready one."""
    core, apps = client.CoreV1Api(k8s_admin), client.AppsV1Api(k8s_admin)
    deploy(k8s_admin, namespace, deployment("web", 1, image="nginx:1.25"))
    (old,) = core.list_namespaced_pod(namespace, label_selector="app=web").items
    hold = {"metadata": {"finalizers": ["chatops.dev/test-hold"]}}
    core.patch_namespaced_pod(old.metadata.name, namespace, hold)
    try:
        apps.patch_namespaced_deployment("web", namespace, {"spec": {"template": {"spec": {
            "containers": [{"name": "app", "image": "nginx:1.27"}]}}}})

        def rolled() -> DeploymentInfo | None:
            (dep,) = run(ex, "get_deployment", namespace=namespace, deployment="web").records
            assert isinstance(dep, DeploymentInfo)
            pod = core.read_namespaced_pod(old.metadata.name, namespace)
            # Finished as the controller sees it: a status not yet of the new generation
            # still counts the old pod (a CI run read it so, observed generation 1 of 2).
            return (dep if dep.updated == 1 and dep.available == 1
                    and dep.observed_generation == dep.generation
                    and pod.metadata.deletion_timestamp is not None else None)

        dep = wait_for(rolled, what="the rollout to finish with the old pod terminating")
        assert dep.running_images == (), dep
        assert "has not reached" not in records_text((dep,))
    finally:
        core.patch_namespaced_pod(old.metadata.name, namespace,
                                  {"metadata": {"finalizers": None}})


def test_describe_pod_says_why_a_pending_pod_waits_and_what_happened_to_it(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    # A user trial: a pod no node fits was described as "container app (nginx:1.25):
    # unknown, ready=False", with no scheduling reason and no events.
    create(k8s_admin, namespace, deployment("nowhere", 1, node_selector={"disk": "quantum"}))
    core = client.CoreV1Api(k8s_admin)
    pod = wait_for(lambda: next(iter(core.list_namespaced_pod(namespace).items), None),
                   what="the pod")

    def described() -> str | None:
        text = records_text(run(ex, "describe_pod", namespace=namespace,
                                pod=pod.metadata.name).records)
        # The scheduler records its event and the pod's condition in two writes, in
        # either order: wait for both.
        return text if "FailedScheduling" in text and "PodScheduled=False" in text else None

    text = wait_for(described, what="the scheduler's event and the pod's condition")
    assert "node affinity/selector" in text

