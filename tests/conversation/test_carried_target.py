"""A short read after another request in the thread is about the same object.

A user trial: right after "why is calc-app crashing in prod", "and the logs?" was asked
"In which namespace?", "what about the logs?" was not understood at all, "any events?"
asked for a namespace, and "thanks carol. and in staging?" was "outside what I can do".
A short read-only request that names neither a namespace nor an object takes them from
the thread's last request; a change never does (it names what it changes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import Clock, say, service_on


class Reads:
    """The model's reading of each message, by its text; explicit commands are not read."""

    def __init__(self, readings: dict[str, tuple[str, dict[str, str]]]) -> None:
        self.readings = readings

    def parse(self, text: str) -> ParsedIntent:
        intent, slots = self.readings.get(text, (OUT_OF_SCOPE, {}))
        return ParsedIntent(intent, slots, 0.99, source="model")


FIRST = "run diagnose deployment=calc-app namespace=prod"


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "calc-app"): 2, ("staging", "calc-app"): 1,
                                       ("prod", "checkout-api"): 3, ("dev", "checkout-api"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


def last_run(service: ConversationService) -> tuple[str, dict[str, str]]:
    run = service.store.runs_in_thread("C1", "t1")[0]
    return run.runbook, dict(run.raw_slots)


@pytest.mark.parametrize(("text", "reading", "runbook"), [
    ("and the logs?", ("pod_logs", {}), "pod_logs"),
    ("any events?", ("recent_events", {}), "recent_events"),
    ("logs pls", ("pod_logs", {}), "pod_logs"),
    ("what about the logs?", (OUT_OF_SCOPE, {}), "pod_logs"),
    ("what about events", (OUT_OF_SCOPE, {}), "recent_events"),
    ("and its pods?", ("show_pods", {}), "show_pods"),
])
def test_a_short_read_is_about_the_last_requests_object(
        service: ConversationService, text: str, reading: tuple[str, dict[str, str]],
        runbook: str) -> None:
    service.parser = Reads({text: reading})
    say(service, "bob", FIRST)
    out = say(service, "bob", text)
    assert "In which namespace" not in out[0] and "not sure" not in out[0], out
    assert last_run(service) == (runbook, {"namespace": "prod", "deployment": "calc-app"})


def test_a_change_never_takes_the_last_requests_object(service: ConversationService) -> None:
    service.parser = Reads({"restart": ("restart_deployment", {})})
    say(service, "bob", FIRST)
    (out,) = say(service, "bob", "restart")
    assert "Which deployment" in out or "which deployment" in out, out
    assert last_run(service)[0] == "diagnose"


@pytest.mark.parametrize(("text", "reading"), [
    # names its own namespace: the request is its own
    ("logs in staging", ("pod_logs", {"namespace": "staging"})),
    # too long to be a follow-up
    ("show me the logs of the thing that broke this morning after the deploy please",
     ("pod_logs", {})),
])
def test_a_read_that_says_more_is_its_own_request(
        service: ConversationService, text: str, reading: tuple[str, dict[str, str]]) -> None:
    service.parser = Reads({text: reading})
    say(service, "bob", FIRST)
    say(service, "bob", text)
    assert last_run(service)[0] == "diagnose"  # asked back, nothing read


@pytest.mark.parametrize(("text", "reading"), [
    # A second attacker review: the model missed the namespace the message names.
    ("staging logs?", ("pod_logs", {})),
    ("dev logs pls", ("pod_logs", {})),
    ("and the staging logs?", ("pod_logs", {})),
])
def test_a_read_naming_another_namespace_takes_nothing_from_the_thread(
        service: ConversationService, text: str, reading: tuple[str, dict[str, str]]) -> None:
    service.parser = Reads({text: reading})
    say(service, "bob", FIRST)
    say(service, "bob", text)
    assert last_run(service)[0] == "diagnose"  # asked back, never prod's logs as staging's


@pytest.mark.parametrize("text", ["show pods on node-2", "whats running on node-2 rn?"])
def test_a_read_naming_a_node_takes_nothing_from_the_thread(
        tmp_path: Path, catalogue: Catalogue, text: str) -> None:
    """A user trial: "show pods on node-2" answered with calc-app's pods, "as this thread's
    last request"."""
    cluster = FakeCluster(deployments={("prod", "calc-app"): 2},
                          nodes={"node-1": False, "node-2": False})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = Reads({text: ("show_pods", {})})
    say(service, "bob", FIRST)
    out = say(service, "bob", text)
    assert "as this thread's last request" not in " ".join(out), out
    assert last_run(service)[0] == "diagnose"


@pytest.mark.parametrize(("text", "reading"), [
    ("show all pods", ("show_pods", {})),
    ("events for the whole namespace?", ("recent_events", {})),
])
def test_a_read_of_everything_is_not_narrowed_to_the_last_object(
        service: ConversationService, text: str, reading: tuple[str, dict[str, str]]) -> None:
    service.parser = Reads({text: reading})
    say(service, "bob", FIRST)
    say(service, "bob", text)
    runbook, slots = last_run(service)
    assert runbook == reading[0] and slots == {"namespace": "prod"}


def test_a_carried_read_says_what_it_is_about(service: ConversationService) -> None:
    service.parser = Reads({"any events?": ("recent_events", {})})
    say(service, "bob", FIRST)
    (out,) = say(service, "bob", "any events?")
    assert "this thread's last request" in out and "calc-app" in out, out


def test_thanks_to_someone_before_a_change_follow_up_is_talk(
        service: ConversationService) -> None:
    # A second attacker review: carol thanking bob for his restart and asking him about
    # staging proposed a restart in staging as hers.
    say(service, "bob", "run restart_deployment deployment=calc-app namespace=prod")
    say(service, "carol", "thanks bob. and in staging?")
    runs = service.store.runs_in_thread("C1", "t1")
    assert [r.raw_slots["namespace"] for r in runs] == ["prod"]


def test_thanks_before_a_follow_up_is_still_a_follow_up(service: ConversationService) -> None:
    say(service, "bob", "run deployment_status deployment=calc-app namespace=prod")
    out = say(service, "bob", "thanks carol. and in staging?")
    assert "calc-app in staging" in out[0], out
