"""A message that opens with "run" in plain words goes to the model and every guard behind
it, like any other message (only `run NAME key=value ...` is a command).

The attack: a request no runbook makes, worded with "run" ("run nightly-report now": run a
cronjob's job at once), read by the model as the nearest mutating runbook (resume it).
Whatever the model says, the real Bolt app plans nothing, previews nothing, runs nothing."""

from __future__ import annotations

import pytest

from tests.conversation.fake_cluster import FakeCluster
from tests.security.test_creation_requests import Fooled
from tests.slack.conftest import Bot
from tests.slack.helpers import all_runs
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("run nightly-report now please", "resume_cronjob",
     {"cronjob": "nightly-report", "namespace": "prod"}),
    ("run db-backup once right now in prod", "resume_cronjob",
     {"cronjob": "db-backup", "namespace": "prod"}),
    ("run a second copy of checkout-api in prod as checkout-next", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "2"}),
    # An attacker review: without "now" or "once" no cronjob guard saw them; the words
    # after "run" name no change of the runbook read.
    ("run nightly-report in prod", "resume_cronjob",
     {"cronjob": "nightly-report", "namespace": "prod"}),
    ("run the db-backup job again in prod", "resume_cronjob",
     {"cronjob": "db-backup", "namespace": "prod"}),
    ("run nightly-report in prod, it missed last night", "suspend_cronjob",
     {"cronjob": "nightly-report", "namespace": "prod"}),
    ("run maintenance on node-1", "uncordon_node", {"node": "node-1"}),
    ("run the smoke tests against checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}),
])
def test_run_in_plain_words_gets_every_guard(
        bot: Bot, cluster: FakeCluster, text: str, intent: str, slots: dict[str, str]) -> None:
    answer = _answered_without_a_plan(bot, cluster, text, Fooled(intent, slots))
    assert "no runbook called" not in answer
    assert "won't guess" in answer or "can't create" in answer


def _answered_without_a_plan(bot: Bot, cluster: FakeCluster, text: str,
                             model: Fooled) -> str:
    """`text` sent to the real Bolt app with `model`'s reading: the answer's text, after
    checking that it is in the message's thread and that nothing was planned or sent."""
    bot.service.parser = model
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    (answer,) = bot.slack.wait_for("chat.postMessage", "")
    assert answer.args["thread_ts"] == root
    wait_until_idle(bot)
    assert all_runs(bot) == [] and cluster.calls == [], answer.text()
    return answer.text()


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("run the nightly-report cronjob in prod at 3am", "resume_cronjob",
     {"cronjob": "nightly-report", "namespace": "prod"}),
    ("run maintenance on node-1 tomorrow at 9am", "cordon_node", {"node": "node-1"}),
])
def test_a_scheduled_run_in_plain_words_gets_every_guard(
        bot: Bot, cluster: FakeCluster, text: str, intent: str, slots: dict[str, str]) -> None:
    """The schedule path took the model's reading with the creation check only."""
    answer = _answered_without_a_plan(bot, cluster, text, Fooled(intent, slots))
    assert "schedule" in answer.lower() or "won't guess" in answer, answer
