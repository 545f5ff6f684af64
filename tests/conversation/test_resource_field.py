"""A memory or CPU value said without "request" or "limit" is asked about, not guessed.

A user trial: after a diagnosis of OOM kills, "give it 256Mi" was read as the memory
*request*, and the dry-run refused it (a request above the 128Mi limit), with a hint in
the runbook's slot names. Which field a bare value sets is the person's to say: the limit
(what an OOM kill hits), the request (what the scheduler reserves), or both."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import Message
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_service_logic import Clock, say, service_on

TARGET = {"deployment": "checkout-api", "namespace": "prod"}


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "checkout-api"): 2}), tmp_path,
                      catalogue, Clock())


def planned(service: ConversationService) -> list[dict[str, str]]:
    return [dict(r.raw_slots) for r in service.store.runs_in_thread("C1", "t1")]


@pytest.mark.parametrize(("text", "slot", "value", "kind"), [
    ("give checkout-api in prod 256Mi of memory", "memory_request", "256Mi", "memory"),
    ("checkout-api in prod needs 1Gi", "memory_limit", "1Gi", "memory"),
    ("give checkout-api in prod 2 cores", "cpu_request", "2", "cpu"),
])
def test_a_bare_value_is_asked_about(service: ConversationService, text: str, slot: str,
                                     value: str, kind: str) -> None:
    service.parser = Reads({text: ("set_resources", {**TARGET, slot: value})})
    replies = service.handle(Message(user="bob", text=text, channel="C1", thread="t1"))
    (asked,) = replies
    assert f"{kind} limit" in asked.text and f"{kind} request" in asked.text, asked.text
    assert asked.choices == (f"{kind} limit {value}", f"{kind} request {value}",
                             f"both {value}")
    assert planned(service) == []  # nothing planned, nothing dry-run yet


@pytest.mark.parametrize(("text", "slot"), [
    ("can we set memory request and limit of checkout-api in prod to 512Mi?", "memory_limit"),
    ("checkout-api in prod: limits and requests to 512Mi please", "memory_request"),
    ("set the memory request/limit of checkout-api in prod to 512Mi", "memory_limit"),
])
def test_a_value_for_request_and_limit_together_sets_both(
        service: ConversationService, text: str, slot: str) -> None:
    """A user trial: "set memory request and limit to 512Mi" was planned as the limit only."""
    service.parser = Reads({text: ("set_resources", {**TARGET, slot: "512Mi"})})
    out = say(service, "bob", text)
    assert planned(service) == [{**TARGET, "memory_request": "512Mi",
                                 "memory_limit": "512Mi"}], out


def test_request_and_limit_with_a_value_each_keep_their_own(
        service: ConversationService) -> None:
    text = "set memory request and limit of checkout-api in prod to 256Mi and 512Mi"
    slots = {**TARGET, "memory_request": "256Mi", "memory_limit": "512Mi"}
    service.parser = Reads({text: ("set_resources", slots)})
    say(service, "bob", text)
    assert planned(service) == [slots]


@pytest.mark.parametrize(("answer", "expected"), [
    ("memory limit 256Mi", {"memory_limit": "256Mi"}),
    ("2", {"memory_request": "256Mi"}),
    ("both 256Mi", {"memory_limit": "256Mi", "memory_request": "256Mi"}),
    # A user trial: one word of a choice ("limit") was "outside what I can do".
    ("limit", {"memory_limit": "256Mi"}),
    ("the limit pls", {"memory_limit": "256Mi"}),
    ("request", {"memory_request": "256Mi"}),
    ("both", {"memory_limit": "256Mi", "memory_request": "256Mi"}),
])
def test_the_answer_plans_that_field(service: ConversationService, answer: str,
                                     expected: dict[str, str]) -> None:
    text = "give checkout-api in prod 256Mi of memory"
    service.parser = Reads({text: ("set_resources", {**TARGET, "memory_request": "256Mi"})})
    say(service, "bob", text)
    say(service, "bob", answer)
    (slots,) = planned(service)
    assert slots == {**TARGET, **expected}
    # The plan is still the model's reading (its confidence), not an explicit command.
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.confidence == 0.99


@pytest.mark.parametrize(("text", "slot"), [
    ("raise the memory limit of checkout-api in prod to 1Gi", "memory_limit"),
    ("set the memory request of checkout-api in prod to 512Mi", "memory_request"),
    ("cap checkout-api's memory in prod at 1Gi", "memory_limit"),
])
def test_a_value_whose_field_is_named_is_planned(service: ConversationService, text: str,
                                                  slot: str) -> None:
    service.parser = Reads({text: ("set_resources", {**TARGET, slot: text.rsplit(maxsplit=1)[-1]})})
    say(service, "bob", text)
    (slots,) = planned(service)
    assert slot in slots


def test_an_explicit_command_is_never_asked(service: ConversationService) -> None:
    say(service, "bob", "run set_resources deployment=checkout-api namespace=prod "
                        "memory_request=256Mi")
    (slots,) = planned(service)
    assert slots["memory_request"] == "256Mi"


def test_a_value_no_field_takes_is_refused_not_asked_about(
        service: ConversationService) -> None:
    text = "give checkout-api in prod <!channel> of memory"
    service.parser = Reads({text: ("set_resources", {**TARGET, "memory_request": "<!channel>"})})
    (out,) = say(service, "bob", text)
    assert not out.startswith("Is ") and "memory_request" in out, out
    assert planned(service) == []


@pytest.fixture
def two_namespaces(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "checkout-api"): 2,
                                               ("staging", "checkout-api"): 1}),
                      tmp_path, catalogue, Clock())


@pytest.mark.parametrize(("text", "slots", "says"), [
    # An attacker review: the question came before the checks on the message's words,
    # and the answer ("limit") has none of them to check.
    ("give checkout-api in prod and staging 512Mi",
     {**TARGET, "memory_request": "512Mi"}, "one namespace at a time"),
    ("checkout-api in prod got OOM killed at 2:15, give it 512Mi",
     {**TARGET, "memory_request": "512Mi"}, "2:15"),
    ("give checkout web in prod 512Mi",
     {"deployment": "checkout", "namespace": "prod", "memory_request": "512Mi"}, "checkout"),
])
def test_the_checks_on_the_message_come_before_the_question(
        two_namespaces: ConversationService, text: str, slots: dict[str, str],
        says: str) -> None:
    two_namespaces.parser = Reads({text: ("set_resources", slots)})
    (out,) = say(two_namespaces, "bob", text)
    assert says in out and not out.startswith("Is 512Mi"), out
    for answer in ("memory limit 512Mi", "1"):
        say(two_namespaces, "bob", answer)
    assert planned_in(two_namespaces) == []


def planned_in(service: ConversationService) -> list[dict[str, str]]:
    return [dict(r.raw_slots) for r in service.store.runs_in_thread("C1", "t1")]


def test_a_button_of_an_older_question_answers_nothing(service: ConversationService) -> None:
    """An attacker review: every question offered the same three buttons, so a click on
    an older one planned the newest request. Each button names its value."""
    first, second = "give checkout-api in prod 256Mi", "give checkout-api in prod 1Gi"
    service.parser = Reads({first: ("set_resources", {**TARGET, "memory_request": "256Mi"}),
                            second: ("set_resources", {**TARGET, "memory_request": "1Gi"})})
    say(service, "bob", first)
    say(service, "bob", second)
    say(service, "bob", "memory limit 256Mi")  # the first question's button
    assert planned(service) == []
    say(service, "bob", "memory limit 1Gi")
    assert planned(service) == [{**TARGET, "memory_limit": "1Gi"}]


@pytest.mark.parametrize("text", ["give checkout-api in prod 1Gi at 3am",
                                  "every day at 03:00 give checkout-api in prod 1Gi"])
def test_a_scheduled_bare_value_is_refused_until_its_field_is_named(
        service: ConversationService, text: str) -> None:
    """A schedule cannot ask back (it is proposed whole): its refusal says what to name."""
    reading = ("set_resources", {**TARGET, "memory_request": "1Gi"})
    # The schedule path reads the request without its time.
    service.parser = Reads({text: reading, "give checkout-api in prod 1Gi": reading})
    (out,) = say(service, "bob", text)
    assert "memory limit" in out and "memory request" in out, out
    assert planned(service) == [] and service.schedules.live() == []


@pytest.mark.parametrize("reply", ["fix it", "ok just fix it then", "go ahead and fix that"])
def test_fix_it_while_the_field_is_asked_asks_the_field_again(service: ConversationService,
                                                              reply: str) -> None:
    """The review of session 36: "fix it" after the field question was answered "Which
    fix?", though no fix was offered: the question still waits, in its own words."""
    text = "give checkout-api in prod 256Mi of memory"
    service.parser = Reads({text: ("set_resources", {**TARGET, "memory_request": "256Mi"})})
    say(service, "bob", text)
    (again,) = service.handle(Message(user="bob", text=reply, channel="C1", thread="t1"))
    assert "fix" not in again.text.lower(), again.text
    assert "256Mi" in again.text and "limit" in again.text
    assert again.choices == ("memory limit 256Mi", "memory request 256Mi", "both 256Mi")
    assert planned(service) == []
    say(service, "bob", "both 256Mi")  # and it is still answered
    assert planned(service) == [{**TARGET, "memory_limit": "256Mi",
                                 "memory_request": "256Mi"}]
