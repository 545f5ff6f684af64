"""Every mutating verb against the sandbox: the dry-run changes nothing, its diff names the
fields the real run changes, the real run does what the plan said, verification passes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from chatops.errors import NotFound, Refusal, Retryable
from chatops.executor import KubeExecutor
from chatops.model import Step
from chatops.results import StepResult
from chatops.runbook.render import observed_check
from tests.executor.helpers import (
    ADMIN,
    create,
    deploy,
    deployment,
    paths,
    spec_state,
    wait_rolled_out,
)
from tests.plugins.sandbox_fixtures import wait_for

pytestmark = pytest.mark.k8s



def dry_then_real(ex: KubeExecutor, step: Step, state: Any) -> tuple[Any, Any]:
    """Run `step` as a dry-run and check that `state()` did not move; then for real."""
    before = state()
    dry = ex.run_step(step, ADMIN, dry_run=True)
    assert state() == before, "the dry-run changed the cluster"
    assert dry.dry_run and dry.changes, dry
    real = ex.run_step(step, ADMIN)
    assert not real.dry_run
    assert paths(dry) == paths(real)
    return dry, real


def test_scale(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2))
    step = Step("scale", {"namespace": namespace, "deployment": "web", "replicas": 4})
    dry, real = dry_then_real(ex, step, lambda: spec_state(k8s_admin, namespace, "web"))
    assert [(c.path, c.before, c.after) for c in real.changes] == [("spec.replicas", 2, 4)]
    assert dry.changes == real.changes
    assert real.before["replicas"] == 2 and dry.affected_pods == ()
    assert ex.current_replicas(namespace, "web", ADMIN) == 4
    verdict = ex.verify(Step("wait_rollout", {"namespace": namespace, "deployment": "web",
                                              "timeout_seconds": 90}), ADMIN)
    assert verdict.ok, verdict.message
    assert "4 of 4 replicas available" in verdict.message
    ready = ex.verify(Step("wait_pods_ready", {"namespace": namespace, "deployment": "web",
                                               "timeout_seconds": 60}), ADMIN)
    assert ready.ok and ready.message == "4 of 4 pods of deployment web Ready"

    down = ex.run_step(Step("scale", {"namespace": namespace, "deployment": "web",
                                      "replicas": 1}), ADMIN, dry_run=True)
    assert len(down.affected_pods) == 4  # the candidates for removal


def test_rollout_restart(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2))
    pods_before = {p.name for p in ex.run_step(
        Step("list_pods", {"namespace": namespace, "deployment": "web"}), None).records}
    step = Step("rollout_restart", {"namespace": namespace, "deployment": "web"})
    dry, real = dry_then_real(ex, step, lambda: spec_state(k8s_admin, namespace, "web"))
    assert paths(real) == [
        "spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]"]
    assert set(dry.affected_pods) == pods_before
    progress: list[str] = []
    verdict = ex.verify(Step("wait_rollout", {"namespace": namespace, "deployment": "web",
                                              "timeout_seconds": 90}), ADMIN,
                        progress=progress.append)
    assert verdict.ok, verdict.message
    pods_after = {p.name for p in ex.run_step(
        Step("list_pods", {"namespace": namespace, "deployment": "web"}), None).records
        if p.reason != "Terminating"}  # old pods may still be in their grace period
    assert len(pods_after) == 2 and not pods_after & pods_before

    # A template that already has annotations gets one more key, the others stay.
    create(k8s_admin, namespace, deployment("api", 1, annotations={"team": "payments"}))
    result = ex.run_step(Step("rollout_restart", {"namespace": namespace, "deployment": "api"}),
                         ADMIN, dry_run=True)
    assert paths(result) == [
        "spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]"]


def test_set_image_with_bare_tag_then_rollout_undo(
    ex: KubeExecutor, k8s_admin: Any, namespace: str
) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2, image="registry.local:5000/shop/web:1.21"))
    step = Step("set_image", {"namespace": namespace, "deployment": "web", "image": "1.22",
                              "container": None})
    dry, real = dry_then_real(ex, step, lambda: spec_state(k8s_admin, namespace, "web"))
    (change,) = real.changes
    assert change.path == "spec.template.spec.containers[app].image"
    assert (change.before, change.after) == ("registry.local:5000/shop/web:1.21",
                                             "registry.local:5000/shop/web:1.22")
    assert dry.changes == real.changes
    assert real.before == {"image": "registry.local:5000/shop/web:1.21", "container": "app"}
    wait = Step("wait_rollout", {"namespace": namespace, "deployment": "web",
                                 "timeout_seconds": 90})
    assert ex.verify(wait, ADMIN).ok

    undo = Step("rollout_undo", {"namespace": namespace, "deployment": "web", "revision": None})
    dry, real = dry_then_real(ex, undo, lambda: spec_state(k8s_admin, namespace, "web"))
    assert [(c.path, c.before, c.after) for c in real.changes] == [
        ("spec.template.spec.containers[app].image", "registry.local:5000/shop/web:1.22",
         "registry.local:5000/shop/web:1.21")]
    assert real.before["revision"] == 2
    assert len(real.affected_pods) == 2
    assert ex.verify(wait, ADMIN).ok
    d = client.AppsV1Api(k8s_admin).read_namespaced_deployment("web", namespace)
    assert d.spec.template.spec.containers[0].image == "registry.local:5000/shop/web:1.21"
    assert "pod-template-hash" not in d.spec.template.metadata.labels

    # Undo of the undo, by the revision recorded in `before` (what the undo runbook does).
    back = ex.run_step(Step("rollout_undo", {"namespace": namespace, "deployment": "web",
                                             "revision": 2}), ADMIN)
    assert back.changes[0].after == "registry.local:5000/shop/web:1.22"


def test_set_image_needs_a_container_when_there_are_several(
    ex: KubeExecutor, k8s_admin: Any, namespace: str
) -> None:
    create(k8s_admin, namespace, deployment("web", 1, containers=[
        client.V1Container(name="api", image="shop/api:1"),
        client.V1Container(name="proxy", image="envoy:1.30")]))
    step = Step("set_image", {"namespace": namespace, "deployment": "web", "image": "2"})
    with pytest.raises(Refusal, match="2 containers: api, proxy"):
        ex.run_step(step, ADMIN, dry_run=True)
    with pytest.raises(NotFound, match="container apj not found"):
        ex.run_step(Step("set_image", {**step.params, "container": "apj"}), ADMIN, dry_run=True)
    result = ex.run_step(Step("set_image", {**step.params, "container": "proxy"}), ADMIN,
                         dry_run=True)
    assert [(c.path, c.after) for c in result.changes] == [
        ("spec.template.spec.containers[proxy].image", "envoy:2")]


def test_delete_pod(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 2))
    core = client.CoreV1Api(k8s_admin)
    victim = core.list_namespaced_pod(namespace).items[0].metadata.name
    step = Step("delete_pod", {"namespace": namespace, "pod": victim})
    dry, real = dry_then_real(
        ex, step, lambda: core.read_namespaced_pod(victim, namespace).metadata.deletion_timestamp)
    assert paths(real) == ["metadata.deletionTimestamp"]
    assert dry.affected_pods == real.affected_pods == (victim,)
    assert "ReplicaSet/" in real.summary
    verdict = verify_replaced(ex, namespace, victim, timeout=60)
    assert verdict.ok, verdict.message
    assert "2 of 2 pods" in verdict.message


def verify_replaced(ex: KubeExecutor, namespace: str, pod: str, *, timeout: int) -> Any:
    """The delete_pod runbook's verification of `pod`."""
    return ex.verify(Step("wait_pod_replaced", {"namespace": namespace, "pod": pod,
                                                "timeout_seconds": timeout}), ADMIN)


def wait_pod_gone(core: client.CoreV1Api, namespace: str, pod: str) -> None:
    """Until reading `pod` answers 404 (deleted and removed, not just terminating)."""
    def gone() -> bool:
        try:
            core.read_namespaced_pod(pod, namespace)
        except client.ApiException as exc:
            return exc.status == 404
        return False

    wait_for(gone, what=f"pod {pod} to be gone")


def test_a_pod_gone_before_verification_still_waits_for_its_replicaset(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    """A pod with a short grace period can be gone before the first check: the check must
    still wait for its replicaset to be back at full strength, not pass on "gone"."""
    deploy(k8s_admin, namespace, deployment("web", 2))
    core = client.CoreV1Api(k8s_admin)
    victim = core.list_namespaced_pod(namespace).items[0].metadata.name
    ex.run_step(Step("delete_pod", {"namespace": namespace, "pod": victim}), ADMIN)
    wait_pod_gone(core, namespace, victim)
    verdict = verify_replaced(ex, namespace, victim, timeout=60)
    assert verdict.ok, verdict.message
    assert "2 of 2 pods" in verdict.message


def bare_replica_set(name: str, replicas: int, *,
                     node_selector: dict[str, str] | None = None) -> client.V1ReplicaSet:
    """A replicaset of no deployment: no `pod-template-hash`, pods gone at once."""
    labels = {"app": name}
    return client.V1ReplicaSet(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1ReplicaSetSpec(
            replicas=replicas, selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="a", image="x:1")],
                                      node_selector=node_selector,
                                      termination_grace_period_seconds=0))))


def test_a_gone_pod_is_not_tied_to_a_replicaset_that_only_shares_its_name(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    """A daemonset's or a bare pod's name also ends in "-<5 chars>": a replicaset that is
    not a deployment's (anyone who may create one could name it so) must not make a good
    run fail by never being ready."""
    core, apps = client.CoreV1Api(k8s_admin), client.AppsV1Api(k8s_admin)
    apps.create_namespaced_replica_set(namespace, bare_replica_set(
        "fluentd", 1, node_selector={"no-such-node": "true"}))
    core.create_namespaced_pod(namespace, client.V1Pod(
        metadata=client.V1ObjectMeta(name="fluentd-x2kqp"),
        spec=client.V1PodSpec(containers=[client.V1Container(name="a", image="x:1")],
                              termination_grace_period_seconds=0)))
    core.delete_namespaced_pod("fluentd-x2kqp", namespace, grace_period_seconds=0)
    wait_pod_gone(core, namespace, "fluentd-x2kqp")
    verdict = verify_replaced(ex, namespace, "fluentd-x2kqp", timeout=5)
    assert verdict.ok, verdict.message


def test_the_delete_step_tells_the_check_which_controller_to_wait_for(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    """A pod gone before the first check, whose owner its name cannot tell (a replicaset of
    no deployment, without a `pod-template-hash`): what the delete step saw of it (uid,
    controller) makes the check wait for that replicaset, not pass on "gone"."""
    core, apps = client.CoreV1Api(k8s_admin), client.AppsV1Api(k8s_admin)
    apps.create_namespaced_replica_set(namespace, bare_replica_set("cache", 2))

    def ready_pods() -> list[str]:
        return [p.metadata.name for p in core.list_namespaced_pod(namespace).items
                if not p.metadata.deletion_timestamp and any(
                    c.type == "Ready" and c.status == "True"
                    for c in (p.status.conditions or []))]

    wait_for(lambda: len(ready_pods()) == 2, what="the replicaset's two pods Ready")
    victim = ready_pods()[0]
    done = ex.run_step(Step("delete_pod", {"namespace": namespace, "pod": victim}), ADMIN)
    assert done.before["pod_owner"] == "ReplicaSet/cache" and done.before["pod_uid"]
    wait_pod_gone(core, namespace, victim)
    check = observed_check(Step("wait_pod_replaced", {"namespace": namespace, "pod": victim,
                                                      "timeout_seconds": 60}), done.before)
    verdict = ex.verify(check, ADMIN)
    assert verdict.ok, verdict.message
    assert "2 of 2 pods of replicaset cache Ready" in verdict.message


@pytest.fixture
def node(k8s_admin: Any) -> Iterator[str]:
    """A node to cordon; made schedulable again afterwards whatever happens."""
    core = client.CoreV1Api(k8s_admin)
    name = sorted(n.metadata.name for n in core.list_node().items)[-1]
    try:
        yield name
    finally:
        core.patch_node(name, {"spec": {"unschedulable": None}})


def test_cordon_and_uncordon(ex: KubeExecutor, k8s_admin: Any, node: str) -> None:
    core = client.CoreV1Api(k8s_admin)

    def state() -> Any:
        return core.read_node(node).spec.unschedulable

    _, real = dry_then_real(ex, Step("cordon", {"node": node}), state)
    assert [(c.path, c.before, c.after) for c in real.changes] == [
        ("spec.unschedulable", False, True)]
    assert ex.verify(Step("wait_node_cordoned", {"node": node, "timeout_seconds": 10}),
                     ADMIN).ok
    _dry, real = dry_then_real(ex, Step("uncordon", {"node": node}), state)
    assert [(c.path, c.before, c.after) for c in real.changes] == [
        ("spec.unschedulable", True, False)]
    assert ex.verify(Step("wait_node_uncordoned", {"node": node, "timeout_seconds": 10}),
                     ADMIN).ok


def test_drain_respects_pdb_and_skips_daemonsets(
    ex: KubeExecutor, k8s_admin: Any, namespace: str
) -> None:
    core = client.CoreV1Api(k8s_admin)
    deploy(k8s_admin, namespace, deployment("web", 4))
    client.AppsV1Api(k8s_admin).create_namespaced_daemon_set(namespace, client.V1DaemonSet(
        metadata=client.V1ObjectMeta(name="agent"),
        spec=client.V1DaemonSetSpec(
            selector=client.V1LabelSelector(match_labels={"app": "agent"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "agent"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="a", image="agent:1")])))))
    client.PolicyV1Api(k8s_admin).create_namespaced_pod_disruption_budget(
        namespace, client.V1PodDisruptionBudget(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1PodDisruptionBudgetSpec(
                max_unavailable=1, selector=client.V1LabelSelector(match_labels={"app": "web"}))))
    wait_for(lambda: (client.PolicyV1Api(k8s_admin).read_namespaced_pod_disruption_budget(
        "web", namespace).status.observed_generation or 0) >= 1, what="PDB observed")

    def placement() -> dict[str, str]:
        return {p.metadata.name: p.spec.node_name for p in
                core.list_namespaced_pod(namespace, label_selector="app=web").items
                if p.metadata.deletion_timestamp is None}

    nodes = list(placement().values())
    target = max(set(nodes), key=nodes.count)
    on_target = sorted(f"{namespace}/{p}" for p, n in placement().items() if n == target)
    wait_for(lambda: any(p.spec.node_name == target for p in core.list_namespaced_pod(
        namespace, label_selector="app=agent").items), what="DaemonSet pod on the node")
    try:
        step = Step("drain", {"node": target, "timeout_seconds": 120})
        dry = ex.run_step(step, ADMIN, dry_run=True)
        assert not core.read_node(target).spec.unschedulable
        mine = sorted(p for p in dry.affected_pods if p.startswith(namespace + "/"))
        assert mine == on_target
        assert "DaemonSet pod" in dry.summary
        progress: list[str] = []
        real = ex.run_step(step, ADMIN, progress=progress.append)

        def own(result: StepResult) -> list[str]:
            # Other tests' pods share the node and may come and go between the two runs.
            return [p for p in paths(result)
                    if p == "spec.unschedulable" or p.startswith(f"pods[{namespace}/")]

        assert own(real) == own(dry)
        assert paths(real)[0] == "spec.unschedulable"
        assert progress and "pods gone" in progress[-1]
        verdict = ex.verify(Step("wait_node_drained", {"node": target, "timeout_seconds": 60}),
                            ADMIN)
        assert verdict.ok, verdict.message
        assert target not in placement().values()
        assert any(p.spec.node_name == target for p in core.list_namespaced_pod(
            namespace, label_selector="app=agent").items)  # DaemonSet pod stayed
        wait_rolled_out(k8s_admin, namespace, "web")
    finally:
        core.patch_node(target, {"spec": {"unschedulable": None}})


def test_cronjob_suspend_and_resume(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    batch = client.BatchV1Api(k8s_admin)
    batch.create_namespaced_cron_job(namespace, client.V1CronJob(
        metadata=client.V1ObjectMeta(name="report"),
        spec=client.V1CronJobSpec(schedule="0 3 * * *", job_template=client.V1JobTemplateSpec(
            spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                restart_policy="Never",
                containers=[client.V1Container(name="r", image="report:1")])))))))

    def state() -> Any:
        cj = batch.read_namespaced_cron_job("report", namespace)
        return cj.metadata.generation, cj.spec.suspend

    _, real = dry_then_real(ex, Step("suspend_cronjob", {"namespace": namespace,
                                                         "cronjob": "report"}), state)
    assert [(c.path, c.before, c.after) for c in real.changes] == [("spec.suspend", False, True)]
    assert ex.verify(Step("wait_cronjob_suspended", {"namespace": namespace, "cronjob": "report",
                                                     "suspended": True}), ADMIN).ok
    _, real = dry_then_real(ex, Step("resume_cronjob", {"namespace": namespace,
                                                        "cronjob": "report"}), state)
    assert [(c.path, c.before, c.after) for c in real.changes] == [("spec.suspend", True, False)]
    assert ex.verify(Step("wait_cronjob_suspended", {"namespace": namespace, "cronjob": "report",
                                                     "suspended": False}), ADMIN).ok


def test_patch_hpa(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment("web", 1))
    hpa = client.AutoscalingV2Api(k8s_admin)
    hpa.create_namespaced_horizontal_pod_autoscaler(namespace, client.V2HorizontalPodAutoscaler(
        metadata=client.V1ObjectMeta(name="web-hpa"),
        spec=client.V2HorizontalPodAutoscalerSpec(
            min_replicas=1, max_replicas=5,
            scale_target_ref=client.V2CrossVersionObjectReference(
                api_version="apps/v1", kind="Deployment", name="web"))))

    def state() -> Any:  # the HPA controller keeps writing status; compare the spec
        spec = hpa.read_namespaced_horizontal_pod_autoscaler("web-hpa", namespace).spec
        return spec.min_replicas, spec.max_replicas

    step = Step("patch_hpa", {"namespace": namespace, "deployment": "web", "min_replicas": 2,
                              "max_replicas": 8})
    _, real = dry_then_real(ex, step, state)
    assert [(c.path, c.before, c.after) for c in real.changes] == [
        ("spec.maxReplicas", 5, 8), ("spec.minReplicas", 1, 2)]
    assert real.before == {"min_replicas": 1, "max_replicas": 5}
    verdict = ex.verify(Step("wait_hpa", {"namespace": namespace, "deployment": "web",
                                          "min_replicas": 2, "max_replicas": 8}), ADMIN)
    assert verdict.ok, verdict.message
    with pytest.raises(Refusal, match="above the maximum"):
        ex.run_step(Step("patch_hpa", {"namespace": namespace, "deployment": "web",
                                       "min_replicas": 9}), ADMIN, dry_run=True)
    with pytest.raises(NotFound, match="no autoscaler targets deployment api"):
        ex.run_step(Step("patch_hpa", {"namespace": namespace, "deployment": "api",
                                       "min_replicas": 2}), ADMIN, dry_run=True)


def test_verification_timeout_says_what_is_missing(
    ex: KubeExecutor, k8s_admin: Any, namespace: str
) -> None:
    create(k8s_admin, namespace, deployment("broken", 2, image="shop/api:bad"))
    verdict = ex.verify(Step("wait_rollout", {"namespace": namespace, "deployment": "broken",
                                              "timeout_seconds": 2}), ADMIN)
    assert not verdict.ok
    assert verdict.message.endswith("after 2 s")
    assert "of 2 replicas of deployment broken" in verdict.message
    assert verdict.elapsed_seconds < 10


def test_not_found_suggests_names(ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment("checkout-api", 1))
    with pytest.raises(NotFound) as err:
        ex.run_step(Step("scale", {"namespace": namespace, "deployment": "checkout-apj",
                                   "replicas": 2}), ADMIN, dry_run=True)
    assert err.value.message == f"deployment checkout-apj not found in namespace {namespace}"
    assert err.value.suggestions == ("checkout-api",)
    assert ex.names("deployment", namespace, ADMIN) == ("checkout-api",)
    assert namespace in ex.names("namespace", None, None)



def test_drain_blocked_by_pdb_times_out_clearly(
    ex: KubeExecutor, k8s_admin: Any, namespace: str
) -> None:
    core = client.CoreV1Api(k8s_admin)
    deploy(k8s_admin, namespace, deployment("web", 3))
    policy = client.PolicyV1Api(k8s_admin)
    policy.create_namespaced_pod_disruption_budget(namespace, client.V1PodDisruptionBudget(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1PodDisruptionBudgetSpec(
            min_available=3, selector=client.V1LabelSelector(match_labels={"app": "web"}))))
    wait_for(lambda: (policy.read_namespaced_pod_disruption_budget(
        "web", namespace).status.observed_generation or 0) >= 1, what="PDB observed")
    target = core.list_namespaced_pod(namespace).items[0].spec.node_name
    try:
        step = Step("drain", {"node": target, "timeout_seconds": 2})
        dry = ex.run_step(step, ADMIN, dry_run=True)
        assert "PodDisruptionBudget blocks" in dry.summary
        assert any("PodDisruptionBudget blocks" in w for w in dry.warnings)
        with pytest.raises(Retryable) as err:
            ex.run_step(step, ADMIN)
        assert err.value.message.startswith(f"drain of node {target} did not finish within 2 s")
        assert "blocked by a PodDisruptionBudget" in err.value.message
        assert "stays cordoned" in err.value.hint
        assert core.read_node(target).spec.unschedulable
        verdict = ex.verify(Step("wait_node_drained", {"node": target, "timeout_seconds": 1}),
                            ADMIN)
        assert not verdict.ok and verdict.message.endswith("after 1 s")
        assert f"still on node {target}" in verdict.message
    finally:
        core.patch_node(target, {"spec": {"unschedulable": None}})


def test_a_rollback_puts_only_the_pods_of_the_failed_release_at_risk(
    ex: KubeExecutor, k8s_admin: Any, namespace: str
) -> None:
    """The ReplicaSet of the revision rolled back to is scaled up again with its pods as
    they are: they are not replaced, so they are not in the blast radius."""
    deploy(k8s_admin, namespace, deployment("web", 2, image="shop/web:1.0"))
    core = client.CoreV1Api(k8s_admin)
    old = {p.metadata.name for p in core.list_namespaced_pod(namespace).items}
    ex.run_step(Step("set_image", {"namespace": namespace, "deployment": "web",
                                   "image": "shop/web:bad", "container": None}), ADMIN)
    new = wait_for(lambda: {p.metadata.name for p in core.list_namespaced_pod(namespace).items
                            if p.spec.containers[0].image == "shop/web:bad"},
                   what="a pod of the failing release")
    assert len(old) == 2 and not old & new
    # The deployment controller creates the new ReplicaSet (whose pods can be up at once)
    # before it records the revision on the deployment; an undo in between finds no
    # revision older than the one recorded (a CI run under two workers hit it).
    apps = client.AppsV1Api(k8s_admin)
    wait_for(lambda: (apps.read_namespaced_deployment("web", namespace).metadata.annotations
                      or {}).get("deployment.kubernetes.io/revision") == "2",
             what="the new release's revision")

    undo = Step("rollout_undo", {"namespace": namespace, "deployment": "web", "revision": None})
    dry = ex.run_step(undo, ADMIN, dry_run=True)
    assert set(dry.affected_pods) == new
    # The pods left out are named, and said: they are bound with the plan by their count.
    assert set(dry.kept_pods) == old
    assert any("2 pods of the ReplicaSet it returns to" in w for w in dry.warnings)
    # A change to a template no ReplicaSet has replaces every pod, as before.
    fresh = ex.run_step(Step("set_image", {"namespace": namespace, "deployment": "web",
                                           "image": "shop/web:2.0", "container": None}),
                        ADMIN, dry_run=True)
    assert set(fresh.affected_pods) == old | new


def test_a_rollback_to_a_revision_of_the_same_images_says_it_changes_no_version(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    """A second trial: after a restart (a revision of the same image), "roll back to the
    previous version" planned a rollback whose only change was the restart's annotation:
    every pod replaced, no version changed, nothing said."""
    deploy(k8s_admin, namespace, deployment("web", 1, image="nginx:1.25"))
    restart = Step("rollout_restart", {"namespace": namespace, "deployment": "web"})
    ex.run_step(restart, ADMIN)
    apps = client.AppsV1Api(k8s_admin)
    wait_for(lambda: (apps.read_namespaced_deployment("web", namespace).metadata.annotations
                      or {}).get("deployment.kubernetes.io/revision") == "2",
             what="the restart's revision")
    wait_rolled_out(k8s_admin, namespace, "web")
    undo = Step("rollout_undo", {"namespace": namespace, "deployment": "web", "revision": None})
    dry = ex.run_step(undo, ADMIN, dry_run=True)
    assert any("runs the same images as now (nginx:1.25)" in w for w in dry.warnings), \
        dry.warnings
