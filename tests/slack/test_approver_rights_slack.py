"""Approvers' own rights through Slack, on the sandbox's real API server: a click by an
approver whom the policy allows but whose mapped Kubernetes identity could not make the
change (a real SubjectAccessReview says no) is refused privately with the reason, audited,
and runs nothing, whether it comes from the plan message or from the Home tab; an approver
with the rights approves.

The policy is the demo's with `dev` (alice, who operates only the dev namespace) among the
approvers of write requests (`tests/security/test_approver_rights.py`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatops.audit import AuditLog
from chatops.runs import Run, RunState
from chatops.slack import home
from chatops.slack.blocks import APPROVE
from chatops.slack.home import HOME_APPROVE
from tests.plugins.world_fixtures import World
from tests.security.test_approver_rights import service
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import message_ts, propose
from tests.slack.test_home import button, home_click, home_of, opened_home
from tests.waiting import wait_until_idle

pytestmark = pytest.mark.k8s

DENIED = "alice may not patch deployments checkout-api"


@pytest.fixture(autouse=True)
def quick_homes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home views re-published 0.3 s apart rather than 3 s (before the bot is built)."""
    monkeypatch.setattr(home, "REPUBLISH_INTERVAL", 0.3)


def rights_refusals(world: World, run: Run) -> list[dict[str, object]]:
    return [dict(e.data) for e in AuditLog(world.audit_db).list(run_id=run.id, kind="rejected")
            if e.data.get("what") == "approval"]


def assert_not_counted(bot: Bot, world: World, run: Run) -> None:
    stored = bot.service.store.get(run.id)
    assert stored is not None and stored.state is RunState.PROPOSED
    assert stored.approvers() == ()
    assert world.replicas("prod", "checkout-api") == 3


def test_an_approver_without_the_rights_is_refused_on_the_message_and_on_home(
        world: World, start_bot: Callable[..., Bot]) -> None:
    bot = start_bot(service(world))
    run = propose(bot, user="U0BOB", namespace=world.ns["prod"], replicas=4)

    bot.sender.click(APPROVE, run.id, user="U0ALICE", channel="C0OPS",
                     message_ts=message_ts(run))
    note = bot.slack.wait_for("chat.postEphemeral", DENIED, timeout=30)[0]
    assert note.args["user"] == "U0ALICE" and world.ns["prod"] in note.text()
    wait_until_idle(bot)
    assert_not_counted(bot, world, run)
    [refusal] = rights_refusals(world, run)
    assert refusal["approver"] == "alice" and refusal["user"] == "alice"

    # The policy lets her approve it, so her Home offers the buttons; the click there is
    # held to the same check.
    block_id, _ = button(opened_home(bot, "U0ALICE"), HOME_APPROVE, run.id)
    home_click(bot, "U0ALICE", f"{HOME_APPROVE}:{run.id}", run.id, block_id)
    home_of(bot, "U0ALICE", DENIED)
    wait_until_idle(bot)
    assert_not_counted(bot, world, run)
    assert len(rights_refusals(world, run)) == 2
    ephemeral = [c for c in bot.slack.of("chat.postEphemeral") if DENIED in c.text()]
    assert len(ephemeral) == 1  # the Home refusal is said on her Home only

    # An approver whose own identity may patch the deployment approves it.
    bot.sender.click(APPROVE, run.id, user="U0ERIN", channel="C0OPS",
                     message_ts=message_ts(run))
    eventually(lambda: bot.service.store.get(run.id).state.terminal, timeout=120,  # type: ignore[union-attr]
               what="the run to finish")
    assert bot.service.store.get(run.id).state is RunState.SUCCEEDED  # type: ignore[union-attr]
    assert world.replicas("prod", "checkout-api") == 4
    assert len(rights_refusals(world, run)) == 2
