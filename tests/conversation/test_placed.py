"""A change's namespace read by a name's place alone is kept only where the cluster has it.

Session 48: "pause invoice-rollup billing", "scale dock-scheduler yard 6" name the object,
then its namespace; the NLU reads the second name as the namespace by its place and marks
it `placed` (`intents/places.py`). "restart cart orders" may name two deployments (session
46's attacker review), so the conversation keeps such a namespace only where it holds the
object, as the person can list it (`conversation/placed.py`); otherwise the bot asks,
as for any change without a namespace.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.placed import placed_where_it_is
from chatops.model import Identity, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from intents import ModelParser
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import spans_in
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("billing", "ledger-api"): 2, ("shop", "orders"): 2,
                                       ("shop", "cart"): 1, ("staging", "cart"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _runs(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


def test_a_namespace_beside_the_object_that_holds_it_is_planned(
        service: ConversationService, shipped_model: ModelParser) -> None:
    service.parser = shipped_model
    out = say(service, "bob", "scale ledger-api billing to 3")
    assert _runs(service) == [("scale_deployment", RunState.PROPOSED, {
        "deployment": "ledger-api", "namespace": "billing", "replicas": "3"})], out


@pytest.mark.parametrize(("text", "asked"), [
    ("scale ledger-api shop to 3", "namespace"),  # a namespace that does not hold it
    # No namespace at all: another deployment, asked about first (session 52).
    ("scale ledger-api orders to 3", "which one?"),
])
def test_a_name_beside_the_object_is_no_namespace_where_it_does_not_hold_it(
        service: ConversationService, shipped_model: ModelParser, text: str,
        asked: str) -> None:
    service.parser = shipped_model
    out = say(service, "bob", text)
    assert _runs(service) == [], out
    assert asked in out[0].lower(), out


class Placed:
    """The model's reading with its namespace read by its place alone."""

    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots = intent, slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), 0.99, (), "model",
                            spans_in(text, self.slots), frozenset({"namespace"}))


def test_a_placed_namespace_the_person_cannot_list_is_dropped(
        service: ConversationService) -> None:
    parsed = Placed("restart_deployment", {"deployment": "cart", "namespace": "shop"}).parse(
        "restart cart shop")
    kept = placed_where_it_is(parsed, service.catalogue.runbooks, service.executor, None)
    assert dict(kept.slots) == {"deployment": "cart"} and not kept.placed
    assert [span.slot for span in kept.spans] == ["deployment"]


def test_an_unsure_reading_is_checked_for_the_runbook_it_offers(
        service: ConversationService) -> None:
    parsed = ParsedIntent("oos", {"deployment": "cart", "namespace": "billing"}, 0.6,
                          (("restart_deployment", 0.4),), "model", (),
                          frozenset({"namespace"}))
    kept = placed_where_it_is(parsed, service.catalogue.runbooks, service.executor,
                              Identity("bob"))
    assert "namespace" not in kept.slots and not kept.placed
    held = replace(parsed, slots={"deployment": "cart", "namespace": "shop"})
    kept = placed_where_it_is(held, service.catalogue.runbooks, service.executor,
                              Identity("bob"))
    assert dict(kept.slots) == {"deployment": "cart", "namespace": "shop"} and not kept.placed
