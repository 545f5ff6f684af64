"""The App Home tab, `/ops runs` and `/ops audit RUN_ID`, over the real Bolt app and the local
Slack Web API: who sees what, and Home clicks going through the same checks as a click on
a run's message (docs/security.md, "The Home tab and the audit command").

The demo policy: alice (dev) may ask for write runbooks but approve nothing; bob, carol and
erin (sre) approve write and critical ones; mallory (interns) may ask, not approve."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.conversation.overview import HomeFacts, RunLine
from chatops.runs import Run, RunState
from chatops.slack import home
from chatops.slack.home import HOME_APPROVE, HOME_DENY, HomeTab, home_view
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually
from tests.slack.helpers import all_runs, propose, scale_calls
from tests.slack.mock_slack import Call
from tests.slack.sender import TEAM, Response
from tests.waiting import wait_until_idle


@pytest.fixture(autouse=True)
def quick_homes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home views re-published 0.3 s apart rather than 3 s (before the bot is built)."""
    monkeypatch.setattr(home, "REPUBLISH_INTERVAL", 0.3)


def _audit(bot: Bot) -> AuditLog:
    return AuditLog(bot.service.store.path.replace("state.db", "audit.db"))


def open_home(bot: Bot, user: str) -> Response:
    """Slack's `app_home_opened` for `user`'s Home tab."""
    return bot.sender.event({"type": "app_home_opened", "user": user, "channel": f"D{user}",
                             "tab": "home", "event_ts": f"{time.time():.6f}"})


def views_of(calls: list[Call], user: str, contains: str = "") -> list[Call]:
    return [c for c in calls if c.method == "views.publish" and c.args.get("user_id") == user
            and contains in c.text()]


def home_of(bot: Bot, user: str, contains: str = "", *, after: int = 0) -> Call:
    """The first Home view published for `user` (after their `after` first ones) that
    contains `contains`."""
    def found(calls: list[Call]) -> list[Call]:
        return [c for c in views_of(calls, user)[after:] if contains in c.text()]

    hits: list[Call] = bot.slack.wait(found, what=f"{user}'s Home with {contains!r}")
    return hits[0]


def opened_home(bot: Bot, user: str) -> Call:
    before = len(views_of(bot.slack.calls, user))
    assert open_home(bot, user).status == 200
    return bot.slack.wait(lambda calls: views_of(calls, user)[before:],
                          what=f"{user}'s Home")[-1]


def button(view: Call, action: str, run_id: str) -> tuple[str, dict[str, Any]]:
    """The block id and the button `action` of `run_id` in a published Home view."""
    for block in view.args["view"]["blocks"]:
        if block.get("type") == "actions":
            for element in block["elements"]:
                if element["action_id"] == f"{action}:{run_id}":
                    return block["block_id"], element
    raise AssertionError(f"no {action} button for {run_id} in the view")


def home_click(bot: Bot, user: str, action_id: str, run_id: str, block_id: str, *,
               action_ts: str | None = None) -> Response:
    """A click on a button of `user`'s Home tab, shaped as Slack sends it (no channel)."""
    return bot.sender.interaction({
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user},
        "api_app_id": "A0APP", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "container": {"type": "view", "view_id": "V0HOME"},
        "view": {"id": "V0HOME", "type": "home", "blocks": []},
        "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                     "value": run_id, "action_ts": action_ts or f"{time.time():.6f}"}],
    })


def responded(bot: Bot, contains: str) -> Call:
    found: list[Call] = bot.slack.wait(
        lambda calls: [c for c in calls if c.method.startswith("respond/")
                       and contains in c.text()], what=f"a private answer with {contains!r}")
    return found[0]


def alices_run(bot: Bot) -> Run:
    return propose(bot, user="U0ALICE")


# ------------------------------------------------------------------ who sees what


def test_home_shows_the_requester_her_runs_and_the_approver_his_approvals(bot: Bot) -> None:
    run = alices_run(bot)
    alice = opened_home(bot, "U0ALICE").text()
    assert "Nothing waits for you" in alice
    assert run.id in alice and "Waiting for approval" in alice  # her recent run, its state
    assert "scale_deployment" in alice and "show_pods" in alice
    assert "drain_node" not in alice  # critical: dev may not ask for it
    assert HOME_APPROVE not in alice  # no buttons on her own request

    bob_view = opened_home(bot, "U0BOB")
    block_id, approve = button(bob_view, HOME_APPROVE, run.id)
    assert block_id == f"home:{run.id}:{run.digest[:12]}"
    assert approve["value"] == run.id
    button(bob_view, HOME_DENY, run.id)
    assert "requested by alice" in bob_view.text() and "drain_node" in bob_view.text()
    assert "You have not asked for anything yet" in bob_view.text()

    mallory = opened_home(bot, "U0MALLORY").text()
    assert run.id not in mallory and "Nothing waits for you" in mallory


def test_home_text_from_users_is_escaped() -> None:
    line = RunLine(id="r-1", runbook="scale_deployment", state="proposed", risk="write",
                   requester="<!channel>", slots={"deployment": "<https://evil|x>"},
                   created_at=0.0, binding="abc", approvals=0, needed=1, channel="C0OPS",
                   thread=None, message_ref=None)
    view = home_view(HomeFacts("U0BOB", (line,), (line,), ()), notice="<!here> & co")
    text = str(view)
    assert "<!channel>" not in text and "<!here>" not in text and "<https" not in text
    assert "&lt;!channel&gt;" in text and "&amp; co" in text


def test_a_pending_lines_dry_run_warnings_are_shown_escaped() -> None:
    # Who approves from the Home tab reads what the plan message warns of, too.
    line = RunLine(id="r-1", runbook="scale_deployment", state="proposed", risk="write",
                   requester="bob", slots={"deployment": "web"}, created_at=0.0,
                   binding="abc", approvals=0, needed=1, channel="C0OPS", thread=None,
                   message_ref=None, warnings=("autoscaler <!here> will scale it back",))
    text = str(home_view(HomeFacts("U0BOB", (line,), (), ())))
    assert "*Warning:* autoscaler &lt;!here&gt; will scale it back" in text


# ------------------------------------------------------------------ clicks on the Home tab


def test_home_click_by_someone_who_may_not_approve_is_refused_privately(
        bot: Bot, cluster: FakeCluster) -> None:
    run = alices_run(bot)
    block_id = f"home:{run.id}:{run.digest[:12]}"
    posted = len(bot.slack.of("chat.postMessage")) + len(bot.slack.of("chat.postEphemeral"))
    home_click(bot, "U0MALLORY", f"{HOME_APPROVE}:{run.id}", run.id, block_id)
    refusal = home_of(bot, "U0MALLORY", "may not approve")
    assert "members of sre" in refusal.text()
    # An approver may not approve his own request from his Home either.
    own = propose(bot, user="U0BOB", replicas=6)
    posted += 1  # its plan message
    home_click(bot, "U0BOB", f"{HOME_APPROVE}:{own.id}", own.id,
               f"home:{own.id}:{own.digest[:12]}")
    home_of(bot, "U0BOB", "You can't approve your own write request")
    wait_until_idle(bot)
    for proposed in (run, own):
        assert bot.service.store.get(proposed.id).state is RunState.PROPOSED
        assert not bot.service.store.get(proposed.id).approvals
    assert not scale_calls(cluster)
    # Said to them on their own Home only: nothing posted in the channel, nothing ephemeral.
    assert len(bot.slack.of("chat.postMessage")) + len(
        bot.slack.of("chat.postEphemeral")) == posted


def test_forged_home_clicks_are_refused_and_audited(bot: Bot, cluster: FakeCluster) -> None:
    run = alices_run(bot)
    # A run id that names no run.
    home_click(bot, "U0BOB", f"{HOME_APPROVE}:r-deadbeef", "r-deadbeef",
               "home:r-deadbeef:0123456789ab")
    assert "no request 'r-deadbeef'" in home_of(bot, "U0BOB", "r-deadbeef").text()
    # A button whose ids disagree: approving one run with another run's button.
    home_click(bot, "U0BOB", f"{HOME_APPROVE}:r-deadbeef", run.id,
               f"home:{run.id}:{run.digest[:12]}")
    home_of(bot, "U0BOB", "does not belong")
    # A view that showed another plan: nothing is approved.
    home_click(bot, "U0BOB", f"{HOME_APPROVE}:{run.id}", run.id, f"home:{run.id}:ffffffffffff")
    home_of(bot, "U0BOB", "changed after your Home showed it")
    # Deny is held to the same checks.
    home_click(bot, "U0BOB", f"{HOME_DENY}:{run.id}", run.id, f"home:{run.id}:ffffffffffff")
    home_of(bot, "U0BOB", "changed after your Home showed it", after=3)
    wait_until_idle(bot)
    assert bot.service.store.get(run.id).state is RunState.PROPOSED
    assert not bot.service.store.get(run.id).approvals and not scale_calls(cluster)
    rejected = [e.data for e in _audit(bot).list(kind="rejected")]
    assert any(d["what"] == "slack home click" and d["status"] == 404
               and "U0BOB" in d["reason"] and "r-deadbeef" in d["reason"] for d in rejected)
    assert any(d["what"] == "slack home click" and d["status"] == 400 for d in rejected)


def test_approving_from_home_runs_once_and_republishes_the_homes(
        bot: Bot, cluster: FakeCluster) -> None:
    run = alices_run(bot)
    opened_home(bot, "U0ALICE")
    block_id, _ = button(opened_home(bot, "U0BOB"), HOME_APPROVE, run.id)
    alice_before = len(views_of(bot.slack.calls, "U0ALICE"))
    # A double click and a Slack retry of one of the clicks, at once.
    stamp = f"{time.time():.6f}"
    clicks = [threading.Thread(target=home_click,
                               args=(bot, "U0BOB", f"{HOME_APPROVE}:{run.id}", run.id, block_id),
                               kwargs={"action_ts": ts}) for ts in (stamp, stamp, None)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    eventually(lambda: bot.service.store.get(run.id).state is RunState.SUCCEEDED)
    wait_until_idle(bot)
    assert len(scale_calls(cluster)) == 1
    assert [e.kind for e in _audit(bot).list(run_id=run.id)].count("result") == 1
    assert len(bot.service.store.get(run.id).approvals) == 1
    # The run's own message and thread say so, as for a click on the message.
    bot.flush()
    bot.slack.wait_for("chat.update", "approved by bob")
    bot.slack.wait_for("chat.postMessage", "Succeeded in")
    # Both Homes are published again: hers shows the outcome, his has nothing left.
    home_of(bot, "U0ALICE", "Succeeded", after=alice_before)
    bob = home_of(bot, "U0BOB", "Nothing waits for you", after=1)
    assert HOME_APPROVE not in bob.text()


def test_homes_follow_a_new_proposal(bot: Bot) -> None:
    opened_home(bot, "U0ALICE")
    opened_home(bot, "U0BOB")
    run = alices_run(bot)
    button(home_of(bot, "U0BOB", run.id, after=1), HOME_APPROVE, run.id)
    home_of(bot, "U0ALICE", run.id, after=1)
    assert bot.runtime.home_audience(run.id) >= {"U0ALICE", "U0BOB", "U0CAROL", "U0ERIN"}
    assert "U0MALLORY" not in bot.runtime.home_audience(run.id)


# ------------------------------------------------------------------ /ops runs, /ops audit


def test_ops_runs_answers_privately(bot: Bot) -> None:
    run = alices_run(bot)
    posted = len(bot.slack.of("chat.postMessage"))
    bot.sender.command("runs", user="U0BOB")
    bob = responded(bot, "Waiting for your decision* (1)")
    assert bob.args["response_type"] == "ephemeral" and run.id in bob.text()
    bot.sender.command("runs", user="U0ALICE")
    alice = responded(bot, "Waiting for your decision* (0)")
    assert alice.args["response_type"] == "ephemeral"
    assert run.id in alice.text() and "Waiting for approval" in alice.text()
    wait_until_idle(bot)
    assert len(bot.slack.of("chat.postMessage")) == posted  # nothing said in the channel


def test_ops_audit_shows_a_run_only_to_who_may_see_it(bot: Bot) -> None:
    run = alices_run(bot)
    posted = len(bot.slack.of("chat.postMessage"))
    bot.sender.command(f"audit {run.id}", user="U0ALICE")
    alice = responded(bot, f"Audit trail of `{run.id}`")
    assert alice.args["response_type"] == "ephemeral"
    assert "*proposed* · U0ALICE · digest=" in alice.text() and "needed=1" in alice.text()
    bot.sender.command(f"audit {run.id}", user="U0ERIN")  # may approve write runs
    eventually(lambda: len([c for c in bot.slack.calls if c.method.startswith("respond/")
                            and f"Audit trail of `{run.id}`" in c.text()]) == 2)

    # mallory may neither approve it nor did she ask: she learns nothing, not even that it
    # exists; her answer is the one for a run id that names no run.
    bot.sender.command(f"audit {run.id}", user="U0MALLORY")
    foreign = responded(bot, f"I have no run '{run.id}'")
    bot.sender.command("audit r-00000000", user="U0MALLORY")
    unknown = responded(bot, "I have no run 'r-00000000'")
    assert foreign.args["response_type"] == unknown.args["response_type"] == "ephemeral"
    assert foreign.text().replace(run.id, "X") == unknown.text().replace("r-00000000", "X")
    assert "scale_deployment" not in foreign.text() and "alice" not in foreign.text()
    wait_until_idle(bot)
    assert len(bot.slack.of("chat.postMessage")) == posted


def test_runtime_overview_reads_are_frozen_and_policy_filtered(bot: Bot) -> None:
    run = alices_run(bot)
    runtime = bot.runtime
    line = runtime.run_line(run.id)
    assert line is not None and line.state == "proposed" and line.binding == run.digest[:12]
    bob = runtime.home("U0BOB")
    assert [r.id for r in bob.pending] == [run.id]
    assert [r.id for r in runtime.home("U0ALICE").recent] == [run.id]
    assert not runtime.home("U0ALICE").pending and not runtime.home("U0MALLORY").pending
    # mallory gets sre rights through the Slack user group S0SRE.
    assert [r.id for r in runtime.home("U0MALLORY", ["S0SRE"]).pending] == [run.id]
    assert runtime.run_audit(run.id, "U0MALLORY") is None
    assert runtime.run_audit(run.id, "U0MALLORY", ["S0SRE"])
    assert runtime.run_audit("r-00000000", "U0BOB") is None
    assert runtime.run_line("r-00000000") is None


class _Published:
    """Stands in for the Web API client, the backend and the user groups of a `HomeTab`."""

    def __init__(self) -> None:
        self.views: list[str] = []
        self.lock = threading.Lock()

    def views_publish(self, *, user_id: str, view: dict[str, Any]) -> None:
        with self.lock:
            self.views.append(user_id)

    def home(self, user: str, groups: Sequence[str] = ()) -> HomeFacts:
        return HomeFacts(user, (), (), ())

    def home_audience(self, run_id: str, viewers: Mapping[str, Sequence[str]] | None = None
                      ) -> frozenset[str]:
        return frozenset({"U0ALICE", "U0BOB"})

    def groups_of(self, user: str) -> tuple[str, ...]:
        return ()


def test_a_busy_run_republishes_each_home_at_most_once_per_interval() -> None:
    fake = _Published()
    tab = HomeTab(fake, fake, fake, interval=0.5)  # type: ignore[arg-type]
    try:
        started = time.monotonic()
        for _ in range(50):
            tab.changed("r-1")
        assert tab.flush(10)
        # 50 changes within well under a second: each Home is published once at once and
        # at most once more, the latest, after the interval.
        assert time.monotonic() - started < 5
        for user in ("U0ALICE", "U0BOB"):
            assert 1 <= fake.views.count(user) <= 2
    finally:
        tab.close()


def test_an_alerts_proposal_reaches_the_homes_of_who_may_take_it(
        start_bot: Any, fake_service: Any, catalogue: Any) -> None:
    """A fix proposed under an alert is posted by the alert engine, not through a run's
    message edit: the approvers' Homes follow it all the same."""
    from tests.slack.test_alerts import post_webhook, rules

    bot = start_bot(fake_service, alert_rules=rules(catalogue, rules=[
        {"name": "restart", "match": {"alertname": "KubePodCrashLooping"},
         "diagnostics": [], "remediation": "restart_deployment"}]))
    opened_home(bot, "U0BOB")
    labels = {"alertname": "KubePodCrashLooping", "namespace": "prod",
              "deployment": "checkout-api"}
    status, _ = post_webhook(bot, {"version": "4", "status": "firing", "alerts": [
        {"status": "firing", "fingerprint": "f1", "labels": labels}]})
    assert status == 200
    assert bot.alerts is not None
    eventually(lambda: bot.alerts.pump() >= 0 and bot.slack.of("chat.postMessage")
               and any("chatops_approve" in c.text() for c in bot.slack.of("chat.postMessage")),
               what="the proposal posted")
    proposal = next(r for r in all_runs(bot) if r.runbook == "restart_deployment")
    home_of(bot, "U0BOB", proposal.id, after=1)


def test_home_approve_asks_for_the_same_confirmation_as_the_message(bot: Bot) -> None:
    """A critical plan's Approve on the Home tab opens the dialog the plan message's Approve
    opens, naming what will happen; a small write plan's doesn't."""
    from tests.slack.test_confirm import _buttons, _plan_blocks

    bot.sender.command("run drain_node node=node-1", user="U0BOB", channel="C0OPS")
    drain = eventually(lambda: (rs := all_runs(bot)) and rs[-1].message_ref and rs[-1],
                       what="the drain's plan message")
    assert isinstance(drain, Run) and drain.runbook == "drain_node"
    small = alices_run(bot)
    view = opened_home(bot, "U0CAROL")
    _, approve = button(view, HOME_APPROVE, drain.id)
    on_message = _buttons(_plan_blocks(bot, drain))["chatops_approve"]["confirm"]
    assert approve["confirm"] == on_message
    assert "node-1" in approve["confirm"]["text"]["text"]
    assert approve["confirm"]["title"]["text"] == "Approve a critical change?"
    assert "confirm" not in button(view, HOME_APPROVE, small.id)[1]
    assert "confirm" not in button(view, HOME_DENY, drain.id)[1]


def test_denying_from_home_ends_the_run_and_updates_its_message_and_the_homes(
        bot: Bot, cluster: FakeCluster) -> None:
    run = alices_run(bot)
    opened_home(bot, "U0ALICE")
    block_id, _ = button(opened_home(bot, "U0BOB"), HOME_DENY, run.id)
    alice_before = len(views_of(bot.slack.calls, "U0ALICE"))
    bob_before = len(views_of(bot.slack.calls, "U0BOB"))
    assert home_click(bot, "U0BOB", f"{HOME_DENY}:{run.id}", run.id, block_id).status == 200
    eventually(lambda: bot.service.store.get(run.id).state is RunState.DENIED,
               what="the run denied")
    # The run's own message says so, without its buttons.
    bot.flush()
    update = bot.slack.wait(lambda calls: [c for c in calls if c.method == "chat.update"
                                           and c.args.get("ts") == run.message_ref.split(":")[1]
                                           and "Denied" in c.text()],
                            what="the plan message marked denied")[-1]
    assert "chatops_approve" not in update.text()
    # Both Homes are published again: his says what he did and has nothing left to
    # decide, hers shows the outcome.
    bob = home_of(bot, "U0BOB", f"You denied {run.id}", after=bob_before)
    assert "Nothing waits for you" in bob.text() and HOME_DENY not in bob.text()
    home_of(bot, "U0ALICE", "Denied", after=alice_before)
    wait_until_idle(bot)
    assert not scale_calls(cluster)
    assert [e.kind for e in _audit(bot).list(run_id=run.id)].count("denied") == 1
