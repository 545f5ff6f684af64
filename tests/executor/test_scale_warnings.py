"""What a change's dry-run warns about, against the sandbox: an autoscaler that will undo or
fight a scale's new count, how many of the listed pods a scale-down really stops, a pod
that nothing will replace, an autoscaler bound that moves the deployment at once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kubernetes import client

from chatops.executor import KubeExecutor
from chatops.model import Identity, Step
from tests.executor.helpers import ADMIN, create, deploy, deployment, grant, once_granted

pytestmark = pytest.mark.k8s


def autoscaler(api: Any, namespace: str, target: str, low: int, high: int) -> None:
    client.AutoscalingV2Api(api).create_namespaced_horizontal_pod_autoscaler(
        namespace, client.V2HorizontalPodAutoscaler(
            metadata=client.V1ObjectMeta(name=f"{target}-hpa"),
            spec=client.V2HorizontalPodAutoscalerSpec(
                min_replicas=low, max_replicas=high,
                scale_target_ref=client.V2CrossVersionObjectReference(
                    api_version="apps/v1", kind="Deployment", name=target))))


def scale_warnings(ex: KubeExecutor, namespace: str, name: str, replicas: int,
                   who: Identity = ADMIN) -> tuple[str, ...]:
    step = Step("scale", {"namespace": namespace, "deployment": name, "replicas": replicas})
    return ex.run_step(step, who, dry_run=True).warnings


@pytest.mark.parametrize(("replicas", "says"), [
    (8, "will scale it back down to 5"),
    (1, "will scale it back up to 2"),
    (4, "may change the count again"),
    (0, "stops scaling it"),
])
def test_scaling_a_deployment_an_autoscaler_manages_warns(
        ex: KubeExecutor, k8s_admin: Any, namespace: str, replicas: int, says: str) -> None:
    create(k8s_admin, namespace, deployment("web", 3))
    autoscaler(k8s_admin, namespace, "web", 2, 5)
    warnings = scale_warnings(ex, namespace, "web", replicas)
    assert any("autoscaler web-hpa" in w and "(min 2, max 5)" in w and says in w
               for w in warnings), warnings


@pytest.mark.parametrize(("replicas", "says"), [
    (8, "it will not hold: autoscaler web-hpa keeps web between 2 and 5 replicas and sets "
        "it back to 5"),
    (1, "sets it back to 2"),
    (4, None),
    (0, None),
])
def test_a_scale_the_autoscaler_sets_back_says_so_in_its_result(
        ex: KubeExecutor, k8s_admin: Any, namespace: str, replicas: int,
        says: str | None) -> None:
    # A user trial: "Succeeded ... 6 of 6 available", then the autoscaler set it back to 4
    # and nothing said so after the run (the preview had warned).
    create(k8s_admin, namespace, deployment("web", 3))
    autoscaler(k8s_admin, namespace, "web", 2, 5)
    step = Step("scale", {"namespace": namespace, "deployment": "web", "replicas": replicas})
    result = ex.run_step(step, ADMIN)
    assert f"from 3 to {replicas}" in result.summary
    if says is None:
        assert "will not hold" not in result.summary, result.summary
    else:
        assert says in result.summary, result.summary


def test_an_autoscaler_of_another_deployment_is_not_mentioned(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment("web", 2))
    create(k8s_admin, namespace, deployment("api", 2))
    autoscaler(k8s_admin, namespace, "api", 1, 3)
    assert scale_warnings(ex, namespace, "web", 4) == ()


def test_a_scale_down_says_how_many_of_the_listed_pods_stop(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    deploy(k8s_admin, namespace, deployment("web", 3))
    step = Step("scale", {"namespace": namespace, "deployment": "web", "replicas": 1})
    result = ex.run_step(step, ADMIN, dry_run=True)
    assert len(result.affected_pods) == 3
    assert any("2 of these 3 pods" in w and "ReplicaSet" in w for w in result.warnings)


def test_a_scale_to_zero_warns_that_nothing_serves(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    """A user trial: "scale checkout-api in prod to 0" was the one scale-down shown with no
    warning at all (a smaller one says how many pods stop); it is a full outage."""
    deploy(k8s_admin, namespace, deployment("web", 3))
    step = Step("scale", {"namespace": namespace, "deployment": "web", "replicas": 0})
    result = ex.run_step(step, ADMIN, dry_run=True)
    assert len(result.affected_pods) == 3
    assert any("all 3 pods stop" in w and "nothing serves" in w for w in result.warnings), \
        result.warnings


def test_who_may_not_list_autoscalers_is_told_it_was_not_checked(
        ex: KubeExecutor, k8s_admin: Any, namespace: str) -> None:
    create(k8s_admin, namespace, deployment("web", 2))
    autoscaler(k8s_admin, namespace, "web", 2, 5)
    user = f"scaler-{uuid.uuid4().hex[:6]}"
    grant(k8s_admin, namespace, user, [
        client.V1PolicyRule(api_groups=["apps"], resources=["deployments"],
                            verbs=["get", "patch"]),
        client.V1PolicyRule(api_groups=[""], resources=["pods"], verbs=["list"])])
    warnings = once_granted(lambda: scale_warnings(ex, namespace, "web", 4, Identity(user)))
    assert any("could not check for an autoscaler" in w for w in warnings), warnings


def test_deleting_a_pod_nothing_replaces_warns(ex: KubeExecutor, k8s_admin: Any,
                                               namespace: str) -> None:
    # A user trial: the preview said "if a controller owns it, a replacement is started"
    # and only the result, after approval, said "nothing will replace it".
    core = client.CoreV1Api(k8s_admin)
    core.create_namespaced_pod(namespace, client.V1Pod(
        metadata=client.V1ObjectMeta(name="orphan"),
        spec=client.V1PodSpec(containers=[client.V1Container(name="app",
                                                             image="nginx:1.25")])))
    step = Step("delete_pod", {"namespace": namespace, "pod": "orphan"})
    warnings = ex.run_step(step, ADMIN, dry_run=True).warnings
    assert any("no controller owns pod orphan" in w and "nothing will replace it" in w
               for w in warnings), warnings
    deploy(k8s_admin, namespace, deployment("web", 1))
    owned = next(p.metadata.name for p in core.list_namespaced_pod(namespace).items
                 if p.metadata.name.startswith("web-"))
    owned_step = Step("delete_pod", {"namespace": namespace, "pod": owned})
    assert ex.run_step(owned_step, ADMIN, dry_run=True).warnings == ()


@pytest.mark.parametrize(("bounds", "says"), [
    ({"min_replicas": 3}, "scales deployment web from 2 up to 3 at once"),
    ({"max_replicas": 1}, "scales deployment web from 2 down to 1 at once"),
    ({"min_replicas": 1, "max_replicas": 6}, None),
])
def test_an_autoscaler_bound_past_the_current_count_warns(
        ex: KubeExecutor, k8s_admin: Any, namespace: str, bounds: dict[str, int],
        says: str | None) -> None:
    # A user trial: raising the minimum from 1 to 3 scaled the deployment from 2 to 3 at
    # once (not in the preview), and the undo restored the bounds but not the 2 replicas.
    create(k8s_admin, namespace, deployment("web", 2))
    autoscaler(k8s_admin, namespace, "web", 1, 4)
    step = Step("patch_hpa", {"namespace": namespace, "deployment": "web", **bounds})
    warnings = ex.run_step(step, ADMIN, dry_run=True).warnings
    if says is None:
        assert warnings == ()
    else:
        assert any(says in w and "undo" in w for w in warnings), warnings


@pytest.mark.parametrize(("image", "says"), [
    ("1.27", ()),
    ("nginx:1.27", ()),
    ("docker.io/library/nginx:1.27", ()),
    ("registry.acme.io/nginx:1.27", ("another repository: registry.acme.io/nginx, not "
                                     "docker.io/library/nginx",)),
    ("ngnix:1.27", ("another repository: docker.io/library/ngnix",)),
    ("nginx:latest", ("nginx:latest is a moving tag",)),
    ("library/redis", ("another repository: docker.io/library/redis",
                       "library/redis is a moving tag")),
])
def test_an_image_change_warns_of_another_repository_or_a_moving_tag(
        ex: KubeExecutor, k8s_admin: Any, namespace: str, image: str,
        says: tuple[str, ...]) -> None:
    # A user trial: "nginx:latest" was planned without a word; another repository (a typo,
    # another registry) shows only as a changed string in the diff.
    create(k8s_admin, namespace, deployment("web", 1, image="nginx:1.21"))
    step = Step("set_image", {"namespace": namespace, "deployment": "web", "image": image})
    warnings = ex.run_step(step, ADMIN, dry_run=True).warnings
    assert len(warnings) == len(says), warnings
    for said, warning in zip(says, warnings, strict=True):
        assert said in warning, warnings
