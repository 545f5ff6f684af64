"""Confirm before the irreversible: Approve on a critical plan, or on one whose blast radius
is wide, opens Slack's confirmation dialog naming what will happen; a small write plan's
Approve doesn't."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chatops.model import Identity, Risk, Step
from chatops.ports import Progress
from chatops.replies import RunView
from chatops.results import StepResult
from chatops.runs import Run, RunState
from chatops.slack.blocks import APPROVE, CONFIRM_PODS, DENY, EDIT, run_blocks
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually, fake_deployments
from tests.slack.helpers import all_runs, message_ts, propose

# Every test here runs over HTTP and over Socket Mode (see tests/slack/conftest.py).
pytestmark = pytest.mark.transports()

EVICTED = ("prod/checkout-api-1", "prod/checkout-api-2", "staging/checkout-api-1",
           "staging/search-0")


class EvictingCluster(FakeCluster):
    """The fake cluster, whose drain (dry-run or not) evicts four pods in two namespaces."""

    def run_step(self, step: Step, identity: Identity | None, *, dry_run: bool = False,
                 progress: Progress | None = None, cause: str = "") -> StepResult:
        result = super().run_step(step, identity, dry_run=dry_run, progress=progress,
                                  cause=cause)
        return replace(result, affected_pods=EVICTED) if step.verb == "drain" else result


@pytest.fixture
def cluster() -> FakeCluster:
    return EvictingCluster(deployments=fake_deployments(), nodes={"node-2": False})


def _buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The run message's buttons by their action (approve, deny, edit)."""
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    return {e["action_id"].split(":")[0]: e for e in actions["elements"]}


def _plan_blocks(bot: Bot, run: Run) -> list[dict[str, Any]]:
    """The blocks the run's message was first shown with (a command's placeholder becomes
    the plan by `chat.update`)."""
    ts = message_ts(run)
    shown = [c for c in bot.slack.calls if (c.method == "chat.postMessage" and c.ts == ts)
             or (c.method == "chat.update" and c.args.get("ts") == ts)]
    blocks: list[dict[str, Any]] = next(c.args["blocks"] for c in shown if any(
        b["type"] == "actions" for b in c.args["blocks"]))
    return blocks


def test_a_critical_plans_approve_asks_for_confirmation_naming_what_happens(
        bot: Bot) -> None:
    bot.sender.command("run drain_node node=node-2", user="U0BOB", channel="C0OPS")
    run = eventually(lambda: (rs := all_runs(bot)) and rs[-1].message_ref and rs[-1],
                     what="the plan message")
    assert isinstance(run, Run)
    assert run.runbook == "drain_node" and run.state is RunState.PROPOSED
    buttons = _buttons(_plan_blocks(bot, run))
    confirm = buttons[APPROVE]["confirm"]
    assert confirm == {
        "title": {"type": "plain_text", "text": "Approve a critical change?"},
        "text": {"type": "plain_text",
                 "text": "Drain node node-2: affects 4 pods in prod and staging."},
        "confirm": {"type": "plain_text", "text": "Approve"},
        "deny": {"type": "plain_text", "text": "Cancel"},
        "style": "danger",
    }
    # Deny and Edit change nothing on the cluster: no dialog in the way.
    assert "confirm" not in buttons[DENY] and "confirm" not in buttons[EDIT]


def test_a_small_write_plans_approve_has_no_dialog(bot: Bot) -> None:
    run = propose(bot)  # scale checkout-api in prod 3 -> 5: no pod evicted
    buttons = _buttons(_plan_blocks(bot, run))
    assert "confirm" not in buttons[APPROVE]
    assert buttons[APPROVE]["value"] == run.id


def _view(risk: Risk, pods: tuple[str, ...]) -> RunView:
    return RunView(id="r-1a2b3c4d", state="proposed", runbook="restart_deployment", risk=risk,
                   requester="bob", understood="restart", explanation="",
                   steps=("restart deployment checkout-api in prod",), changes=(),
                   blast_radius=pods, approvals=(), needed=1, approvers="sre", undo="",
                   binding="0123456789ab")


@pytest.mark.parametrize(("risk", "pods", "confirmed"), [
    (Risk.WRITE, (), False),
    (Risk.WRITE, tuple(f"prod/p-{i}" for i in range(CONFIRM_PODS)), False),
    (Risk.WRITE, tuple(f"prod/p-{i}" for i in range(CONFIRM_PODS + 1)), True),
    (Risk.WRITE, ("prod/p-0", "staging/p-0"), True),
    (Risk.CRITICAL, (), True),
])
def test_the_dialog_is_for_critical_or_wide_plans_only(
        risk: Risk, pods: tuple[str, ...], confirmed: bool) -> None:
    approve = _buttons(run_blocks(_view(risk, pods)))[APPROVE]
    assert ("confirm" in approve) is confirmed
    if confirmed and pods:
        assert f"affects {len(pods)} pod" in approve["confirm"]["text"]["text"]


def test_the_dialog_text_fits_slacks_limits() -> None:
    view = replace(_view(Risk.CRITICAL, tuple(f"ns-{i}/p" for i in range(60))),
                   steps=tuple(f"drain node {'n' * 60}-{i}" for i in range(10)))
    confirm = _buttons(run_blocks(view))[APPROVE]["confirm"]
    assert len(confirm["text"]["text"]) <= 300 and len(confirm["title"]["text"]) <= 100
