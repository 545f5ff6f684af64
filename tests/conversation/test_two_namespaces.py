"""A request naming two namespaces is never served in one of them silently.

A user trial: "restart checkout-api in prod and staging please" planned prod only and
said nothing of staging. A change is asked for one namespace at a time (no plan); a read
answers the namespace it read and says which it left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import ParsedIntent
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import Clock, say, service_on


class Reads:
    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), 0.99, source="model")


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3,
                                       ("staging", "checkout-api"): 1,
                                       ("dev", "checkout-api"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


RESTART = {"deployment": "checkout-api", "namespace": "prod"}


@pytest.mark.parametrize("text", [
    "restart checkout-api in prod and staging please",
    "restart checkout-api in prod & staging",
    "restart checkout-api in staging and prod",
    "restart checkout-api in prod, staging and dev",
    "restart checkout-api in prod and in staging",
    "restart checkout-api (prod + staging)",
    # A second attacker review: other ways of joining them.
    "restart checkout-api in prod, and staging",
    "restart checkout-api in prod then staging",
    "restart checkout-api in prod as well as staging",
    "restart checkout-api in prod and also staging",
    "restart checkout-api in `prod` and `staging`",
    "restart checkout-api in *prod* and *staging*",
    "restart checkout-api in prod (and staging)",
    # ... and the schedule path.
    "restart checkout-api in prod and staging at 3am",
    "every day at 03:00 restart checkout-api in prod and staging",
])
def test_a_change_in_two_namespaces_is_asked_for_one_at_a_time(
        service: ConversationService, text: str) -> None:
    service.parser = Reads("restart_deployment", RESTART)
    (out,) = say(service, "bob", text)
    assert "one namespace at a time" in out and "staging" in out, out
    assert service.store.runs_in_thread("C1", "t1") == []
    assert service.schedules.live() == []


@pytest.mark.parametrize("text", [
    # A user trial: both planned in the namespace the model read, the other unsaid.
    "restart checkout-api in staging (actually namespace=prod)",
    "restart checkout-api in prod namespace=staging",
    # kubectl's own ways of giving one.
    "restart checkout-api -n staging in prod",
    "restart checkout-api in prod --namespace=staging",
    "restart checkout-api in prod --namespace staging",
    "restart checkout-api in prod ns: staging",
    # One the cluster lacks is still another namespace than the one read.
    "restart checkout-api in prod namespace=prod-eu",
])
def test_a_namespace_given_as_an_option_besides_another_is_asked_for(
        service: ConversationService, text: str) -> None:
    service.parser = Reads("restart_deployment", RESTART)
    (out,) = say(service, "bob", text)
    assert "one namespace at a time" in out, out
    assert service.store.runs_in_thread("C1", "t1") == []


@pytest.mark.parametrize("text", [
    "restart checkout-api namespace=prod",
    "restart checkout-api in prod (namespace=prod)",
    "restart checkout-api -n prod",
    "restart checkout-api --namespace=prod",
])
def test_the_same_namespace_given_twice_is_one(service: ConversationService,
                                                text: str) -> None:
    service.parser = Reads("restart_deployment", RESTART)
    say(service, "bob", text)
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.raw_slots["namespace"] == "prod"


@pytest.mark.parametrize("text", [
    "restart checkout-api in prod and wait for it",
    "restart checkout-api in prod and tell staging folks",  # not a namespace: a word
    "restart checkout-api in prod, then check the logs",
    # A second attacker review: the other namespace is a subject of its own clause.
    "restart checkout-api in prod, staging is fine",
    "restart checkout-api in prod and dev team will watch it",
])
def test_a_word_after_and_that_is_no_namespace_is_no_second_namespace(
        service: ConversationService, text: str) -> None:
    service.parser = Reads("restart_deployment", RESTART)
    say(service, "bob", text)
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.raw_slots["namespace"] == "prod"


def test_a_read_in_two_namespaces_says_which_it_left_out(service: ConversationService) -> None:
    service.parser = Reads("deployment_status", RESTART)
    (out,) = say(service, "bob", "status of checkout-api in prod and staging?")
    assert "checkout-api in prod" in out and "staging" in out and "not read" in out, out


@pytest.mark.parametrize("text", ["restart namespace: prod", "restart the namespace: prod",
                                  "bounce namespace=prod", "restart ns: prod please"])
def test_a_namespace_as_the_object_is_still_no_deployment(service: ConversationService,
                                                          text: str) -> None:
    """An attacker review: with "namespace=" read as a label after a name, "restart
    namespace: prod" (no name before it) was asked "Which deployment?" and a "yes" would
    have planned the one there."""
    service.parser = Reads("restart_deployment", {"namespace": "prod"})
    (out,) = say(service, "bob", text)
    assert "I can't change a namespace" in out, out
    assert service.store.runs_in_thread("C1", "t1") == []
