"""Fixtures for watch scenarios: the Runtime with the alert engine and the cluster watch
wired as `chatops serve` wires them (`build_runtime`, `attach_slack`), started with its
loops, posting into the local Slack API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from chatops.alerts import AlertRules
from chatops.cli.wiring import attach_slack, build_runtime
from chatops.runtime import Intervals, Runtime
from tests.plugins.world_fixtures import World
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import Call, MockSlack

ALERTS = "C0ALERTS"


def roots(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and not c.args.get("thread_ts")]


def in_thread(calls: list[Call], ts: str | None) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and c.args.get("thread_ts") == ts]


@pytest.fixture
def slack_api() -> Iterator[MockSlack]:
    """A local Slack Web API server that records calls."""
    server = MockSlack().start()
    yield server
    server.stop()


@pytest.fixture
def serve(tmp_path: Path, slack_api: MockSlack) -> Iterator[Callable[..., Runtime]]:
    """Start a Runtime as `chatops serve` builds it, watching `namespaces`; stopped after."""
    runtimes: list[Runtime] = []

    def start(world: World, rules: AlertRules, namespaces: tuple[str, ...]) -> Runtime:
        settings = replace(slack_settings(tmp_path, slack_api), alert_channel=ALERTS,
                           watch_namespaces=namespaces, watch_nodes=False)
        runtime = build_runtime(settings, service=world.service(), alert_rules=rules,
                                intervals=Intervals(pump=0.2, watch=0.5))
        attach_slack(runtime, settings)
        runtime.start()
        runtimes.append(runtime)
        return runtime

    yield start
    for runtime in runtimes:
        runtime.stop()
