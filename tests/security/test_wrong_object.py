"""A request never becomes a plan for another object, nor the opposite change, than the
one it names; through the real Bolt app (session 33's user trial and attacker reviews).

The attacks: name a pod that is gone (or one character off) so that the bot takes its
neighbour, or the replacement that now runs; name a node or worker by another number;
word a replica change so that a name ("sign-up-api"), a state ("is down") or another
clause flips its direction. Each reproduces what the bot did before its fix.
"""

from __future__ import annotations

import pytest

from chatops.conversation import ConversationService
from chatops.model import Message, ParsedIntent, Risk
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot
from tests.slack.helpers import all_runs
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


class Reads:
    """The model's reading of the message, fixed: the value as it spans it."""

    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), 0.97, source="model")


def ask(bot: Bot, text: str) -> str:
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    answer = bot.slack.wait_for("chat.postMessage", "")[0]
    assert answer.args["thread_ts"] == root
    wait_until_idle(bot)
    return answer.text()


@pytest.mark.parametrize("command", [
    "run delete_pod pod=web-7d9f8b6c5-abcdf namespace=prod",   # one character off
    "run delete_pod pod=web-7d9f8b6c4-abcde namespace=prod",   # the ReplicaSet hash off
    "run delete_pod pod=web-7d9f8b6c5-abc namespace=prod",     # half the random suffix
])
def test_a_pod_name_that_is_not_there_never_deletes_another_pod(
        bot: Bot, cluster: FakeCluster, command: str) -> None:
    cluster.pods.add(("prod", "web-7d9f8b6c5-abcde"))
    text = ask(bot, command)
    assert "not found" in text
    assert all_runs(bot) == []
    assert not [c for c in cluster.calls if c[0] == "delete_pod"]


@pytest.mark.parametrize(("command", "nodes"), [
    ("run cordon_node node=node-9", ("node-1", "node-2", "node-3")),
    ("run drain_node node=node-1", ("node-10", "node-2")),
])
def test_a_node_named_by_another_number_is_another_node(
        bot: Bot, cluster: FakeCluster, command: str, nodes: tuple[str, ...]) -> None:
    cluster.nodes.clear()
    cluster.nodes.update(dict.fromkeys(nodes, False))
    text = ask(bot, command)
    assert "not found" in text
    assert all_runs(bot) == []


@pytest.mark.parametrize(("text", "deployment", "target"), [
    ("scale down sign-up-api in prod by 2", "sign-up-api", 2),
    ("reduce sign-up-api in prod by 50%", "sign-up-api", 2),
    ("scale up checkout-api in prod by 2; last week we had to reduce it by 25%",
     "checkout-api", 6),
])
def test_a_replica_change_keeps_the_direction_its_own_words_give(
        bot: Bot, cluster: FakeCluster, text: str, deployment: str, target: int) -> None:
    cluster.deployments[("prod", deployment)] = 4
    value = "by 50%" if "50%" in text else "by 2"
    bot.service.parser = Reads("scale_deployment", {"deployment": deployment,
                                                    "namespace": "prod", "replicas": value})
    assert f"scale deployment {deployment} in prod to {target} replicas" in ask(bot, text)
    assert cluster.deployments[("prod", deployment)] == 4  # proposed, nothing ran


@pytest.mark.parametrize(("text", "slots"), [
    ("restart api.staging", {"deployment": "api", "namespace": "staging"}),
    ("scale api in dev to 3", {"deployment": "api", "namespace": "dev", "replicas": "3"}),
    ("run restart_deployment deployment=api namespace=staging", None),
    # An attacker review: the schedule path took it still (unattended, at 3am).
    ("restart api.staging at 3am", {"deployment": "api", "namespace": "staging"}),
])
def test_a_name_that_is_only_the_end_of_another_is_asked_about_never_taken(
        bot: Bot, cluster: FakeCluster, text: str, slots: dict[str, str] | None) -> None:
    # A user trial: "restart api.prod" planned a restart of checkout-api ("'api' taken as
    # checkout-api"), a different service that merely ends in "api".
    cluster.deployments[("team", "api")] = 2
    if slots is not None:
        intent = "scale_deployment" if "replicas" in slots else "restart_deployment"
        bot.service.parser = Reads(intent, slots)
    answer = ask(bot, text)
    assert "not found" in answer and "checkout-api" in answer, answer
    assert all_runs(bot) == []


@pytest.mark.parametrize("text", [
    "run restart_deployment deployment=web namespace=staging",
    "run scale_deployment deployment=web namespace=staging replicas=0",
    "run restart_deployment deployment=web namespace=staging at 3am",
])
def test_a_name_completed_inside_a_word_is_asked_about_never_taken(
        bot: Bot, cluster: FakeCluster, text: str) -> None:
    # An attacker review: "restart web" restarted webhook-receiver, "web" being the start
    # of "webhook"; a change's name is completed only by whole parts ("checkout" -> the
    # checkout-api).
    cluster.deployments[("staging", "webhook-receiver")] = 2
    answer = ask(bot, text)
    assert "not found" in answer and "webhook-receiver" in answer, answer
    assert all_runs(bot) == []
    assert cluster.deployments[("staging", "webhook-receiver")] == 2


def test_a_name_completed_from_its_start_is_still_taken(bot: Bot) -> None:
    answer = ask(bot, "run restart_deployment deployment=checkout namespace=staging")
    assert "deployment 'checkout' taken as checkout-api" in answer
    assert len(all_runs(bot)) == 1


def test_the_namespace_question_offers_the_namespaces_with_the_exact_name(
        fake_service: ConversationService, cluster: FakeCluster) -> None:
    # The same trial: "the api pods" offered every namespace with a *-api deployment.
    cluster.deployments[("team", "api")] = 2
    (question,) = fake_service.handle(Message(user="U0BOB", text="run restart_deployment "
                                              "deployment=api", channel="C0OPS", thread="t"))
    assert question.kind == "question" and question.choices == ("team",), question


@pytest.mark.parametrize(("text", "value", "target"), [
    ("add 1 replica to checkout-api in prod", "1", 5),
    ("remove 2 replicas from checkout-api in prod", "2", 2),
    ("take one replica away from checkout-api in prod", "one", 3),
    ("scale checkout-api in prod down by one pls", "down by", 3),
    ("give checkout-api in prod one more replica", "one more", 5),
])
def test_a_count_added_or_taken_away_is_never_the_new_count(
        bot: Bot, cluster: FakeCluster, text: str, value: str, target: int) -> None:
    # A user trial: "add 1 replica to api" planned 1 replica (the model spans the number
    # alone), "down by one" and "one more" were refused.
    cluster.deployments[("prod", "checkout-api")] = 4
    bot.service.parser = Reads("scale_deployment", {"deployment": "checkout-api",
                                                    "namespace": "prod", "replicas": value})
    assert f"scale deployment checkout-api in prod to {target} replicas" in ask(bot, text)
    assert cluster.deployments[("prod", "checkout-api")] == 4  # proposed, nothing ran


@pytest.mark.parametrize("text", [
    "checkout-api in prod fell over at 2:15, restart it please",
    "checkout-api in prod crashed on saturday at 2am, restart it",
    "at 3am we hit OOM, bounce checkout-api in prod",
])
def test_a_time_said_of_the_past_never_plans_a_change_for_then_or_now(
        bot: Bot, text: str) -> None:
    # A session-34 user trial: every "at <time>" made a schedule, so the restart was
    # proposed for the next 02:15; the first fix planned it for now instead.
    bot.service.parser = Reads("restart_deployment", {"deployment": "checkout-api",
                                                      "namespace": "prod"})
    answer = ask(bot, text)
    assert "schedule:" in answer, answer
    assert all_runs(bot) == [] and bot.service.schedules.live() == []


@pytest.mark.parametrize("text", [
    "is node-1 ok? seeing weird latency from pods scheduled there",
    "node-1 ok? pods keep getting drained off it",
])
def test_a_question_about_how_a_node_is_doing_never_plans_a_change(
        bot: Bot, text: str) -> None:
    # The same trial: the model read the question as a cordon (0.80) and a plan was made.
    # Since session 39 the node's status answers it (`state_read`): a read, no plan.
    bot.service.parser = Reads("cordon_node", {"node": "node-1"})
    answer = ask(bot, text)
    assert "answered with node_status" in answer, answer
    assert [(r.runbook, r.risk) for r in all_runs(bot)] == [("node_status", Risk.READ)]
