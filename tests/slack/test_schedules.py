"""Schedules over the real Bolt app and the local Slack Web API: `/ops schedule ...` and a
mention with a time phrase post the schedule's plan with its firings and Approve buttons,
a second person's approval activates it, `/ops schedules` answers the asker privately, and
a firing posts its result in the schedule's thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Run, RunState
from chatops.schedules import Schedule, ScheduleState
from chatops.slack.blocks import APPROVE
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import all_runs, message_ts, scale_calls
from tests.slack.mock_slack import Call
from tests.waiting import wait_until_idle

# Every test here runs over HTTP and over Socket Mode (see tests/slack/conftest.py).
pytestmark = pytest.mark.transports()

SCALE = ('schedule run scale_deployment deployment=checkout-api namespace=prod replicas=5 '
         'at "0 3 * * *" tz=UTC')


@pytest.fixture
def model_bot(start_bot: Callable[..., Bot], tmp_path: Path, cluster: FakeCluster,
              catalogue: Catalogue) -> Bot:
    """The Slack app with the shipped NLU model, for requests in plain words."""
    from intents import ModelParser, default_model_dir

    return start_bot(ConversationService(
        catalogue=catalogue, executor=cluster, policy=parse_policy(DEMO_POLICY),
        stores=open_state(tmp_path / "state.db"), audit=AuditLog(tmp_path / "audit.db"),
        parser=ModelParser(default_model_dir(), catalogue=catalogue)))


def planned(bot: Bot) -> Run:
    """The latest run once its plan message is recorded on it."""
    def found() -> Run | None:
        runs = all_runs(bot)
        return runs[-1] if runs and runs[-1].message_ref else None

    run = eventually(found, what="the schedule's plan message")
    assert isinstance(run, Run)
    return run


def the_schedule(bot: Bot) -> Schedule:
    schedules = bot.service.schedules.live()
    assert schedules
    return schedules[-1]


def responded(bot: Bot, contains: str) -> Call:
    found: list[Call] = bot.slack.wait(
        lambda calls: [c for c in calls if c.method.startswith("respond/")
                       and contains in c.text()], what=f"a private answer with {contains!r}")
    return found[0]


def approve_and_activate(bot: Bot, run: Run, approver: str) -> Schedule:
    ts = message_ts(run)
    bot.sender.click(APPROVE, run.id, user=approver, channel="C0OPS", message_ts=ts)
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SCHEDULED,  # type: ignore[union-attr]
               what="the proposal to be taken by its schedule")
    active = bot.slack.wait_for("chat.postMessage", "is active")[0]
    assert active.args["thread_ts"] == ts
    bot.flush()
    final = [c for c in bot.slack.of("chat.update") if c.args["ts"] == ts][-1]
    assert "Scheduled" in final.text() and "chatops_approve" not in final.text()
    schedule = the_schedule(bot)
    assert schedule.state is ScheduleState.ACTIVE
    return schedule


def test_ops_schedule_is_approved_listed_privately_and_fires_in_its_thread(
        bot: Bot, cluster: FakeCluster) -> None:
    assert bot.sender.command(SCALE, user="U0ALICE").status == 200
    run = planned(bot)
    ts = message_ts(run)
    plan = [c for c in bot.slack.calls if c.method in ("chat.postMessage", "chat.update")
            and c.args.get("ts", c.ts) == ts][-1]
    text = plan.text()
    assert "Next firings:" in text and "03:00 UTC" in text and "Approving activates" in text
    assert f"{APPROVE}:{run.id}" in str(plan.args["blocks"])
    # The requester's own click does not count; a second person's activates it.
    bot.sender.click(APPROVE, run.id, user="U0ALICE", channel="C0OPS", message_ts=ts)
    refusal = bot.slack.wait_for("chat.postEphemeral")[0]
    assert refusal.args["user"] == "U0ALICE"
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    schedule = approve_and_activate(bot, run, "U0BOB")
    assert schedule.thread == ts and not scale_calls(cluster)  # activating ran nothing

    posted = len(bot.slack.of("chat.postMessage"))
    bot.sender.command("schedules", user="U0ALICE")
    listing = responded(bot, "Schedules:")
    assert listing.args.get("response_type") == "ephemeral"
    assert f"{schedule.id}" in listing.text() and "runs as alice, approved by bob" \
        in listing.text()
    wait_until_idle(bot)
    assert len(bot.slack.of("chat.postMessage")) == posted  # nothing in the channel

    assert schedule.next_at is not None
    assert bot.runtime.fire_schedules(schedule.next_at) == 1
    result = bot.slack.wait_for("chat.postMessage", f"Fired by schedule {schedule.id}")[0]
    assert result.args["thread_ts"] == ts and result.args["channel"] == "C0OPS"
    assert "Succeeded" in result.text()
    assert len(scale_calls(cluster)) == 1 and cluster.deployments[("prod", "checkout-api")] == 5
    fired = [r for r in all_runs(bot) if r.id not in (run.id,)]
    assert fired[-1].identity.user == "alice" and fired[-1].state is RunState.SUCCEEDED


def test_a_mention_in_plain_words_becomes_a_schedule(model_bot: Bot,
                                                     cluster: FakeCluster) -> None:
    bot = model_bot
    bot.sender.message("every day at 03:00 restart checkout-api in prod", user="U0ALICE",
                       channel="C0OPS", mention=True)
    run = planned(bot)
    assert run.runbook == "restart_deployment" and run.raw_slots == {
        "deployment": "checkout-api", "namespace": "prod"}
    schedule = approve_and_activate(bot, run, "U0CAROL")
    assert schedule.timing.expression == "0 3 * * *"
    def restarts() -> list[object]:
        return [c for c in cluster.calls if c[0] == "rollout_restart" and not c[1]]

    assert restarts() == []
    assert schedule.next_at is not None
    assert bot.runtime.fire_schedules(schedule.next_at) == 1
    result = bot.slack.wait_for("chat.postMessage", f"Fired by schedule {schedule.id}")[0]
    plan = next(c for c in bot.slack.of("chat.postMessage") if c.ts == message_ts(run))
    assert result.args["thread_ts"] == plan.args["thread_ts"] == schedule.thread
    assert "approved by carol" in result.text()
    assert restarts() == [("rollout_restart", False, "alice")]


def test_ops_pause_answers_in_the_schedules_channel(bot: Bot) -> None:
    bot.sender.command(SCALE, user="U0ALICE")
    schedule = approve_and_activate(bot, planned(bot), "U0ERIN")
    bot.sender.command(f"pause {schedule.id}", user="U0ALICE")
    # The answer replaces the command's placeholder message in the channel.
    bot.slack.wait_for("chat.update", f"Schedule {schedule.id} is paused by alice")
    eventually(lambda: bot.service.schedules.get(schedule.id).state  # type: ignore[union-attr]
               is ScheduleState.PAUSED)
    bot.sender.command("schedules", user="U0BOB")
    assert f"`{schedule.id}` paused" in responded(bot, "Schedules:").text()
