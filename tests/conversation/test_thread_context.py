"""The typed thread context: saved in the JSON shape the bot has always stored, and read
from what older bots stored; the threads store on SQLite and on PostgreSQL
(`state_location`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.conversation.thread import LastRequest, PendingQuestion, Said, ThreadContext
from chatops.model import Message
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import POLICY, Clock, run_id, say


@pytest.fixture
def service(state_location: Path | str, audit_location: Path | str,
            catalogue: Catalogue) -> ConversationService:
    clock = Clock()
    return ConversationService(
        catalogue=catalogue, executor=FakeCluster(deployments={("prod", "checkout-api"): 3}),
        policy=parse_policy(POLICY), stores=open_state(state_location, clock=clock),
        audit=AuditLog(audit_location), clock=clock)


def key_of(service: ConversationService, user: str) -> str:
    return service.policy.requester(Message(user=user, text="", channel="C1")).key


def test_context_is_saved_in_the_shape_older_bots_read() -> None:
    context = (ThreadContext()
               .asking("alice", PendingQuestion("scale_deployment", {"replicas": "5"},
                                                "deployment", 0.93, "Alice",
                                                ("a-api", "a-worker")))
               .asking("bob", PendingQuestion("show_pods", {}, "namespace", 1.0, "Bob"))
               .planned(LastRequest("show_pods", {"namespace": "dev"})))
    assert context.to_json() == {
        "pending": {
            "alice": {"intent": "scale_deployment", "slots": {"replicas": "5"},
                      "asking": "deployment", "choices": ["a-api", "a-worker"],
                      "confidence": 0.93, "asker_name": "Alice"},
            "bob": {"intent": "show_pods", "slots": {}, "asking": "namespace",
                    "confidence": 1.0, "asker_name": "Bob"},
        },
        "last": {"intent": "show_pods", "slots": {"namespace": "dev"}},
    }
    assert ThreadContext.from_json(context.to_json()) == context


def test_older_shapes_are_read() -> None:
    single_question_without_asker: dict[str, Any] = {
        "pending": {"intent": "show_pods", "slots": {}, "asking": "namespace"},
        "last": {"intent": "show_pods", "slots": {"namespace": "dev"}},
        "something_newer": [1, 2],
    }
    context = ThreadContext.from_json(single_question_without_asker)
    assert dict(context.pending) == {}
    assert context.last == LastRequest("show_pods", {"namespace": "dev"})
    assert context.to_json()["something_newer"] == [1, 2]
    no_name = ThreadContext.from_json(
        {"pending": {"alice": {"intent": "show_pods", "slots": {}, "asking": "namespace"}}})
    assert no_name.pending["alice"] == PendingQuestion("show_pods", {}, "namespace", 1.0, "")
    assert ThreadContext.from_json({}) == ThreadContext()


def test_a_question_is_stored_for_its_asker_and_cleared_by_the_plan(
        service: ConversationService) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api replicas=5")
    alice = key_of(service, "alice")
    saved = service.stores.threads.load("C1:t1")
    # Alice's words were last, and a yes after them answers the bot (it asked her back).
    said = {"by": alice, "name": alice, "answerable": False, "asks": False}
    assert saved == {"pending": {alice: {
        "intent": "scale_deployment", "slots": {"deployment": "checkout-api", "replicas": "5"},
        "asking": "namespace", "offered": ["prod"], "asked": "command", "confidence": 1.0,
        "asker_name": alice}}, "said": said}
    say(service, "alice", "prod")
    assert service.stores.threads.load("C1:t1") == {
        "pending": {},
        "last": {"intent": "scale_deployment",
                 "slots": {"deployment": "checkout-api", "replicas": "5", "namespace": "prod"}},
        "said": said}
    assert run_id(service)


def test_a_question_saved_by_an_older_bot_is_still_answered(
        service: ConversationService) -> None:
    service.stores.threads.save("C1:t1", {"pending": {key_of(service, "alice"): {
        "intent": "scale_deployment", "slots": {"deployment": "checkout-api", "replicas": "5"},
        "asking": "namespace"}}})
    out = say(service, "bob", "prod")
    assert "I asked someone else that" in out[0]
    out = say(service, "alice", "prod")
    assert "scale deployment checkout-api in prod to 5 replicas (explicit command)" in out[0]


def test_a_clock_replaced_on_the_service_reaches_every_stage(
        service: ConversationService) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
        "replicas=5")
    service.clock = lambda: 10_000_000_000.0
    assert "expired" in " ".join(say(service, "bob", f"approve {run_id(service)}"))


def test_who_spoke_last_is_saved_and_read_back() -> None:
    context = ThreadContext(said=Said("alice", "Alice", answerable=True, asks=True))
    assert context.to_json() == {"pending": {}, "said": {"by": "alice", "name": "Alice",
                                                         "answerable": True, "asks": True}}
    assert ThreadContext.from_json(context.to_json()) == context


@pytest.mark.parametrize("saved", ["alice", ["alice"], {"by": 7}, {"name": "Alice"}])
def test_a_record_of_who_spoke_last_that_is_not_one_is_none(saved: Any) -> None:
    assert ThreadContext.from_json({"said": saved}).said is None
