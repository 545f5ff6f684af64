"""A replica change said in words, read as a scale with no count (`replica_words`).

A user trial: "double checkout-api in prod" was asked "How many replicas? (... double or
half)"; "remove one replica from checkout-api" too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.replica_words import (
    only_a_count_order,
    opens_with_a_count,
    replicas_in_words,
)
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on

PROD = {"deployment": "checkout-api", "namespace": "prod"}


@pytest.mark.parametrize(("text", "value"), [
    ("double checkout-api in prod", "double"),
    ("can we halve checkout-api in prod", "half"),
    ("cut checkout-api in half", "half"),
    ("triple web-frontend in prod", "triple"),
    ("add two more pods to checkout-api", "+2"),
    ("add 3 replicas to checkout-api", "+3"),
    ("one more replica for checkout-api pls", "+1"),
    ("scale checkout-api, traffic doubled, add 2 more replicas", "+2"),
    ("give checkout-api another replica", "+1"),
    ("remove one replica from checkout-api prod", "-1"),
    ("checkout-api with 2 fewer pods", "-2"),
])
def test_the_words_give_the_count(text: str, value: str) -> None:
    assert replicas_in_words(text) == value


@pytest.mark.parametrize("text", [
    "double-check checkout-api in prod",
    "double check the pods of checkout-api",
    "double checkout-api, or just add 2 more replicas",  # two: asked
    # What happened, or the other direction (an attacker review: planned 3 -> 6).
    "scale down checkout-api in prod, traffic doubled last week so it was overprovisioned",
    "scale checkout-api down in prod, we doubled it by mistake",
    "halve checkout-api, it scaled up too much",
    "scale checkout-api in prod",
])
def test_no_count_or_two_counts_give_none(text: str) -> None:
    assert replicas_in_words(text) is None


@pytest.mark.parametrize(("text", "replicas"), [
    ("double checkout-api in prod", 6),
    ("triple checkout-api in prod", 9),
    ("halve checkout-api in prod", 2),
    ("remove one replica from checkout-api prod", 2),
    ("add two more pods to checkout-api in prod", 5),
])
def test_a_scale_with_the_count_in_words_is_planned_with_it(
        tmp_path: Path, catalogue: Catalogue, text: str, replicas: int) -> None:
    service: ConversationService = service_on(
        FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path, catalogue, Clock())
    service.parser = Reading("scale_deployment", PROD)
    out = say(service, "bob", text)
    assert f"to {replicas} replicas" in out[0], out
    assert "relative to the 3 running now" in out[0]


@pytest.mark.parametrize(("text", "opens"), [
    ("triple web-frontend in prod", True),
    ("can you double checkout-api in staging", True),
    ("pls halve checkout-api", True),
    ("ok so let's double checkout-api", True),
    ("we got double the traffic on checkout-api", False),  # a count that happened
    ("double check checkout-api in prod", False),
    ("double-check checkout-api", False),
    ("double checkout-api, then scale it down", False),  # the other direction too
])
def test_an_order_that_opens_with_its_count(text: str, opens: bool) -> None:
    """A user trial: "triple web-frontend" was read as out of scope, the scale next."""
    assert opens_with_a_count(text) is opens


@pytest.mark.parametrize(("text", "only"), [
    ("triple web-frontend in prod", True),
    ("can you double checkout-api in staging pls", True),
    ("halve the checkout-api deployment in the prod namespace", True),
    ("double checkout-api in prod tonight", False),  # a time the re-read would drop
    ("double checkout-api in prod if latency goes up", False),  # a condition
    ("double checkout-api in prod after the deploy", False),  # an event
    ("double checkout-api in prod, traffic is spiking", False),  # more than the order
])
def test_only_an_order_by_its_count(text: str, only: bool) -> None:
    """Only such a message is re-read as the scale its word says (an attacker review)."""
    assert only_a_count_order(text) is only
