"""A count given as a part of another ("scale 3 of 5 checkout-api pods in prod").

A user trial: the scale to 5 was planned, and "scale checkout-api in prod to 4, 1 of 3
pods is crashing" was read as a scale to 1. Neither count is said to be the new one: the
answer says so and plans nothing, unless another count is the new one ("2/4 ready, scale
it to 6").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.runbook.catalogue import Catalogue
from intents import ModelParser
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue,
            shipped_model: ModelParser) -> ConversationService:
    service = service_on(FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path,
                         catalogue, Clock())
    service.parser = shipped_model
    return service


@pytest.mark.parametrize("text", [
    "scale 3 of 5 checkout-api pods in prod",
    "scale checkout-api in prod to 3 out of 5",
    "scale checkout-api in prod to 4, 1 of 3 pods is crashing",
])
def test_a_count_in_a_part_plans_nothing(service: ConversationService, text: str) -> None:
    (reply,) = say(service, "bob", text)
    assert "two counts, a part of a whole" in reply, reply
    assert service.store.runs_in_thread("C1", "t1") == []


def test_another_count_is_the_new_one(service: ConversationService) -> None:
    say(service, "bob", "checkout-api in prod is at 2/4 ready, scale it to 6")
    assert [dict(r.raw_slots).get("replicas")
            for r in service.store.runs_in_thread("C1", "t1")] == ["6"]
