"""Questions of rights against the sandbox cluster with the shipped model: the policy's
answer, and the API server's own for the asker's identity in the namespace named
(SubjectAccessReviews). In the demo, dev operates its own namespace only and looks at the
rest; sre operates everything. Nothing is planned or changed."""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def test_what_i_may_do_is_what_the_cluster_lets_my_own_identity_do(world: World) -> None:
    from intents import ModelParser, default_model_dir

    prod, dev = world.ns["prod"], world.ns["dev"]
    parser = ModelParser(default_model_dir())
    alice = Shell(world.service(parser=parser), user="alice", out=io.StringIO())
    (reply,) = alice.say(f"what am I allowed to do in {prod}?")
    assert reply.kind == "answer", reply.text
    assert "critical (drain_node): asked for by members of sre (not you)" in reply.text
    assert f"In {prod}, the cluster lets you (alice) run: deployment_status" in reply.text
    # one line per request refused, with every runbook that makes it
    assert (f"In {prod}, the cluster doesn't let you (alice) patch deployments in namespace "
            f"{prod}, so restart_deployment, rollback_deployment, scale_deployment, "
            "set_image, set_resources would fail their dry-run as you.") in reply.text
    assert (f"In {prod}, the cluster doesn't let you (alice) delete pods in namespace {prod}, "
            "so delete_pod would fail its dry-run as you.") in reply.text
    (reply,) = alice.say(f"am i allowed to restart checkout-api in {dev}?")
    assert reply.text.startswith("`restart_deployment` is a write change"), reply.text
    assert f"In {dev}, the cluster lets you (alice) make its requests." in reply.text
    bob = Shell(world.service(parser=parser), user="bob", out=io.StringIO())
    (reply,) = bob.say(f"who can approve restarts in {prod}?")
    assert "needs 1 approval from members of sre, not the requester's own (you may approve)" \
        in reply.text, reply.text
    assert f"In {prod}, the cluster lets you (bob) make its requests." in reply.text
    assert alice.service.store.runs_in_thread("console", "console") == []
    assert world.replicas("prod", "checkout-api") == 3
