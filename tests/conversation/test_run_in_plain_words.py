"""Messages that start with "run" in plain words are requests for the model, not explicit
commands: "run 3 replicas of checkout-api in prod" was answered "There is no runbook
called '3'". A command names a runbook and gives key=value slots; anything else is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 2})
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize(("text", "reading", "runbook"), [
    ("run 3 replicas of checkout-api in prod",
     ("scale_deployment", {"deployment": "checkout-api", "namespace": "prod",
                           "replicas": "3"}), "scale_deployment"),
    ("run a diagnosis of checkout-api in prod",
     ("diagnose", {"deployment": "checkout-api", "namespace": "prod"}), "diagnose"),
    ("run diagnose on checkout-api in prod",
     ("diagnose", {"deployment": "checkout-api", "namespace": "prod"}), "diagnose"),
])
def test_run_in_plain_words_is_read_by_the_model(
        service: ConversationService, text: str, reading: tuple[str, dict[str, str]],
        runbook: str) -> None:
    service.parser = Reads({text: reading})
    out = say(service, "bob", text)
    assert "no runbook called" not in " ".join(out) and "key=value" not in " ".join(out), out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.runbook == runbook and run.raw_slots["deployment"] == "checkout-api"
    assert run.confidence < 1  # read, not typed as a command


@pytest.mark.parametrize(("text", "says"), [
    ("run scale_deploymnet deployment=checkout-api", "scale_deployment"),  # did you mean
    ("run scale_deployment deployment checkout-api", "key=value"),
    ("run nosuch_thing", "no runbook called"),
    ("run diagnose deployment=checkout-api namespace=prod please", "key=value"),
    ("run diagnose", "In which namespace"),
])
def test_a_command_that_names_a_runbook_keeps_the_grammars_answers(
        service: ConversationService, text: str, says: str) -> None:
    service.parser = Reads({})
    out = say(service, "bob", text)
    assert says in " ".join(out), out


def test_without_a_model_every_run_message_is_a_command(
        service: ConversationService) -> None:
    service.parser = None
    out = say(service, "bob", "run 3 replicas of checkout-api in prod")
    assert "no runbook called '3'" in " ".join(out), out
