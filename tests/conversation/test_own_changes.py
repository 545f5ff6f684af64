"""A question of what the bot changed lists this channel's latest changes made through it.

A user trial: "what did you change last?" got "outside what I can do"."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import Message
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, run_id, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path,
                      catalogue, Clock())


@pytest.mark.parametrize("text", ["what did you change last?", "what have you done today?",
                                  "what did the bot just change", "your last changes?"])
def test_the_channels_latest_changes_are_listed(service: ConversationService,
                                                 text: str) -> None:
    service.parser = None
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    ran = run_id(service)
    service.parser = Reading()
    (out,) = say(service, "carol", text, thread="t2")
    assert out.startswith("My latest changes in this channel, newest first:"), out
    assert f"{ran} scale_deployment" in out and "asked by alice, approved by bob" in out
    # Another channel's changes are its own.
    (other,) = say(service, "carol", text, channel="C2", thread="t3")
    assert other.startswith("I have made no change in this channel yet")


@pytest.mark.parametrize(("text", "intent"), [
    ("@dave what did you change last?", "oos"),
    ("what did you change last? roll it back", "rollback_deployment"),
])
def test_not_for_a_colleague_or_a_change(service: ConversationService, text: str,
                                         intent: str) -> None:
    service.parser = Reading({}, intent=intent, confidence=0.9)
    out = say(service, "carol", text)
    assert not any(line.startswith("My latest changes") for line in out), out


@pytest.mark.parametrize("text", ["what changed in prod in the last hour?",
                                  "who changed something in prod today?"])
def test_what_changed_in_a_namespace_gets_its_events_and_the_changes_made_here(
        service: ConversationService, text: str) -> None:
    """A user trial: "what changed in prod in the last hour?" got "not sure"."""
    service.parser = None
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    service.parser = Reading({"namespace": "prod"}, confidence=0.3)
    out = say(service, "carol", text, thread="t2")
    assert out[0].startswith("(what changed in a namespace: answered with recent_events"), out
    assert out[-1].startswith("Changes in prod made through me in this channel")
    assert "scale_deployment" in out[-1]
    assert [r.runbook for r in service.store.runs_in_thread("C1", "t2")] == ["recent_events"]
