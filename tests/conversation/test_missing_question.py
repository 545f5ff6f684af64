"""Which value is asked for when one of a group is needed: the one the message names.

A user trial: "raise the HPA max for search-indexer" was asked "What minimum number of
replicas?" (the group's first), and the answer was planned as the minimum.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation.service import ConversationService
from chatops.model import ParsedIntent
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import spans_in
from tests.conversation.test_service_logic import Clock, say, service_on


class ReadsAutoscaling:
    """The model's reading: an autoscaling change of checkout-api in prod, no bound."""

    def parse(self, text: str) -> ParsedIntent:
        slots = {"deployment": "checkout-api", "namespace": "prod"}
        return ParsedIntent("set_autoscaling", slots, 0.98, (), "model", spans_in(text, slots))


@pytest.mark.parametrize(("text", "asked"), [
    ("raise the HPA max for checkout-api in prod", "maximum"),
    ("bump the autoscaler maximum of checkout-api in prod", "maximum"),
    ("lift the hpa ceiling on checkout-api in prod", "maximum"),
    ("raise the hpa min for checkout-api in prod", "minimum"),
    ("lower the autoscaler floor of checkout-api in prod", "minimum"),
    # No bound named: the group's first, as before.
    ("change the autoscaling of checkout-api in prod", "minimum"),
    ("change the hpa of checkout-api in prod, give it 5 minutes", "minimum"),
])
def test_the_bound_named_is_the_one_asked_for(tmp_path: Path, catalogue: Catalogue,
                                              text: str, asked: str) -> None:
    service: ConversationService = service_on(
        FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path, catalogue, Clock())
    service.parser = ReadsAutoscaling()
    out = say(service, "bob", text)
    assert out and f"What {asked} number of replicas?" in out[0], out
