"""A question of pod hygiene the model left under its bar is answered with the checks it
names.

Session 42's user trial: "who's missing liveness probes in prod" (the model out of scope at
0.92, the check tagged) and "does anything in prod mount a hostPath" (pod_hygiene at 0.61,
under the read bar) got "I'm not sure"; "which pods mount host paths in staging" got
"'host paths' is not a pod hygiene check".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.hygiene_words import hygiene_checks
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import spans_in
from tests.conversation.test_service_logic import Clock, say, service_on


class Unsure:
    """Out of scope, `alternatives` given, `slots` found in the text."""

    def __init__(self, slots: dict[str, str], hygiene: float) -> None:
        self.slots, self.hygiene = slots, hygiene

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(OUT_OF_SCOPE, dict(self.slots), 1 - self.hygiene,
                            (("pod_hygiene", self.hygiene), ("diagnose", 0.01)), "model",
                            spans_in(text, self.slots))


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path,
                      catalogue, Clock())


def _runs(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


@pytest.mark.parametrize(("text", "slots", "hygiene", "check"), [
    ("who's missing liveness probes in prod", {"check": "liveness probes",
                                               "namespace": "prod"}, 0.08, "liveness-probe"),
    # The model tagged part of the check: the words name it whole.
    ("who's missing liveness probes in prod", {"check": "probes", "namespace": "prod"}, 0.02,
     "liveness-probe"),
    ("does anything in prod mount a hostPath", {"namespace": "prod"}, 0.61, "host-path"),
    ("any containers running as root in prod?", {"namespace": "prod"}, 0.3, "run-as-root"),
    ("which pods in prod have no memory limits or readiness probes?", {"namespace": "prod"},
     0.25, "memory-limits,readiness-probe"),
    ("is anything privileged running in prod", {"namespace": "prod"}, 0.4, "privileged"),
])
def test_a_hygiene_question_under_the_bar_gets_its_checks(
        service: ConversationService, text: str, slots: dict[str, str], hygiene: float,
        check: str) -> None:
    service.parser = Unsure(slots, hygiene)
    out = say(service, "bob", text)
    assert _runs(service) == [("pod_hygiene", RunState.SUCCEEDED,
                               {"check": check, "namespace": "prod"})], out


@pytest.mark.parametrize(("text", "slots", "hygiene"), [
    # Not a question: an order no runbook makes.
    ("add memory limits to every pod in prod", {"namespace": "prod"}, 0.4),
    ("make the pods in prod run as non-root", {"namespace": "prod"}, 0.3),
    # No check named, or the model gave the hygiene read no weight and tagged none.
    ("which pods in prod are weird?", {"namespace": "prod"}, 0.5),
    ("any containers running as root in prod?", {"namespace": "prod"}, 0.01),
    # Said to someone else; a general question.
    ("@carol which pods in prod mount a hostPath?", {"namespace": "prod"}, 0.5),
    ("what is a hostPath volume?", {}, 0.5),
])
def test_no_hygiene_answer_for_orders_other_questions_or_others(
        service: ConversationService, text: str, slots: dict[str, str],
        hygiene: float) -> None:
    service.parser = Unsure(slots, hygiene)
    say(service, "bob", text)
    assert _runs(service) == []


@pytest.mark.parametrize(("phrase", "checks"), [
    ("host paths", "host-path"), ("hostpaths", "host-path"), ("host path volumes", "host-path"),
])
def test_host_paths_in_the_plural_name_the_check(phrase: str, checks: str) -> None:
    assert hygiene_checks(phrase) == checks


def test_a_check_tagged_in_part_is_read_as_its_words_name_it(
        service: ConversationService) -> None:
    """Session 42's trial: "which pods mount host paths in staging", read as the hygiene
    runbook with "host" tagged, was told "'host paths' is not a pod hygiene check"."""
    from tests.conversation.readings import Reading

    service.parser = Reading({"check": "host", "namespace": "prod"}, "pod_hygiene", 0.96)
    out = say(service, "bob", "which pods mount host paths in prod")
    assert _runs(service) == [("pod_hygiene", RunState.SUCCEEDED,
                               {"check": "host-path", "namespace": "prod"})], out


@pytest.mark.parametrize(("text", "checks"), [
    # Session 48's set K: "check for untagged images across the whole cluster", read as the
    # hygiene runbook with no check tagged, ran every check.
    ("check for untagged images in prod", "latest-tag"),
    ("who's got tty enabled in prod", "tty-stdin"),
])
def test_a_check_not_tagged_is_read_as_its_words_name_it(
        service: ConversationService, text: str, checks: str) -> None:
    from tests.conversation.readings import Reading

    service.parser = Reading({"namespace": "prod"}, "pod_hygiene", 0.96)
    out = say(service, "bob", text)
    assert _runs(service) == [("pod_hygiene", RunState.SUCCEEDED,
                               {"check": checks, "namespace": "prod"})], out


def test_no_check_named_runs_them_all(service: ConversationService) -> None:
    from tests.conversation.readings import Reading

    service.parser = Reading({"namespace": "prod"}, "pod_hygiene", 0.96)
    out = say(service, "bob", "hygiene audit of prod please")
    assert _runs(service) == [("pod_hygiene", RunState.SUCCEEDED, {"namespace": "prod"})], out
