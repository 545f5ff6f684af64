"""A workload named with an everyday word ("db", "webhook", "queue") is that workload.

A user trial: "restart the db in prod", with a deployment called db there, was refused as
a change to a database record: the guards read the word's other sense. The cluster's
names decide: the one existing object of the kind the runbook changes that the word
names exactly is the target, and the plan waits for its approvals as any other; a word
whose sense the message names otherwise ("the statefulset db") is still refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import spans_in
from tests.conversation.test_service_logic import Clock, say, service_on


class Reading:
    """The model's reading: `intent` with `slots` (spans found in the text)."""

    def __init__(self, intent: str, slots: dict[str, str], confidence: float = 0.99) -> None:
        self.intent, self.slots, self.confidence = intent, slots, confidence

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), self.confidence, (), "model",
                            spans_in(text, self.slots))


def _service(tmp_path: Path, catalogue: Catalogue, *names: str) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", name): 2 for name in names}),
                      tmp_path, catalogue, Clock())


def _waiting(service: ConversationService) -> list[tuple[str, dict[str, str]]]:
    return [(r.runbook, dict(r.raw_slots)) for r in service.store.runs_in_thread("C1", "t1")
            if r.state is RunState.PROPOSED]


@pytest.mark.parametrize(("text", "name"), [
    ("restart the db in prod", "db"),
    ("please bounce the webhook in prod, it hangs", "webhook"),
    ("restart queue in prod", "queue"),
])
def test_an_existing_workload_named_with_an_everyday_word_is_planned(
        tmp_path: Path, catalogue: Catalogue, text: str, name: str) -> None:
    service = _service(tmp_path, catalogue, name, "checkout-api")
    service.parser = Reading("restart_deployment", {"namespace": "prod"})
    out = say(service, "bob", text)
    assert _waiting(service) == [("restart_deployment", {"namespace": "prod",
                                                         "deployment": name})], out


@pytest.mark.parametrize(("text", "names", "slots"), [
    # No such workload: the word's other sense, refused as before.
    ("restart the db in prod", ("checkout-api",), {"namespace": "prod"}),
    # The message names the kind: a statefulset, whatever deployment shares the name.
    ("restart the statefulset db in prod", ("db",), {"namespace": "prod"}),
    # Two workloads the words name: which one is no guess.
    ("restart the db queue in prod", ("db", "queue"), {"namespace": "prod"}),
    # The name is not what the order acts on (an attacker review).
    ("bounce the app in front of the db in prod", ("db",), {"namespace": "prod"}),
    ("restart the db's sidecar in prod", ("db",), {"namespace": "prod"}),
    ("restart the db and the queue in prod", ("db",), {"namespace": "prod"}),
])
def test_the_other_sense_is_still_refused(tmp_path: Path, catalogue: Catalogue, text: str,
                                          names: tuple[str, ...],
                                          slots: dict[str, str]) -> None:
    service = _service(tmp_path, catalogue, *names)
    service.parser = Reading("restart_deployment", slots)
    out = say(service, "bob", text)
    assert _waiting(service) == [], out
    assert out[0].startswith("I can't"), out
