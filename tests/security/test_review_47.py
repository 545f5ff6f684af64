"""Session 47's probe: a change planned where the message says all is well.

The model tags every name it sees, and the slot decoding took a namespace, a deployment or
a node that the message says is fine, unaffected or ruled out as the change's target:
"restart checkout-api. everything in staging is fine" planned the restart in staging,
"cordon node-2, node-1 is fine" the cordon of node-1, "restart it in prod, calc-app is
fine" the restart of calc-app. A plan waits for its approvals, but its approver would have
to notice the swap. Now such a name is never a change's target: the bot asks for the one
meant, or plans the one the request names. End to end on the sandbox with the shipped
model, as bob in the console.
"""

from __future__ import annotations

import pytest

from tests.plugins.world_fixtures import World
from tests.security.test_review_46 import _runs


@pytest.mark.parametrize("text", [
    "restart checkout-api. everything in {staging} is fine",
    "restart checkout-api please, nothing in {staging} is affected",
    "restart checkout-api, {staging} is fine",
    "restart checkout-api except in {staging}",
    "restart checkout-api in {prod}, {staging} is fine",
    "scale checkout-api in {prod} to 4, {staging} looks healthy",
])
def test_a_namespace_said_to_be_fine_is_no_change_s_target(world: World, text: str) -> None:
    runs = _runs(world, text.format(**world.ns))
    assert all(slots.get("namespace") != world.ns["staging"] for _, slots in runs), runs


def test_an_object_said_to_be_fine_is_no_change_s_target(world: World) -> None:
    runs = _runs(world, f"restart it in {world.ns['prod']}, calc-app is fine")
    assert all(slots.get("deployment") != "calc-app" for _, slots in runs), runs


def test_a_node_said_to_be_fine_is_not_cordoned(world: World) -> None:
    from kubernetes import client

    nodes = sorted(n.metadata.name for n in client.CoreV1Api(world.api).list_node().items)
    assert len(nodes) >= 2, nodes
    runs = _runs(world, f"cordon {nodes[0]}, {nodes[1]} is fine")
    assert all(slots.get("node") != nodes[1] for _, slots in runs), runs
    assert ("cordon_node", {"node": nodes[0]}) in runs, runs


@pytest.mark.parametrize("text", [
    # Another cluster or identity named: the bot's own cluster is no stand-in for it.
    "kubectl --context other-cluster rollout restart deploy/checkout-api -n {prod}",
    "kubectl rollout restart deploy/checkout-api -n {prod} --kubeconfig ~/.kube/staging",
    "kubectl --as cluster-admin rollout restart deploy/checkout-api -n {prod}",
    # A command reported as tried: what happened, no order.
    "kubectl rollout restart deploy/checkout-api -n {prod} didn't help, any idea?",
    "`kubectl rollout restart deploy/checkout-api -n {prod}` did nothing",
    "we already ran kubectl rollout restart deploy/checkout-api -n {prod}, it still crashes",
])
def test_a_kubectl_command_for_elsewhere_or_already_tried_plans_nothing(
        world: World, text: str) -> None:
    runs = _runs(world, text)
    assert [r for r in runs if r[0] == "restart_deployment"] == [], runs


def test_a_kubectl_command_is_planned_as_written(world: World) -> None:
    runs = _runs(world, "kubectl set resources deploy/checkout-api -c app "
                        f"--limits=cpu=300m,memory=256Mi -n {world.ns['prod']}")
    assert runs == [("set_resources", {
        "deployment": "checkout-api", "container": "app", "cpu_limit": "300m",
        "memory_limit": "256Mi", "namespace": world.ns["prod"]})], runs
