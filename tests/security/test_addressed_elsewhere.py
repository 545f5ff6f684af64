"""Words said to a colleague in the bot's thread never become the bot's request.

The attack (or the accident): in an incident thread the bot takes part in, people talk to
each other: "<@U0SARAH> can you scale checkout-api in staging to 2 after your meeting".
The bot listens to every message of its threads and used to strip every mention before
reading, so it read that as its own request and planned the change, with the writer as
requester. A message that opens by addressing someone else is not said to the bot: the
Slack surface ignores it (a real mention), and the conversation answers a typed "@sarah
..." or "dave, when you're back ..." as out of scope, never with a plan.
"""

from __future__ import annotations

import io

import pytest

from chatops.console import Shell
from chatops.conversation.service import ConversationService
from chatops.model import ParsedIntent
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


class ReadsAScale:
    """The model's reading of the words after the mentions: a confident scale request."""

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent("scale_deployment", {"deployment": "checkout-api",
                                                 "namespace": "staging", "replicas": "2"},
                            0.99, (("oos", 0.01),), "model")


def _bot_thread(bot: Bot) -> tuple[str, int]:
    """A thread the bot takes part in, and how many runs it holds."""
    root = next_ts()
    bot.sender.message("run show_pods namespace=staging", user="U0ALICE", channel="C0OPS",
                       ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "")
    wait_until_idle(bot)
    return root, len(bot.service.store.runs_in_thread("C0OPS", root))


def _nothing_happened(bot: Bot, root: str, runs: int, calls_before: int) -> None:
    """No run was added to the thread and the bot said nothing."""
    wait_until_idle(bot)
    assert len(bot.service.store.runs_in_thread("C0OPS", root)) == runs
    assert [c.method for c in bot.slack.calls[calls_before:]] == []


@pytest.mark.parametrize("text", [
    "<@U0SARAH> can you scale checkout-api in staging to 2 after your meeting",
    "<@U0SARAH|sarah> pls scale checkout-api to 2 in staging",
    "<@U0SARAH> <@U0DAVE> scale checkout-api in staging down to 2 when you can",
    "hey <@U0SARAH>, could you scale checkout-api to 2 in staging?",
    "<!subteam^S01SRE|@sre> someone please scale checkout-api in staging to 2",
])
def test_a_thread_message_to_a_colleague_is_not_for_the_bot(
        bot: Bot, cluster: FakeCluster, text: str) -> None:
    root, runs = _bot_thread(bot)
    bot.service.parser = ReadsAScale()
    before = len(bot.slack.calls)
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root)
    _nothing_happened(bot, root, runs, before)
    assert cluster.deployments[("staging", "checkout-api")] != 2


def test_a_mention_of_the_bot_after_a_colleague_s_is_not_a_request(
        bot: Bot, cluster: FakeCluster) -> None:
    root, runs = _bot_thread(bot)
    bot.service.parser = ReadsAScale()
    before = len(bot.slack.calls)
    bot.sender.event({"type": "app_mention", "user": "U0BOB", "channel": "C0OPS",
                      "text": "<@U0SARAH> can you scale checkout-api in staging to 2? <@UBOT> fyi",
                      "ts": next_ts(), "thread_ts": root, "channel_type": "channel"})
    _nothing_happened(bot, root, runs, before)


@pytest.mark.parametrize("text", [
    "Morning! can you scale checkout-api in staging to 2?",
    "Outage! please scale checkout-api in staging to 2",
    "Diego! please scale checkout-api in staging to 2",
])
def test_a_word_called_out_with_an_exclamation_mark_is_for_the_bot(
        bot: Bot, cluster: FakeCluster, text: str) -> None:
    """A second attacker review (session 46): read as an address, "Morning! can you ..."
    got no answer at all. A greeting or a cry cannot be told from a name by its "!", and
    silence on a request is worse than a plan that waits for its approvals."""
    root, runs = _bot_thread(bot)
    bot.service.parser = ReadsAScale()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root)
    eventually(lambda: len(bot.service.store.runs_in_thread("C0OPS", root)) > runs,
               what="the plan")


def test_a_thread_message_that_mentions_a_colleague_later_is_for_the_bot(
        bot: Bot, cluster: FakeCluster) -> None:
    root, runs = _bot_thread(bot)
    bot.service.parser = ReadsAScale()
    bot.sender.message("scale checkout-api in staging to 2, cc <@U0SARAH>", user="U0BOB",
                       channel="C0OPS", thread_ts=root)
    eventually(lambda: len(bot.service.store.runs_in_thread("C0OPS", root)) > runs,
               what="the plan")


@pytest.mark.parametrize("text", [
    "<@U0SARAH> says it's safe now, scale checkout-api in staging to 2",
    "<@U0SARAH> checked the PR already; scale checkout-api to 2 in staging",
])
def test_a_colleague_mentioned_as_the_subject_is_talked_about(bot: Bot, text: str) -> None:
    """An attacker set's requests (session 42): the mention is who the sentence is about,
    and the order is the bot's, in Slack as in the console. Not a decision told of them
    ("<@U0SARAH> approved ..."): that stays theirs (session 43's attacker review)."""
    root, runs = _bot_thread(bot)
    bot.service.parser = ReadsAScale()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root)
    eventually(lambda: len(bot.service.store.runs_in_thread("C0OPS", root)) > runs,
               what="the plan")


@pytest.mark.parametrize("text", [
    "@sarah can you scale checkout-api in staging to 2",
    "dave, when you're back could you scale checkout-api in staging to 2",
    "priya: please scale checkout-api to 2 in staging",
    # A user trial: an @handle with no "you" after it was asked "Which deployment ...?".
    "@dave scale it to 2 pls",
    "@sarah scale checkout-api in staging to 2",
    # With a time (a user trial was told how to write a schedule).
    "@sarah can you scale checkout-api in staging to 2 at 6pm?",
    "dave, could you scale checkout-api to 2 in staging tomorrow at 9am",
])
def test_a_typed_address_to_a_colleague_gets_no_plan_and_no_answer(
        bot: Bot, cluster: FakeCluster, text: str) -> None:
    """Since session 40 not even "outside what I can do": talk between people in the
    thread is theirs (a user trial found the answer to each such message noise)."""
    root, runs = _bot_thread(bot)
    bot.service.parser = ReadsAScale()
    before = len(bot.slack.calls)
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    _nothing_happened(bot, root, runs, before)
    assert cluster.deployments[("staging", "checkout-api")] != 2


@pytest.mark.parametrize("text", [
    "<@U0CAROL> please scale checkout-api in staging to 2",
    "<@U0CAROL|carol> can you scale checkout-api in staging to 2?",
    "hey <@U0CAROL>, scale checkout-api in staging to 2 pls",
])
def test_a_colleague_s_mention_in_the_console_gets_no_plan(fake_service: ConversationService,
                                                          text: str) -> None:
    """A user trial: the console, which has no bot of its own to tell apart, passed Slack
    mentions on, and the conversation leaves an opening one to the surface: each of these
    was planned. The console leaves them to the one mentioned, as Slack's surface does."""
    fake_service.parser = ReadsAScale()
    shell = Shell(fake_service, user="bob", out=io.StringIO())
    assert shell.say(text) == []
    assert fake_service.store.runs_in_thread("console", "console") == []
