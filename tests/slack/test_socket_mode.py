"""What is particular to Socket Mode, end to end.

Every interaction the HTTP tests cover also runs over the socket: the interaction modules
(approvals, threads, choices, schedules, listener errors, confirm, and the interaction tests
of requests, serve, alerts and Slack errors) are marked `transports()` and run once per
transport through one seam (`tests/slack/conftest.py`: the same test body, its payloads
signed over HTTP or sent as envelopes through the local Socket Mode server into the real
Bolt app). The Home tab, `/ops runs`/`/ops audit` and the adversarial tests whose modules
are not parametrized run here over the socket, the same bodies (`test_*_over_the_socket`),
with the forged payloads that the HTTP door tests send as raw requests.

Then the socket itself, with real `chatops serve` processes (`fake_serve`, on an in-memory
cluster) holding SLACK_APP_TOKEN and no signing secret: readiness follows the connection;
`refresh_requested`/`warning` disconnects and a reset TCP connection in the middle of a
burst lose nothing and run nothing twice (an envelope that was not acknowledged is delivered
again, as Slack does); an envelope not acknowledged within Slack's 3 s goes to another
connection and still runs once; and several processes, each holding a connection, share the
envelopes and run each approved plan once, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import inspect
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Run, RunState, RunStore
from chatops.runtime import Runtime
from chatops.slack import home
from chatops.slack.blocks import APPROVE
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.security import test_approval_rules as approval_rules
from tests.slack import test_home as home_tests
from tests.slack.conftest import APP_TOKEN, PROXIES, Bot, eventually, fake_deployments
from tests.slack.helpers import all_runs, message_ts, propose, scale_calls
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.processes import FAKE_SERVE, SOCKET_MODE_URL, BotProcess, bot_env
from tests.slack.sender import TEAM, next_ts
from tests.slack.socket_server import ACK_DEADLINE, Delivery, SocketSender, SocketServer
from tests.waiting import exited_cleanly, wait_until_idle

SCALE = "run scale_deployment deployment=checkout-api namespace=prod replicas=5"
STATUS = "run deployment_status deployment=checkout-api namespace=prod"
SOCKET = pytest.mark.transports("socket")
"""In-process bots (`bot`, `start_bot`) reached over Socket Mode only."""


@pytest.fixture
def sender(socket_server: SocketServer, slack_api: MockSlack) -> SocketSender:
    """Envelopes to the bot processes' connections, round robin unless a test names one."""
    return SocketSender(socket_server, slack_api.base)


@dataclass(frozen=True)
class Shared:
    """The database the bot processes share: SQLite files, or one PostgreSQL database."""

    state: Path | str
    audit: Path | str

    def env(self) -> dict[str, str]:
        return {"CHATOPS_DATABASE_URL": self.state} if isinstance(self.state, str) else {}

    def runs(self) -> list[Run]:
        store = RunStore(self.state)
        rows = store._db().execute("SELECT id FROM runs ORDER BY created_at, id").fetchall()
        return [r for row in rows if (r := store.get(row["id"])) is not None]

    def planned(self, before: int = 0) -> Run:
        """Wait for a run past the first `before` whose plan message is posted."""
        def found() -> Run | None:
            return next((r for r in self.runs()[before:] if r.message_ref), None)
        run = eventually(found, what="the plan message")
        assert isinstance(run, Run)
        return run

    def state_of(self, run_id: str) -> RunState:
        run = RunStore(self.state).get(run_id)
        assert run is not None
        return run.state

    def kinds(self, run_id: str | None = None) -> list[str]:
        return [e.kind for e in AuditLog(self.audit).list(run_id=run_id, limit=10_000)]


def on_files(tmp_path: Path) -> Shared:
    """The SQLite files a single bot process uses (`bot_env`'s)."""
    return Shared(tmp_path / "state.db", tmp_path / "audit.db")


@pytest.fixture
def shared(state_location: Path | str, audit_location: Path | str) -> Shared:
    """The bots' database, once on SQLite and once on PostgreSQL."""
    return Shared(state_location, audit_location)


@pytest.fixture
def second_service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    """A second bot's conversation service (a cluster of its own) on the same database."""
    return ConversationService(catalogue=catalogue, executor=FakeCluster(
        deployments=fake_deployments()), policy=parse_policy(DEMO_POLICY),
        stores=open_state(tmp_path / "state.db"), audit=AuditLog(tmp_path / "audit.db"))


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


def ts_of(run: Run) -> str:
    assert run.message_ref
    return run.message_ref.split(":", 1)[1]


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


# ---------------------------------------------------------------------- the same bodies


def _run_body(body: Callable[..., None], request: pytest.FixtureRequest) -> None:
    """Run a test body of another module with the fixtures it names (here, where the bots
    are reached over the socket)."""
    body(**{name: request.getfixturevalue(name)
            for name in inspect.signature(body).parameters})


HOME_BODIES = [
    home_tests.test_home_shows_the_requester_her_runs_and_the_approver_his_approvals,
    home_tests.test_home_click_by_someone_who_may_not_approve_is_refused_privately,
    home_tests.test_forged_home_clicks_are_refused_and_audited,
    home_tests.test_approving_from_home_runs_once_and_republishes_the_homes,
    home_tests.test_denying_from_home_ends_the_run_and_updates_its_message_and_the_homes,
    home_tests.test_ops_runs_answers_privately,
    home_tests.test_ops_audit_shows_a_run_only_to_who_may_see_it,
]
FORGERY_BODIES = [
    approval_rules.test_an_edit_submission_that_names_another_place_than_its_run_changes_nothing,
    approval_rules.test_a_click_on_a_plan_that_changed_since_it_was_shown_approves_nothing,
]


@SOCKET
@pytest.mark.parametrize("body", HOME_BODIES, ids=lambda body: body.__name__[5:])
def test_home_and_private_answers_over_the_socket(
        body: Callable[..., None], transport: str, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """App Home opened, approve and deny there, forged Home clicks, `/ops runs` and
    `/ops audit`: test_home.py's bodies."""
    assert transport == "socket"
    monkeypatch.setattr(home, "REPUBLISH_INTERVAL", 0.3)  # as test_home.py's quick_homes
    _run_body(body, request)


@SOCKET
@pytest.mark.parametrize("body", FORGERY_BODIES, ids=lambda body: body.__name__[5:])
def test_forged_submissions_and_stale_clicks_over_the_socket(
        body: Callable[..., None], transport: str, request: pytest.FixtureRequest) -> None:
    """An edit submission for another channel or run, a button replayed after its plan
    changed: tests/security/test_approval_rules.py's bodies."""
    assert transport == "socket"
    _run_body(body, request)


# ---------------------------------------------------------------------- forged payloads


def _click(bot: Bot, run: Run, *, action_id: str, value: str, message_ts: str | None = None,
           team: str = TEAM, app: str = "A0APP", user: str = "U0BOB") -> Any:
    """A click on `run`'s message (or on `message_ts`), as its fields say."""
    assert run.message_ref
    channel, ts = run.message_ref.split(":", 1)
    ts = message_ts or ts
    return bot.sender.interaction({
        "type": "block_actions", "team": {"id": team}, "user": {"id": user},
        "api_app_id": app, "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "message": {"ts": ts, "type": "message", "user": "UBOT"},
        "actions": [{"type": "button", "action_id": action_id, "value": value,
                     "block_id": f"run:{value}", "action_ts": f"{time.time():.6f}"}]})


@SOCKET
@pytest.mark.parametrize("forged", ["team", "app"])
def test_a_payload_from_another_workspace_or_app_is_refused_and_never_acknowledged(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        cluster: FakeCluster, forged: str) -> None:
    bot = start_bot(fake_service, app_id="A0APP")
    run = propose(bot)
    evil = "T0EVIL" if forged == "team" else "A0EVIL"
    delivery = _click(bot, run, action_id=f"{APPROVE}:{run.id}", value=run.id,
                      **{forged: evil})
    # Bolt answers 403; over the socket that is an envelope never acknowledged.
    assert delivery.status == 403 and delivery.acked is None
    rejected = bot.runtime.service.audit.list(kind="rejected")  # type: ignore[attr-defined]
    assert any(evil in str(e.data.get("reason")) for e in rejected)
    wait_until_idle(bot)
    assert bot.service.store.get(run.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert not scale_calls(cluster) and not bot.slack.of("chat.postEphemeral")


@SOCKET
def test_clicks_whose_ids_disagree_or_that_sit_on_another_runs_message_are_refused(
        bot: Bot, cluster: FakeCluster) -> None:
    run = propose(bot)
    other = propose(bot, deployment="payments-api")
    audit = bot.service.audit

    def refusals(reason: str) -> list[Any]:
        return [e for e in audit.list(kind="rejected")  # type: ignore[attr-defined]
                if reason in str(e.data.get("reason"))]

    # The action id names one run, the value another.
    assert _click(bot, run, action_id=f"{APPROVE}:{run.id}", value=other.id).status == 200
    eventually(lambda: refusals("does not match"), what="the audited refusal")
    # The other run's button replayed onto this run's message.
    assert _click(bot, other, action_id=f"{APPROVE}:{other.id}", value=other.id,
                  message_ts=message_ts(run)).status == 200
    bot.slack.wait(lambda calls: [c for c in calls if c.method == "chat.postEphemeral"
                                  and other.id in c.text()], what="the private refusal")
    wait_until_idle(bot)
    for each in (run, other):
        assert bot.service.store.get(each.id).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert not scale_calls(cluster)


# ---------------------------------------------------------------------- the ack deadline


class SlowToAcknowledge:
    """The runtime, except that the first slash command's claim (made at the door, before
    the acknowledgement) waits until `release`: a bot slower than Slack's deadline."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.holding = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.runtime, name)

    def claim(self, key: str) -> bool:
        if key.startswith("slack-trigger:") and not self.holding.is_set():
            self.holding.set()
            self.release.wait(30)
        return self.runtime.claim(key)


@SOCKET
def test_an_envelope_not_acknowledged_in_time_goes_to_another_connection_and_runs_once(
        start_bot: Callable[..., Bot], fake_service: ConversationService,
        second_service: ConversationService, socket_server: SocketServer) -> None:
    slow: list[SlowToAcknowledge] = []

    def holding(runtime: Runtime) -> SlowToAcknowledge:
        slow.append(SlowToAcknowledge(runtime))
        return slow[-1]

    late = start_bot(fake_service, backend=holding)
    quick = start_bot(second_service)
    delivery = late.sender.command(SCALE, user="U0BOB", wait=False)
    assert slow[0].holding.wait(15)
    # Past the deadline with no acknowledgement, "Slack" sends it on the other connection.
    socket_server.wait(lambda: len(delivery.attempts) > 1 and delivery.attempts[1].acked_at,
                       timeout=ACK_DEADLINE + 10, what="the envelope again, acknowledged")
    first, again = delivery.attempts[:2]
    assert first.link is late.link and first.acked_at is None
    assert again.link is quick.link
    assert again.sent_at - first.sent_at >= ACK_DEADLINE - 0.01
    run = eventually(lambda: (rs := all_runs(quick)) and rs[-1].message_ref and rs[-1],
                     what="the plan")
    # The slow bot gets on with it: the same trigger is known, so it acknowledges only.
    slow[0].release.set()
    socket_server.wait(lambda: first.acked_at is not None, what="the late acknowledgement")
    wait_until_idle(late)
    wait_until_idle(quick)
    assert [r.id for r in all_runs(quick)] == [run.id]  # type: ignore[union-attr]
    assert len(quick.slack.of("chat.postMessage")) == 1  # one "Working on it", one plan
    assert len(delivery.attempts) == 2  # acknowledged: not delivered a third time


# ---------------------------------------------------------------------- redelivery


def test_redelivered_envelopes_run_nothing_twice(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender, shared: Shared) -> None:
    """Slack delivers again what it thinks was lost, on any connection: a mention, a click
    (the same payload), and racing clicks on two processes' connections."""
    with socket_bots(tmp_path, slack_api, socket_server, count=2, **shared.env()):
        one, two = socket_server.open_links()
        root = next_ts()
        mention = sender.message(STATUS, user="U0BOB", channel="C0OPS", ts=root,
                                 mention=True, event_id="Ev0AGAIN", to=one)
        for attempt in (socket_server.resend(mention, to=two),
                        socket_server.resend(mention, to=one)):
            socket_server.wait(lambda a=attempt: a.acked_at is not None, what="the retry ack")
        posted(slack_api, "C0OPS", "checkout-api in prod")

        sender.command(SCALE, user="U0BOB", channel="C0OPS", to=two)
        run = shared.planned()
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
        eventually(lambda: shared.state_of(run.id) is RunState.SUCCEEDED)
        slack_api.wait_for("chat.postMessage", "Succeeded in")
    # Both processes exited cleanly: every listener they queued has returned.
    answers = [c for c in slack_api.of("chat.postMessage") if c.args.get("thread_ts") == root]
    assert len(answers) == 1 and "checkout-api in prod" in answers[0].text()
    assert shared.kinds().count("message") == 2  # the mention once, the command once
    events = shared.kinds(run.id)
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
        sender: SocketSender, shared: Shared) -> None:
    """A slash command has no event id and, on the socket, no signature to remember: the
    same command delivered again (on another connection) is known by its trigger id."""
    with socket_bots(tmp_path, slack_api, socket_server, count=2, **shared.env()):
        one, two = socket_server.open_links()
        delivery = sender.command(SCALE, user="U0BOB", channel="C0OPS", to=one)
        socket_server.resend(delivery, to=two)
        socket_server.wait(lambda: all(a.acked_at for a in delivery.attempts),
                           what="both deliveries acked")
        shared.planned()
    assert len(shared.runs()) == 1
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
    assert on_files(tmp_path).kinds().count("message") == len(channels) + 1


def test_reset_connection_mid_burst_is_redelivered_and_run_once(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender, shared: Shared) -> None:
    """Two processes: one's TCP connection is reset halfway through a burst; what it had not
    acknowledged goes to the other (some of it may have been handled already: it must not
    run again), and the first reconnects."""
    with socket_bots(tmp_path, slack_api, socket_server, count=2, **shared.env()):
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
        assert all(len(d.attempts) >= 2 and d.attempts[0].acked_at is None for d in dropped)
        _answered(slack_api, channels)
        socket_server.wait_links(2, timeout=60)  # the dropped process is back
    counts = _counts(slack_api)
    assert all(counts[c] == 1 for c in channels), counts
    assert shared.kinds().count("message") == len(channels)


# ---------------------------------------------------------------------- several processes


def test_three_processes_share_the_envelopes_and_run_each_plan_once(
        tmp_path: Path, slack_api: MockSlack, socket_server: SocketServer,
        sender: SocketSender, shared: Shared) -> None:
    with socket_bots(tmp_path, slack_api, socket_server, count=3, **shared.env()):
        links = socket_server.open_links()
        assert len(links) == 3
        # A plan of its own for every deployment of the fake cluster.
        commands = [sender.command(f"run scale_deployment deployment={name} namespace={ns} "
                                   "replicas=5", user="U0BOB", channel="C0OPS", wait=False)
                    for ns, name in fake_deployments()]
        for delivery in commands:
            socket_server.wait_ack(delivery)
        # Round robin: every connection (every process) took its share.
        assert {d.attempts[0].link.number for d in commands} == {x.number for x in links}
        eventually(lambda: len([r for r in shared.runs() if r.message_ref]) == len(commands),
                   what="a plan per command")
        plans = shared.runs()
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
            eventually(lambda r=run: shared.state_of(r.id) is RunState.SUCCEEDED,
                       timeout=30, what=f"{run.id} to succeed")
        slack_api.wait_for("chat.postMessage", "Succeeded in", count=len(plans), timeout=30)
    for run in plans:
        events = shared.kinds(run.id)
        assert events.count("result") == 1 and events.count("step") == 1, events
    assert len(slack_api.of("apps.connections.open")) == 3
    assert len(slack_api.wait_for("chat.postMessage", "Succeeded in")) == len(plans)
    assert max(latencies(commands + clicks)) < 3.0
