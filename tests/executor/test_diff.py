from __future__ import annotations

import pytest

from chatops.errors import NotFound, Refusal
from chatops.executor.diff import diff, flatten, render_change
from chatops.executor.writes import pick_container, resolve_image, split_image
from chatops.results import FieldChange


def deployment(replicas: int = 3, image: str = "nginx:1.21", **annotations: str) -> dict:
    return {
        "metadata": {"name": "web", "generation": 4, "resourceVersion": "10",
                     "annotations": {"deployment.kubernetes.io/revision": "2"}},
        "spec": {"replicas": replicas, "template": {
            "metadata": {"labels": {"app": "web"}, "annotations": dict(annotations)},
            "spec": {"containers": [{"name": "api", "image": image},
                                    {"name": "sidecar", "image": "envoy:1"}]}}},
        "status": {"replicas": 3},
    }


def test_scale_and_image_paths() -> None:
    changes = diff(deployment(), deployment(replicas=5, image="nginx:1.22"))
    assert changes == (
        FieldChange("spec.replicas", 3, 5),
        FieldChange("spec.template.spec.containers[api].image", "nginx:1.21", "nginx:1.22"),
    )
    assert render_change(changes[0]) == "spec.replicas: 3 -> 5"


def test_annotation_keys_in_brackets_and_server_fields_ignored() -> None:
    after = deployment(**{"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"})
    after["metadata"]["generation"] = 5
    after["metadata"]["resourceVersion"] = "11"
    after["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "3"
    after["status"]["replicas"] = 4
    (change,) = diff(deployment(), after)
    assert change.path == "spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]"
    assert change.before is None and change.after == "2026-01-01T00:00:00Z"


def test_missing_boolean_reads_as_false() -> None:
    assert diff({"spec": {}}, {"spec": {"unschedulable": True}}) == (
        FieldChange("spec.unschedulable", False, True),)
    assert diff({"spec": {"unschedulable": True}}, {"spec": {}}) == (
        FieldChange("spec.unschedulable", True, False),)
    assert render_change(FieldChange("spec.suspend", False, True)) == "spec.suspend: false -> true"


def test_container_order_is_no_change_and_unnamed_lists_are_values() -> None:
    a = deployment()
    b = deployment()
    b["spec"]["template"]["spec"]["containers"].reverse()
    assert diff(a, b) == ()
    flat = flatten({"args": ["a", "b"]}, "spec")
    assert flat == {"spec.args": '["a","b"]'}


@pytest.mark.parametrize(
    ("image", "repo", "rest"),
    [("nginx:1.21", "nginx", ":1.21"), ("registry:5000/shop/api:2.0", "registry:5000/shop/api", ":2.0"),
     ("registry:5000/shop/api", "registry:5000/shop/api", ""),
     ("ghcr.io/a/b@sha256:abc", "ghcr.io/a/b", "@sha256:abc")],
)
def test_split_image(image: str, repo: str, rest: str) -> None:
    assert split_image(image) == (repo, rest)


@pytest.mark.parametrize(
    ("requested", "current", "result"),
    [("1.22", "nginx:1.21", "nginx:1.22"),
     ("v2", "registry:5000/shop/api:v1", "registry:5000/shop/api:v2"),
     ("v2", "registry:5000/shop/api", "registry:5000/shop/api:v2"),
     ("3.1", "ghcr.io/a/b@sha256:abc", "ghcr.io/a/b:3.1"),
     ("redis:7", "nginx:1.21", "redis:7"),
     ("ghcr.io/x/y:1", "nginx:1.21", "ghcr.io/x/y:1")],
)
def test_resolve_image(requested: str, current: str, result: str) -> None:
    assert resolve_image(requested, current) == result


def test_pick_container() -> None:
    one = [{"name": "api", "image": "a:1"}]
    two = [*one, {"name": "sidecar", "image": "b:1"}]
    assert pick_container(one, None, "web", "prod")["name"] == "api"
    assert pick_container(two, "sidecar", "web", "prod")["name"] == "sidecar"
    with pytest.raises(Refusal, match="2 containers: api, sidecar"):
        pick_container(two, None, "web", "prod")
    with pytest.raises(NotFound) as err:
        pick_container(two, "apj", "web", "prod")
    assert err.value.suggestions == ("api", "sidecar")
