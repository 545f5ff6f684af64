"""Slack answering 429 or 5xx: retried (after Retry-After for 429s), bounded."""

from __future__ import annotations

import pytest

from chatops.runs import RunState
from chatops.slack.blocks import APPROVE
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import message_ts, propose
from tests.waiting import wait_until_idle


def test_rate_limited_post_is_retried_after_retry_after(bot: Bot) -> None:
    bot.slack.fail("chat.postMessage", 429, retry_after=1)
    bot.sender.command("run scale_deployment deployment=checkout-api namespace=prod "
                       "replicas=5", user="U0BOB")
    posts = bot.slack.wait_for("chat.postMessage", "Working on it", count=2)
    assert posts[1].at - posts[0].at >= 0.9  # waited for Retry-After
    bot.slack.wait_for("chat.update", "spec.replicas: 3 -&gt; 5")


def test_server_errors_on_update_are_retried(bot: Bot, cluster: FakeCluster) -> None:
    run = propose(bot)
    bot.slack.fail("chat.update", 500, times=2)
    bot.sender.click(APPROVE, run.id, user="U0CAROL", channel="C0OPS",
                     message_ts=message_ts(run))
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED)
    bot.flush()
    assert "Succeeded" in bot.slack.of("chat.update")[-1].text()


def test_persistent_server_errors_give_up_and_the_run_still_completes(
        bot: Bot, cluster: FakeCluster) -> None:
    run = propose(bot)
    before = len(bot.slack.of("chat.update"))
    bot.slack.fail("chat.update", 503, times=50)
    bot.slack.fail("chat.postMessage", 503, times=50)
    bot.sender.click(APPROVE, run.id, user="U0CAROL", channel="C0OPS",
                     message_ts=message_ts(run))
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED)
    assert cluster.deployments[("prod", "checkout-api")] == 5
    bot.flush()
    # Nothing more on its way: the click's listener has returned (its result post tried and
    # given up, its last edit queued), and then the edits it queued were sent, retries
    # included.
    wait_until_idle(bot)
    bot.flush()
    # Bounded: one try plus two retries per edit ("running", then the result).
    assert len(bot.slack.of("chat.update")) - before <= 3 * 2


@pytest.mark.transports()
def test_usergroups_failure_means_no_extra_groups(bot: Bot) -> None:
    bot.slack.usergroups = [{"id": "S0SRE", "users": ["U0MALLORY"]}]
    bot.slack.fail("usergroups.list", 500, times=10)
    run = propose(bot)
    bot.sender.click(APPROVE, run.id, user="U0MALLORY", channel="C0OPS",
                     message_ts=message_ts(run))
    refusal = bot.slack.wait_for("chat.postEphemeral")[0]
    assert "members of sre" in refusal.text()
    assert bot.service.store.get(run.id).state is RunState.PROPOSED
