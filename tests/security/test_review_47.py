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
    for text in (f"cordon {nodes[0]}, {nodes[1]} is fine",
                 # A second review: health in the past, or taken back, is no "all is well",
                 # and the other node never takes the place of the one said to be fine.
                 f"{nodes[0]} was fine before the upgrade; {nodes[1]} is next to it. "
                 "please cordon",
                 f"{nodes[0]} looks healthy to k8s but users see 500s; same rack as "
                 f"{nodes[1]}. cordon it"):
        runs = _runs(world, text)
        assert all(slots.get("node") != nodes[1] for _, slots in runs), (text, runs)


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


def test_padding_takes_no_quadratic_time() -> None:
    """A second review's padding: a kubectl command with 16,000 spaces before "thanks" took
    50 s in the report of what a command did; a question about the bot with 32,000 dashes
    12 s."""
    import time

    from chatops.conversation.partial import tells_what_happened
    from intents.about_the_bot import asks_what_the_bot_does
    from intents.kubectl import read_kubectl

    for text in ("kubectl drain node-1" + " " * 16_000 + "thanks",
                 "kubectl drain node-1" + "\t" * 39_000 + "x didn't",
                 "give me a tour of you" + "-" * 32_000 + ".x"):
        started = time.process_time()
        tells_what_happened(text)
        asks_what_the_bot_does(text)
        read_kubectl(text)
        assert time.process_time() - started < 1.0


@pytest.mark.parametrize("text", [
    # A second review: a count with a sign, a number JSON writes another way, a resource
    # key that only ends in "cpu", a container with no name: each read as another value.
    "kubectl scale deploy/checkout-api --replicas=-3 -n {prod}",
    "kubectl patch hpa checkout-api -n {prod} -p '{{\"spec\":{{\"maxReplicas\":2e1}}}}'",
    "kubectl patch hpa checkout-api -n {prod} -p '{{\"spec\":{{\"minReplicas\":20,"
    "\"maxReplicas\":2}}}}'",
    "kubectl set resources deploy/checkout-api --limits=xcpu=9 -n {prod}",
    "kubectl set resources deploy/checkout-api --limits=memory=1Gi,hugepages-memory=2Gi "
    "-n {prod}",
    "kubectl set image deploy/checkout-api =nginx:1.2 -n {prod}",
    "kubectl drain node-1 node-2",
])
def test_a_kubectl_value_kubectl_would_refuse_is_never_planned(world: World,
                                                              text: str) -> None:
    runs = _runs(world, text)  # (formats {prod})
    wrong = [r for r in runs if r[1].get("replicas") in ("0", "-3")
             or r[1].get("max_replicas") == "2" or r[1].get("cpu_limit") == "9"
             or r[1].get("memory_limit") == "2Gi" or r[0] == "drain_node"
             or (r[0] == "set_image" and not r[1].get("container") and r[1].get("image"))]
    assert wrong == [], runs
