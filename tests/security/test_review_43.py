"""An attacker review of session 43's readings: each finding, reproduced first.

1. A mention's label and spaces matched two ways: "<@U1>|" and 40,000 spaces took 139 s in
   the Slack surface's check, holding the interpreter for every thread of the bot.
2. "<@U0CAROL> approved" in a plan's thread counted as the writer's own approval.
3. "double" in a report of the past ("traffic doubled last week") set a scale's count.
4. A number after another order's "to" ("pinned to 3") replaced the image asked for.
5. Deletions in other words ("sure, delete ...", "... needs to be deleted") were planned
   as suspends.
6. "to 1 " 8,000 times took 3.6 s in the check of a count with a return.
"""

from __future__ import annotations

import time

import pytest

from chatops.conversation.asking import opens_with_a_mention, said_to_someone_else
from chatops.conversation.deletions import deleted_kind
from chatops.conversation.partial import count_and_back
from chatops.conversation.replica_words import replicas_in_words
from chatops.model import SlotSpan
from chatops.slack.listeners.events import _to_someone_else
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import ReadsWhereWritten
from tests.slack.conftest import Bot
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


@pytest.mark.parametrize(("check", "text"), [
    (lambda t: _to_someone_else(t, "UBOT"), "<@U0SARAH>|" + " " * 40_000 + "thoughts?"),
    (lambda t: said_to_someone_else(t, ()), "@sarah|" + " " * 40_000 + "restart api"),
    (opens_with_a_mention, "<@U0SARAH>|" + "\u00a0" * 40_000 + "x"),
    (count_and_back, "to 1 " * 8_000),
    (lambda t: deleted_kind(t, ()), "sure, " * 8_000 + "delete it"),
    (lambda t: deleted_kind(t, ()), "needs to be " * 4_000),
])
def test_the_new_checks_take_no_quadratic_time(check: object, text: str) -> None:
    started = time.process_time()
    check(text)  # type: ignore[operator]
    assert time.process_time() - started < 1.0  # was 139 s and 3.6 s


@pytest.mark.parametrize("text", ["<@U0CAROL> approved", "<@U0CAROL> says yes",
                                  "<@U0CAROL> agreed", "carol approved", "erin says yes"])
def test_a_decision_told_of_someone_else_decides_nothing(bot: Bot, cluster: FakeCluster,
                                                         text: str) -> None:
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api namespace=staging "
                       "replicas=2", user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    wait_until_idle(bot)
    (run,) = bot.service.store.runs_in_thread("C0OPS", root)
    bot.service.parser = ReadsWhereWritten("confirm")
    bot.sender.message(text, user="U0BOB", channel="C0OPS", thread_ts=root)
    wait_until_idle(bot)
    after = bot.service.store.get(run.id)
    assert after.state.value == "proposed" and after.approvals == (), after.approvals
    assert cluster.deployments[("staging", "checkout-api")] == 1


@pytest.mark.parametrize("text", [
    "scale down checkout-api in prod, traffic doubled last week so it was overprovisioned",
    "scale checkout-api down in prod, we doubled it by mistake",
])
def test_a_report_of_doubling_sets_no_count(text: str) -> None:
    assert replicas_in_words(text) is None


def _spans(text: str, **values: str) -> list[SlotSpan]:
    return [SlotSpan(slot, text.find(v), text.find(v) + len(v), v)
            for slot, v in values.items() if v in text]


@pytest.mark.parametrize("text", [
    "sure, delete the nightly-report cronjob in prod",
    "can we get rid of the nightly-report cronjob in prod",
    "the nightly-report cronjob in prod needs to be deleted",
    "nightly-report cronjob in prod: delete it",
    "ok so delete the nightly-report cronjob in prod",
    "alright delete the nightly-report cronjob in prod",
    "we need the nightly-report cronjob in prod deleted",
    "delete the nightly-report cronjob in prod, replicas don't matter",
])
def test_a_deletion_in_other_words_is_still_one(text: str) -> None:
    assert deleted_kind(text, _spans(text, cronjob="nightly-report")) == "cronjob"


@pytest.mark.parametrize("text", [
    "suspend nightly-report in prod, the old job has been deleted",
    "suspend nightly-report in prod, it will be deleted next week",
    "node-2 needs to be removed from rotation",
    "the calc-app pod needs to be deleted",
])
def test_what_happened_to_something_is_no_deletion(text: str) -> None:
    assert deleted_kind(text, _spans(text, cronjob="nightly-report", node="node-2")) is None
