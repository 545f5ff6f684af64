"""A change asked for only in part is refused, never planned whole.

A user trial: "drain node-2 but leave the prod pods alone" planned a full drain that
evicts the prod pods, with no word about the condition it dropped. A drain evicts every
pod on the node (daemonsets aside), so a drain that spares some cannot be made: the bot
says so and names what comes close (a cordon moves nothing).
"""

from __future__ import annotations

import pytest

from chatops.model import ParsedIntent, SlotSpan
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import ReadsWhereWritten
from tests.slack.conftest import Bot
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle


def _said(bot: Bot, text: str) -> str:
    """`text` from bob in #ops, mentioning the bot, handled to the end; its thread."""
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    wait_until_idle(bot)
    return root


class ReadsADrain:
    """The model's reading: a drain of node-1, confident."""

    def parse(self, text: str) -> ParsedIntent:
        at = text.index("node-1")
        span = SlotSpan("node", at, at + 6, "node-1")
        return ParsedIntent("drain_node", {"node": "node-1"}, 0.99, (), "model", (span,))


@pytest.mark.parametrize("text", [
    "drain node-1 but leave the prod pods alone",
    "drain node-1 except the ledger pods",
    "drain node-1 except for kafka-0",
    "drain node-1 without evicting the db",
    "drain node-1, but keep the payments pods running",
    "please drain node-1 excluding anything in kube-system",
    "drain node-1 but skip the ingress pods",
    "drain node-1 but not the prod pods",
])
def test_a_drain_that_spares_some_pods_is_refused(bot: Bot, cluster: FakeCluster,
                                                  text: str) -> None:
    bot.service.parser = ReadsADrain()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    (post,) = bot.slack.wait_for("chat.postMessage", "evicts every pod")
    assert "cordon_node" in post.text()
    wait_until_idle(bot)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert not [c for c in cluster.calls if c[0] == "drain"]


@pytest.mark.parametrize("text", [
    "drain node-1 but check the pdbs first",
    "drain node-1, but only after 6pm",
    "drain node-1 please, the disk is failing",
])
def test_a_drain_with_other_words_after_but_is_still_a_drain(bot: Bot, text: str) -> None:
    bot.service.parser = ReadsADrain()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "")
    wait_until_idle(bot)
    posted = " ".join(c.text() for c in bot.slack.calls if c.method == "chat.postMessage")
    assert "evicts every pod" not in posted


class _Reads:
    """A model's reading, fixed: `intent` at `confidence`, with each of `values` (slot,
    text) the message holds tagged where it is."""

    def __init__(self, intent: str, values: tuple[tuple[str, str], ...],
                 confidence: float) -> None:
        self.intent, self.values, self.confidence = intent, values, confidence

    def parse(self, text: str) -> ParsedIntent:
        spans = []
        for slot, value in self.values:
            if value in text:
                at = text.index(value)
                spans.append(SlotSpan(slot, at, at + len(value), value))
        return ParsedIntent(self.intent, {s.slot: s.text for s in spans}, self.confidence,
                            (), "model", tuple(spans))


def reads_a_restart() -> _Reads:
    """The model's reading: a restart of checkout-api in staging, confident."""
    return _Reads("restart_deployment", (("deployment", "checkout-api"),
                                         ("namespace", "staging")), 0.95)


@pytest.mark.parametrize("text", [
    "restart checkout-api in staging and then scale it to 3",
    "restart checkout-api in staging, then roll it back",
    "restart checkout-api in staging and drain node-1",
    # ... and on the schedule path: the time goes with one of them, the other is lost.
    "restart checkout-api in staging and scale it to 3 at 23:00",
])
def test_two_changes_in_one_message_plan_neither(bot: Bot, cluster: FakeCluster,
                                                 text: str) -> None:
    """A user trial: "suspend nightly-report in prod and resume it monday 09:00" scheduled
    the suspend for Monday; a plan holds one change, so the other would be dropped."""
    bot.service.parser = reads_a_restart()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "more than one change")
    wait_until_idle(bot)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []


def reads_a_scale_of_the_first() -> _Reads:
    """The shipped model's reading of a trial's two lines ("restart checkout-api in
    staging\nscale calc-app in staging to 4"): a scale of checkout-api to 4, the first
    line's object with the second line's change, at 0.97."""
    return _Reads("scale_deployment", (("deployment", "checkout-api"),
                                       ("namespace", "staging"), ("replicas", "4")), 0.97)


@pytest.mark.parametrize("text", [
    "restart checkout-api in staging\nscale calc-app in staging to 4",
    "Two things:\n1. restart checkout-api in staging\n2. scale calc-app in staging to 4",
    "Restart checkout-api in staging. Then scale calc-app to 4.",
    "- scale checkout-api in staging to 4\n- scale calc-app in staging to 4",
    "scale checkout-api in staging to 4\nand cordon node-1",
    # ... and on the schedule path.
    "restart checkout-api in staging\nscale calc-app in staging to 4 at 23:00",
])
def test_orders_on_separate_lines_or_items_plan_none(bot: Bot, cluster: FakeCluster,
                                                     text: str) -> None:
    """A third user trial: two orders on two lines were planned as one change nobody asked
    for (the first line's deployment scaled to the second line's count)."""
    bot.service.parser = reads_a_scale_of_the_first()
    root = _said(bot, text)
    posted = " ".join(c.text() for c in bot.slack.calls if c.method == "chat.postMessage")
    assert "more than one change" in posted, posted
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []
    assert not [c for c in cluster.calls if c[0] == "scale"]


@pytest.mark.parametrize("text", [
    "Rollback didn't help.\nscale checkout-api in staging to 4",
    "scale checkout-api in staging to 4. scale it now please",
    "restart checkout-api in staging. no wait, scale checkout-api in staging to 4",
])
def test_one_order_with_context_on_other_lines_is_planned(bot: Bot, text: str) -> None:
    bot.service.parser = reads_a_scale_of_the_first()
    root = _said(bot, text)
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [(r.runbook, r.raw_slots.get("replicas")) for r in runs] == [
        ("scale_deployment", "4")], runs


@pytest.mark.parametrize("text", [
    "can you check checkout-api in staging and restart it if it looks bad?",
    "look at checkout-api in staging, restart it if needed",
    "if checkout-api in staging is down, restart it",
])
def test_a_change_on_a_condition_gets_the_check_first(bot: Bot, cluster: FakeCluster,
                                                      text: str) -> None:
    """A user trial: "can you check calc-app in prod and restart it if it looks bad?" went
    straight to a restart plan, the check dropped. The diagnosis answers, with its fix
    offered (a plan that waits for approval), and nothing is planned yet."""
    bot.service.parser = reads_a_restart()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "checked first")
    wait_until_idle(bot)
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [r.runbook for r in runs] == ["diagnose"], runs
    assert not [c for c in cluster.calls if c[0] == "restart"]


@pytest.mark.parametrize(("text", "planned"), [
    ("restart checkout-api in staging if you can", ["restart_deployment"]),
    ("restart checkout-api in staging if possible, thanks", ["restart_deployment"]),
    # Said to someone else, or talk of one's own plan: no check, no plan.
    ("@dave if checkout-api in staging is down, restart it", []),
    ("I'll restart checkout-api in staging if it's still down after lunch", []),
])
def test_no_check_first_without_a_condition_or_for_others(bot: Bot, text: str,
                                                          planned: list[str]) -> None:
    bot.service.parser = reads_a_restart()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    wait_until_idle(bot)
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [r.runbook for r in runs] == planned, runs


# A user trial: "cordon node-2 but don't drain it" and "don't drain node-1, just cordon it"
# each planned a drain (the model read the drain at 0.93 and 0.97), the one change the
# person ruled out. A change the message negates is never planned; the one it orders
# instead is, when the model's values are all it needs.
@pytest.mark.parametrize("text", [
    "cordon node-1 but don't drain it",
    "don't drain node-1, just cordon it",
    "cordon node-1, do not drain it yet",
    "just cordon node-1 without draining it",
    "cordon node-1. no need to drain it",
    "please cordon node-1 but dont drain",
    "cordon node-1 and never drain it",
])
def test_a_change_the_message_rules_out_is_never_planned(bot: Bot, cluster: FakeCluster,
                                                         text: str) -> None:
    bot.service.parser = ReadsADrain()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "cordon")
    wait_until_idle(bot)
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [
        ("cordon_node", {"node": "node-1"})], runs
    assert not [c for c in cluster.calls if c[0] == "drain"]


@pytest.mark.parametrize("text", [
    # What it orders instead needs a value the model did not give: nothing is planned.
    "scale checkout-api in staging up, don't restart it",
    # Nothing else ordered.
    "don't restart checkout-api in staging",
    "no need to restart checkout-api in staging, it recovered",
])
def test_a_ruled_out_change_with_nothing_else_to_plan_plans_nothing(
        bot: Bot, cluster: FakeCluster, text: str) -> None:
    bot.service.parser = reads_a_restart()
    root = _said(bot, text)
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [r.runbook for r in runs if r.runbook == "restart_deployment"] == [], runs
    assert not [c for c in cluster.calls if c[0] == "restart"]


@pytest.mark.parametrize("text", [
    "drain node-1, don't just cordon it",
    "drain node-1 - don't cordon it first, the drain does that",
])
def test_a_negation_of_another_change_leaves_the_one_ordered(bot: Bot, text: str) -> None:
    bot.service.parser = ReadsADrain()
    root = _said(bot, text)
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [r.runbook for r in runs] == ["drain_node"], runs


@pytest.mark.parametrize("text", ["cordon node-1 at 23:00 but don't drain it",
                                  "every day at 03:00 cordon node-1, never drain it"])
def test_a_schedule_of_a_change_ruled_out_is_refused(bot: Bot, cluster: FakeCluster,
                                                     text: str) -> None:
    """A schedule holds one change, proposed whole: one the message rules out is refused,
    never scheduled (the cordon is asked for on its own)."""
    bot.service.parser = ReadsADrain()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "You said not to drain")
    wait_until_idle(bot)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []


class ReadsAs:
    """The model's reading: `intent` with `slots` (their spans found in the text)."""

    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        spans = tuple(SlotSpan(slot, text.index(value), text.index(value) + len(value), value)
                      for slot, value in self.slots.items())
        return ParsedIntent(self.intent, dict(self.slots), 0.95, (), "model", spans)


STAGING_API = {"deployment": "checkout-api", "namespace": "staging"}


@pytest.mark.parametrize(("text", "reading"), [
    # An attacker review of the first version: the values of the change ruled out went to
    # the other change (a resume in staging, a scale of the deployment not to be touched).
    ("don't restart checkout-api in staging, scale web-frontend in prod to 4",
     ReadsAs("restart_deployment", STAGING_API)),
    ("no need to restart checkout-api in staging, scale it in prod to 4",
     ReadsAs("restart_deployment", STAGING_API)),
    ("no need to restart checkout-api in staging, scale web-frontend to 4",
     ReadsAs("scale_deployment", {**STAGING_API, "replicas": "4"})),
    ("no need to restart checkout-api in staging, scale web-frontend to 4 at 23:00",
     ReadsAs("scale_deployment", {**STAGING_API, "replicas": "4"})),
])
def test_a_change_ruled_out_never_lends_its_values_to_another(
        bot: Bot, cluster: FakeCluster, text: str, reading: ReadsAs) -> None:
    bot.service.parser = reading
    root = _said(bot, text)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []


@pytest.mark.parametrize("text", [
    # A change ruled out of other objects is not the one asked for (an attacker review:
    # each was refused as "you said not to restart").
    "restart checkout-api in staging, only checkout-api, don't restart anything else",
    "restart checkout-api in staging, you don't need to restart calc-app",
    "restart checkout-api in staging, don't restart the prod one",
])
def test_a_change_ruled_out_of_other_objects_leaves_the_one_asked(bot: Bot, text: str) -> None:
    bot.service.parser = ReadsAs("restart_deployment", STAGING_API)
    root = _said(bot, text)
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [
        ("restart_deployment", STAGING_API)], runs


@pytest.mark.parametrize("text", [
    "after the deploy finishes, restart checkout-api in staging",
    "restart checkout-api in staging once the migration is done",
    "when the rollout completes, restart checkout-api in staging",
    "as soon as the backup job is over restart checkout-api in staging",
    "restart checkout-api in staging once the deploy wraps up",  # an attacker review
    # ... and on the schedule path: the time is no event's.
    "restart checkout-api in staging at 23:00 once the migration is done",
])
def test_a_change_that_waits_for_an_event_plans_nothing(bot: Bot, cluster: FakeCluster,
                                                        text: str) -> None:
    """A user trial: "after the deploy finishes, restart web-frontend in prod" planned an
    immediate restart, the condition dropped. No plan waits for an event: the bot says so,
    and what to say instead (a time, or the request once it has happened)."""
    bot.service.parser = reads_a_restart()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    (post,) = bot.slack.wait_for("chat.postMessage", "until something happens")
    assert "at 18:00" in post.text()  # what to say instead
    wait_until_idle(bot)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []
    assert not [c for c in cluster.calls if c[0] == "restart"]


@pytest.mark.parametrize("text", [
    "restart checkout-api in staging after 6pm",
    "restart checkout-api in staging, it broke after the deploy",
    "restart checkout-api in staging now that the deploy is done",
    "after the deploy finished, restart checkout-api in staging",
])
def test_a_time_or_a_past_event_is_no_wait(bot: Bot, text: str) -> None:
    bot.service.parser = reads_a_restart()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    wait_until_idle(bot)
    posted = " ".join(c.text() for c in bot.slack.calls if c.method == "chat.postMessage")
    assert "until something happens" not in posted, posted


@pytest.mark.parametrize("text", [
    "don't restart checkout-api in staging at 6pm",
    "never restart checkout-api in staging at 23:00",
])
def test_a_change_ruled_out_with_a_time_is_said_so(bot: Bot, text: str) -> None:
    """A user trial: these were told how to write a schedule; they rule the change out."""
    bot.service.parser = reads_a_restart()
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "You said not to restart")
    wait_until_idle(bot)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []


@pytest.mark.parametrize("text", [
    "scale checkout-api in staging to 6 for the sale, back to 3",
    "scale checkout-api in staging to 6 then back down to 2 after lunch",
    # ... and on the schedule path: each count needs its own time.
    "scale checkout-api in staging to 6 at 9am for the sale, back to 3 at 6pm",
])
def test_a_count_and_a_return_plan_nothing(bot: Bot, cluster: FakeCluster, text: str) -> None:
    """A user trial: "scale checkout-api in prod to 6 for the sale, back to 3" planned the
    scale to 6 and dropped the return without a word."""
    bot.service.parser = ReadsWhereWritten("scale_deployment", deployment="checkout-api",
                                           namespace="staging", replicas="6")
    root = next_ts()
    bot.sender.message(text, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "a count now and a return later")
    wait_until_idle(bot)
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert bot.service.schedules.live() == []
    assert cluster.deployments[("staging", "checkout-api")] == 1


# An attacker review of the first version (session 45): a later sentence that takes back
# the first order was skipped, so the order taken back was planned; orders said with "we
# need to", "... too", after "wait, also" or within a line (";", a bullet, "2)") were not
# counted, so one of two was planned and the other dropped.
@pytest.mark.parametrize(("text", "said"), [
    ("scale checkout-api in staging to 4. sorry, I meant calc-app", "takes back"),
    ("scale checkout-api in staging to 4\nno wait, scale calc-app in staging to 4",
     "takes back"),
    ("scale checkout-api in staging to 4\nmake that calc-app", "takes back"),
    ("scale checkout-api in staging to 4\nrather scale calc-app in staging to 4",
     "takes back"),
    ("scale checkout-api in staging to 4\nwe need to cordon node-1 as well",
     "more than one change"),
    ("scale checkout-api in staging to 4\nscale redis to 4 too", "more than one change"),
    ("scale checkout-api in staging to 4. wait, also scale calc-app to 4",
     "more than one change"),
    ("scale checkout-api in staging to 4; scale calc-app in staging to 4",
     "more than one change"),
    ("scale checkout-api in staging to 4 \u2022 scale calc-app in staging to 4",
     "more than one change"),
    ("1) scale checkout-api in staging to 4 2) scale calc-app in staging to 4",
     "more than one change"),
])
def test_an_order_taken_back_or_added_on_the_side_plans_nothing(
        bot: Bot, cluster: FakeCluster, text: str, said: str) -> None:
    bot.service.parser = reads_a_scale_of_the_first()
    root = _said(bot, text)
    posted = " ".join(c.text() for c in bot.slack.calls if c.method == "chat.postMessage")
    assert said in posted, posted
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
    assert not [c for c in cluster.calls if c[0] == "scale"]


def test_a_correction_the_reading_already_has_is_planned(bot: Bot) -> None:
    """"... no wait, ... checkout-api" read with checkout-api: the correction is the read."""
    bot.service.parser = reads_a_scale_of_the_first()
    root = _said(bot, "scale calc-app in staging to 4. no wait, scale checkout-api in "
                      "staging to 4")
    runs = bot.service.store.runs_in_thread("C0OPS", root)
    assert [(r.runbook, r.raw_slots.get("deployment")) for r in runs] == [
        ("scale_deployment", "checkout-api")], runs


def test_a_change_said_as_what_happened_is_no_request(bot: Bot) -> None:
    """"rollback didn't help" was read as a rollback (0.83) and asked which deployment, the
    thread's offered: two "ok"s planned it (an attacker review)."""
    bot.service.parser = _Reads("rollback_deployment", (), 0.83)
    root = _said(bot, "rollback didn't help")
    posted = " ".join(c.text() for c in bot.slack.calls if c.method == "chat.postMessage")
    assert "Which deployment" not in posted, posted
    assert bot.service.store.runs_in_thread("C0OPS", root) == []


class _ReadsACancel:
    """`cancel` read without its words, a change the runner-up at `score`."""

    def __init__(self, score: float) -> None:
        self.score = score

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent("cancel", {}, 0.99, (("suspend_cronjob", self.score),), "model")


@pytest.mark.parametrize(("score", "asked"), [(0.01, False), (0.4, True)])
def test_an_order_read_as_a_decision_needs_the_runner_up_above_the_floor(
        bot: Bot, score: float, asked: bool) -> None:
    """"pause it" read as `cancel` at 0.99, the suspend at 0.01, was asked for as the
    suspend and planned on the answers, shown at confidence 0.01 (an attacker review)."""
    bot.service.parser = _ReadsACancel(score)
    root = _said(bot, "pause it")
    posted = " ".join(c.text() for c in bot.slack.calls if c.method == "chat.postMessage")
    assert ("Which cronjob" in posted) is asked, posted
    assert bot.service.store.runs_in_thread("C0OPS", root) == []
