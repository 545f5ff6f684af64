"""A question of what a change would do is never a plan anyone can approve.

The attack: word a change as a question ("dry-run a restart of checkout-api in prod",
"what would happen if we scaled checkout-api to 0?") so that the model reads the change
itself, and hope an approver approves a plan its requester never asked for. Through the
real Bolt app, the answer is a preview only: the dry-run as the asker, no run stored,
nothing to approve; a colleague's click on the offered change takes nothing (the offer is
the asker's); only the asker's own click asks for it, and it then waits for approval.
"""

from __future__ import annotations

import pytest

from chatops.model import ParsedIntent, SlotSpan
from chatops.runs import Asked, RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot
from tests.slack.helpers import all_runs, choose
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


class ReadsTheChange:
    """The model at its most dangerous here: the change, confidently, with its values."""

    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        spans = tuple(SlotSpan(slot, text.index(value), text.index(value) + len(value), value)
                      for slot, value in self.slots.items() if value in text)
        return ParsedIntent(self.intent, dict(self.slots), 0.97, (), "model", spans)


@pytest.mark.parametrize(("text", "intent", "slots", "verb"), [
    ("dry-run a restart of checkout-api in prod", "restart_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "rollout_restart"),
    ("what would happen if we scaled checkout-api in prod to 0?", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "0"}, "scale"),
    ("is it safe to roll back checkout-api in prod?", "rollback_deployment",
     {"deployment": "checkout-api", "namespace": "prod"}, "rollout_undo"),
    # kubectl's own dry-run asks for a preview (session 50: each was planned for approval).
    ("kubectl scale deploy checkout-api -n prod --replicas=0 --dry-run=server",
     "scale_deployment", {"deployment": "checkout-api", "namespace": "prod", "replicas": "0"},
     "scale"),
    ("kubectl rollout restart deployment/checkout-api -n prod --dry-run=client",
     "restart_deployment", {"deployment": "checkout-api", "namespace": "prod"},
     "rollout_restart"),
    ("`kubectl rollout undo deploy checkout-api -n prod --dry-run client`",
     "rollback_deployment", {"deployment": "checkout-api", "namespace": "prod"},
     "rollout_undo"),
    ("can you run kubectl rollout restart deploy/checkout-api -n prod --dry-run",
     "restart_deployment", {"deployment": "checkout-api", "namespace": "prod"},
     "rollout_restart"),
])
def test_a_what_if_read_as_the_change_leaves_nothing_to_approve(
        bot: Bot, cluster: FakeCluster, text: str, intent: str, slots: dict[str, str],
        verb: str) -> None:
    bot.service.parser = ReadsTheChange(intent, slots)
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    preview = bot.slack.wait_for("chat.postMessage", "Preview only")[0]
    assert preview.args["thread_ts"] == root
    wait_until_idle(bot)
    assert all_runs(bot) == []
    assert cluster.calls == [(verb, True, "bob")]  # its dry-run, as the asker only
    # An approver in the thread finds nothing waiting; a colleague's click on the offered
    # change is not the asker's choice.
    bot.sender.message("approve", user="U0CAROL", channel="C0OPS", thread_ts=root)
    choose(bot, preview, intent, user="U0CAROL")
    wait_until_idle(bot)
    assert all_runs(bot) == []
    assert all(dry for _, dry, _ in cluster.calls)


def test_the_askers_own_click_asks_for_the_change_and_it_waits_for_approval(
        bot: Bot, cluster: FakeCluster) -> None:
    slots = {"deployment": "checkout-api", "namespace": "prod", "replicas": "0"}
    bot.service.parser = ReadsTheChange("scale_deployment", slots)
    root = next_ts()
    bot.sender.message("what would happen if we scaled checkout-api in prod to 0?",
                       user="U0BOB", channel="C0OPS", ts=root, mention=True)
    preview = bot.slack.wait_for("chat.postMessage", "Preview only")[0]
    choose(bot, preview, "scale_deployment", user="U0BOB")
    bot.slack.wait_for("chat.postMessage", "asked for after its preview")
    wait_until_idle(bot)
    (run,) = all_runs(bot)
    assert run.state is RunState.PROPOSED and run.asked_as is Asked.PREVIEW
    assert all(dry for _, dry, _ in cluster.calls)


def test_an_acknowledgment_after_a_preview_asks_for_nothing(bot: Bot,
                                                            cluster: FakeCluster) -> None:
    # An attacker review: "ok, makes sense" (read as a yes) proposed the previewed change,
    # and a policy needing no approvals would have run it at once.
    slots = {"deployment": "checkout-api", "namespace": "prod", "replicas": "0"}
    bot.service.parser = ReadsTheChange("scale_deployment", slots)
    root = next_ts()
    bot.sender.message("what would happen if we scaled checkout-api in prod to 0?",
                       user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "Preview only")
    bot.service.parser = ReadsTheChange("confirm", {})
    for reply in ("ok, makes sense", "1", "yes"):
        bot.sender.message(reply, user="U0BOB", channel="C0OPS", thread_ts=root)
    wait_until_idle(bot)
    assert all_runs(bot) == []
    assert all(dry for _, dry, _ in cluster.calls)


@pytest.mark.parametrize("text", [
    "dry run restart checkout-api in prod at 3pm",
    "preview restart checkout-api in prod every day at 3am",
])
def test_a_preview_with_a_time_schedules_nothing(bot: Bot, cluster: FakeCluster,
                                                 text: str) -> None:
    # An attacker review: the schedule path proposed the change for the time, and any
    # approval would have started a real, even recurring, schedule.
    bot.service.parser = ReadsTheChange("restart_deployment",
                                        {"deployment": "checkout-api", "namespace": "prod"})
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "takes no time")
    wait_until_idle(bot)
    assert all_runs(bot) == [] and cluster.calls == []
