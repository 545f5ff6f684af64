"""A replica count relative to the current one says so; "to -1" is no count at all.

A user trial: "scale checkout-api in prod to -1" and `run scale_deployment ... replicas=-1`
both planned "scale deployment checkout-api in prod to 2 replicas" (3 running): -1 is one
fewer, as documented, but the plan never said it read a change, and "to -1" asks for a
count below zero, which is a mistake to point out, not a change to make.
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

PROD = {"deployment": "checkout-api", "namespace": "prod"}


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path,
                      catalogue, Clock())


def _runs(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


@pytest.mark.parametrize(("text", "raw"), [("scale checkout-api in prod to -1", "-1"),
                                         ("scale checkout-api in prod to - 3 replicas", "- 3"),
                                         ("set checkout-api in prod to -2 pods", "-2")])
def test_to_a_negative_count_is_refused(service: ConversationService, text: str,
                                        raw: str) -> None:
    service.parser = Reading("scale_deployment", {**PROD, "replicas": raw})
    out = say(service, "bob", text)
    assert "below zero" in out[0] and "1 fewer" in out[0], out
    assert _runs(service) == []


@pytest.mark.parametrize(("text", "note"), [
    ("run scale_deployment deployment=checkout-api namespace=prod replicas=-1",
     "replicas -1: relative to the 3 running now, so 2"),
    ("run scale_deployment deployment=checkout-api namespace=prod replicas=+2",
     "replicas +2: relative to the 3 running now, so 5"),
    ("run scale_deployment deployment=checkout-api namespace=prod replicas=double",
     "replicas double: relative to the 3 running now, so 6"),
])
def test_a_relative_count_says_what_it_was_read_as(service: ConversationService, text: str,
                                                   note: str) -> None:
    out = say(service, "bob", text)
    assert f"note: {note}" in out[0], out
    assert [r[1] for r in _runs(service)] == [RunState.PROPOSED]


def test_an_absolute_count_has_no_such_note(service: ConversationService) -> None:
    out = say(service, "bob", "run scale_deployment deployment=checkout-api namespace=prod "
                              "replicas=2")
    assert "relative to the" not in out[0], out
