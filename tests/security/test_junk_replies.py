"""A message that says nothing never approves, denies, cancels or undoes anything.

The attack (or the accident): a request waits for its approval in a thread, and an approver
types "hmm", "...", "asdfghjkl" or an emoji there. The shipped model reads a short
message with no words it knows as one of the meta intents (it was trained on "yes", "k",
"no", "nah"...): "hmm" as `confirm` at 0.99, "%%%%" as `deny`. Bad input must get a clear
answer and change nothing, whatever the model says; only words that say yes, no, cancel or
undo may decide.
"""

from __future__ import annotations

import pytest

from chatops.runs import RunState
from intents import ModelParser, default_model_dir
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.fake_parser import Sure
from tests.slack.conftest import Bot, eventually
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

_PLAN = "run scale_deployment deployment=checkout-api namespace=staging replicas=2"
_NOT_UNDERSTOOD = "did not understand"


def _waiting_plan(bot: Bot) -> tuple[str, str]:
    root = next_ts()
    bot.sender.message(_PLAN, user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    run = eventually(lambda: bot.service.store.runs_in_thread("C0OPS", root),
                     what="the plan")[0]  # type: ignore[index]
    return root, run.id


@pytest.mark.parametrize("intent", ["confirm", "deny", "cancel", "undo"])
@pytest.mark.parametrize("text", ["hmm", "...", "asdfghjkl", "%%%%", "🙃", "o_O", "1234",
                                  ":sweat_smile:", "brb", "go figure", "not sure",
                                  "back to you", "kill me now"])
def test_junk_read_as_a_decision_decides_nothing(
        bot: Bot, cluster: FakeCluster, intent: str, text: str) -> None:
    root, run_id = _waiting_plan(bot)
    bot.service.parser = Sure(intent)
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", _NOT_UNDERSTOOD)
    wait_until_idle(bot)
    assert bot.service.store.get(run_id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert cluster.deployments[("staging", "checkout-api")] != 2


@pytest.mark.parametrize("text", ["sure, one sec", "ok one sec", "go team", "go home",
                                  "yes but give me a minute", "sure, in a bit",
                                  "k, just a moment", "yep, hang on a sec", "ok not yet"])
def test_a_yes_that_says_wait_approves_nothing(bot: Bot, cluster: FakeCluster,
                                               text: str) -> None:
    """A user trial: "sure, one sec" (meaning: wait) and "go team" (a cheer) approved the
    plan waiting in the thread, each holding a word on the yes list."""
    root, run_id = _waiting_plan(bot)
    bot.service.parser = Sure("confirm")
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", _NOT_UNDERSTOOD)
    wait_until_idle(bot)
    assert bot.service.store.get(run_id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert cluster.deployments[("staging", "checkout-api")] != 2


@pytest.fixture(scope="module")
def model() -> ModelParser:
    parser = ModelParser(default_model_dir(), threads=1)
    parser.load()
    return parser


@pytest.mark.parametrize("text", ["hmm", "asdfghjkl", "!!!!", "...", ":)", "o_O", "-",
                                  "aaaaaaa", "%%%%", "☃", "#$@!", "ñññ"])
def test_junk_to_the_shipped_model_decides_nothing(
        bot: Bot, cluster: FakeCluster, model: ModelParser, text: str) -> None:
    root, run_id = _waiting_plan(bot)
    bot.service.parser = model
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    wait_until_idle(bot)
    assert bot.service.store.get(run_id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert cluster.deployments[("staging", "checkout-api")] != 2


@pytest.mark.parametrize(("text", "state"), [
    ("yes, go ahead", RunState.SUCCEEDED), ("lgtm 👍", RunState.SUCCEEDED),
    ("go for it", RunState.SUCCEEDED), ("ok go", RunState.SUCCEEDED),
    ("nope, not now", RunState.DENIED), ("👎", RunState.DENIED),
    # Slack sends an emoji picked in its client as a shortcode in the message's text: the
    # 👍 above arrives as ":+1:" (a review, session 50: the shortcode was read as nothing
    # and the bot stayed silent).
    (":+1:", RunState.SUCCEEDED), (":thumbsup::skin-tone-3:", RunState.SUCCEEDED),
    (":white_check_mark:", RunState.SUCCEEDED), (":-1:", RunState.DENIED),
    (":thumbsdown:", RunState.DENIED),
])
def test_words_that_decide_still_decide(
        bot: Bot, model: ModelParser, text: str, state: RunState) -> None:
    root, run_id = _waiting_plan(bot)
    bot.service.parser = model
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    eventually(lambda: bot.service.store.get(run_id).state is state,  # type: ignore[union-attr]
               what=f"the run {state.value}")
