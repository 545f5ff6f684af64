"""A read about an object only one namespace has is answered there, not asked about.

A user trial: "show me events for web-frontend" was asked "In which namespace?" with one
choice, prod, the only namespace with a web-frontend. A read is answered in the one
namespace the person can list that has that very name (and says so); a change still asks,
and so does a read when several namespaces have the name or none has it exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "web-frontend"): 2, ("prod", "checkout-api"): 3,
                                       ("staging", "checkout-api"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _runs(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


@pytest.mark.parametrize(("text", "intent"), [
    ("show me events for web-frontend", "recent_events"),
    ("status of web-frontend", "deployment_status"),
    ("rollout history of web-frontend", "rollout_history"),
])
def test_a_read_of_a_name_one_namespace_has_is_answered_there(
        service: ConversationService, text: str, intent: str) -> None:
    service.parser = Reading(intent, {"deployment": "web-frontend"})
    out = say(service, "bob", text)
    assert "(in prod: the one namespace with deployment web-frontend)" in out[0], out
    assert _runs(service) == [(intent, RunState.SUCCEEDED,
                               {"deployment": "web-frontend", "namespace": "prod"})]


@pytest.mark.parametrize(("text", "intent", "slots"), [
    # A change: the namespace is the person's to say.
    ("restart web-frontend", "restart_deployment", {"deployment": "web-frontend"}),
    # Two namespaces have it.
    ("status of checkout-api", "deployment_status", {"deployment": "checkout-api"}),
    # None has that very name.
    ("status of web", "deployment_status", {"deployment": "web"}),
])
def test_otherwise_the_namespace_is_asked(service: ConversationService, text: str,
                                          intent: str, slots: dict[str, str]) -> None:
    service.parser = Reading(intent, slots)
    out = say(service, "bob", text)
    assert "namespace" in out[0] and out[0].endswith("?"), out
    assert _runs(service) == []


@pytest.mark.parametrize("text", ["is prod ok", "prod healthy", "how is prod doing"])
def test_a_read_naming_one_namespace_untagged_is_answered_there(
        service: ConversationService, text: str) -> None:
    """A user trial: "is prod ok" (no question mark; the model tagged nothing) was asked
    "In which namespace?"; with the mark it was answered."""
    service.parser = Reading("diagnose", {})
    out = say(service, "bob", text)
    assert "(namespace prod: the one namespace the message names)" in out[0], out
    assert _runs(service) == [("diagnose", RunState.SUCCEEDED, {"namespace": "prod"})]


def test_a_namespace_word_beside_a_named_object_is_not_its_namespace(
        service: ConversationService) -> None:
    """An attacker review: "is checkout-api ok? staging is fine" (checkout-api in prod and
    staging) was diagnosed in staging."""
    service.parser = Reading("diagnose", {"deployment": "checkout-api"})
    out = say(service, "bob", "is checkout-api ok? staging is fine")
    assert "namespace" in out[0] and out[0].endswith("?"), out
    assert _runs(service) == []


@pytest.mark.parametrize(("text", "intent"), [
    ("is prod or staging ok", "diagnose"),                       # two: asked
    ("how are things in prod today, the staging deploy went fine and dev too",
     "diagnose"),                                                # too long to be sure
    ("restart web-frontend prod", "restart_deployment"),         # a change
])
def test_no_namespace_is_taken_from_words_otherwise(service: ConversationService, text: str,
                                                    intent: str) -> None:
    service.parser = Reading(intent, {"deployment": "web-frontend"} if "restart" in text
                             else {})
    out = say(service, "bob", text)
    assert "namespace the message names" not in out[0], out
    assert not [r for r in _runs(service) if r[1] is RunState.SUCCEEDED]


@pytest.mark.parametrize(("text", "namespace"), [
    # Session 42's trial: "prod checkout is acting up, can you take care of it" was asked
    # which namespace (the model tagged the deployment only). A namespace right beside the
    # name is its namespace.
    ("prod checkout-api is acting up, can you take care of it", "prod"),
    ("staging checkout-api looks slow", "staging"),
    ("show me the pods of checkout-api, staging", "staging"),
    ("status of checkout-api staging?", "staging"),
])
def test_a_namespace_beside_the_name_is_its_namespace(service: ConversationService, text: str,
                                                      namespace: str) -> None:
    service.parser = Reading("diagnose", {"deployment": "checkout-api"})
    out = say(service, "bob", text)
    assert f"(namespace {namespace}: the one namespace the message names)" in out[0], out
    assert [(r[0], r[2]) for r in _runs(service)] == [
        ("diagnose", {"deployment": "checkout-api", "namespace": namespace})]


@pytest.mark.parametrize(("text", "intent"), [
    ("checkout-api, staging is fine but is it ok?", "diagnose"),  # not beside: a clause
    ("prod checkout-api staging", "diagnose"),                    # two beside it
    ("prod checkout-api, restart it", "restart_deployment"),      # a change
])
def test_no_namespace_beside_the_name_otherwise(service: ConversationService, text: str,
                                               intent: str) -> None:
    service.parser = Reading(intent, {"deployment": "checkout-api"})
    out = say(service, "bob", text)
    assert "namespace the message names" not in out[0], out
    assert not [r for r in _runs(service) if r[1] is RunState.SUCCEEDED]
