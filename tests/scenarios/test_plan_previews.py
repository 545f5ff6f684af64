"""What a change's server-side dry-run tells people, against the sandbox, in the console.

A change that would change nothing: the bot says so and stops (no run is stored, nobody is
asked to approve, the audit log says why); a change that does change something is proposed
as before, with what the diff alone does not show as warnings (an autoscaler that will
undo the count).
"""

from __future__ import annotations

import io

import pytest

from chatops.audit import AuditLog
from chatops.console import Shell
from chatops.runs import RunState
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def shell(world: World, user: str) -> Shell:
    return Shell(world.service(), user=user, out=io.StringIO())


def runs(sh: Shell) -> list[str]:
    return [r.id for r in sh.service.store.runs_in_thread("console", "console")]


@pytest.mark.parametrize(("user", "request_text"), [
    ("alice", "run scale_deployment deployment=checkout-api namespace={dev} replicas=1"),
    ("alice", "run set_image deployment=checkout-api namespace={dev} image=nginx:1.25"),
    ("bob", "run resume_cronjob cronjob=nightly-report namespace={prod}"),
])
def test_a_change_that_changes_nothing_proposes_nothing(world: World, user: str,
                                                        request_text: str) -> None:
    sh = shell(world, user)
    replies = sh.say(request_text.format(**world.ns))
    assert [r.kind for r in replies] == ["answer"]
    text = replies[0].text
    assert text.startswith("Nothing to change:") and "already" in text
    assert "approve r-" not in text and "nobody needs to approve" in text
    assert runs(sh) == []
    kinds = [e.kind for e in AuditLog(world.audit_db).list(limit=100)]
    assert "unchanged" in kinds and "proposed" not in kinds
    assert world.replicas("dev", "checkout-api") == 1


def test_uncordon_of_a_schedulable_node_proposes_nothing(world: World) -> None:
    from kubernetes import client

    assert not client.CoreV1Api(world.api).read_node("node-2").spec.unschedulable
    sh = shell(world, "bob")
    replies = sh.say("run uncordon_node node=node-2")
    assert [r.kind for r in replies] == ["answer"]
    assert replies[0].text.startswith("Nothing to change:")
    assert runs(sh) == []


def test_a_change_that_changes_something_is_still_proposed(world: World) -> None:
    sh = shell(world, "alice")
    replies = sh.say(f"run scale_deployment deployment=checkout-api namespace={world.ns['dev']}"
                     " replicas=2")
    assert replies[0].kind == "plan" and replies[0].run is not None
    assert replies[0].run.state == RunState.PROPOSED.value
    assert "spec.replicas: 1 -> 2" in replies[0].text


def test_scaling_past_the_autoscalers_bounds_warns_the_approvers(world: World) -> None:
    sh = shell(world, "bob")
    replies = sh.say(f"run scale_deployment deployment=search-indexer "
                     f"namespace={world.ns['prod']} replicas=8")
    assert replies[0].kind == "plan" and replies[0].run is not None
    assert ("Warning: autoscaler search-indexer (min 1, max 4) manages search-indexer: it "
            "will scale it back down to 4") in replies[0].text
    assert replies[0].run.warnings and "set_autoscaling" in replies[0].run.warnings[0]
