"""A report of trouble read as a change plans nothing.

A user trial: the shipped model read "nightly-report hasn't fired since monday in prod"
as a suspend at 0.87, and the bot planned it. A message that only reports trouble, with no
order, no asking words and no change named, asks for no change, whatever the model read
into it: the read that answers the trouble is made instead (the cronjob's namespace scan,
the deployment's diagnosis, the node's state), and nothing waits for approval.
"""

from __future__ import annotations

import pytest

from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import ReadsWhereWritten as Reads
from tests.slack.conftest import Bot
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

_WRITES = frozenset({"restart", "scale", "rollout_undo", "cordon", "uncordon", "drain",
                     "delete_pod", "suspend", "resume", "set_image", "set_resources"})
"""Step verbs that change the cluster."""


def _changes(bot: Bot, root: str) -> list[str]:
    return [r.runbook for r in bot.service.store.runs_in_thread("C0OPS", root)
            if r.runbook not in ("diagnose", "node_status")]


@pytest.mark.parametrize(("parser", "text", "read"), [
    (Reads("suspend_cronjob", cronjob="nightly-report", namespace="prod"),
     "nightly-report hasn't fired since monday in prod", "diagnose"),
    (Reads("resume_cronjob", cronjob="nightly-report", namespace="prod"),
     "nightly-report in prod didn't run last night", "diagnose"),
    (Reads("suspend_cronjob", cronjob="nightly-report", namespace="prod"),
     "the nightly-report job keeps failing in prod", "diagnose"),
    (Reads("restart_deployment", deployment="checkout-api", namespace="prod"),
     "checkout-api in prod keeps crashing since 10:40", "diagnose"),
    (Reads("rollback_deployment", deployment="checkout-api", namespace="prod"),
     "checkout-api is throwing 500s in prod after the deploy", "diagnose"),
    (Reads("drain_node", node="node-1"), "node-1 is flaky, pods stuck pending", "node_status"),
    (Reads("cordon_node", node="node-1"), "node-1 hasn't been ready for 10 minutes",
     "node_status"),
])
def test_a_report_gets_its_read_and_no_plan(bot: Bot, cluster: FakeCluster, parser: Reads,
                                            text: str, read: str) -> None:
    cluster.cronjobs.add(("prod", "nightly-report"))
    bot.service.parser = parser
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "read as trouble")
    wait_until_idle(bot)
    assert _changes(bot, root) == []
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [r.runbook for r in runs] == [read]
    assert not [c for c in cluster.calls if not c[1] and c[0] in _WRITES]


@pytest.mark.parametrize(("parser", "text"), [
    # An order, asking words, a change named or a value to set: a request after all.
    (Reads("restart_deployment", deployment="checkout-api", namespace="prod"),
     "checkout-api is stuck in prod. restart"),
    (Reads("restart_deployment", deployment="checkout-api", namespace="prod"),
     "checkout-api stuck in prod, bounce pls"),
    (Reads("restart_deployment", deployment="checkout-api", namespace="prod"),
     "checkout-api in prod is broken, needs a restart"),
    (Reads("suspend_cronjob", cronjob="nightly-report", namespace="prod"),
     "nightly-report keeps failing in prod, turn it off"),
    (Reads("cordon_node", node="node-1"), "node-1 is flaky, take it out"),
    # An attacker set's request: a change's verb the order words don't list.
    (Reads("suspend_cronjob", cronjob="nightly-report", namespace="prod"),
     "halt nightly-report in prod until the upstream is back, every run is failing"),
    (Reads("cordon_node", node="node-1"), "no new pods on node-1 please, disk is flaky"),
    # An attacker review: an order without a verb.
    (Reads("cordon_node", node="node-1"), "node-1 is flaky, no new pods on it"),
    (Reads("scale_deployment", deployment="checkout-api", namespace="prod", replicas="5"),
     "checkout-api in prod is slow, 5 replicas"),
])
def test_trouble_with_an_order_is_still_a_request(bot: Bot, cluster: FakeCluster,
                                                  parser: Reads, text: str) -> None:
    cluster.cronjobs.add(("prod", "nightly-report"))
    bot.service.parser = parser
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    wait_until_idle(bot)
    assert _changes(bot, root) == [parser.intent]
