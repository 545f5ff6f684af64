"""A decision word answers the speaker's own open question before it decides anybody's plan.

The attack (or the accident), found by a user trial: alice's change waits for approval in a
thread; bob, an approver, asks the bot for something in the same thread with a typo in it,
and the bot asks him back "namespace 'stg' not found. Did you mean staging?". Bob
answers "yes", meaning his own question, and the bot took it as the bare `approve` for the
one plan waiting in the thread: alice's change ran. A "yes" (or "sure", "no", "nope") from
someone the bot is asking is an answer to that question; it decides nothing else.
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
_TYPO = "run deployment_status deployment=checkout-api namespace=stg"


@pytest.fixture(scope="module")
def model() -> ModelParser:
    parser = ModelParser(default_model_dir(), threads=1)
    parser.load()
    return parser


def _alice_waits_and_bob_is_asked(bot: Bot) -> tuple[str, str]:
    root = next_ts()
    bot.sender.message(_PLAN, user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    run = eventually(lambda: bot.service.store.runs_in_thread("C0OPS", root),
                     what="alice's plan")[0]  # type: ignore[index]
    bot.sender.message(_TYPO, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "Did you mean staging?")
    wait_until_idle(bot)
    return root, run.id


_YES_ANSWERS = "checkout-api in staging: 1/1 ready"  # the one name offered, taken
_NO_ANSWERS = "Cancelled my question to you; nothing was changed."  # the question dropped


@pytest.mark.parametrize(("text", "read_as", "answer"), [
    ("yes", None, _YES_ANSWERS), ("yeah", "confirm", _YES_ANSWERS),
    ("sure", "confirm", _YES_ANSWERS), ("ok go", "confirm", _YES_ANSWERS),
    ("yep 👍", "confirm", _YES_ANSWERS),
    ("no", None, _NO_ANSWERS), ("nope", "deny", _NO_ANSWERS), ("nah", "deny", _NO_ANSWERS),
])
def test_yes_or_no_to_your_own_question_decides_nobody_elses_plan(
        bot: Bot, cluster: FakeCluster, text: str, read_as: str | None, answer: str) -> None:
    root, run_id = _alice_waits_and_bob_is_asked(bot)
    if read_as is not None:
        bot.service.parser = Sure(read_as)
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", answer)
    wait_until_idle(bot)
    assert bot.service.store.get(run_id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert cluster.deployments[("staging", "checkout-api")] == 1


@pytest.mark.parametrize("text", ["approve", "confirm", "deny", "reject"])
def test_a_decision_word_from_someone_with_an_open_question_decides_nothing(
        bot: Bot, cluster: FakeCluster, text: str) -> None:
    """An attacker review: "approve", typed by an approver who had forgotten his own open
    question, planned his own request instead. The word is meant for a plan, the question
    is still open: neither is decided, and the reply says how to decide a request."""
    root, run_id = _alice_waits_and_bob_is_asked(bot)
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "still waits for your answer")
    wait_until_idle(bot)
    assert bot.service.store.get(run_id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert len(bot.service.store.runs_in_thread("C0OPS", root)) == 1


def test_yes_to_a_question_with_several_choices_asks_again(
        bot: Bot, cluster: FakeCluster) -> None:
    root = next_ts()
    bot.sender.message(_PLAN, user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    run = eventually(lambda: bot.service.store.runs_in_thread("C0OPS", root),
                     what="alice's plan")[0]  # type: ignore[index]
    bot.sender.message("run deployment_status deployment=checkout-api", user="U0BOB",
                       channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "In which namespace")
    wait_until_idle(bot)
    bot.sender.message("yes", user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "still waits for your answer")
    wait_until_idle(bot)
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]


def test_the_shipped_model_yes_answers_the_own_question(
        bot: Bot, cluster: FakeCluster, model: ModelParser) -> None:
    root, run_id = _alice_waits_and_bob_is_asked(bot)
    bot.service.parser = model
    bot.sender.message("yeah", user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "checkout-api in staging: 1/1 ready")
    wait_until_idle(bot)
    assert bot.service.store.get(run_id).state is RunState.PROPOSED  # type: ignore[union-attr]
    # With no question of his own open, bob's yes is still the approval it always was.
    bot.sender.message("yes", user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    eventually(lambda: bot.service.store.get(run_id).state is RunState.SUCCEEDED,  # type: ignore[union-attr]
               what="alice's plan approved by bob's yes")
