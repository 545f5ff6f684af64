"""The adversarial suite reuses the Slack surface's fixtures: a local Slack Web API, the real
Bolt app behind its HTTP server, and the conversation service on an in-memory cluster; and
the console on that cluster with the shipped model (`model_console`), where a case needs the
model's reading but not a real API server (the sandbox's cases cost seconds each)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from chatops.audit import AuditLog
from chatops.console import Shell
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import load_catalogue
from chatops.stores import open_state
from intents import ModelParser, default_model_dir
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import (
    bot,
    cluster,
    fake_service,
    slack_api,
    socket_server,
    start_bot,
    transport,
)

__all__ = ["bot", "cluster", "fake_service", "model", "model_console", "slack_api",
           "socket_server", "start_bot", "transport"]

FAKE_DEPLOYMENTS = {("prod", "checkout-api"): 3, ("prod", "calc-app"): 2,
                    ("prod", "payments-api"): 2, ("staging", "checkout-api"): 1}
FAKE_CRONJOBS = {("prod", "nightly-report")}
"""What the in-memory cluster of `model_console` holds (and two schedulable nodes)."""


@pytest.fixture(scope="session")
def model() -> ModelParser:
    """The shipped model, read with the catalogue as the bot wires it."""
    return ModelParser(default_model_dir(), catalogue=load_catalogue())


@pytest.fixture
def model_console(tmp_path: Path, model: ModelParser) -> Callable[[str], Shell]:
    """A console as the named user on one in-memory cluster (`FAKE_DEPLOYMENTS`) with the
    demo policy and the shipped model; every console made shares the cluster, the stores
    and the console's one thread."""
    service = ConversationService(
        catalogue=load_catalogue(),
        executor=FakeCluster(deployments=dict(FAKE_DEPLOYMENTS), cronjobs=set(FAKE_CRONJOBS),
                             nodes={"node-1": False, "node-2": False}),
        policy=parse_policy(DEMO_POLICY), stores=open_state(tmp_path / "state.db"),
        audit=AuditLog(tmp_path / "audit.db"), parser=model)
    return lambda user: Shell(service, user=user, out=io.StringIO())


def console_runs(console: Callable[[str], Shell], text: str) -> list[tuple[str, dict[str, str]]]:
    """What a console thread planned or ran for `text` from bob: (runbook, slots) of each
    run (`{prod}` in `text` is the namespace prod)."""
    sh = console("bob")
    sh.say(text.format(prod="prod"))
    return [(r.runbook, dict(r.raw_slots))
            for r in sh.service.store.runs_in_thread("console", "console")]
