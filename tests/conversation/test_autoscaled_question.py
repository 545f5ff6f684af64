"""A question of whether a deployment is autoscaled is answered with `rightsize`, which
names the autoscaler that targets it or says none does; nothing is changed.

Left from session 40's trials: "is X autoscaled?" got "I'm not sure".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.autoscaled_question import asks_if_autoscaled
from chatops.messages import AUTOSCALED_NOTE, records_text
from chatops.results import RightsizeSummary
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, say, service_on

API = {"deployment": "checkout-api", "namespace": "prod"}


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3})
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize("text", [
    "is checkout-api autoscaled in prod?",
    "so is checkout-api in prod autoscaling?",
    "does checkout-api in prod have an hpa?",
    "has checkout-api got an autoscaler",
    "is there an hpa on checkout-api in prod?",
    "any autoscaler for checkout-api?",
])
def test_questions_of_autoscaling(text: str) -> None:
    assert asks_if_autoscaled(text)


@pytest.mark.parametrize("text", [
    "autoscale checkout-api between 2 and 5",
    "set the hpa of checkout-api to max 10",
    "why isn't the hpa scaling checkout-api?",
    "is checkout-api ok?",
])
def test_orders_and_other_questions_are_not(text: str) -> None:
    assert not asks_if_autoscaled(text)


@pytest.mark.parametrize(("text", "confidence"), [
    # as the shipped model reads them: out of scope, unsure (0.01) or sure (0.99)
    ("is checkout-api autoscaled in prod?", 0.01),
    ("does checkout-api in prod have an hpa?", 0.99),
])
def test_the_answer_is_rightsize(service: ConversationService, text: str,
                                 confidence: float) -> None:
    service.parser = Reading(API, confidence=confidence)
    (out, *_) = say(service, "alice", text)
    assert out.startswith(f"({AUTOSCALED_NOTE})"), out
    assert [r.runbook for r in service.store.runs_in_thread("C1", "t1")] == ["rightsize"]


def test_rightsize_says_when_no_autoscaler_targets_the_deployment() -> None:
    summary = RightsizeSummary("prod", "checkout-api", 3, "none")
    assert "no autoscaler targets it" in records_text((summary,))
    assert "no autoscaler" not in records_text((RightsizeSummary(
        "prod", "checkout-api", 3, "none", autoscaler="api-hpa: 2-5 replicas"),))
