"""A read asked of every namespace ("anything using :latest anywhere?") is answered in
every namespace the person may list: the thread's last namespace and the channel's
default are not put in for it.

A user trial: after a read in prod, "anything :latest anywhere?" was answered for prod
only ("about namespace in prod, as this thread's last request"), and read as "none
anywhere".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.resolve import every_namespace
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3, ("dev", "checkout-api"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize("text", [
    "anything using :latest anywhere?",
    "which pods run as root everywhere",
    "images across the cluster",
    "any privileged containers across all namespaces?",
    "check probes in all namespaces",
    "list images in every namespace",
    "cluster-wide, who has no memory limits",
    "hygiene of the whole cluster",
    "in any namespace, pods without limits?",
])
def test_words_for_every_namespace(text: str) -> None:
    assert every_namespace(text)


@pytest.mark.parametrize("text", [
    "anything using :latest in prod?",
    "all pods in prod",
    "check every deployment in staging",
    "show me the nodes of the cluster",
])
def test_a_namespace_or_everything_in_one_is_not(text: str) -> None:
    assert not every_namespace(text)


def _slots(service: ConversationService, thread: str, channel: str = "C1"
           ) -> dict[str, str]:
    return dict(service.store.runs_in_thread(channel, thread)[0].raw_slots)


def test_the_threads_last_namespace_is_not_carried_into_every_namespace(
        service: ConversationService) -> None:
    service.parser = Reading({"namespace": "prod"}, intent="pod_hygiene")
    say(service, "bob", "check pod hygiene in prod")
    service.parser = Reading({"check": ":latest"}, intent="pod_hygiene")
    say(service, "bob", "anything using :latest anywhere?")
    assert _slots(service, "t1") == {"check": ":latest"}
    service.parser = Reading({}, intent="list_images")
    say(service, "bob", "and images across the cluster?")
    assert _slots(service, "t1") == {}


def test_the_channels_namespace_is_not_put_in_for_every_namespace(
        service: ConversationService) -> None:
    service.parser = Reading({"check": "root"}, intent="pod_hygiene")
    (out,) = say(service, "bob", "which pods run as root everywhere", channel="CDEV")
    assert _slots(service, "t1", "CDEV") == {"check": "root"}
    assert "dev" not in out.split("\n")[0]
    say(service, "bob", "which pods run as root", channel="CDEV", thread="t2")
    assert _slots(service, "t2", "CDEV") == {"check": "root", "namespace": "dev"}


def test_a_read_that_needs_one_namespace_still_asks(service: ConversationService) -> None:
    service.parser = Reading({"deployment": "checkout-api"}, intent="deployment_status")
    (out,) = say(service, "bob", "status of checkout-api across the cluster")
    assert "namespace" in out and service.store.runs_in_thread("C1", "t1") == []
