"""Editing a waiting plan in words: the value goes where the plan set one, and a refused
edit leaves the plan waiting.

A user trial:
- "raise payments-worker's memory limit to 256Mi" waited; "actually make it 512Mi" was
  read as the memory *request*, refused by the dry-run (a request above the limit), and
  the waiting plan had been cancelled first: it vanished without a word;
- "raise the autoscaler max of search-indexer to 8" waited; "make it 10 instead" became a
  new scale of the deployment to 10 replicas (after two questions), beside the plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import Message
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_service_logic import Clock, say, service_on

WORKER = {"deployment": "payments-worker", "namespace": "prod"}


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "payments-worker"): 2,
                                               ("prod", "search-indexer"): 2}),
                      tmp_path, catalogue, Clock())


def _plans(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


def test_a_bare_value_edits_the_field_the_plan_set(service: ConversationService) -> None:
    say(service, "bob", "run set_resources deployment=payments-worker namespace=prod "
                        "memory_limit=256Mi")
    text = "actually make it 512Mi"
    service.parser = Reads({text: ("set_resources", {"memory_request": "512Mi"})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("set_resources", RunState.PROPOSED,
                        {**WORKER, "memory_limit": "512Mi"})]


def test_a_refused_edit_leaves_the_plan_waiting_and_says_so(
        service: ConversationService) -> None:
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    (first,) = service.store.runs_in_thread("C1", "t1")
    replies = service.edit(first.id, Message("UBOB", "", "C1", "t1"), {"replicas": "500"})
    text = replies[-1].text
    assert f"{first.id} still waits as it was" in text, text
    assert _plans(service) == [("scale_deployment", RunState.PROPOSED,
                                {**WORKER, "replicas": "4"})]


def test_make_it_n_instead_edits_the_one_plan_waiting_whatever_the_model_read(
        service: ConversationService) -> None:
    say(service, "bob", "run set_autoscaling deployment=search-indexer namespace=prod "
                        "max_replicas=8")
    text = "make it 10 instead"
    service.parser = Reads({text: ("scale_deployment", {"replicas": "10"})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("set_autoscaling", RunState.PROPOSED,
                        {"deployment": "search-indexer", "namespace": "prod",
                         "max_replicas": "10"})]


def test_a_value_for_a_plan_that_set_two_is_not_guessed(service: ConversationService) -> None:
    say(service, "bob", "run set_autoscaling deployment=search-indexer namespace=prod "
                        "min_replicas=2 max_replicas=8")
    text = "make it 10 instead"
    service.parser = Reads({text: ("scale_deployment", {"replicas": "10"})})
    say(service, "bob", text)
    assert ("set_autoscaling", RunState.PROPOSED,
            {"deployment": "search-indexer", "namespace": "prod", "min_replicas": "2",
             "max_replicas": "8"}) in _plans(service)
    assert not [p for p in _plans(service) if p[2].get("max_replicas") == "10"]
