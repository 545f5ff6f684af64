"""Talk between people in the bot's thread, and small talk, get no answer.

A user trial: in an incident thread the bot answered "That is outside what I can do" to
"carol: can you look at calc-app in prod?", "thanks bot", "good morning" and "brb getting
coffee", noise in the channel; and "@dave restart it pls" was answered "Which deployment
should I restart?", a question of a request said to Dave. A message that opens by
addressing someone else, or that is only thanks, a greeting or an away note, is answered
with nothing (and never planned); a request with thanks around it is still a request.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.small_talk import small_talk
from chatops.messages import OUTSIDE_SCOPE
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import spans_in
from tests.conversation.test_service_logic import Clock, say, service_on

RESTART = {"deployment": "checkout-api", "namespace": "prod"}


class Reading:
    """The shipped model's reading of each message (`intent`, the slots it tagged)."""

    def __init__(self, intent: str, slots: dict[str, str], confidence: float = 0.99) -> None:
        self.intent, self.slots, self.confidence = intent, slots, confidence

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), self.confidence,
                            (("confirm", 0.001),), "model", spans_in(text, self.slots))


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3, ("prod", "calc-app"): 2})
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("@dave restart it pls", "restart_deployment", {}),
    ("@dave restart checkout-api in prod", "restart_deployment", RESTART),
    ("hey @dave, restart checkout-api in prod", "restart_deployment", RESTART),
    ("carol: can you look at calc-app in prod?", OUT_OF_SCOPE,
     {"deployment": "calc-app", "namespace": "prod"}),
    ("hey carol, could you restart checkout-api in prod?", "restart_deployment", RESTART),
    ("@erin is calc-app down in prod?", OUT_OF_SCOPE,
     {"deployment": "calc-app", "namespace": "prod"}),
])
def test_a_message_to_someone_else_gets_no_answer_and_no_plan(
        service: ConversationService, text: str, intent: str, slots: dict[str, str]) -> None:
    service.parser = Reading(intent, slots)
    assert say(service, "bob", text) == []
    assert service.store.runs_in_thread("C1", "t1") == []


@pytest.mark.parametrize("text", [
    "thanks bot", "thank you!", "good morning", "morning all", "brb getting coffee",
    "ty \N{PERSON WITH FOLDED HANDS}", "lol", "nice, thanks", "cool", "much appreciated :pray:",
    "gm", "back", "afk 10 min", "thx!!",
])
def test_small_talk_gets_no_answer(service: ConversationService, text: str) -> None:
    assert small_talk(text), text
    service.parser = Reading(OUT_OF_SCOPE, {}, 1.0)
    assert say(service, "bob", text) == []


@pytest.mark.parametrize("text", [
    "thanks, what's the weather in prod?", "good morning, can you create a namespace?",
    "brb, also write me a helm chart", "cool cool, is there a way to get a shell?",
    "what is kubernetes", "back up the database",
])
def test_a_message_that_asks_something_is_no_small_talk(service: ConversationService,
                                                         text: str) -> None:
    assert not small_talk(text), text
    service.parser = Reading(OUT_OF_SCOPE, {}, 1.0)
    out = say(service, "bob", text)
    # Answered: out of scope, or that the bot creates nothing.
    assert len(out) == 1 and (out[0] == OUTSIDE_SCOPE or "create" in out[0]), out


@pytest.mark.parametrize("text", [
    "@bot restart checkout-api in prod",
    "thanks, now restart checkout-api in prod",
    "morning! restart checkout-api in prod pls",
    "@oncall restart checkout-api in prod",
])
def test_a_request_with_thanks_or_the_bot_s_name_is_still_a_request(
        service: ConversationService, text: str) -> None:
    service.parser = Reading("restart_deployment", RESTART)
    out = say(service, "bob", text)
    assert "restart deployment checkout-api in prod" in out[0], out
