"""`chatops serve` wiring: start-up checks, recovery of interrupted runs, slash-command
threads."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from chatops.cli.main import cli
from chatops.model import Identity
from chatops.runs import RunState
from chatops.slack.app import announce_recovered
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import all_runs, message_ts, propose


def test_serve_needs_a_bot_token_and_a_way_in() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["serve"], env={"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": "",
                                                "SLACK_SIGNING_SECRET": ""})
    assert result.exit_code == 2 and "SLACK_BOT_TOKEN" in result.output
    result = runner.invoke(cli, ["serve"], env={"SLACK_BOT_TOKEN": "xoxb-secret-value",
                                                "SLACK_APP_TOKEN": "",
                                                "SLACK_SIGNING_SECRET": ""})
    assert result.exit_code == 2 and "SLACK_SIGNING_SECRET" in result.output
    assert "xoxb-secret-value" not in result.output


def test_interrupted_runs_are_announced_on_their_message(bot: Bot) -> None:
    run = propose(bot)
    # A run left `running` by a process that no longer exists (reached by legal moves).
    assert bot.service.store.transition(run.id, (RunState.PROPOSED,), RunState.APPROVED)
    assert bot.service.store.transition(run.id, (RunState.APPROVED,), RunState.RUNNING,
                                        owner="gone:1:dead")
    announce_recovered(bot.service.recover(), bot.deliverer, bot.service.store)
    assert bot.service.store.get(run.id).state is RunState.INTERRUPTED
    bot.flush()
    update = [c for c in bot.slack.of("chat.update") if c.args["ts"] == message_ts(run)][-1]
    assert "Interrupted" in update.text()
    note = bot.slack.wait_for("chat.postMessage", "was interrupted")[0]
    assert note.args["thread_ts"] == message_ts(run)


def test_an_automatic_fix_interrupted_before_it_ran_is_announced_in_its_alert_thread(
        bot: Bot) -> None:
    # An automatic fix has no message of its own: it was approved and queued by a process
    # that died before running it.
    run_id, replies = bot.service.start_for_alert(
        "restart_deployment", {"namespace": "dev", "deployment": "checkout-api"},
        identity=Identity("chatops:auto-dev", ("chatops:auto",)), channel="C0ALERTS",
        thread="1700000000.000100", actor="chatops:auto")
    assert run_id is not None, replies
    bot.service.store.update(run_id, owner="gone-host:4242:deadbeef")
    announce_recovered(bot.service.recover(), bot.deliverer, bot.service.store)
    assert bot.service.store.get(run_id).state is RunState.INTERRUPTED
    note = bot.slack.wait_for("chat.postMessage", "interrupted before it started")[0]
    assert note.args["channel"] == "C0ALERTS"
    assert note.args["thread_ts"] == "1700000000.000100"
    assert run_id in note.text()


@pytest.mark.transports()
def test_slash_command_question_is_answered_in_its_thread(bot: Bot) -> None:
    bot.sender.command("run scale_deployment deployment=checkout-api replicas=4",
                       user="U0BOB")
    question = bot.slack.wait_for("chat.update", "In which namespace?")[0]
    parent = question.args["ts"]
    bot.sender.message("staging", user="U0BOB", channel="C0OPS", thread_ts=parent)
    plan = bot.slack.wait_for("chat.postMessage", "spec.replicas: 1 -&gt; 4")[0]
    assert plan.args["thread_ts"] == parent
    run = eventually(lambda: (rs := all_runs(bot)) and rs[-1].message_ref and rs[-1])
    assert run.thread == parent
