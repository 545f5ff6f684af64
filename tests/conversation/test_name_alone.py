"""A name read as a namespace that the cluster has as one deployment is that deployment.

The parser reads a health question about one name that is not a workload's by its shape
("is orders healthy?", "how's analytics doing") as the namespace's (session 47: the model
cannot tell the two apart, and such questions are about a team's namespace more often
than not). Where the cluster has no namespace of that name but exactly one namespace has a
deployment of it, the read is of that deployment, and the reply says so. Never for a
change, and not when the namespace exists or several namespaces have the deployment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("shop", "orders"): 2, ("shop", "cart"): 1,
                                       ("staging", "cart"): 1, ("analytics", "etl"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _runs(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


def test_a_namespace_no_one_has_is_the_one_deployment_of_that_name(
        service: ConversationService) -> None:
    service.parser = Reading("diagnose", {"namespace": "orders"})
    out = say(service, "bob", "is orders healthy?")
    assert ("no namespace is called 'orders'; read as deployment orders in shop, the one "
            "namespace with a deployment of that name") in out[0], out
    assert _runs(service) == [("diagnose", RunState.SUCCEEDED,
                               {"deployment": "orders", "namespace": "shop"})]


def test_a_namespace_that_exists_is_read_whole(service: ConversationService) -> None:
    service.parser = Reading("diagnose", {"namespace": "analytics"})
    say(service, "bob", "is analytics healthy?")
    assert _runs(service) == [("diagnose", RunState.SUCCEEDED, {"namespace": "analytics"})]


@pytest.mark.parametrize(("text", "name"), [
    ("is cart healthy?", "cart"),  # two namespaces have it
    ("is payments healthy?", "payments"),  # none has it
])
def test_otherwise_nothing_is_read_in_its_place(service: ConversationService, text: str,
                                                name: str) -> None:
    service.parser = Reading("diagnose", {"namespace": name})
    out = say(service, "bob", text)
    assert all(slots.get("deployment") != name for _, _, slots in _runs(service)), out
    assert "read as deployment" not in " ".join(out)
