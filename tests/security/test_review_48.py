"""Session 48: a change's namespace read by a name's place alone.

Terse requests name the object, then its namespace ("restart checkout-api prod"), and the
NLU now reads the second name as the namespace by its place (`intents/places.py`). But
"restart calc-app checkout-api" may name two deployments (session 46's attacker review
planned such a second name as the namespace): a namespace read so is kept only where the
cluster has the object in it (`conversation/placed.py`); otherwise the bot asks, as for
any change without a namespace. End to end on the sandbox with the shipped model, as bob
in the console.
"""

from __future__ import annotations

import pytest

from tests.plugins.world_fixtures import World
from tests.security.test_review_46 import _runs


def test_a_namespace_beside_the_object_that_holds_it_is_planned(world: World) -> None:
    runs = _runs(world, f"restart checkout-api {world.ns['staging']}")
    assert runs == [("restart_deployment", {"deployment": "checkout-api",
                                            "namespace": world.ns["staging"]})], runs


@pytest.mark.parametrize("text", [
    # Two deployments side by side: never one of them as the other's namespace.
    "restart calc-app checkout-api",
    "scale calc-app search-indexer to 3",
    # A name beside that is no namespace, or one that does not hold the object.
    "restart calc-app orders",
    "restart calc-app {staging}",
    "scale search-indexer {dev} to 3",
])
def test_a_name_beside_the_object_is_no_namespace_where_it_does_not_hold_it(
        world: World, text: str) -> None:
    runs = _runs(world, text.format(**world.ns))
    assert all(slots.get("namespace") in (None, world.ns["prod"])
               for _, slots in runs), runs
    assert all(slots.get("namespace") != slots.get("deployment") for _, slots in runs), runs


# Session 48's attacker review of the first version: the object right before a namespace's
# cue, and the two halves of `name.namespace`, planned for a change the deployment the
# message rules out or says is fine; and words after a kubectl node command went to the
# model, which drained the node they ruled out or missed a retraction. Those readings are
# now for reads only, and such a kubectl command is out of scope again.
@pytest.mark.parametrize("text", [
    "restart everything other than calc-app -n {prod}",
    "restart everything apart from calc-app -n {prod}",
    "restart the rest, calc-app -n {prod} is fine",
    "calc-app -n {prod} is fine, restart the others",
    "restart all, calc-app ns {prod} excluded",
    "set cpu limit to 500m on everything other than calc-app -n {prod}",
    "restart everything but : calc-app -n {prod}",
    "restart the rest, calc-app.{prod} is fine",
    "calc-app.{prod} is fine, restart the others",
])
def test_a_name_left_alone_before_a_namespace_is_no_change_s_object(
        world: World, text: str) -> None:
    runs = _runs(world, text.format(**world.ns))
    assert all(slots.get("deployment") != "calc-app" for _, slots in runs), runs


def test_words_after_a_kubectl_node_command_plan_nothing(world: World) -> None:
    from kubernetes import client

    nodes = sorted(n.metadata.name for n in client.CoreV1Api(world.api).list_node().items)
    assert len(nodes) >= 2, nodes
    for text in (f"kubectl drain {nodes[0]} not {nodes[1]}",
                 f"kubectl drain {nodes[0]} instead of {nodes[1]}",
                 f"kubectl cordon {nodes[0]} to drain {nodes[1]} safely",
                 f"kubectl drain {nodes[0]} jk",
                 f"kubectl cordon {nodes[0]} would that work?",
                 f"kubectl drain {nodes[0]} on cluster b"):
        runs = _runs(world, text)
        assert [r for r in runs if r[0] in ("drain_node", "cordon_node")] == [], (text, runs)


# A second review of the fixes: a third name and a kubectl command naming two deployments
# made the name beside the object a change's namespace where that namespace holds it (and
# words that say "several": tests/nlu/test_shipped_model.py, where the model reads the
# name as no namespace of its own).
@pytest.mark.parametrize("text", [
    "scale checkout-api {staging} calc-app to 0",
    "kubectl scale deploy checkout-api {staging} --replicas=0",
    "kubectl rollout restart deployment checkout-api {staging}",
])
def test_a_name_beside_among_several_is_no_change_s_namespace(world: World, text: str) -> None:
    runs = _runs(world, text.format(**world.ns))
    assert all(slots.get("namespace") != world.ns["staging"] for _, slots in runs), runs
