"""Forged, replayed and foreign clicks and modal submissions, through the real Bolt app
(signed HTTP requests to its server) and the local Slack Web API: the Edit button and the
Edit modal are held to the checks of the Approve button, and a click on a run that does not
exist is a rejected payload, audited as one (docs/security.md, "Interactive payloads").

The demo policy: bob (sre) asks for the runs here; only the requester may edit a request.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.runs import Run, RunState
from chatops.slack.blocks import APPROVE, DENY, EDIT
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import all_runs, message_ts, propose
from tests.slack.mock_slack import Call
from tests.slack.sender import TEAM
from tests.waiting import wait_until_idle


def _audit(bot: Bot) -> AuditLog:
    return AuditLog(bot.service.store.path.replace("state.db", "audit.db"))


def rejected(bot: Bot, what: str) -> list[dict[str, Any]]:
    return [dict(e.data) for e in _audit(bot).list(kind="rejected", limit=500)
            if e.data.get("what") == what]


def click(bot: Bot, *, user: str, action_id: str, value: str, block_id: str, channel: str,
          ts: str, thread_ts: str | None = None) -> None:
    """A signed button click on the message `ts`, with every id chosen by the test."""
    message: dict[str, Any] = {"ts": ts, "type": "message", "user": "UBOT"}
    if thread_ts:
        message["thread_ts"] = thread_ts
    response = bot.sender.interaction({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user},
        "api_app_id": "A0APP", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "message": message,
        "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                     "value": value, "action_ts": f"{time.time():.6f}"}]})
    assert response.status == 200


def edit_click(bot: Bot, run: Run, *, user: str = "U0BOB", value: str | None = None,
               block_run: str | None = None, on: Run | None = None) -> None:
    """Edit clicked on `on`'s message (default: the run's own), naming `value` in the
    button's value and action id and `block_run` in its block id."""
    value = value or run.id
    shown = on or run
    channel, ts = str(shown.message_ref).split(":", 1)
    click(bot, user=user, action_id=f"{EDIT}:{value}", value=value,
          block_id=f"run:{block_run or value}:{run.digest[:12]}", channel=channel, ts=ts)


def ephemerals(bot: Bot, user: str, contains: str) -> list[Call]:
    return [c for c in bot.slack.of("chat.postEphemeral")
            if c.args.get("user") == user and contains in c.text()]


def second_run(bot: Bot) -> Run:
    """Another request by bob, in another channel, with values of its own."""
    return propose(bot, channel="C0SECRET", deployment="payments-api", replicas=4)


# ------------------------------------------------------------------ the Edit button


@pytest.mark.parametrize("attack", ["unknown run", "another run's button on this message",
                                    "action id and value disagree", "block of another run",
                                    "a plan the message no longer shows"])
def test_a_forged_edit_click_opens_nothing_and_is_audited(bot: Bot, attack: str) -> None:
    run = propose(bot)
    other = second_run(bot)
    if attack == "unknown run":
        edit_click(bot, run, value="r-deadbeef")
        named = "r-deadbeef"
    elif attack == "another run's button on this message":
        edit_click(bot, other, on=run)  # other's Edit button replayed onto run's message
        named = other.id
    elif attack == "action id and value disagree":
        channel, ts = str(run.message_ref).split(":", 1)
        click(bot, user="U0BOB", action_id=f"{EDIT}:{run.id}", value=other.id,
              block_id=f"run:{run.id}:{run.digest[:12]}", channel=channel, ts=ts)
        named = other.id
    elif attack == "block of another run":
        edit_click(bot, other, block_run=run.id, on=run)
        named = other.id
    else:
        channel, ts = str(run.message_ref).split(":", 1)
        click(bot, user="U0BOB", action_id=f"{EDIT}:{run.id}", value=run.id,
              block_id=f"run:{run.id}:ffffffffffff", channel=channel, ts=ts)
        named = run.id
    note = bot.slack.wait(lambda _: ephemerals(bot, "U0BOB", "Edit"),
                          what="the private refusal")[0]
    assert "payments-api" not in note.text()
    wait_until_idle(bot)
    assert bot.slack.of("views.open") == []  # no modal: no values of any run shown
    found = rejected(bot, "slack edit click")
    assert len(found) == 1 and "U0BOB" in found[0]["reason"] and named in found[0]["reason"]
    for proposed in (run, other):
        assert bot.service.store.get(proposed.id).state is RunState.PROPOSED  # type: ignore[union-attr]


def test_an_edit_click_by_someone_who_may_not_edit_opens_nothing(bot: Bot) -> None:
    run = propose(bot)  # bob's request; carol may approve it, not edit it
    edit_click(bot, run, user="U0CAROL")
    bot.slack.wait(lambda _: ephemerals(bot, "U0CAROL", "Only the person who asked"),
                   what="the private refusal")
    wait_until_idle(bot)
    assert bot.slack.of("views.open") == []
    assert [r for r in rejected(bot, "slack edit click") if "U0CAROL" in r["reason"]]


def test_the_requesters_own_edit_click_opens_the_modal(bot: Bot) -> None:
    run = propose(bot)
    edit_click(bot, run)
    view = bot.slack.wait_for("views.open")[0].args["view"]
    assert json.loads(view["private_metadata"])["run"] == run.id
    assert rejected(bot, "slack edit click") == []


# ------------------------------------------------------------------ the Edit modal


def opened_modal(bot: Bot, run: Run) -> dict[str, Any]:
    before = len(bot.slack.of("views.open"))
    bot.sender.click(EDIT, run.id, user="U0BOB", channel="C0OPS", message_ts=message_ts(run))
    calls = bot.slack.wait(lambda cs: [c for c in cs if c.method == "views.open"][before:],
                           what="the modal")
    view: dict[str, Any] = calls[0].args["view"]
    return view


def with_metadata(view: dict[str, Any], **changes: str) -> dict[str, Any]:
    meta = {**json.loads(view["private_metadata"]), **changes}
    return {**view, "private_metadata": json.dumps(meta)}


@pytest.mark.parametrize("swap", ["run", "thread"])
def test_an_edit_submission_swapped_to_another_run_or_thread_changes_nothing(
        bot: Bot, swap: str) -> None:
    run = propose(bot)
    other = propose(bot, deployment="payments-api", replicas=4)  # same channel, bob's too
    view = opened_modal(bot, run)
    swapped = with_metadata(view, run=other.id, thread=message_ts(other)) if swap == "run" \
        else with_metadata(view, thread=message_ts(other))
    runs_before = len(all_runs(bot))
    bot.sender.submit(swapped, {"replicas": "9"}, user="U0BOB")
    eventually(lambda: rejected(bot, "slack edit submission"), what="the audited refusal")
    wait_until_idle(bot)
    for proposed in (run, other):
        assert bot.service.store.get(proposed.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert len(all_runs(bot)) == runs_before
    [found] = rejected(bot, "slack edit submission")
    assert "U0BOB" in found["reason"]


def test_an_edit_submission_is_handled_once(bot: Bot) -> None:
    run = propose(bot)
    view = opened_modal(bot, run)
    values = {"replicas": "7", "namespace": "prod", "deployment": "checkout-api"}
    runs_before = len(all_runs(bot))
    bot.sender.submit(view, values, user="U0BOB")
    eventually(lambda: len(all_runs(bot)) == runs_before + 1 and all_runs(bot)[-1].message_ref,
               what="the new plan")
    # The same form submitted again (a captured submission, sent with a trigger of its
    # own): it was handled; the second is refused and audited, and plans nothing.
    bot.sender.submit(view, {**values, "replicas": "8"}, user="U0BOB")
    eventually(lambda: rejected(bot, "slack edit submission"), what="the audited refusal")
    wait_until_idle(bot)
    assert len(all_runs(bot)) == runs_before + 1
    assert bot.service.store.get(run.id).state is RunState.CANCELLED  # type: ignore[union-attr]
    assert "replayed" in rejected(bot, "slack edit submission")[0]["reason"]


# ------------------------------------------------------------------ Approve and Deny


@pytest.mark.parametrize("action", [APPROVE, DENY])
def test_a_click_on_a_made_up_run_is_a_rejected_payload(bot: Bot, action: str) -> None:
    run = propose(bot)
    channel, ts = str(run.message_ref).split(":", 1)
    click(bot, user="U0CAROL", action_id=f"{action}:r-deadbeef", value="r-deadbeef",
          block_id="run:r-deadbeef:0123456789ab", channel=channel, ts=ts)
    bot.slack.wait(lambda _: ephemerals(bot, "U0CAROL", "r-deadbeef"),
                   what="the private refusal")
    wait_until_idle(bot)
    [found] = rejected(bot, "slack click")
    assert found["status"] == 404 and "U0CAROL" in found["reason"]
    assert "r-deadbeef" in found["reason"]
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]


def test_made_up_and_foreign_run_ids_get_the_same_words(bot: Bot) -> None:
    """The refusal of a click naming a run id must not tell whether that run exists (in a
    channel the clicker may not read): only the audit log tells the two apart."""
    run = propose(bot)
    other = second_run(bot)  # in C0SECRET
    channel, ts = str(run.message_ref).split(":", 1)
    for run_id in (other.id, "r-deadbeef"):
        click(bot, user="U0CAROL", action_id=f"{APPROVE}:{run_id}", value=run_id,
              block_id=f"run:{run_id}:0123456789ab", channel=channel, ts=ts)
    made_up = bot.slack.wait(lambda _: ephemerals(bot, "U0CAROL", "r-deadbeef"),
                             what="the made-up id's refusal")[0].text()
    existing = bot.slack.wait(lambda _: ephemerals(bot, "U0CAROL", other.id),
                              what="the foreign run's refusal")[0].text()
    assert made_up.replace("r-deadbeef", "ID") == existing.replace(other.id, "ID")
    wait_until_idle(bot)
    assert bot.service.store.get(other.id).state is RunState.PROPOSED  # type: ignore[union-attr]


@pytest.mark.parametrize("message", ["another message's ts", "no thread named"])
def test_an_edit_form_is_bound_to_the_runs_own_place(bot: Bot, message: str) -> None:
    """The form's thread comes from the stored run, never from the payload: a click that
    names another message, or leaves the thread out, can't move the re-plan elsewhere."""
    run = propose(bot)
    channel, ts = str(run.message_ref).split(":", 1)
    named: dict[str, Any] = {"type": "message", "user": "UBOT"}
    named["ts"] = "1111111111.000100" if message == "another message's ts" else ts
    bot.sender.interaction({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U0BOB"},
        "api_app_id": "A0APP", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "message": named,
        "actions": [{"type": "button", "action_id": f"{EDIT}:{run.id}",
                     "block_id": f"run:{run.id}:{run.digest[:12]}", "value": run.id,
                     "action_ts": f"{time.time():.6f}"}]})
    wait_until_idle(bot)
    opened = bot.slack.of("views.open")
    if message == "another message's ts":
        assert opened == []  # the click names two messages: made up
        assert rejected(bot, "slack edit click")
        return
    [call] = opened
    meta = json.loads(call.args["view"]["private_metadata"])
    assert (meta["channel"], meta["thread"]) == (run.channel, run.thread or "")


@pytest.mark.parametrize("action", [APPROVE, EDIT])
def test_a_run_button_must_carry_the_whole_binding_its_message_shows(
        bot: Bot, action: str) -> None:
    run = propose(bot)
    channel, ts = str(run.message_ref).split(":", 1)
    block_id = f"run:{run.id}:{run.digest[0]}"  # one digit matches the plan, and any other
    click(bot, user="U0CAROL" if action == APPROVE else "U0BOB",
          action_id=f"{action}:{run.id}", value=run.id, block_id=block_id, channel=channel,
          ts=ts)
    wait_until_idle(bot)
    assert bot.slack.of("views.open") == []
    assert rejected(bot, "slack click" if action == APPROVE else "slack edit click")
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]
