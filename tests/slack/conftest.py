"""Fixtures for the Slack surface: a local Slack Web API (`slack_api`), a local Socket Mode
server (`socket_server`), a conversation service on an in-memory cluster (`fake_service`),
and `start_bot`, which builds the runtime and the real Bolt app as `chatops serve` does.

One seam for the transport: `transport` says how Slack reaches the bot. "http" (the
default): the app behind its HTTP server on a random loopback port, and `bot.sender` posts
signed requests to /slack/events. "socket": the app connected over Socket Mode (the app
token, no signing secret, `connect_socket_mode` as `chatops serve` connects) to the local
Socket Mode server, the HTTP port serving only the probes and the webhook; `bot.sender`
delivers the same payloads as envelopes on the bot's connection and returns once they were
acknowledged. A test body written against `bot.sender` runs unchanged either way: mark a
module or a test `@pytest.mark.transports()` to run it over both (`transports("socket")`:
over the socket only).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from chatops.alerts import AlertEngine, AlertRules
from chatops.audit import AuditLog
from chatops.cli.wiring import attach_slack, build_runtime
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runtime import Runtime
from chatops.settings import Settings
from chatops.slack import Deliverer, build_app
from chatops.slack.alerts import AlertWebhook
from chatops.slack.ports import SlackBackend
from chatops.slack.server import BotHTTP, HTTPServer, connect_socket_mode
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.mock_slack import MockSlack
from tests.slack.sender import Sender
from tests.slack.socket_server import Link, SocketSender, SocketServer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ALERT_TOKEN = "alert-token-for-tests"
TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A0APP-1-socket-mode-tests"
TRANSPORTS = ("http", "socket")
PROXIES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "transports(*names): run the test once per Slack transport named "
        "(none: http and socket); the bot fixtures are reached that way")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("transports")
    if marker is not None and "transport" in metafunc.fixturenames:
        metafunc.parametrize("transport", list(marker.args or TRANSPORTS), indirect=True)


@pytest.fixture
def transport(request: pytest.FixtureRequest) -> str:
    """How Slack reaches the bots `start_bot` starts: "http" unless the test is marked
    `transports(...)`."""
    return str(getattr(request, "param", "http"))


def fake_deployments() -> dict[tuple[str, str], int]:
    return {("prod", "checkout-api"): 3, ("staging", "checkout-api"): 1,
            ("dev", "checkout-api"): 1, ("prod", "payments-api"): 2}


@dataclass
class Bot:
    """A running Slack app: where to send requests, and what it is built on."""

    service: ConversationService
    slack: MockSlack
    sender: Sender
    deliverer: Deliverer
    server: HTTPServer
    """The bot's port: /slack/events over HTTP; the probes and the webhook either way."""
    runtime: Runtime
    app: App
    alerts: AlertEngine | None = None
    transport: str = "http"
    socket: Any = None
    """Over Socket Mode: the connected `SocketModeHandler`."""
    link: Link | None = None
    """Over Socket Mode: the bot's connection to the local Socket Mode server."""
    socket_server: SocketServer | None = None

    def flush(self) -> None:
        """Wait until queued message edits were sent."""
        assert self.deliverer.updates.flush(15)

    def stop(self) -> None:
        if self.socket is not None and self.link is not None:
            # `close()` joins the client's threads. Told first (not to reconnect), its message
            # thread woken (it waits up to a second between checks) and its connection gone
            # (its reader holds the socket until a read times out), they end at once.
            client = self.socket.client
            client.closed, client.auto_reconnect_enabled = True, False
            client.message_queue.put(None)
            if self.link.open and self.socket_server is not None:
                self.socket_server.drop(self.link)
            self.socket.close()
        self.server.stop()
        self.runtime.stop()


def slack_settings(tmp_path: Path, slack: MockSlack) -> Settings:
    return Settings(data_dir=tmp_path, cache_dir=tmp_path, state_db=tmp_path / "state.db",
                    audit_db=tmp_path / "audit.db", slack_bot_token=TOKEN,
                    slack_signing_secret=SECRET, slack_api_url=slack.url)


@pytest.fixture
def slack_api() -> Iterator[MockSlack]:
    """A local Slack Web API server that records calls."""
    server = MockSlack().start()
    yield server
    server.stop()


@pytest.fixture
def socket_server(slack_api: MockSlack) -> Iterator[SocketServer]:
    """The Socket Mode server; the mock Web API's apps.connections.open hands out its URLs."""
    server = SocketServer().start()
    slack_api.connections_url = server.url
    yield server
    server.stop()


def _noting_answers(handler: Any, server: SocketServer) -> None:
    """Swap the handler's listener for the same two steps (`SocketModeHandler.handle`: Bolt's
    dispatch, then the acknowledgement) that first tell the test server Bolt's status. Over
    the socket a refusal is an envelope never acknowledged; told, the sender returns the
    status HTTP would have had rather than wait for an acknowledgement that won't come."""
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response

    def handle(client: Any, request: Any) -> None:
        started = time.time()
        response = run_bolt_app(handler.app, request)
        server.note_answer(request.envelope_id, response.status)
        send_response(client, request, response, started)

    listeners = handler.client.socket_mode_request_listeners
    listeners[listeners.index(handler.handle)] = handle


def _connect(app: App, server: SocketServer, slack: MockSlack) -> tuple[Any, Link]:
    """Connect `app` over Socket Mode as `chatops serve` does; the handler and its link."""
    before = set(server.open_links())
    with pytest.MonkeyPatch.context() as env:
        # slack_sdk ignores NO_PROXY: the WebSocket handshake for 127.0.0.1 must not go to a
        # proxy.
        for name in PROXIES:
            env.delenv(name, raising=False)
        handler = connect_socket_mode(app, APP_TOKEN, threading.Event(), first_wait=0.2)
    assert handler is not None
    link: Link = server.wait(lambda: next((x for x in server.links if x.open
                                           and x not in before), None),
                             what="the bot's Socket Mode connection")
    _noting_answers(handler, server)
    # Opening the connection is the transport's call, not the app's: tests that check which
    # Web API calls the app made see the same calls over either transport.
    with slack._lock:
        slack.calls[:] = [c for c in slack.calls if c.method != "apps.connections.open"]
    return handler, link


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments=fake_deployments(), nodes={"node-1": False})


@pytest.fixture
def fake_service(tmp_path: Path, cluster: FakeCluster,
                 catalogue: Catalogue) -> ConversationService:
    """The engine on the in-memory cluster with the demo policy (bob, carol, erin approve)."""
    return ConversationService(catalogue=catalogue, executor=cluster,
                               policy=parse_policy(DEMO_POLICY),
                               stores=open_state(tmp_path / "state.db"),
                               audit=AuditLog(tmp_path / "audit.db"))


@pytest.fixture
def start_bot(tmp_path: Path, slack_api: MockSlack, transport: str,
              request: pytest.FixtureRequest) -> Iterator[Callable[..., Bot]]:
    """Start the Bolt app for a service, reached over `transport`; stopped after the test."""
    bots: list[Bot] = []

    def start(service: ConversationService, *, update_interval: float = 1.0,
              alert_rules: AlertRules | None = None, alert_token: str = ALERT_TOKEN,
              backend: Callable[[Runtime], SlackBackend] | None = None,
              app_id: str | None = None) -> Bot:
        # Built as `chatops serve` builds it; the loops are not started (tests pump alerts
        # and announce recovered runs themselves). `backend` puts something between the
        # app and the runtime (a test's failing part); `app_id` pins the Slack app.
        socket_mode = transport == "socket"
        settings = replace(slack_settings(tmp_path, slack_api), slack_app_id=app_id)
        if socket_mode:
            settings = replace(settings, slack_app_token=APP_TOKEN, slack_signing_secret=None)
        runtime = build_runtime(settings, service=service, alerts=alert_rules is not None,
                                alert_rules=alert_rules)
        kit = attach_slack(runtime, settings, update_interval=update_interval)
        webhook = None
        if runtime.alerts is not None:
            webhook = AlertWebhook(runtime.alerts, channel="C0ALERTS", token=alert_token,
                                   pump=runtime.pump)
        app = build_app(settings, backend(runtime) if backend else runtime, kit)
        server = HTTPServer(BotHTTP(slack=None if socket_mode else app,
                                    signing_secret=settings.slack_signing_secret,
                                    webhook=webhook, rejections=kit.rejections,
                                    claim=runtime.claim), "127.0.0.1", 0).start()
        bot = Bot(service, slack_api, Sender(server.url, SECRET, slack_api.base),
                  kit.deliverer, server, runtime, app, runtime.alerts, transport)
        if not socket_mode:
            bots.append(bot)
            return bot
        sockets: SocketServer = request.getfixturevalue("socket_server")
        # Stopped before the Socket Mode server goes (finalizers run last in, first out): the
        # bot closes its own connection rather than see it go and reconnect.
        request.node.addfinalizer(bot.stop)
        bot.socket, bot.link = _connect(app, sockets, slack_api)
        bot.socket_server = sockets
        bot.sender = SocketSender(sockets, slack_api.base, link=bot.link)
        return bot

    yield start
    for bot in bots:
        bot.stop()


@pytest.fixture
def bot(start_bot: Callable[..., Bot], fake_service: ConversationService) -> Bot:
    """The Slack app on the in-memory cluster."""
    return start_bot(fake_service)


def eventually(check: Callable[[], object], timeout: float = 15.0, what: str = "it") -> object:
    """Poll `check` until it returns something truthy (work happens in lazy listeners)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
