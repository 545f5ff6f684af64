"""Approval bypasses through the real Bolt app (HTTP, signed requests, the local Slack API):
alert remediations must meet the same two-person rule and request policy as a person's
request, and a question the bot asked belongs to the person it asked."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chatops.alerts.rules import parse_rules
from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.model import Identity
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Run, RunState
from chatops.slack.blocks import APPROVE, EDIT_VIEW
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import ALERT_TOKEN, Bot, eventually
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

ALERTS = "C0ALERTS"
PREVIEW = Identity("chatops:alerts-preview", ("chatops:previewers",))


def alert_bot(start_bot: Callable[..., Bot], service: ConversationService,
              catalogue: Catalogue) -> Bot:
    rules = parse_rules({"channels": [ALERTS], "rules": [
        {"name": "node", "match": {"alertname": "KubeNodeNotReady"},
         "remediation": "cordon_node"}]}, catalogue)
    return start_bot(service, alert_rules=rules)


def alert_fix(bot: Bot, runbook: str, slots: dict[str, str]) -> Run:
    """What the alert engine does for a rule's remediation: propose it, post the plan."""
    thread = next_ts()
    replies = bot.service.propose_for_alert(runbook, slots, identity=PREVIEW, channel=ALERTS,
                                            thread=thread, actor="alertmanager")
    run_id = next(r.run.id for r in replies if r.run is not None)
    assert bot.alerts is not None
    bot.alerts.post_plan(ALERTS, thread, run_id)
    run = bot.service.store.get(run_id)
    assert run is not None and run.state is RunState.PROPOSED and run.message_ref
    return run


def click(bot: Bot, run: Run, user: str) -> None:
    assert run.message_ref
    response = bot.sender.click(APPROVE, run.id, user=user, channel=ALERTS,
                                message_ts=run.message_ref.split(":", 1)[1])
    assert response.status == 200


def real_calls(cluster: FakeCluster, verb: str) -> list[tuple[str, bool, str | None]]:
    return [c for c in cluster.calls if c[0] == verb and not c[1]]


def settle(bot: Bot, run: Run, count: int) -> None:
    """Wait until `count` decisions on `run` were handled (approvals, refusals)."""
    eventually(lambda: len(AuditLog(bot.service.store.path.replace("state.db", "audit.db"))
                           .list(run_id=run.id, limit=100)) >= count, what="the decisions")


def test_lone_approver_of_an_alert_fix_becomes_its_requester_and_needs_another(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        cluster: FakeCluster, catalogue: Catalogue) -> None:
    bot = alert_bot(start_bot, fake_service, catalogue)
    run = alert_fix(bot, "cordon_node", {"node": "node-1"})
    click(bot, run, "U0BOB")
    eventually(lambda: bot.service.store.get(run.id).requester == "bob",  # type: ignore[union-attr]
               what="bob to become the requester")
    click(bot, run, "U0BOB")  # approving his own write request: refused (no self-approval)
    bot.slack.wait_for("chat.postEphemeral", "can't approve your own")
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert real_calls(cluster, "cordon") == []

    click(bot, run, "U0CAROL")
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED,  # type: ignore[union-attr]
               what="the run")
    assert real_calls(cluster, "cordon") == [("cordon", False, "bob")]  # as the requester
    kinds = [e.kind for e in AuditLog(bot.service.store.path.replace("state.db", "audit.db"))
             .list(run_id=run.id, limit=100)]
    assert "adopted" in kinds and kinds.count("approval") == 1


def test_critical_alert_fix_needs_two_approvers_besides_the_first(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        cluster: FakeCluster, catalogue: Catalogue) -> None:
    bot = alert_bot(start_bot, fake_service, catalogue)
    run = alert_fix(bot, "drain_node", {"node": "node-1"})
    click(bot, run, "U0BOB")
    # Clicks are handled in parallel: wait until bob took it on before carol approves.
    eventually(lambda: bot.service.store.get(run.id).requester == "bob",  # type: ignore[union-attr]
               what="bob to become the requester")
    click(bot, run, "U0CAROL")
    settle(bot, run, 3)  # proposed, adopted, carol's approval
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert real_calls(cluster, "drain") == []
    click(bot, run, "U0ERIN")
    eventually(lambda: bot.service.store.get(run.id).state.terminal,  # type: ignore[union-attr]
               what="the run")
    assert real_calls(cluster, "drain") == [("drain", False, "bob")]


@pytest.mark.parametrize(("user", "runbook"), [("U0NOBODY", "cordon_node"),
                                               ("U0MALLORY", "drain_node")])
def test_people_who_may_not_request_it_cannot_take_on_an_alert_fix(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        cluster: FakeCluster, catalogue: Catalogue, user: str, runbook: str) -> None:
    bot = alert_bot(start_bot, fake_service, catalogue)
    run = alert_fix(bot, runbook, {"node": "node-1"})
    click(bot, run, user)
    bot.slack.wait_for("chat.postEphemeral", "may not request")
    stored = bot.service.store.get(run.id)
    assert stored is not None and stored.state is RunState.PROPOSED
    assert stored.act_as_approver and stored.approvers() == ()
    assert real_calls(cluster, runbook.split("_", maxsplit=1)[0]) == []


def test_alert_fix_with_no_approvals_needed_runs_as_the_first_approver(
        tmp_path: Path, start_bot: Callable[..., Bot], cluster: FakeCluster,
        catalogue: Catalogue) -> None:
    # `approvals: {write: 0}` used to raise IndexError and leave the run `running`.
    policy = parse_policy({**DEMO_POLICY, "approvals": {"read": 0, "write": 0, "critical": 2}})
    service = ConversationService(catalogue=catalogue, executor=cluster, policy=policy,
                                  stores=open_state(tmp_path / "state.db"),
                                  audit=AuditLog(tmp_path / "audit.db"))
    bot = alert_bot(start_bot, service, catalogue)
    run = alert_fix(bot, "cordon_node", {"node": "node-1"})
    click(bot, run, "U0ALICE")  # a developer may request writes; nobody else must approve
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED,  # type: ignore[union-attr]
               what="the run")
    assert real_calls(cluster, "cordon") == [("cordon", False, "alice")]


def post_alert(bot: Bot, query: str, node: str = "node-1") -> tuple[int, dict[str, Any]]:
    url = bot.server.url.replace("/slack/events", "/alertmanager") + query
    payload = {"version": "4", "status": "firing", "groupKey": "g", "alerts": [
        {"status": "firing", "labels": {"alertname": "KubeNodeNotReady", "node": node},
         "fingerprint": "f1"}]}
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {ALERT_TOKEN}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("channel", ["D0BOBDM", "C0OTHER", "C0ALERTS%00", "c0alerts", "C0ALERTS%20"])
def test_poster_cannot_pick_a_channel_the_rules_do_not_name(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        catalogue: Catalogue, channel: str) -> None:
    bot = alert_bot(start_bot, fake_service, catalogue)
    status, answer = post_alert(bot, f"?channel={channel}")
    assert status in (400, 403), answer
    assert AuditLog(fake_service.store.path.replace("state.db", "audit.db")).list(
        kind="alert") == []
    assert bot.slack.of("chat.postMessage") == []
    # The rules' own channel is fine.
    assert post_alert(bot, f"?channel={ALERTS}")[0] == 200


@pytest.mark.parametrize("node", ["node", "node-", "node-11", "NODE-1", "ode-1"])
def test_an_alert_naming_no_object_exactly_proposes_nothing(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        cluster: FakeCluster, catalogue: Catalogue, node: str) -> None:
    """Whoever holds the webhook token (or a mislabelled rule) names a node that does not
    exist: a similar name (node-1) is never taken instead, since an automatic fix runs
    unapproved and an approver of a proposal trusts the alert's own object."""
    bot = alert_bot(start_bot, fake_service, catalogue)
    status, _ = post_alert(bot, f"?channel={ALERTS}", node=node)
    assert status == 200
    # Each is refused with why (gone, or not a node name at all), nothing proposed.
    bot.slack.wait_for("chat.postMessage", "Could not propose cordon_node")
    assert fake_service.store.runs_in_state(RunState.PROPOSED) == []
    assert [c for c in cluster.calls if c[0] == "cordon"] == []


def test_alert_fix_is_not_proposed_in_a_channel_the_policy_does_not_allow(
        tmp_path: Path, cluster: FakeCluster, catalogue: Catalogue) -> None:
    policy = parse_policy({**DEMO_POLICY, "channels": ["C0OPS"]})
    service = ConversationService(catalogue=catalogue, executor=cluster, policy=policy,
                                  stores=open_state(tmp_path / "state.db"),
                                  audit=AuditLog(tmp_path / "audit.db"))
    replies = service.propose_for_alert("cordon_node", {"node": "node-1"}, identity=PREVIEW,
                                        channel=ALERTS, thread="1.1", actor="alertmanager")
    assert [r.kind for r in replies] == ["refusal"]
    assert service.store.runs_in_thread(ALERTS, "1.1") == []


# ---------------------------------------------------------------- questions

def test_someone_elses_answer_to_a_question_is_not_taken(bot: Bot) -> None:
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api replicas=5",
                       user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "In which namespace?")
    bot.sender.message("prod", user="U0BOB", channel="C0OPS", thread_ts=root)
    notice = bot.slack.wait_for("chat.postEphemeral", "I asked alice")[0]
    assert notice.args["user"] == "U0BOB"
    bot.sender.message("cancel", user="U0BOB", channel="C0OPS", thread_ts=root)
    bot.slack.wait_for("chat.postMessage", "nothing to cancel")
    assert bot.service.store.runs_in_thread("C0OPS", root) == []

    bot.sender.message("prod", user="U0ALICE", channel="C0OPS", thread_ts=root)
    run = eventually(lambda: bot.service.store.runs_in_thread("C0OPS", root),
                     what="alice's plan")[0]  # type: ignore[index]
    assert run.requester == "alice" and run.identity.user == "alice"
    assert run.state is RunState.PROPOSED


def test_each_person_keeps_their_own_question(bot: Bot) -> None:
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api replicas=5",
                       user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "In which namespace?")
    bot.sender.message("run scale_deployment deployment=payments-api replicas=4",
                       user="U0BOB", channel="C0OPS", thread_ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "In which namespace?", count=2)
    bot.sender.message("prod", user="U0BOB", channel="C0OPS", thread_ts=root)
    bot.sender.message("prod", user="U0ALICE", channel="C0OPS", thread_ts=root)
    runs = eventually(lambda: len(rs := bot.service.store.runs_in_thread("C0OPS", root)) == 2
                      and rs, what="both plans")
    owners = {r.requester: r.raw_slots["deployment"] for r in runs}  # type: ignore[union-attr]
    assert owners == {"alice": "checkout-api", "bob": "payments-api"}


@pytest.mark.parametrize("channel", ["C0RANDOM", "D0BOBDM"])
def test_alert_bot_messages_count_only_in_alert_channels(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        catalogue: Catalogue, channel: str) -> None:
    # No `channels` in the rules: an allow-listed bot's post is an alert only in the
    # default alert channel (none here), never wherever it happens to be posted.
    rules = parse_rules({"allowed_bots": ["B0ALERTS"], "rules": [
        {"name": "node", "match": {"alertname": "KubeNodeNotReady"},
         "remediation": "cordon_node"}]}, catalogue)
    bot = start_bot(fake_service, alert_rules=rules)
    bot.sender.event({"type": "message", "subtype": "bot_message", "bot_id": "B0ALERTS",
                      "text": "[FIRING:1] KubeNodeNotReady node=node-1", "channel": channel,
                      "ts": next_ts(), "channel_type": "channel"})
    audit = AuditLog(fake_service.store.path.replace("state.db", "audit.db"))
    wait_until_idle(bot)  # the point is that nothing happens: whatever was queued has run
    assert audit.list(kind="alert") == []
    assert fake_service.store.runs_in_thread(channel, None) == []


# ---------------------------------------------------------------- deciding on the right plan

def test_a_bare_approve_never_guesses_between_several_waiting_requests(
        bot: Bot, cluster: FakeCluster) -> None:
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api namespace=staging "
                       "replicas=2", user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    first = eventually(lambda: bot.service.store.runs_in_thread("C0OPS", root),
                       what="the first plan")[0]  # type: ignore[index]
    bot.sender.message("run scale_deployment deployment=checkout-api namespace=prod "
                       "replicas=0", user="U0ALICE", channel="C0OPS", thread_ts=root,
                       mention=True)
    eventually(lambda: len(bot.service.store.runs_in_thread("C0OPS", root)) == 2,
               what="the second plan")
    bot.sender.message("approve", user="U0BOB", channel="C0OPS", thread_ts=root)
    bot.slack.wait_for("chat.postMessage", "Several requests wait")
    assert all(r.state is RunState.PROPOSED
               for r in bot.service.store.runs_in_thread("C0OPS", root))

    bot.sender.message(f"approve {first.id}", user="U0BOB", channel="C0OPS", thread_ts=root)
    eventually(lambda: bot.service.store.get(first.id).state is RunState.SUCCEEDED,  # type: ignore[union-attr]
               what="the approved run")
    assert cluster.deployments[("prod", "checkout-api")] == 3  # the other one did not run


@pytest.mark.parametrize(("words", "state"), [
    ("lgtm, approve {}", RunState.SUCCEEDED),
    ("looks good to me - approve `{}` please", RunState.SUCCEEDED),
    ("ok, deny {}", RunState.DENIED),
    ("don't approve {}", RunState.PROPOSED),
    ("approve {} and r-00000000", RunState.PROPOSED),
    # A report of a decision makes none (an attacker review).
    ("cool, approved {}", RunState.PROPOSED),
    ("thanks, denied {}", RunState.PROPOSED),
])
def test_a_decision_by_id_with_words_of_assent_around_it(
        bot: Bot, words: str, state: RunState) -> None:
    # A user trial: "lgtm, approve r-..." was read by the model, as a pod's name.
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api namespace=staging "
                       "replicas=2", user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    run = eventually(lambda: bot.service.store.runs_in_thread("C0OPS", root),
                     what="the plan")[0]  # type: ignore[index]
    bot.sender.message(words.format(run.id), user="U0BOB", channel="C0OPS", thread_ts=root)
    if state is RunState.PROPOSED:
        # Not a decision: a message like any other (this bot has no model).
        bot.slack.wait_for("chat.postMessage", "I only understand explicit commands")
    eventually(lambda: bot.service.store.get(run.id).state is state,  # type: ignore[union-attr]
               what=f"the run {state.value}")


def test_approve_by_id_only_in_the_requests_own_thread(bot: Bot) -> None:
    root = next_ts()
    bot.sender.message("run scale_deployment deployment=checkout-api namespace=staging "
                       "replicas=2", user="U0ALICE", channel="C0OPS", ts=root, mention=True)
    run = eventually(lambda: bot.service.store.runs_in_thread("C0OPS", root),
                     what="the plan")[0]  # type: ignore[index]
    elsewhere = next_ts()
    bot.sender.message(f"approve {run.id}", user="U0BOB", channel="D0BOB", ts=elsewhere,
                       channel_type="im")
    bot.slack.wait_for("chat.postMessage", "not a request of this thread")
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]


def _click_shown(bot: Bot, run: Run, user: str, binding: str) -> None:
    assert run.message_ref
    channel, ts = run.message_ref.split(":", 1)
    response = bot.sender.interaction({
        "type": "block_actions", "team": {"id": "T0TEAM"}, "user": {"id": user},
        "api_app_id": "A0APP", "trigger_id": f"trig-{next_ts()}", "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "message": {"ts": ts, "type": "message"},
        "actions": [{"type": "button", "action_id": f"{APPROVE}:{run.id}", "value": run.id,
                     "block_id": f"run:{run.id}:{binding}", "action_ts": next_ts()}]})
    assert response.status == 200


def test_a_click_on_a_plan_that_changed_since_it_was_shown_approves_nothing(
        bot: Bot, cluster: FakeCluster) -> None:
    from tests.slack.helpers import propose

    run = propose(bot, user="U0ALICE", namespace="dev", replicas=3)
    shown = run.digest[:12]
    block = next(b for c in bot.slack.of("chat.update") for b in c.args.get("blocks") or []
                 if isinstance(b, dict) and b.get("type") == "actions")
    assert block["block_id"] == f"run:{run.id}:{shown}"  # the message carries its binding
    cluster.deployments[("dev", "checkout-api")] = 2  # someone scaled meanwhile
    _click_shown(bot, run, "U0BOB", shown)
    eventually(lambda: bot.service.store.get(run.id).digest != run.digest,  # type: ignore[union-attr]
               what="the replan")
    _click_shown(bot, run, "U0BOB", shown)  # the same, stale message clicked again
    bot.slack.wait_for("chat.postEphemeral", "changed after that message was shown")
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert cluster.deployments[("dev", "checkout-api")] == 2

    fresh = bot.service.store.get(run.id)
    assert fresh is not None
    _click_shown(bot, fresh, "U0BOB", fresh.digest[:12])
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED,  # type: ignore[union-attr]
               what="the run")
    assert cluster.deployments[("dev", "checkout-api")] == 3


def test_an_edit_submission_that_names_another_place_than_its_run_changes_nothing(
        bot: Bot) -> None:
    """The Edit modal carries its run's channel and thread; a submission whose metadata names
    another channel (or a run that does not exist) would re-plan the request where its
    approvers are not: refused, audited, and the run stays as it was."""
    from tests.slack.helpers import message_ts, propose
    from tests.slack.sender import TEAM

    run = propose(bot)
    elsewhere = {"run": run.id, "channel": "C0ELSEWHERE", "thread": message_ts(run)}
    ghost = {"run": "r-00000000", "channel": "C0OPS", "thread": message_ts(run)}
    for meta in (elsewhere, ghost):
        view = {"callback_id": EDIT_VIEW, "type": "modal", "blocks": [],
                "private_metadata": json.dumps(meta)}
        assert bot.sender.interaction({
            "type": "view_submission", "team": {"id": TEAM}, "user": {"id": "U0BOB"},
            "api_app_id": "A0APP", "trigger_id": f"trig-{next_ts()}",
            "view": {**view, "id": "V0VIEW", "state": {"values": {
                "slot:replicas": {"value": {"type": "plain_text_input", "value": "9"}}}}},
        }).status == 200
    audit = AuditLog(bot.service.store.path.replace("state.db", "audit.db"))
    eventually(lambda: len([e for e in audit.list(kind="rejected", limit=100)
                            if "edit" in str(e.data.get("what"))]) == 2,
               what="both submissions refused and audited")
    wait_until_idle(bot)
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert not [c for c in bot.slack.of("chat.postMessage")
                if c.args.get("channel") == "C0ELSEWHERE"]
