"""The bot over Socket Mode, end to end: real `chatops serve` processes (`fake_serve`, on an
in-memory cluster) with SLACK_APP_TOKEN and no signing secret, the mock Web API's
`apps.connections.open`, and a local Socket Mode server (`socket_server.py`) that delivers
envelopes, waits for their acknowledgements, sends `disconnect` messages and drops
connections.

Every interaction the HTTP tests cover comes in through the socket here: slash commands,
mentions, DMs, thread follow-ups, button clicks (approve, refused, edit) and the modal's
submission. Then what is particular to a socket: readiness follows the connection;
`refresh_requested`/`warning` disconnects and a reset TCP connection in the middle of a burst
lose nothing and run nothing twice (an envelope that was not acknowledged is delivered
again, as Slack does); and several processes, each holding a connection, share the
envelopes and still run each approved plan once.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.runs import Run, RunState, RunStore
from chatops.slack.blocks import APPROVE, EDIT
from tests.slack.conftest import eventually
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.processes import FAKE_SERVE, SOCKET_MODE_URL, BotProcess, bot_env
from tests.slack.sender import next_ts
from tests.slack.socket_server import Delivery, SocketSender, SocketServer
from tests.waiting import exited_cleanly

APP_TOKEN = "xapp-1-A0APP-1-socket-mode-tests"
SCALE = "run scale_deployment deployment=checkout-api namespace=prod replicas=5"
STATUS = "run deployment_status deployment=checkout-api namespace=prod"
PROXIES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def socket_server(slack_api: MockSlack) -> Iterator[SocketServer]:
    """The Socket Mode server; the mock Web API's apps.connections.open hands out its URLs."""
    server = SocketServer().start()
    slack_api.connections_url = server.url
    yield server
    server.stop()


@pytest.fixture
def sender(socket_server: SocketServer, slack_api: MockSlack) -> SocketSender:
    return SocketSender(socket_server, slack_api.base)


def socket_env(tmp_path: Path, slack: MockSlack, **extra: str) -> dict[str, str]:
    """A Socket Mode bot's environment: the app token and no signing secret (none is needed
    on the socket), no proxy (slack_sdk ignores NO_PROXY and would send the WebSocket
    handshake for 127.0.0.1 to a proxy)."""
    env = bot_env(tmp_path, slack, SLACK_APP_TOKEN=APP_TOKEN, **extra)
    env.pop("SLACK_SIGNING_SECRET")
    for name in PROXIES:
        env.pop(name, None)
    return env


@contextmanager
def socket_bots(tmp_path: Path, slack: MockSlack, server: SocketServer, count: int = 1,
                **extra: str) -> Iterator[list[BotProcess]]:
    """`count` bot processes in Socket Mode sharing one database, each with its connection
    open; stopped afterwards (and checked to have exited cleanly)."""
    env = socket_env(tmp_path, slack, **extra)
    bots = [BotProcess(FAKE_SERVE, env, ready=SOCKET_MODE_URL) for _ in range(count)]
    try:
        for bot in bots:
            bot.wait_ready()
        server.wait_links(count)
        yield bots
    finally:
        for bot in bots:
            bot.stop()
    exited_cleanly(*bots)


def probe(base: str, path: str) -> int:
    """The status of GET `path` on a bot's HTTP port."""
    try:
        with urllib.request.urlopen(base + path, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "state.db")


def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.db")


def runs(tmp_path: Path) -> list[Run]:
    db = store(tmp_path)
    rows = db._db().execute("SELECT id FROM runs ORDER BY rowid").fetchall()
    return [r for row in rows if (r := db.get(row["id"])) is not None]


def planned(tmp_path: Path, before: int = 0) -> Run:
    """Wait for a run past the first `before` whose plan message is posted."""
    def found() -> Run | None:
        all_runs = runs(tmp_path)
        return next((r for r in all_runs[before:] if r.message_ref), None)
    run = eventually(found, what="the plan message")
    assert isinstance(run, Run)
    return run


def ts_of(run: Run) -> str:
    assert run.message_ref
    return run.message_ref.split(":", 1)[1]


def state_of(tmp_path: Path, run_id: str) -> RunState:
    run = store(tmp_path).get(run_id)
    assert run is not None
    return run.state


def kinds(tmp_path: Path, run_id: str | None = None) -> list[str]:
    return [e.kind for e in audit(tmp_path).list(run_id=run_id, limit=10_000)]


def posted(slack: MockSlack, channel: str, contains: str, count: int = 1) -> list[Call]:
    """Wait for `count` chat.postMessage calls in `channel` whose text has `contains`."""
    def found(calls: list[Call]) -> list[Call] | None:
        hits = [c for c in calls if c.method == "chat.postMessage"
                and c.args.get("channel") == channel and contains in c.text()]
        return hits if len(hits) >= count else None
    hits: list[Call] = slack.wait(found, what=f"a post in {channel} with {contains!r}")
    return hits


def latencies(deliveries: list[Delivery]) -> list[float]:
    acked = [d.acked for d in deliveries]
    assert all(acked), "an envelope was never acknowledged"
    return [e.latency for e in acked if e is not None and e.latency is not None]


# ---------------------------------------------------------------------- the connection


def test_connects_with_the_app_token_and_is_ready_only_while_connected(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    # The mock refuses anything but `Authorization: Bearer xapp-...`.
    request = urllib.request.Request(slack_api.url + "apps.connections.open", data=b"",
                                     headers={"Authorization": "Bearer xoxb-bot"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert b"not_allowed_token_type" in response.read()
    socket_server.accepting = False  # Slack is unavailable: apps.connections.open fails
    bot = BotProcess(FAKE_SERVE, socket_env(tmp_path, slack_api), ready=SOCKET_MODE_URL)
    try:
        base = bot.wait_ready()
        slack_api.wait(lambda cs: len([c for c in cs if c.method == "apps.connections.open"])
                       >= 2, what="apps.connections.open")
        assert probe(base, "/readyz") == 503  # not connected: not ready
        assert probe(base, "/healthz") == 200  # but alive
        # In Socket Mode the port takes no Slack requests at all.
        assert probe(base, "/slack/events") == 404

        socket_server.accepting = True  # the bot's next attempt connects
        link = socket_server.wait_links(1)[0]
        assert link.received == [] and not socket_server.refused
        eventually(lambda: probe(base, "/readyz") == 200, what="ready once connected")
        # The connection carries requests: an envelope is acknowledged.
        delivery = sender.command("help", user="U0ALICE", channel="C0OPS")
        assert delivery.acked is not None and delivery.acked.link is link

        # The connection breaks while Slack is down: not ready until it is back.
        socket_server.accepting = False
        socket_server.drop(link)
        eventually(lambda: probe(base, "/readyz") == 503, timeout=30,
                   what="not ready once the connection is gone")
        socket_server.accepting = True
        socket_server.wait_links(1, timeout=60)
        eventually(lambda: probe(base, "/readyz") == 200, what="ready again")
    finally:
        bot.stop()
    exited_cleanly(bot)


# ---------------------------------------------------------------------- every interaction


def test_slash_command_is_acked_and_planned_and_help_is_private(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    with socket_bots(tmp_path, slack_api, socket_server):
        delivery = sender.command(SCALE, user="U0BOB", channel="C0OPS")
        ack = delivery.acked
        assert ack is not None and ack.latency is not None
        assert ack.latency < 3.0  # Slack's limit for an acknowledgement
        assert ack.ack_payload is None  # an empty ack: the answer comes as messages
        placeholder = slack_api.wait_for("chat.postMessage", "Working on it")[0]
        assert placeholder.args["channel"] == "C0OPS" and "thread_ts" not in placeholder.args
        plan = slack_api.wait_for("chat.update", "spec.replicas: 3 -&gt; 5")[0]
        assert "<@U0BOB> asked" in plan.text() and "members of sre" in plan.text()
        run = planned(tmp_path)
        assert run.message_ref == f"C0OPS:{plan.args['ts']}"
        assert f"chatops_approve:{run.id}" in plan.text()

        sender.command("help", user="U0ALICE", channel="C0OPS")
        answer = slack_api.wait(lambda cs: [c for c in cs if c.method.startswith("respond/")])
        assert answer[0].args["response_type"] == "ephemeral"
        assert "scale_deployment" in answer[0].text()
    assert kinds(tmp_path, run.id) == ["proposed"]
    assert len(slack_api.of("chat.postMessage")) == 1  # help posted nothing in the channel


def test_mention_asks_in_thread_and_dm_follow_up(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    with socket_bots(tmp_path, slack_api, socket_server):
        root = next_ts()
        sender.message("run scale_deployment deployment=checkout-api replicas=5",
                       user="U0BOB", channel="C0OPS", ts=root, mention=True)
        question = slack_api.wait_for("chat.postMessage", "In which namespace?")[0]
        assert question.args["thread_ts"] == root
        sender.message("prod", user="U0BOB", channel="C0OPS", thread_ts=root)
        plan = slack_api.wait_for("chat.postMessage", "spec.replicas: 3 -&gt; 5")[0]
        assert plan.args["thread_ts"] == root
        assert planned(tmp_path).thread == root

        dm = next_ts()
        sender.message(STATUS, user="U0ALICE", channel="D0ALICE", ts=dm, channel_type="im")
        answer = posted(slack_api, "D0ALICE", "checkout-api in prod")[0]
        assert answer.args["thread_ts"] == dm
        sender.message("and in staging?", user="U0ALICE", channel="D0ALICE", thread_ts=dm,
                       channel_type="im")
        follow_up = posted(slack_api, "D0ALICE", "checkout-api in staging")[0]
        assert follow_up.args["thread_ts"] == dm

        # Channel chatter outside the bot's threads is acknowledged and ignored.
        chatter = sender.message(STATUS, user="U0BOB", channel="C0OPS")
        assert chatter.acked is not None
    assert kinds(tmp_path).count("message") == 4  # the chatter was never a message to the bot


def test_clicks_refused_then_approved_run_the_plan(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    with socket_bots(tmp_path, slack_api, socket_server):
        sender.command(SCALE, user="U0BOB", channel="C0OPS")
        run = planned(tmp_path)
        ts = ts_of(run)
        sender.click(APPROVE, run.id, user="U0MALLORY", channel="C0OPS", message_ts=ts)
        refusal = slack_api.wait_for("chat.postEphemeral")[0]
        assert refusal.args["user"] == "U0MALLORY" and "members of sre" in refusal.text()
        sender.click(APPROVE, run.id, user="U0BOB", channel="C0OPS", message_ts=ts)
        own = slack_api.wait_for("chat.postEphemeral", count=2)[-1]
        assert own.args["user"] == "U0BOB" and "own" in own.text()
        assert state_of(tmp_path, run.id) is RunState.PROPOSED

        sender.click(APPROVE, run.id, user="U0CAROL", channel="C0OPS", message_ts=ts)
        eventually(lambda: state_of(tmp_path, run.id) is RunState.SUCCEEDED)
        result = slack_api.wait_for("chat.postMessage", "Succeeded in")[0]
        assert result.args["thread_ts"] == ts
        slack_api.wait(lambda cs: [c for c in cs if c.method == "chat.update"
                                   and c.args.get("ts") == ts and "approved by carol"
                                   in c.text()], what="the plan message marked approved")
    events = kinds(tmp_path, run.id)
    assert events.count("approval") == 1 and events.count("result") == 1


def test_edit_opens_the_modal_and_its_submission_replans(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    with socket_bots(tmp_path, slack_api, socket_server):
        sender.command(SCALE, user="U0BOB", channel="C0OPS")
        run = planned(tmp_path)
        ts = ts_of(run)
        sender.click(EDIT, run.id, user="U0BOB", channel="C0OPS", message_ts=ts)
        opened = slack_api.wait_for("views.open")[0]
        view = opened.args["view"]
        values = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]
                  if b["type"] == "input"}
        assert values["slot:replicas"] == "5" and values["slot:namespace"] == "prod"
        submitted = sender.submit(view, {"replicas": "7", "namespace": "prod",
                                         "deployment": "checkout-api"}, user="U0BOB")
        ack = submitted.acked
        # The modal closes: an empty ack (no response_action errors).
        assert ack is not None and not (ack.ack_payload or {}).get("response_action")
        new_plan = slack_api.wait_for("chat.postMessage", "spec.replicas: 3 -&gt; 7")[0]
        assert new_plan.args["thread_ts"] == ts
        eventually(lambda: state_of(tmp_path, run.id) is RunState.CANCELLED)
    assert len(runs(tmp_path)) == 2


# ---------------------------------------------------------------------- redelivery


def test_redelivered_envelopes_run_nothing_twice(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    """Slack delivers again what it thinks was lost, on any connection: a mention, a click
    (the same payload), and racing clicks on two processes' connections."""
    with socket_bots(tmp_path, slack_api, socket_server, count=2):
        one, two = socket_server.open_links()
        root = next_ts()
        mention = sender.message(STATUS, user="U0BOB", channel="C0OPS", ts=root,
                                 mention=True, event_id="Ev0AGAIN", to=one)
        for attempt in (socket_server.resend(mention, to=two),
                        socket_server.resend(mention, to=one)):
            socket_server.wait(lambda a=attempt: a.acked_at is not None, what="the retry ack")
        posted(slack_api, "C0OPS", "checkout-api in prod")

        sender.command(SCALE, user="U0BOB", channel="C0OPS", to=two)
        run = planned(tmp_path)
        ts = ts_of(run)
        stamp = f"{time.time():.6f}"
        click = sender.click(APPROVE, run.id, user="U0CAROL", channel="C0OPS",
                             message_ts=ts, action_ts=stamp, to=one, wait=False)
        socket_server.resend(click, to=two)
        others = [sender.click(APPROVE, run.id, user=user, channel="C0OPS", message_ts=ts,
                               to=link, wait=False)
                  for user, link in (("U0ERIN", two), ("U0CAROL", one), ("U0ERIN", one))]
        for delivery in [click, *others]:
            socket_server.wait_ack(delivery)
        assert all(a.acked_at is not None for a in click.attempts)
        eventually(lambda: state_of(tmp_path, run.id) is RunState.SUCCEEDED)
        slack_api.wait_for("chat.postMessage", "Succeeded in")
    # Both processes exited cleanly: every listener they queued has returned.
    answers = [c for c in slack_api.of("chat.postMessage") if c.args.get("thread_ts") == root]
    assert len(answers) == 1 and "checkout-api in prod" in answers[0].text()
    assert kinds(tmp_path).count("message") == 2  # the mention once, the command once
    events = kinds(tmp_path, run.id)
    assert events.count("result") == 1 and events.count("step") == 1
    assert len(slack_api.wait_for("chat.postMessage", "Succeeded in")) == 1


# ---------------------------------------------------------------------- reconnects


def _burst(sender: SocketSender, channels: list[str],
           during: threading.Event | None = None) -> list[Delivery]:
    """DMs asking a read-only runbook, one per channel, as fast as the server takes them;
    `during` is set halfway through."""
    deliveries = []
    for i, channel in enumerate(channels):
        if during is not None and i == len(channels) // 2:
            during.set()
        deliveries.append(sender.message(STATUS, user="U0ALICE", channel=channel,
                                         channel_type="im", ts=next_ts(), wait=False))
    return deliveries


def _dm_payload(sender: SocketSender, channel: str) -> dict[str, Any]:
    """The Events API payload of a DM asking a read-only runbook (what `sender.message`
    would deliver)."""
    captured: list[dict[str, Any]] = []

    class Capture(SocketSender):
        def send(self, body: str, content_type: str, **_: Any) -> Any:  # type: ignore[override]
            captured.append(json.loads(body))

    Capture(sender.server, sender.response_base).message(
        STATUS, user="U0ALICE", channel=channel, channel_type="im", ts=next_ts())
    return captured[0]


def _answered(slack: MockSlack, channels: list[str]) -> None:
    slack.wait(lambda cs: {c.args.get("channel") for c in cs if c.method == "chat.postMessage"}
               >= set(channels), timeout=60, what="an answer in every DM")


def _counts(slack: MockSlack) -> Counter[str]:
    return Counter(str(c.args.get("channel")) for c in slack.of("chat.postMessage"))


def test_a_redelivered_slash_command_plans_once(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    """A slash command has no event id and, on the socket, no signature to remember: the
    same command delivered again (on another connection) is known by its trigger id."""
    with socket_bots(tmp_path, slack_api, socket_server, count=2):
        one, two = socket_server.open_links()
        delivery = sender.command(SCALE, user="U0BOB", channel="C0OPS", to=one)
        socket_server.resend(delivery, to=two)
        socket_server.wait(lambda: all(a.acked_at for a in delivery.attempts),
                           what="both deliveries acked")
        planned(tmp_path)
    assert len(runs(tmp_path)) == 1
    assert len([c for c in slack_api.of("chat.postMessage") if "asked" in c.text()]) == 1


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_disconnect_message_mid_burst_loses_nothing(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender, reason: str) -> None:
    with socket_bots(tmp_path, slack_api, socket_server):
        old = socket_server.open_links()[0]
        channels = [f"D0REFRESH{i}" for i in range(40)]
        halfway = threading.Event()

        def disconnect_halfway() -> None:
            halfway.wait(30)
            socket_server.disconnect(old, reason)

        thread = threading.Thread(target=disconnect_halfway)
        thread.start()
        deliveries = _burst(sender, channels, halfway)
        thread.join()
        # The bot opened a new connection (a new apps.connections.open) and closed the old.
        socket_server.wait(lambda: [x for x in socket_server.links if x is not old and x.open],
                           timeout=30, what="a new connection")
        socket_server.wait_closed(old)
        for delivery in deliveries:
            socket_server.wait_ack(delivery, timeout=60)
        _answered(slack_api, channels)
        assert len(slack_api.of("apps.connections.open")) >= 2
        # Envelopes sent after it, on the new connection, are handled too.
        sender.message(STATUS, user="U0ALICE", channel="D0AFTER", channel_type="im",
                       ts=next_ts())
        slack_api.wait(lambda cs: any(c.args.get("channel") == "D0AFTER" for c in cs
                                      if c.method == "chat.postMessage"))
    counts = _counts(slack_api)
    assert all(counts[c] == 1 for c in channels), counts
    assert kinds(tmp_path).count("message") == len(channels) + 1


def test_reset_connection_mid_burst_is_redelivered_and_run_once(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    """Two processes: one's TCP connection is reset halfway through a burst; what it had not
    acknowledged goes to the other (some of it may have been handled already: it must not
    run again), and the first reconnects."""
    with socket_bots(tmp_path, slack_api, socket_server, count=2):
        doomed, _ = socket_server.open_links()
        channels = [f"D0DROP{i}" for i in range(60)]
        # Five more DMs go out on the doomed connection right before the reset: none can be
        # acknowledged, so each is delivered again (the bot may have read some already).
        last = [f"D0LAST{i}" for i in range(5)]
        unacked = [("events_api", _dm_payload(sender, channel)) for channel in last]
        halfway = threading.Event()
        dropped: list[Delivery] = []

        def drop_halfway() -> None:
            halfway.wait(30)
            dropped.extend(socket_server.drop(doomed, unacked=unacked))

        thread = threading.Thread(target=drop_halfway)
        thread.start()
        deliveries = _burst(sender, channels, halfway)
        thread.join()
        channels += last
        for delivery in deliveries + dropped:
            socket_server.wait_ack(delivery, timeout=60)
        assert len(dropped) == 5
        assert all(len(d.attempts) == 2 and d.attempts[0].acked_at is None for d in dropped)
        _answered(slack_api, channels)
        socket_server.wait_links(2, timeout=60)  # the dropped process is back
    counts = _counts(slack_api)
    assert all(counts[c] == 1 for c in channels), counts
    assert kinds(tmp_path).count("message") == len(channels)


# ---------------------------------------------------------------------- several processes


def test_three_processes_share_the_envelopes_and_run_each_plan_once(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender) -> None:
    with socket_bots(tmp_path, slack_api, socket_server, count=3, FAKE_APPS="6"):
        links = socket_server.open_links()
        assert len(links) == 3
        commands = [sender.command(f"run scale_deployment deployment=app-{i} namespace=prod "
                                   "replicas=5", user="U0BOB", channel="C0OPS", wait=False)
                    for i in range(6)]
        for delivery in commands:
            socket_server.wait_ack(delivery)
        # Round robin: every connection (every process) took its share.
        assert {d.attempts[0].link.number for d in commands} == {x.number for x in links}
        eventually(lambda: len([r for r in runs(tmp_path) if r.message_ref]) == 6,
                   what="six plans")
        plans = runs(tmp_path)
        # Everyone double-clicks Approve, and each click reaches a different process.
        clicks = []
        for run in plans:
            stamp = f"{time.time():.6f}"
            for n, (user, same) in enumerate((("U0CAROL", stamp), ("U0CAROL", stamp),
                                              ("U0ERIN", None))):
                clicks.append(sender.click(APPROVE, run.id, user=user, channel="C0OPS",
                                           message_ts=ts_of(run), action_ts=same,
                                           to=links[n], wait=False))
        for delivery in clicks:
            socket_server.wait_ack(delivery)
        for run in plans:
            eventually(lambda r=run: state_of(tmp_path, r.id) is RunState.SUCCEEDED,
                       timeout=30, what=f"{run.id} to succeed")
        slack_api.wait_for("chat.postMessage", "Succeeded in", count=6, timeout=30)
    for run in plans:
        events = kinds(tmp_path, run.id)
        assert events.count("result") == 1 and events.count("step") == 1, events
    assert len(slack_api.of("apps.connections.open")) == 3
    assert len(slack_api.wait_for("chat.postMessage", "Succeeded in")) == 6
    assert max(latencies(commands + clicks)) < 3.0
