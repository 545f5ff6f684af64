"""A question of what a change would do, against the sandbox cluster with the shipped
model: the server-side dry-run as the asker answers it, nothing is proposed or changed,
and taking the offered change asks for it like any request."""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from chatops.runs import Asked, RunState
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def test_what_would_happen_is_the_dry_run_and_nothing_else(world: World) -> None:
    from intents import ModelParser, default_model_dir

    prod = world.ns["prod"]
    bob = Shell(world.service(parser=ModelParser(default_model_dir())), user="bob",
                out=io.StringIO())
    (reply,) = bob.say(f"what would happen if I scaled checkout-api in {prod} to 0?")
    assert reply.text.startswith("Preview only: nothing was asked for"), reply.text
    assert "spec.replicas: 3 -> 0" in reply.text
    assert "Pods affected (3)" in reply.text
    assert reply.choices == ("scale_deployment",)
    assert bob.service.store.runs_in_thread("console", "console") == []
    assert world.replicas("prod", "checkout-api") == 3
    (plan, *_) = bob.say("scale_deployment")
    (run,) = bob.service.store.runs_in_thread("console", "console")
    assert run.state is RunState.PROPOSED and run.asked_as is Asked.PREVIEW, plan.text
    assert world.replicas("prod", "checkout-api") == 3
