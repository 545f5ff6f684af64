"""Request verification and acknowledgement over the real HTTP endpoint."""

from __future__ import annotations

import time

import pytest

from chatops.audit import AuditLog
from tests.slack.conftest import Bot, eventually
from tests.waiting import wait_until_idle


def _runs(bot: Bot) -> int:
    return len(bot.service.store._db().execute("SELECT id FROM runs").fetchall())


def test_bad_signature_is_rejected_and_changes_nothing(bot: Bot) -> None:
    body = bot.sender.command_body("run scale_deployment deployment=checkout-api "
                                   "namespace=prod replicas=5", user="U0BOB", channel="C0OPS")
    response = bot.sender.send(body, "application/x-www-form-urlencoded",
                               sign_with="not-the-secret")
    assert response.status == 401
    wait_until_idle(bot)  # anything the request queued has run
    assert [c.method for c in bot.slack.calls] == ["auth.test"]
    assert _runs(bot) == 0


def test_stale_timestamp_is_rejected(bot: Bot) -> None:
    stale = str(int(time.time()) - 10 * 60)
    response = bot.sender.command("help", user="U0BOB", timestamp=stale)
    assert response.status == 401
    event = bot.sender.message("run show_pods namespace=prod", user="U0BOB", channel="D0BOB",
                               channel_type="im", timestamp=stale)
    assert event.status == 401
    wait_until_idle(bot)  # anything the requests queued has run
    assert [c.method for c in bot.slack.calls] == ["auth.test"]


def test_tampered_body_is_rejected(bot: Bot) -> None:
    body = bot.sender.command_body("help", user="U0BOB", channel="C0OPS")
    ts = str(int(time.time()))
    from tests.slack.sender import signature

    headers_sig = signature(bot.sender.secret, ts, body)
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        bot.sender.url, data=(body + "&text=run+drain_node").encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": headers_sig})
    try:
        urllib.request.urlopen(request, timeout=5)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 401


@pytest.mark.transports()
def test_slash_command_is_acked_at_once_then_the_plan_is_posted(bot: Bot) -> None:
    response = bot.sender.command("run scale_deployment deployment=checkout-api "
                                  "namespace=prod replicas=5", user="U0BOB")
    assert response.status == 200
    assert response.seconds < 3.0  # Slack's hard limit for an acknowledgement
    placeholder = bot.slack.wait_for("chat.postMessage", "Working on it")[0]
    assert placeholder.args["channel"] == "C0OPS"
    assert "thread_ts" not in placeholder.args  # the bot's first message is top-level
    plan = bot.slack.wait_for("chat.update", "spec.replicas: 3 -&gt; 5")[0]
    text = plan.text()
    assert "<@U0BOB> asked" in text
    assert "Approvals 0 of 1".lower() in text.lower()
    assert "members of sre" in text
    run = bot.service.store.runs_in_thread("C0OPS", plan.args["ts"])[0]
    assert f"chatops_approve:{run.id}" in text and f"chatops_edit:{run.id}" in text
    eventually(lambda: bot.service.store.get(run.id).message_ref == f"C0OPS:{plan.args['ts']}")
    audit = AuditLog(bot.service.store.path.replace("state.db", "audit.db"))
    assert [e.kind for e in audit.list(run_id=run.id)] == ["proposed"]


@pytest.mark.transports()
def test_help_goes_to_the_asker_only(bot: Bot) -> None:
    assert bot.sender.command("help", user="U0ALICE").status == 200
    calls = bot.slack.wait(lambda cs: [c for c in cs if c.method.startswith("respond/")])
    call = calls[0]
    assert call.args["response_type"] == "ephemeral"
    assert "scale_deployment" in call.text() and "drain_node" in call.text()
    assert not bot.slack.of("chat.postMessage")


@pytest.mark.transports()
def test_not_in_channel_is_explained_and_nothing_is_planned(bot: Bot) -> None:
    bot.slack.not_in_channel.add("C0PRIVATE")
    bot.sender.command("run scale_deployment deployment=checkout-api namespace=prod "
                       "replicas=5", user="U0BOB", channel="C0PRIVATE")
    calls = bot.slack.wait(lambda cs: [c for c in cs if c.method.startswith("respond/")])
    assert "/invite" in calls[0].text()
    assert _runs(bot) == 0
