"""A message that is a request or a question of its own is no answer to a waiting question,
and "ok restart it" after a diagnosis takes the restart it suggested.

A user trial: after a diagnosis of calc-app suggested a restart, "ok restart it" was asked
"which deployment?"; the next message, "what changed on checkout-api in prod in the last
day", became that answer, and "is search-indexer autoscaled in prod?" then answered the
namespace question: a restart of checkout-api was planned that nobody asked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Asked, RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "calc-app"): 2, ("prod", "checkout-api"): 3,
                                       ("prod", "search-indexer"): 2},
                          crashing={("prod", "calc-app")})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _proposed(service: ConversationService) -> list[tuple[str, dict[str, str]]]:
    return [(r.runbook, dict(r.raw_slots)) for r in service.store.runs_in_thread("C1", "t1")
            if r.state is RunState.PROPOSED]


@pytest.mark.parametrize("text", ["ok restart it", "restart it then", "bounce it pls",
                                  "ok, just restart calc-app"])
def test_ordering_the_suggested_fix_plans_it(service: ConversationService, text: str) -> None:
    say(service, "bob", "run diagnose deployment=calc-app namespace=prod")
    service.parser = Reading("restart_deployment", {})
    out = say(service, "bob", text)
    assert _proposed(service) == [("restart_deployment",
                                   {"namespace": "prod", "deployment": "calc-app"})], out
    (run,) = [r for r in service.store.runs_in_thread("C1", "t1") if r.runbook != "diagnose"]
    assert run.asked_as is Asked.FIX


@pytest.mark.parametrize(("text", "reading"), [
    ("restart checkout-api instead", ("restart_deployment", {"deployment": "checkout-api"})),
    ("restart search-indexer", ("restart_deployment", {"deployment": "search-indexer"})),
    ("ok roll it back", ("rollback_deployment", {})),
])
def test_another_order_is_not_the_suggested_fix(service: ConversationService, text: str,
                                                reading: tuple[str, dict[str, str]]) -> None:
    say(service, "bob", "run diagnose deployment=calc-app namespace=prod")
    service.parser = Reading(*reading)
    say(service, "bob", text)
    assert ("restart_deployment", {"namespace": "prod", "deployment": "calc-app"}) \
        not in _proposed(service)


@pytest.mark.parametrize(("asked", "text", "reading"), [
    ("run restart_deployment namespace=prod",
     "what changed on checkout-api in prod in the last day",
     ("recent_events", {"deployment": "checkout-api", "namespace": "prod"})),
    ("run restart_deployment deployment=checkout-api",
     "is search-indexer autoscaled in prod?",
     ("deployment_status", {"deployment": "search-indexer", "namespace": "prod"})),
    ("run restart_deployment deployment=checkout-api",
     "search-indexer in prod",
     ("restart_deployment", {"deployment": "search-indexer", "namespace": "prod"})),
    # Another namespace than the request's (an attacker review: planned in prod).
    ("run restart_deployment namespace=prod",
     "checkout-api in staging",
     ("restart_deployment", {"deployment": "checkout-api", "namespace": "staging"})),
])
def test_a_message_of_its_own_answers_no_question(
        service: ConversationService, asked: str, text: str,
        reading: tuple[str, dict[str, str]]) -> None:
    say(service, "bob", asked)
    service.parser = Reading(*reading, confidence=0.6)
    say(service, "bob", text)
    # No plan of the request asked about took a value from it (a new request of its own
    # is planned as such: "search-indexer in prod" read as a restart of search-indexer).
    assert not [p for p in _proposed(service)
                if p[1].get("deployment") in (None, "checkout-api")
                and p[1].get("namespace") in (None, "prod")], _proposed(service)


def test_a_plain_answer_still_answers(service: ConversationService) -> None:
    say(service, "bob", "run restart_deployment deployment=checkout-api")
    service.parser = Reading("oos", {"namespace": "prod"}, confidence=0.6)
    say(service, "bob", "prod please")
    assert _proposed(service) == [("restart_deployment",
                                   {"deployment": "checkout-api", "namespace": "prod"})]


@pytest.mark.parametrize(("text", "label"), [
    ("restart search-indexer", "restart_deployment search-indexer"),
    ("ok restart calc-app then", "restart_deployment calc-app"),
    ("ok restart it", None),  # fixes of several objects offered: which is no guess
    ("ok, set the image then", None),
    ("restart web-frontend", None),  # not offered
    ("roll it back", None),  # no rollback offered
])
def test_an_order_takes_the_one_offered_fix_it_names(text: str, label: str | None) -> None:
    from chatops.conversation.dialogue import _offer_ordered
    from chatops.conversation.thread import OFFER, PendingQuestion
    from chatops.conversation.thread import LastRequest as Offer

    offers = {"restart_deployment calc-app": Offer("restart_deployment", {
                  "namespace": "prod", "deployment": "calc-app"}),
              "restart_deployment search-indexer": Offer("restart_deployment", {
                  "namespace": "prod", "deployment": "search-indexer"}),
              "set_image web-frontend app": Offer("set_image", {
                  "namespace": "prod", "deployment": "web-frontend", "container": "app"})}
    pending = PendingQuestion(OFFER, {}, "choice", choices=tuple(offers), offers=offers,
                              asked=Asked.FIX)
    assert _offer_ordered(pending, text) == label


@pytest.mark.parametrize("text", ["kill them", "ok restart the pods"])
def test_plural_words_take_no_fix_of_one_object(service: ConversationService,
                                                text: str) -> None:
    # An attacker review: "kill them" planned the deletion of the one pod offered.
    say(service, "bob", "run diagnose deployment=calc-app namespace=prod")
    service.parser = Reading("oos", {})
    say(service, "bob", text)
    assert _proposed(service) == []


@pytest.fixture
def pulling(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    """web-frontend's image cannot be pulled: its diagnosis offers set_image."""
    cluster = FakeCluster(deployments={("prod", "web-frontend"): 2, ("prod", "checkout-api"): 3},
                          not_pulling={("prod", "web-frontend")})
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize("text", ["ok do it, use nginx:1.25", "yes, set it to nginx:1.25",
                                  "fix it with image nginx:1.25", "use nginx:1.25"])
def test_the_suggested_fix_with_its_missing_value_plans_it(pulling: ConversationService,
                                                           text: str) -> None:
    """A user trial: after a diagnosis suggested set_image for web-frontend, "ok do it, use
    nginx:1.25" (read as set_image with that image, no deployment) was asked "Which
    deployment?" and then "In which namespace?"."""
    say(pulling, "bob", "run diagnose deployment=web-frontend namespace=prod")
    pulling.parser = Reading("set_image", {"image": "nginx:1.25"})
    out = say(pulling, "bob", text)
    assert _proposed(pulling) == [("set_image", {"namespace": "prod", "deployment": "web-frontend",
                                                 "container": "app", "image": "nginx:1.25"})], out
    (run,) = [r for r in pulling.store.runs_in_thread("C1", "t1") if r.runbook != "diagnose"]
    # The value is the message's: the approver is not told the diagnosis suggested it.
    assert run.asked_as is Asked.MODEL
    assert "image nginx:1.25 is your message's" in out[-1], out


@pytest.mark.parametrize(("text", "reading"), [
    # Another object named, tagged or not.
    ("set checkout-api to nginx:1.25", ("set_image", {"deployment": "checkout-api",
                                                      "image": "nginx:1.25"})),
    ("ok and checkout-api to nginx:1.25 too", ("set_image", {"image": "nginx:1.25"})),
    # Another namespace.
    ("use nginx:1.25 in staging", ("set_image", {"namespace": "staging",
                                                 "image": "nginx:1.25"})),
    # Another change than the one offered.
    ("scale it to 3", ("scale_deployment", {"replicas": "3"})),
    # An attacker review: no order at all, a negation, a question, words to someone else.
    ("nginx:1.25 is the broken one", ("set_image", {"image": "nginx:1.25"})),
    ("the bad tag is nginx:1.25", ("set_image", {"image": "nginx:1.25"})),
    ("don't set it to nginx:1.25", ("set_image", {"image": "nginx:1.25"})),
    ("what if we used nginx:1.25?", ("set_image", {"image": "nginx:1.25"})),
    ("@carol should we use nginx:1.25?", ("set_image", {"image": "nginx:1.25"})),
    ("dave, can you check if nginx:1.25 is ok?", ("set_image", {"image": "nginx:1.25"})),
])
def test_a_value_for_another_object_or_change_is_not_the_suggested_fix(
        pulling: ConversationService, text: str, reading: tuple[str, dict[str, str]]) -> None:
    say(pulling, "bob", "run diagnose deployment=web-frontend namespace=prod")
    pulling.parser = Reading(*reading)
    say(pulling, "bob", text)
    assert not [p for p in _proposed(pulling) if p[1].get("deployment") == "web-frontend"]
