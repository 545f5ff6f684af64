"""Fixtures for the Slack surface: a local Slack Web API (`slack_api`), a conversation
service on an in-memory cluster (`fake_service`), and `start_bot`, which builds the runtime
and the real Bolt app as `chatops serve` does and serves it on a random loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatops.alerts import AlertEngine, AlertRules
from chatops.audit import AuditLog
from chatops.cli.wiring import attach_slack, build_runtime
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunStore
from chatops.runtime import Runtime
from chatops.settings import Settings
from chatops.slack import Deliverer, build_app
from chatops.slack.alerts import AlertWebhook
from chatops.slack.ports import SlackBackend
from chatops.slack.server import BotHTTP, HTTPServer
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.mock_slack import MockSlack
from tests.slack.sender import Sender

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ALERT_TOKEN = "alert-token-for-tests"
TOKEN = "xoxb-test-token"


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
    runtime: Runtime
    alerts: AlertEngine | None = None

    def flush(self) -> None:
        """Wait until queued message edits were sent."""
        assert self.deliverer.updates.flush(15)

    def stop(self) -> None:
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
def cluster() -> FakeCluster:
    return FakeCluster(deployments=fake_deployments(), nodes={"node-1": False})


@pytest.fixture
def fake_service(tmp_path: Path, cluster: FakeCluster,
                 catalogue: Catalogue) -> ConversationService:
    """The engine on the in-memory cluster with the demo policy (bob, carol, erin approve)."""
    return ConversationService(catalogue=catalogue, executor=cluster,
                               policy=parse_policy(DEMO_POLICY),
                               store=RunStore(tmp_path / "state.db"),
                               audit=AuditLog(tmp_path / "audit.db"))


@pytest.fixture
def start_bot(tmp_path: Path, slack_api: MockSlack
              ) -> Iterator[Callable[..., Bot]]:
    """Start the Bolt app over HTTP for a service; stopped after the test."""
    bots: list[Bot] = []

    def start(service: ConversationService, *, update_interval: float = 1.0,
              alert_rules: AlertRules | None = None, alert_token: str = ALERT_TOKEN,
              backend: Callable[[Runtime], SlackBackend] | None = None) -> Bot:
        # Built as `chatops serve` builds it; the loops are not started (tests pump alerts
        # and announce recovered runs themselves). `backend` puts something between the
        # app and the runtime (a test's failing part).
        settings = slack_settings(tmp_path, slack_api)
        runtime = build_runtime(settings, service=service, alerts=alert_rules is not None,
                                alert_rules=alert_rules)
        kit = attach_slack(runtime, settings, update_interval=update_interval)
        webhook = None
        if runtime.alerts is not None:
            webhook = AlertWebhook(runtime.alerts, channel="C0ALERTS", token=alert_token,
                                   pump=runtime.pump)
        app = build_app(settings, backend(runtime) if backend else runtime, kit)
        server = HTTPServer(BotHTTP(slack=app, signing_secret=SECRET, webhook=webhook,
                                    rejections=kit.rejections, claim=runtime.claim),
                            "127.0.0.1", 0).start()
        bot = Bot(service, slack_api, Sender(server.url, SECRET, slack_api.base),
                  kit.deliverer, server, runtime, runtime.alerts)
        bots.append(bot)
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
