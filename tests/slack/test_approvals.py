"""Approve / Deny / Edit buttons on the plan message, over the real HTTP endpoint."""

from __future__ import annotations

import threading
import time

import pytest

from chatops.audit import AuditLog
from chatops.runs import RunState
from chatops.slack.blocks import APPROVE, DENY, EDIT
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import message_ts, propose, scale_calls
from tests.waiting import wait_until_idle

# Every test here runs over HTTP and over Socket Mode (see tests/slack/conftest.py).
pytestmark = pytest.mark.transports()


def _audit(bot: Bot) -> AuditLog:
    return AuditLog(bot.service.store.path.replace("state.db", "audit.db"))


def test_approvers_click_runs_it_and_updates_the_message(bot: Bot,
                                                         cluster: FakeCluster) -> None:
    run = propose(bot)
    ts = message_ts(run)
    response = bot.sender.click(APPROVE, run.id, user="U0CAROL", channel="C0OPS",
                                message_ts=ts)
    assert response.status == 200
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED)
    assert cluster.deployments[("prod", "checkout-api")] == 5
    bot.flush()
    final = [c for c in bot.slack.of("chat.update") if c.args["ts"] == ts][-1]
    assert "Succeeded" in final.text() and "approved by carol" in final.text()
    assert "chatops_approve" not in final.text()  # no buttons once decided
    result = bot.slack.wait_for("chat.postMessage", "Succeeded in")[0]
    assert result.args["thread_ts"] == ts
    kinds = [e.kind for e in _audit(bot).list(run_id=run.id)]
    assert "approval" in kinds and "result" in kinds


def test_unauthorized_click_changes_nothing_and_says_who_may(bot: Bot,
                                                             cluster: FakeCluster) -> None:
    run = propose(bot)
    bot.sender.click(APPROVE, run.id, user="U0MALLORY", channel="C0OPS",
                     message_ts=message_ts(run))
    refusal = bot.slack.wait_for("chat.postEphemeral")[0]
    assert refusal.args["user"] == "U0MALLORY"
    assert "members of sre" in refusal.text()
    assert bot.service.store.get(run.id).state is RunState.PROPOSED
    assert not scale_calls(cluster)
    # The requester can't approve their own request either.
    bot.sender.click(APPROVE, run.id, user="U0BOB", channel="C0OPS",
                     message_ts=message_ts(run))
    own = bot.slack.wait_for("chat.postEphemeral", count=2)[-1]
    assert "own" in own.text() and own.args["user"] == "U0BOB"
    assert bot.service.store.get(run.id).state is RunState.PROPOSED


def test_repeated_action_payload_and_double_clicks_run_once(bot: Bot,
                                                            cluster: FakeCluster) -> None:
    run = propose(bot)
    ts = message_ts(run)
    action_ts = f"{time.time():.6f}"
    # The same payload delivered twice (Slack retry), and two more clicks racing.
    threads = [threading.Thread(target=bot.sender.click, args=(APPROVE, run.id),
                                kwargs={"user": "U0CAROL", "channel": "C0OPS",
                                        "message_ts": ts, "action_ts": stamp})
               for stamp in (action_ts, action_ts, None, None)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED)
    wait_until_idle(bot)  # every click's listener has returned, the losers' too
    assert len(scale_calls(cluster)) == 1
    assert [e.kind for e in _audit(bot).list(run_id=run.id)].count("result") == 1
    assert len(bot.service.store.get(run.id).approvals) == 1


def test_deny_updates_the_message_in_place(bot: Bot, cluster: FakeCluster) -> None:
    run = propose(bot)
    ts = message_ts(run)
    bot.sender.click(DENY, run.id, user="U0ERIN", channel="C0OPS", message_ts=ts)
    eventually(lambda: bot.service.store.get(run.id).state is RunState.DENIED)
    # The state changes before the edit is queued: wait for the edit itself.
    bot.slack.wait_for("chat.update", "Denied")
    bot.flush()
    final = [c for c in bot.slack.of("chat.update") if c.args["ts"] == ts][-1]
    assert "Denied" in final.text()
    assert not scale_calls(cluster)


def test_edit_opens_a_modal_and_submitting_replans(bot: Bot) -> None:
    run = propose(bot)
    ts = message_ts(run)
    bot.sender.click(EDIT, run.id, user="U0BOB", channel="C0OPS", message_ts=ts)
    opened = bot.slack.wait_for("views.open")[0]
    view = opened.args["view"]
    values = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]
              if b["type"] == "input"}
    assert values["slot:replicas"] == "5" and values["slot:namespace"] == "prod"
    assert values["slot:deployment"] == "checkout-api"
    response = bot.sender.submit(view, {"replicas": "7", "namespace": "prod",
                                        "deployment": "checkout-api"}, user="U0BOB")
    assert response.status == 200
    new_plan = bot.slack.wait_for("chat.postMessage", "spec.replicas: 3 -&gt; 7")[0]
    assert new_plan.args["thread_ts"] == ts
    eventually(lambda: bot.service.store.get(run.id).state is RunState.CANCELLED)
    bot.flush()
    old = [c for c in bot.slack.of("chat.update") if c.args["ts"] == ts][-1]
    assert "Cancelled" in old.text()


def test_edit_by_someone_else_is_refused_privately(bot: Bot) -> None:
    run = propose(bot)
    ts = message_ts(run)
    bot.sender.click(EDIT, run.id, user="U0CAROL", channel="C0OPS", message_ts=ts)
    refusal = bot.slack.wait_for("chat.postEphemeral")[0]
    assert refusal.args["user"] == "U0CAROL" and "Only the person who asked" in refusal.text()
    # No modal opens for her; nor may she submit the one the requester opened.
    bot.sender.click(EDIT, run.id, user="U0BOB", channel="C0OPS", message_ts=ts)
    view = bot.slack.wait_for("views.open")[0].args["view"]
    bot.sender.submit(view, {"replicas": "9"}, user="U0CAROL")
    eventually(lambda: [e for e in _audit(bot).list(kind="rejected")
                        if e.data.get("what") == "slack edit submission"],
               what="her submission refused and audited")
    wait_until_idle(bot)
    assert len(bot.slack.of("views.open")) == 1
    assert bot.service.store.get(run.id).state is RunState.PROPOSED


def test_user_group_membership_grants_the_mapped_groups(bot: Bot,
                                                        cluster: FakeCluster) -> None:
    # mallory is an intern; through the Slack user group S0SRE she is an SRE.
    bot.slack.usergroups = [{"id": "S0SRE", "handle": "sre", "users": ["U0MALLORY"]}]
    run = propose(bot)
    bot.sender.click(APPROVE, run.id, user="U0MALLORY", channel="C0OPS",
                     message_ts=message_ts(run))
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED)
    calls = bot.slack.of("usergroups.list")
    assert calls and calls[0].args.get("include_users") in (True, "true", "1", 1)
    assert len(calls) == 1  # cached between the request and the click
