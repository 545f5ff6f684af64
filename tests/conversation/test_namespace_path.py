"""`namespace/name` is the namespace and the object.

A user trial: "restart prod/checkout-api" (the model tagged `prod/checkout-api` as the
namespace) was answered "I change one deployment at a time, and I won't pick them for you";
"show logs of prod/web-frontend" was refused as no valid namespace. When the part before the
slash is a namespace of the cluster and the part after it an object of the runbook's kind
there, they are the namespace and that object.
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
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3, ("prod", "web-frontend"): 2,
                                       ("staging", "checkout-api"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _runs(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


@pytest.mark.parametrize(("text", "intent", "path", "state"), [
    ("restart prod/checkout-api", "restart_deployment", "prod/checkout-api",
     RunState.PROPOSED),
    ("restart staging/checkout-api pls", "restart_deployment", "staging/checkout-api",
     RunState.PROPOSED),
    ("status of prod/web-frontend?", "deployment_status", "prod/web-frontend",
     RunState.SUCCEEDED),
])
def test_namespace_slash_name_is_both(service: ConversationService, text: str, intent: str,
                                      path: str, state: RunState) -> None:
    service.parser = Reading(intent, {"namespace": path})
    say(service, "bob", text)
    namespace, name = path.split("/")
    assert _runs(service) == [(intent, state, {"namespace": namespace, "deployment": name})]


@pytest.mark.parametrize(("text", "path"), [
    ("restart prod/web", "prod/web"),            # no such deployment: no completion
    ("restart qa/checkout-api", "qa/checkout-api"),  # no such namespace
    ("restart web-frontend/prod", "web-frontend/prod"),  # the other way round
])
def test_otherwise_nothing_is_planned(service: ConversationService, text: str,
                                      path: str) -> None:
    service.parser = Reading("restart_deployment", {"namespace": path})
    say(service, "bob", text)
    assert _runs(service) == []
