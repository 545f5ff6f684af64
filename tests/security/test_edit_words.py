"""A message in a thread where the person's change waits is an edit of it only when it
gives a value for that change: through the real Bolt app (an attacker review, session 38).

The attacks: ask a read with an edit's word ("sorry, what are the last 20 log lines?"), so
that its number becomes the waiting change's value; name another deployment that the model
drops ("actually payments-api should get 6 instead"), so that the waiting plan of the first
gets it. Each left a plan waiting, in the person's name, with a value nobody asked for.
"""

from __future__ import annotations

import pytest

from chatops.model import ParsedIntent
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


class Reads:
    """The model's reading of every message, fixed."""

    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), 0.97, source="model")


def _waiting(bot: Bot, root: str) -> list[tuple[str, dict[str, str]]]:
    return [(r.runbook, dict(r.raw_slots)) for r in bot.service.store.runs_in_thread(
        "C0OPS", root) if r.state is RunState.PROPOSED]


def _thread_with(bot: Bot, command: str) -> str:
    root = next_ts()
    bot.sender.message(command, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "")
    wait_until_idle(bot)
    assert len(_waiting(bot, root)) == 1
    return root


def _say(bot: Bot, root: str, text: str) -> None:
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root)
    wait_until_idle(bot)


@pytest.mark.parametrize(("command", "text"), [
    ("run scale_deployment deployment=checkout-api namespace=prod replicas=4",
     "sorry, what are the last 20 log lines?"),
    ("run set_autoscaling deployment=checkout-api namespace=prod max_replicas=8",
     "actually what were the last 20 log lines?"),
    ("run scale_deployment deployment=checkout-api namespace=prod replicas=4",
     "oh and show me 20 lines of logs instead"),
])
def test_a_read_with_an_edits_word_is_no_value_of_the_waiting_change(
        bot: Bot, command: str, text: str) -> None:
    root = _thread_with(bot, command)
    before = _waiting(bot, root)
    bot.service.parser = Reads("pod_logs", {"lines": "20"})
    _say(bot, root, text)
    assert _waiting(bot, root) == before
    assert "20" not in before[0][1].values()


@pytest.mark.parametrize(("command", "text", "reading"), [
    ("run scale_deployment deployment=checkout-api namespace=prod replicas=4",
     "actually payments-api should get 6 instead", ("scale_deployment", {"replicas": "6"})),
    ("run set_autoscaling deployment=checkout-api namespace=prod max_replicas=8",
     "sorry, 6 for payments-api", ("scale_deployment", {"replicas": "6"})),
    ("run scale_deployment deployment=checkout-api namespace=prod replicas=4",
     "sorry, make it 6 in staging", ("scale_deployment", {"replicas": "6"})),
])
def test_an_edit_naming_another_object_never_changes_this_plan(
        bot: Bot, cluster: FakeCluster, command: str, text: str,
        reading: tuple[str, dict[str, str]]) -> None:
    root = _thread_with(bot, command)
    before = _waiting(bot, root)
    bot.service.parser = Reads(*reading)
    _say(bot, root, text)
    assert [w for w in _waiting(bot, root) if w[1].get("deployment") == "checkout-api"
            and w[1].get("namespace") == "prod"] == before, _waiting(bot, root)


def test_an_edit_of_the_plans_own_object_still_edits_it(bot: Bot) -> None:
    root = _thread_with(bot, "run scale_deployment deployment=checkout-api namespace=prod "
                             "replicas=4")
    bot.service.parser = Reads("scale_deployment", {"replicas": "6"})
    _say(bot, root, "actually checkout-api should get 6 in prod instead")
    assert _waiting(bot, root) == [("scale_deployment", {"deployment": "checkout-api",
                                                         "namespace": "prod",
                                                         "replicas": "6"})]
