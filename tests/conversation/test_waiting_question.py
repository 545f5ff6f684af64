""""What's waiting for approval?" lists the plans that wait in this channel.

A user trial: "what's waiting for approval right now?" got "outside what I can do", and
"wait whats pending in this thread" was answered with a deployment's events. The plans
waiting for a decision in the channel (their cards were posted there) are listed, each
with who asked and its approvals; nothing is decided by asking."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import OUT_OF_SCOPE, Message
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, run_id, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "checkout-api"): 3,
                                               ("prod", "calc-app"): 2}),
                      tmp_path, catalogue, Clock())


@pytest.mark.parametrize("text", ["what's waiting for approval right now?",
                                  "wait whats pending in this thread",
                                  "anything waiting on me?", "which requests are pending?"])
def test_the_plans_waiting_here_are_listed(service: ConversationService, text: str) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod "
                         "replicas=5")
    waiting = run_id(service)
    say(service, "UBOB", "run restart_deployment deployment=calc-app namespace=prod",
        thread="t2")
    (done,) = service.store.runs_in_thread("C1", "t2")
    service.decide(done.id, Message("UCAROL", "", "C1", "t2"), "approve")
    say(service, "UBOB", "run restart_deployment deployment=calc-app namespace=prod",
        channel="COTHER", thread="t3")
    service.parser = Reading(OUT_OF_SCOPE, {}, 1.0)
    (out,) = say(service, "UCAROL", text, thread="t4")
    assert out.startswith("Waiting for a decision in this channel"), out
    assert waiting in out and "asked by bob" in out and "0 of 1" in out, out
    assert done.id not in out and "COTHER" not in out and out.count("r-") == 1, out
    assert service.store.get(waiting).state is RunState.PROPOSED  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("which pods are pending in prod?", "show_pods", {"namespace": "prod"}),
    ("any pods pending?", OUT_OF_SCOPE, {}),
    ("what's pending on node-1", OUT_OF_SCOPE, {}),
])
def test_a_question_about_the_cluster_is_not_about_plans(
        service: ConversationService, text: str, intent: str, slots: dict[str, str]) -> None:
    service.parser = Reading(intent, slots, 0.99)
    out = say(service, "UCAROL", text)
    assert not any("decision in this channel" in line for line in out), out


def test_nothing_waiting_is_said(service: ConversationService) -> None:
    service.parser = Reading(OUT_OF_SCOPE, {}, 1.0)
    (out,) = say(service, "UCAROL", "what's waiting for approval?")
    assert out == "Nothing waits for a decision in this channel."
