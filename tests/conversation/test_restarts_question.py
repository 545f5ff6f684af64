"""A question of which pods restart, or how often, is answered with the pods and their
restart counts, the ones that restarted most named first; nothing is changed.

A user trial: "which pods have restarted the most in prod" got "'most' is not a pod
hygiene check" (read as the hygiene runbook, "most" tagged as its check), and "restart
counts in prod please" was read as a restart and asked which deployment to restart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.restarts_question import asks_about_restarts
from chatops.messages import RESTARTS_NOTE
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(
        deployments={("prod", "calc-app"): 2, ("prod", "checkout-api"): 1},
        pod_restarts={("prod", "calc-app-1"): 7, ("prod", "calc-app-2"): 3,
                      ("prod", "checkout-api-1"): 0})


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue, cluster: FakeCluster) -> ConversationService:
    return service_on(cluster, tmp_path, catalogue, Clock())


APP = {"deployment": "calc-app"}
POD = {"pod": "calc-app-1"}


@pytest.mark.parametrize(("text", "slots", "read_as_change"), [
    ("which pods have restarted the most in prod", {}, False),
    ("pods with the most restarts in prod?", {}, False),
    ("what's restarting a lot in prod", {}, False),
    ("which containers keep restarting", {}, False),
    ("anything with high restarts in staging?", {}, False),
    ("restart counts in prod please", {}, True),
    ("how many times has checkout-api restarted in prod", {"deployment": "checkout-api"}, True),
    ("how many restarts does calc-app have", APP, False),
])
def test_questions_of_restarts(text: str, slots: dict[str, str], read_as_change: bool) -> None:
    assert asks_about_restarts(text, slots, read_as_change=read_as_change)


@pytest.mark.parametrize(("text", "slots", "read_as_change"), [
    ("restart the pods with the most restarts", {}, True),   # an order, read as one
    ("restart checkout-api in prod", {"deployment": "checkout-api"}, True),
    ("why did calc-app restart?", APP, False),
    ("show pods in prod", {}, False),
    # one pod's restarts are its description's; a workload that keeps restarting is trouble
    ("how many restarts does calc-app-1 have", POD, False),
    ("calc-app keeps restarting in prod", APP, False),
    ("calc-app-1 keeps restarting, why?", POD, False),
])
def test_orders_and_other_questions_are_not(text: str, slots: dict[str, str],
                                            read_as_change: bool) -> None:
    assert not asks_about_restarts(text, slots, read_as_change=read_as_change)


@pytest.mark.parametrize(("text", "intent", "slots"), [
    # as the shipped model reads them (0.91, 0.99, 0.95)
    ("which pods have restarted the most in prod", "pod_hygiene",
     {"check": "most", "namespace": "prod"}),
    ("what's restarting a lot in prod", "diagnose", {"namespace": "prod"}),
    ("restart counts in prod please", "restart_deployment", {"namespace": "prod"}),
])
def test_the_pods_answer_with_the_most_restarted_first(
        service: ConversationService, cluster: FakeCluster, text: str, intent: str,
        slots: dict[str, str]) -> None:
    service.parser = Reading(slots, intent=intent)
    (pods, most) = say(service, "alice", text)
    assert pods.startswith(f"({RESTARTS_NOTE})")
    assert most == "Most restarts first: calc-app-1 (7), calc-app-2 (3)."
    assert [r.runbook for r in service.store.runs_in_thread("C1", "t1")] == ["show_pods"]
    assert not any(not dry and verb != "list_pods" for verb, dry, _ in cluster.calls)


def test_one_deployments_pods_and_none_restarted(service: ConversationService) -> None:
    service.parser = Reading({"deployment": "checkout-api", "namespace": "prod"},
                             intent="deployment_status")
    (_, most) = say(service, "alice", "how many times has checkout-api restarted in prod")
    assert most == "The pod has not restarted."
