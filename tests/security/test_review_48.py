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
