"""Questions about what the bot does are answered with `help` (`intents/about_the_bot.py`);
with the shipped model, each of the first list was read as a runbook or as out of scope
before session 46."""

from __future__ import annotations

import pytest

from intents import ModelParser
from intents.about_the_bot import asks_what_the_bot_does

ABOUT_THE_BOT = [
    "what's the syntax for scaling",
    "how do I ask you to restart something?",
    "what runbooks do you have for nodes",
    "can you do rollbacks?",
    "how does this bot work again?",
    "what can you do with cronjobs",
    "do you support scaling?",
    "can the bot handle cronjobs?",
    "what commands does chatops have for nodes",
    "how do we get the bot to drain a node",
    "what are you able to do with deployments?",
    "help, how does approval work here",
    "is there a way to ask you for logs",
    # Session 47.
    "remind me what you can do for on-call",
    "hey bot, what are the commands again?",
    "can you give me a quick tour",
    "tell me what chatops can handle",
]

NOT_ABOUT_THE_BOT = [
    # A request, or a question about an object.
    "can you restart checkout-api in prod?",
    "can you do a rollback of orders in shop?",
    "what can you tell me about orders in shop",
    "could you check the logs of orders",
    # The restarts of the thread (a second review: "can you do the restarts?" after a
    # crashloop report got the help list).
    "can you do the restarts?",
    "hi, can you do the restarts?",
    # About another tool, or about Kubernetes.
    "how do I restart a deployment with kubectl?",
    "what's the kubectl flag for a graceful drain?",
    "what's the helm command to roll back a release",
    "what does a rolling restart do?",
    "can you show me the rundown of the incident",
    "tell me what you did to checkout-api",
    "what are the pods in prod",
]


@pytest.mark.parametrize("text", ABOUT_THE_BOT)
def test_a_question_about_the_bot_is_found(text: str) -> None:
    assert asks_what_the_bot_does(text)


@pytest.mark.parametrize("text", NOT_ABOUT_THE_BOT)
def test_a_request_or_a_question_about_another_tool_is_not(text: str) -> None:
    assert not asks_what_the_bot_does(text)


@pytest.mark.parametrize("text", ABOUT_THE_BOT)
def test_the_shipped_model_s_reading_of_a_question_about_the_bot_is_help(
        shipped_model: ModelParser, text: str) -> None:
    parsed = shipped_model.parse(text)
    assert (parsed.intent, dict(parsed.slots)) == ("help", {}), parsed


def test_a_request_naming_an_object_stays_a_request(shipped_model: ModelParser) -> None:
    parsed = shipped_model.parse("can you restart checkout-api in prod?")
    assert parsed.intent == "restart_deployment"
