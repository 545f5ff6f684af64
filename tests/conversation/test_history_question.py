"""A question about what changed on a deployment is answered with its rollout history.

A user trial: "what changed on web-frontend in prod in the last hour?", "who changed
web-frontend in prod", "was web-frontend rolled back?" and "did someone restart
checkout-api in prod?" got "I'm not sure" or "outside what I can do", though the rollout
history answers them (each revision's image, when, and for changes made through the bot,
who asked and who approved). "What changed?" is the first question of an incident.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.history_question import asks_what_changed
from chatops.messages import HISTORY_NOTE
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import spans_in
from tests.conversation.test_service_logic import Clock, say, service_on

WEB = {"deployment": "web-frontend", "namespace": "prod"}


class Reading:
    """The shipped model's reading (as measured): out of scope, or a change, with its
    alternatives and the slots it tagged."""

    def __init__(self, intent: str, slots: dict[str, str], confidence: float,
                 alternatives: tuple[tuple[str, float], ...]) -> None:
        self.intent, self.slots = intent, slots
        self.confidence, self.alternatives = confidence, alternatives

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(self.intent, dict(self.slots), self.confidence, self.alternatives,
                            "model", spans_in(text, self.slots))


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "web-frontend"): 2, ("prod", "checkout-api"): 3,
                                       ("dev", "web-frontend"): 1})
    return service_on(cluster, tmp_path, catalogue, Clock())


def _runs(service: ConversationService, thread: str = "t1"
          ) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", thread)]


@pytest.mark.parametrize(("text", "slots", "confidence", "alternatives"), [
    ("what changed on web-frontend in prod in the last hour?", WEB, 0.05,
     (("recent_events", 0.59), ("rollout_history", 0.25))),
    ("who changed web-frontend in prod", WEB, 1.0, (("rollout_history", 0.0003),)),
    ("who scaled web-frontend in prod?", WEB, 1.0, (("rightsize", 0.00001),)),
    ("was web-frontend rolled back in prod?", WEB, 0.64,
     (("rollout_history", 0.2), ("rollback_deployment", 0.09))),
    ("any recent changes to web-frontend in prod?", WEB, 0.01,
     (("recent_events", 0.64), ("rollout_history", 0.32))),
    ("did someone restart web-frontend in prod?", WEB, 1.0,
     (("restart_deployment", 0.00003),)),
    ("who touched web-frontend in prod", WEB, 1.0, (("recent_events", 0.0001),)),
    ("hmm has anyone deployed web-frontend in prod today?", WEB, 0.9,
     (("rollout_history", 0.05),)),
    ("when did web-frontend in prod last change", WEB, 0.7, (("rollout_history", 0.2),)),
])
def test_a_question_of_what_changed_gets_the_rollout_history(
        service: ConversationService, text: str, slots: dict[str, str], confidence: float,
        alternatives: tuple[tuple[str, float], ...]) -> None:
    service.parser = Reading(OUT_OF_SCOPE, slots, confidence, alternatives)
    out = say(service, "bob", text)
    assert out[0].startswith(f"({HISTORY_NOTE})"), out
    assert _runs(service) == [("rollout_history", RunState.SUCCEEDED, WEB)]


def test_the_namespace_is_the_channel_s_when_the_message_names_none(
        service: ConversationService) -> None:
    service.parser = Reading(OUT_OF_SCOPE, {"deployment": "web-frontend"}, 0.3,
                             (("recent_events", 0.4),))
    out = say(service, "bob", "what changed on web-frontend?", channel="CDEV")
    assert out[0].startswith(f"({HISTORY_NOTE})"), out
    (run,) = service.store.runs_in_thread("CDEV", "t1")
    assert (run.runbook, dict(run.raw_slots)) == (
        "rollout_history", {"deployment": "web-frontend", "namespace": "dev"})


def test_a_change_read_and_turned_down_as_a_question_gets_the_history(
        service: ConversationService) -> None:
    # Read as the rollback itself; the guards turn a question down as no request.
    service.parser = Reading("rollback_deployment", WEB, 0.97, (("rollout_history", 0.02),))
    out = say(service, "bob", "was web-frontend in prod rolled back this morning?")
    assert out[0].startswith("(a question, not a request") or out[0].startswith(
        f"({HISTORY_NOTE})"), out
    assert _runs(service) == [("rollout_history", RunState.SUCCEEDED, WEB)]


@pytest.mark.parametrize(("text", "intent", "slots"), [
    # A request: the model read it so, and it is one.
    ("roll back web-frontend in prod", "rollback_deployment", WEB),
    # No deployment: a general question.
    ("what changed in prod since yesterday?", OUT_OF_SCOPE, {"namespace": "prod"}),
    ("who changed the db password?", OUT_OF_SCOPE, {}),
    # Not a question: a report, talk.
    ("we changed web-frontend in prod yesterday", OUT_OF_SCOPE, WEB),
    ("I rolled back web-frontend in prod", OUT_OF_SCOPE, WEB),
    # Said to someone else.
    ("@carol did you change web-frontend in prod?", OUT_OF_SCOPE, WEB),
    # A question of what would change, or about the state now.
    ("what would change if I scaled web-frontend in prod to 4?", OUT_OF_SCOPE, WEB),
])
def test_no_history_without_a_question_of_a_past_change_to_a_deployment(
        service: ConversationService, text: str, intent: str, slots: dict[str, str]) -> None:
    service.parser = Reading(intent, slots, 0.99 if intent != OUT_OF_SCOPE else 1.0, ())
    out = say(service, "bob", text)
    assert not any(line.startswith(f"({HISTORY_NOTE})") for line in out), out
    assert not [r for r in _runs(service) if r[0] == "rollout_history"]


@pytest.mark.parametrize(("text", "asks"), [
    ("what changed on web-frontend?", True),
    ("what's changed in web-frontend since 9?", True),
    ("who changed web-frontend", True),
    ("who bumped the image on web-frontend", True),
    ("was web-frontend rolled back?", True),
    ("has web-frontend been redeployed?", True),
    ("did anybody scale web-frontend", True),
    ("any changes to web-frontend lately?", True),
    ("when was web-frontend last deployed", True),
    ("what was changed recently in web-frontend?", True),
    ("change web-frontend to 4 replicas", False),
    ("can you roll back web-frontend?", False),
    ("who owns web-frontend", False),
    ("what would change if we restart web-frontend", False),
    ("is web-frontend ok?", False),
])
def test_asks_what_changed(text: str, asks: bool) -> None:
    assert asks_what_changed(text) is asks


def test_the_bot_s_own_changes_in_this_channel_are_listed_with_who(
        service: ConversationService) -> None:
    """A scale makes no revision: "who scaled web-frontend in prod?" is answered with the
    changes made through the bot to it in this channel (who asked, who approved), newest
    first; another channel's are not shown here (it may be private)."""
    from chatops.model import Message

    for channel, replicas in (("C1", "4"), ("C1", "5"), ("CSECRET", "6")):
        say(service, "bob", f"run scale_deployment deployment=web-frontend namespace=prod "
                            f"replicas={replicas}", thread=f"s{replicas}", channel=channel)
        (run,) = service.store.runs_in_thread(channel, f"s{replicas}")
        service.decide(run.id, Message("UCAROL", "", channel, f"s{replicas}"), "approve")
    service.parser = Reading(OUT_OF_SCOPE, WEB, 1.0, (("rightsize", 0.00001),))
    out = say(service, "bob", "who scaled web-frontend in prod?")
    text = "\n".join(out)
    assert "Changes to deployment web-frontend in prod made through me in this channel" in text
    lines = [line for line in text.splitlines() if "scale_deployment" in line]
    assert len(lines) == 2 and "replicas=5" in lines[0] and "replicas=4" in lines[1], text
    assert all("asked by bob" in line and "approved by" in line for line in lines), text
    assert "replicas=6" not in text


def test_reads_elsewhere_never_push_a_change_out_of_the_list(
        service: ConversationService) -> None:
    """An attacker review: the list looked through the newest 200 succeeded runs of every
    channel, reads included, so 200 reads in a DM hid an approved scale."""
    from chatops.conversation.dialogue import _RECENT_RUNS
    from chatops.model import Message

    say(service, "bob", "run scale_deployment deployment=web-frontend namespace=prod "
                        "replicas=4", thread="s1")
    (run,) = service.store.runs_in_thread("C1", "s1")
    service.decide(run.id, Message("UCAROL", "", "C1", "s1"), "approve")
    for i in range(_RECENT_RUNS + 1):
        say(service, "bob", "run deployment_status deployment=web-frontend namespace=prod",
            thread=f"r{i}", channel="DBOB")
    service.parser = Reading(OUT_OF_SCOPE, WEB, 1.0, (("rightsize", 0.00001),))
    out = say(service, "bob", "who scaled web-frontend in prod?")
    assert any(run.id in line and "replicas=4" in line for line in out), out
