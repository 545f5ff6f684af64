"""Messages that start with "run" in plain words are requests for the model, not explicit
commands: "run 3 replicas of checkout-api in prod" was answered "There is no runbook
called '3'". A command names a runbook and gives key=value slots; anything else is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.asking import run_without_its_change
from chatops.model import OUT_OF_SCOPE
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


@pytest.mark.parametrize(("intent", "text", "without"), [
    ("resume_cronjob", "run nightly-report in prod", True),
    ("suspend_cronjob", "run nightly-report in prod, it missed last night", True),
    ("uncordon_node", "run maintenance on node-7", True),
    ("restart_deployment", "run the smoke tests against api in prod", True),
    ("set_resources", "run the load test on api in prod", True),
    ("rollback_deployment", "run a rollback of checkout-api in prod", False),
    ("restart_deployment", "run a rolling restart of api in prod", False),
    ("scale_deployment", "run 3 replicas of checkout-api in prod", False),
    ("delete_pod", "run kubectl delete pod api-1 -n prod", False),
    ("resume_cronjob", "run a resume of nightly-report", False),
    ("set_resources", "run api with 512Mi of memory in prod", False),
    ("restart_deployment", "restart api, then run the smoke tests", False),  # names it
    # "run" after the words a request opens with, or in a clause of its own.
    ("resume_cronjob", "please run nightly-report in prod", True),
    ("resume_cronjob", "can you run the db-backup job again in prod?", True),
    ("uncordon_node", "hey, run maintenance on node-7", True),
    ("resume_cronjob", "the report is late. run nightly-report in prod", True),
    ("rollback_deployment", "could you run a rollback of checkout-api in prod", False),
    ("resume_cronjob", "nightly-report did not run last night, resume it", False),
])
def test_run_must_name_the_change_of_the_runbook_read(intent: str, text: str,
                                                       without: bool) -> None:
    assert run_without_its_change(intent, text) is without


def test_run_in_plain_words_is_no_answer_to_a_question(tmp_path: Path,
                                                        catalogue: Catalogue) -> None:
    """An attacker review: "run the migration in staging first" answered "In which
    namespace?" and planned the scale in staging. A message that opens with "run" never
    answers a question (as when every such message was a command)."""
    service = service_on(FakeCluster(deployments={("prod", "checkout-api"): 2,
                                                  ("staging", "checkout-api"): 1}),
                         tmp_path, catalogue, Clock())
    service.parser = Reads({
        "scale checkout-api to 3": ("scale_deployment",
                                    {"deployment": "checkout-api", "replicas": "3"}),
        # what the shipped model reads in it
        "run the migration in staging first": (OUT_OF_SCOPE, {"namespace": "staging"})})
    (asked,) = say(service, "bob", "scale checkout-api to 3")
    assert "namespace" in asked.lower(), asked
    say(service, "bob", "run the migration in staging first")
    assert service.store.runs_in_thread("C1", "t1") == []
