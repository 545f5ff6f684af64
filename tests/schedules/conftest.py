"""A conversation engine over the fake cluster, with a clock the tests move (no sleeps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.model import Message
from chatops.policy.rules import parse_policy
from chatops.replies import Reply
from chatops.runbook.catalogue import Catalogue
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster

POLICY: dict[str, Any] = {
    "identities": {
        "alice": {"chat": ["UALICE"], "kube_user": "alice", "kube_groups": ["dev"]},
        "bob": {"chat": ["UBOB"], "kube_user": "bob", "kube_groups": ["sre"]},
        "carol": {"chat": ["UCAROL"], "kube_user": "carol", "kube_groups": ["sre"]},
        "mallory": {"chat": ["UMAL"], "kube_user": "mallory", "kube_groups": ["dev"]},
    },
    "request": {"read": ["everyone"], "write": ["mapped"], "critical": ["group:sre"]},
    "approve": {"write": ["group:sre"], "critical": ["group:sre"]},
}
START = datetime(2026, 3, 25, 12, 0, tzinfo=UTC).timestamp()
"""Wednesday noon UTC."""
SCALE = ('run scale_deployment deployment=checkout-api namespace=prod replicas=5 '
         'at "0 3 * * *" tz=UTC')


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@dataclass
class Bot:
    service: ConversationService
    cluster: FakeCluster
    clock: Clock

    def say(self, user: str, text: str, thread: str = "t1") -> list[Reply]:
        return self.service.handle(Message(user=user, text=text, channel="C1", thread=thread))

    def approve(self, user: str, run_id: str) -> list[Reply]:
        return self.service.decide(run_id, Message(user=user, text=f"approve {run_id}",
                                                   channel="C1", thread="t1"), "approve")

    def schedule_id(self) -> str:
        return self.service.schedules.live()[-1].id


def make_bot(state: Path | str, audit: Path | str, catalogue: Catalogue,
             cluster: FakeCluster, clock: Clock, policy: dict[str, Any] | None = None) -> Bot:
    service = ConversationService(
        catalogue=catalogue, executor=cluster, policy=parse_policy(policy or POLICY),
        stores=open_state(state, clock=clock), audit=AuditLog(audit), clock=clock)
    return Bot(service, cluster, clock)


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments={("prod", "checkout-api"): 3, ("dev", "checkout-api"): 1},
                       nodes={"node-1": False, "node-2": False})


@pytest.fixture
def bot(tmp_path: Path, catalogue: Catalogue, cluster: FakeCluster) -> Bot:
    return make_bot(tmp_path / "state.db", tmp_path / "audit.db", catalogue, cluster, Clock())


def approved_schedule(bot: Bot) -> str:
    """alice schedules a scale every day at 03:00 UTC; bob approves it."""
    plan = bot.say("alice", SCALE)[0]
    assert plan.kind == "plan" and plan.run is not None, plan.text
    replies = bot.approve("bob", plan.run.id)
    assert any("is active" in r.text for r in replies), [r.text for r in replies]
    return bot.schedule_id()
