"""A deletion of anything but a pod is refused, never bent onto another change.

A user trial: the shipped model read "drop the nightly-report cronjob in prod" and
"delete cronjob nightly-report in prod" as suspends at 0.96-1.00, and the bot planned the
suspend. Only pods are deleted by a runbook; asked to delete a cronjob, deployment, node or
autoscaler, the bot says it can't and names what comes close, and plans nothing, whatever
the model read and whether or not a time comes with it.
"""

from __future__ import annotations

import pytest

from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import ReadsWhereWritten as Reads
from tests.slack.conftest import Bot
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

_CRONJOB = Reads("suspend_cronjob", cronjob="nightly-report", namespace="prod")
_SCALE = Reads("scale_deployment", deployment="checkout-api", namespace="staging",
               replicas="0")
_RESTART = Reads("restart_deployment", deployment="checkout-api", namespace="staging")
_DRAIN = Reads("drain_node", node="node-1")
_HPA = Reads("set_autoscaling", deployment="checkout-api", namespace="staging")


@pytest.mark.parametrize(("parser", "text", "kind"), [
    (_CRONJOB, "drop the nightly-report cronjob in prod", "cronjob"),
    (_CRONJOB, "delete cronjob nightly-report in prod", "cronjob"),
    (_CRONJOB, "pls get rid of the Nightly-Report CronJob in prod", "cronjob"),
    (_CRONJOB, "kill the nightly-report job in prod", "job"),
    (_CRONJOB, "we need to remove nightly-report from prod, it's obsolete", "cronjob"),
    (_SCALE, "delete the checkout-api deployment in staging", "deployment"),
    (_RESTART, "can you nuke checkout-api in staging", "deployment"),
    (_RESTART, "tear down the checkout-api app in staging", "deployment"),
    (_DRAIN, "remove node-1 from the cluster", "node"),
    (_DRAIN, "decommission node-1 today", "node"),
    (_DRAIN, "terminate the node-1 instance", "node"),
    (_HPA, "delete the checkout-api hpa in staging", "autoscaler"),
    (_HPA, "remove the autoscaler from checkout-api in staging", "autoscaler"),
    (_RESTART, "delete the old replicaset of checkout-api in staging", "replicaset"),
    # With a time, on the schedule path.
    (_CRONJOB, "delete cronjob nightly-report in prod at 23:00", "cronjob"),
])
def test_a_deletion_plans_nothing(bot: Bot, cluster: FakeCluster, parser: Reads, text: str,
                                  kind: str) -> None:
    cluster.cronjobs.add(("prod", "nightly-report"))
    bot.service.parser = parser
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    (post,) = bot.slack.wait_for("chat.postMessage", "can't")
    wait_until_idle(bot)
    # A kind no runbook changes at all is said as such.
    said = ("delete", "change") if kind == "replicaset" else ("delete",)
    assert any(f"can't {verb} {article} {kind}" in post.text()
               for verb in said for article in ("a", "an")), post.text()
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []
    assert cluster.calls == [], cluster.calls


@pytest.mark.parametrize(("parser", "text", "runbook"), [
    # A pod is deleted by its runbook.
    (Reads("delete_pod", pod="checkout-api-1", namespace="staging"),
     "delete pod checkout-api-1 in staging", "delete_pod"),
    (Reads("delete_pod", pod="checkout-api-1", namespace="staging"),
     "kill the checkout-api-1 pod in staging, it's stuck", "delete_pod"),
    # A deletion verb that asks for another change.
    (_SCALE, "drop checkout-api in staging to 0 replicas", "scale_deployment"),
    (Reads("cordon_node", node="node-1"), "remove node-1 from rotation", "cordon_node"),
    (Reads("uncordon_node", node="node-1"), "drop the node-1 cordon", "uncordon_node"),
])
def test_a_deletion_verb_for_a_runbook_still_plans(bot: Bot, cluster: FakeCluster,
                                                   parser: Reads, text: str,
                                                   runbook: str) -> None:
    cluster.pods.add(("staging", "checkout-api-1"))
    cluster.nodes["node-1"] = runbook == "uncordon_node"  # cordoned, to be uncordoned
    bot.service.parser = parser
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    wait_until_idle(bot)
    posted = " ".join(c.text() for c in bot.slack.calls if c.method == "chat.postMessage")
    assert "can't delete" not in posted, posted
    assert [r.runbook for r in bot.service.store.runs_in_thread("C0OPS", root)] == [runbook], posted


def test_removing_a_limit_is_still_a_resources_change(bot: Bot) -> None:
    """"none removes one" is the resources runbook's own: asked which limit, not refused."""
    bot.service.parser = Reads("set_resources", deployment="checkout-api", namespace="staging")
    root = next_ts()
    bot.sender.message("remove the memory limit from checkout-api in staging", user="U0BOB",
                       channel="C0OPS", ts=root, mention=True)
    (post,) = bot.slack.wait_for("chat.postMessage", "memory limit")
    wait_until_idle(bot)
    assert "can't delete" not in post.text()
