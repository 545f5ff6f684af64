"""Mentions, DMs and thread replies: a conversation per thread, retries handled once."""

from __future__ import annotations

import pytest

from chatops.runs import RunState
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import all_runs
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

# Every test here runs over HTTP and over Socket Mode (see tests/slack/conftest.py).
pytestmark = pytest.mark.transports()


def _posts_in(bot: Bot, thread: str) -> list[str]:
    return [c.text() for c in bot.slack.of("chat.postMessage")
            if c.args.get("thread_ts") == thread]


def test_mention_asks_for_a_slot_takes_the_answer_in_thread_and_cancels(bot: Bot) -> None:
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api replicas=5",
                       user="U0BOB", channel="C0OPS", ts=root, mention=True)
    question = bot.slack.wait_for("chat.postMessage", "In which namespace?")[0]
    assert question.args["thread_ts"] == root and question.args["channel"] == "C0OPS"

    bot.sender.message("prod", user="U0BOB", channel="C0OPS", thread_ts=root)
    plan = bot.slack.wait_for("chat.postMessage", "spec.replicas: 3 -&gt; 5")[0]
    assert plan.args["thread_ts"] == root
    run = eventually(lambda: (rs := all_runs(bot)) and rs[-1].message_ref and rs[-1])
    assert run.thread == root

    bot.sender.message("cancel", user="U0BOB", channel="C0OPS", thread_ts=root)
    eventually(lambda: bot.service.store.get(run.id).state is RunState.CANCELLED)
    # The state changes before the edit is queued: wait for the edit itself.
    bot.slack.wait_for("chat.update", "Cancelled")
    bot.flush()
    assert "Cancelled" in bot.slack.of("chat.update")[-1].text()
    bot.slack.wait(lambda cs: any("Cancelled" in t for t in _posts_in(bot, root)))


def test_pending_question_cancelled_in_thread(bot: Bot) -> None:
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api replicas=5",
                       user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "In which namespace?")
    bot.sender.message("cancel", user="U0BOB", channel="C0OPS", thread_ts=root)
    bot.slack.wait_for("chat.postMessage", "Cancelled my question to you; nothing was changed.")
    assert all_runs(bot) == []


def test_direct_messages_are_threaded_conversations(bot: Bot) -> None:
    root = next_ts()
    bot.sender.message("run deployment_status deployment=checkout-api namespace=prod",
                       user="U0ALICE", channel="D0ALICE", ts=root, channel_type="im")
    answer = bot.slack.wait_for("chat.postMessage", "checkout-api in prod")[0]
    assert answer.args["channel"] == "D0ALICE" and answer.args["thread_ts"] == root
    bot.sender.message("and in staging?", user="U0ALICE", channel="D0ALICE",
                       thread_ts=root, channel_type="im")
    bot.slack.wait_for("chat.postMessage", "checkout-api in staging")


def test_channel_chatter_other_threads_and_bots_are_ignored(bot: Bot) -> None:
    bot.sender.message("run show_pods namespace=prod", user="U0BOB", channel="C0OPS")
    bot.sender.message("run show_pods namespace=prod", user="U0BOB", channel="C0OPS",
                       thread_ts=next_ts())
    bot.sender.event({"type": "message", "subtype": "bot_message", "bot_id": "B0OTHER",
                      "text": "run show_pods namespace=prod", "channel": "D0BOB",
                      "channel_type": "im", "ts": next_ts()})
    bot.sender.event({"type": "message", "subtype": "message_changed", "channel": "C0OPS",
                      "channel_type": "channel", "ts": next_ts(), "message": {}})
    wait_until_idle(bot)  # whatever the four events queued has run
    assert [c.method for c in bot.slack.calls] == ["auth.test"]


def test_retried_event_runs_nothing_twice(bot: Bot) -> None:
    root = next_ts()
    for retry in (None, 1, 2):
        response = bot.sender.message("run deployment_status deployment=checkout-api "
                                       "namespace=prod", user="U0BOB", channel="C0OPS",
                                       ts=root, mention=True, event_id="Ev0SAME",
                                       retry_num=retry)
        assert response.status == 200
    bot.slack.wait_for("chat.postMessage", "checkout-api in prod")
    wait_until_idle(bot)  # the retries' listeners (if any were queued) have returned too
    assert len(bot.slack.of("chat.postMessage")) == 1
    audit = bot.service.audit
    assert [e.kind for e in audit.list()].count("message") == 1  # type: ignore[attr-defined]


def test_mention_in_a_known_thread_is_handled_once(bot: Bot) -> None:
    root = next_ts()
    bot.sender.message("run deployment_status deployment=checkout-api namespace=prod",
                       user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "checkout-api in prod")
    # Slack sends both an app_mention and a message event for a mention in a thread.
    ts = next_ts()
    bot.sender.message("and in staging?", user="U0BOB", channel="C0OPS", thread_ts=root,
                       ts=ts, mention=True)
    event = {"type": "message", "user": "U0BOB", "text": "<@UBOT> and in staging?",
             "channel": "C0OPS", "channel_type": "channel", "ts": ts, "thread_ts": root}
    bot.sender.event(event)
    bot.slack.wait_for("chat.postMessage", "checkout-api in staging")
    wait_until_idle(bot)  # the message event's listener (if one was queued) has returned too
    assert len(bot.slack.of("chat.postMessage")) == 2
