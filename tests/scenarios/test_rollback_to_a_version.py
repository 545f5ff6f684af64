"""A rollback to a named version goes to the revision that runs it, or is refused.

A user trial: after a rollback from nginx:1.27 to 1.25, "roll back checkout-api in prod to
1.25" was planned as "roll back to the previous revision": the version was dropped and the
plan rolled 1.27 out again (the model has no slot for a version; the runbook takes a
revision number). A version named in a rollback request is looked up in the deployment's
rollout history, as the requester: the revision that runs it is planned (and said), and
a version no older revision runs is refused with the history, never another revision.
"""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from chatops.model import ParsedIntent
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


class _Reads:
    """The shipped model's reading of these messages: the version is in no slot."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent("rollback_deployment",
                            {"deployment": "checkout-api", "namespace": self.namespace},
                            0.97, source="model")


def _set_image(world: World, sh: Shell, image: str) -> None:
    prod = world.ns["prod"]
    plan = sh.say(f"run set_image deployment=checkout-api namespace={prod} image={image}")[0]
    assert plan.run is not None, plan.text
    sh.say(":as carol")
    result = sh.say(f"approve {plan.run.id}")[-1]
    assert result.run is not None and result.run.state == "succeeded", result.text
    sh.say(":as bob")


@pytest.fixture
def rolled(world: World) -> Shell:
    """checkout-api in prod: revision 1 nginx:1.25, 2 nginx:1.26, 3 nginx:1.27 (current)."""
    sh = Shell(world.service(parser=_Reads(world.ns["prod"])), user="bob", out=io.StringIO())
    _set_image(world, sh, "nginx:1.26")
    _set_image(world, sh, "nginx:1.27")
    return sh


@pytest.mark.parametrize("text", [
    "roll back checkout-api in prod to 1.25", "rollback checkout-api in prod to nginx:1.25",
    "can we go back to the old version of checkout-api in prod? we were on 1.25 before",
    "revert checkout-api in prod to version 1.25 please",
])
def test_the_revision_that_runs_the_version_is_planned(rolled: Shell, text: str) -> None:
    plan = rolled.say(text)[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    assert "to revision 1" in plan.text and "nginx:1.27 -> nginx:1.25" in plan.text
    assert "1.25 is revision 1" in plan.text  # and it says how it read the version


def test_a_version_no_older_revision_runs_is_refused(rolled: Shell) -> None:
    replies = rolled.say("roll back checkout-api in prod to 1.24")
    assert [r.kind for r in replies] == ["refusal"], replies
    text = replies[0].text
    assert "No older revision of checkout-api in" in text and "1.24" in text
    assert "revision 1: nginx:1.25" in text and "set_image" in text
    assert not [r for r in rolled.service.store.runs_in_thread("console", "console")
                if r.runbook == "rollback_deployment"]


def test_the_version_it_runs_now_is_refused(rolled: Shell) -> None:
    replies = rolled.say("roll back checkout-api in prod to 1.27")
    assert [r.kind for r in replies] == ["refusal"], replies
    assert "already runs nginx:1.27 (revision 3)" in replies[0].text


def test_a_rollback_without_a_version_is_the_previous_revision_as_before(
        rolled: Shell) -> None:
    plan = rolled.say("roll back checkout-api in prod, the deploy broke it")[0]
    assert plan.run is not None and "nginx:1.27 -> nginx:1.26" in plan.text
