"""A question about the state a change sets, read as the change, is answered with a read.

A user trial: "is nightly-report suspended in prod?" (a suspend at 0.88) and "did the
nightly-report job run in prod" (a resume) were turned down by the guards as no request
and answered "outside what I can do". The change's `state_read` runbook answers such a
question about the same object; a request in question form stays a request.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_everyday_names import Reading
from tests.conversation.test_service_logic import Clock, say, service_on

NIGHTLY = {"cronjob": "nightly-report", "namespace": "prod"}


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments={("prod", "checkout-api"): 3}, nodes={"node-2": False},
                       cronjobs={("prod", "nightly-report")})


@pytest.fixture
def service(tmp_path: Path, cluster: FakeCluster, catalogue: Catalogue) -> ConversationService:
    return service_on(cluster, tmp_path, catalogue, Clock())


def _runs(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


@pytest.mark.parametrize(("text", "intent", "slots", "read"), [
    ("is nightly-report suspended in prod?", "suspend_cronjob", NIGHTLY, "diagnose"),
    ("did the nightly-report job run in prod", "resume_cronjob", NIGHTLY, "diagnose"),
    ("hmm why is nightly-report paused in prod", "suspend_cronjob", NIGHTLY, "diagnose"),
    ("is node-2 cordoned?", "cordon_node", {"node": "node-2"}, "node_status"),
    ("is checkout-api scaled to 4 in prod?", "scale_deployment",
     {"deployment": "checkout-api", "namespace": "prod", "replicas": "4"},
     "deployment_status"),
])
def test_a_question_about_a_change_s_state_gets_the_read(
        service: ConversationService, cluster: FakeCluster, text: str, intent: str,
        slots: dict[str, str], read: str) -> None:
    service.parser = Reading(intent, slots)
    out = say(service, "bob", text)
    assert out[0].startswith(f"(a question, not a request: answered with {read}"), out
    ((runbook, state, values),) = _runs(service)
    assert (runbook, state) == (read, RunState.SUCCEEDED)
    # The read's own values: a namespace's scan for a cronjob (it reports one suspended).
    assert values == {k: v for k, v in slots.items() if k not in ("replicas", "cronjob")}
    assert not [c for c in cluster.calls if c[1] is False and c[0] in ("suspend_cronjob",
                                                                       "cordon", "scale")]


@pytest.mark.parametrize(("text", "intent", "slots"), [
    # A request in question form is a request.
    ("can you suspend nightly-report in prod?", "suspend_cronjob", NIGHTLY),
    # Said to someone else.
    ("@carol did you suspend nightly-report in prod?", "suspend_cronjob", NIGHTLY),
    # No object named: a general question.
    ("is anything suspended?", "suspend_cronjob", {}),
    # Not a question: talk.
    ("we suspended nightly-report in prod yesterday", "suspend_cronjob", NIGHTLY),
])
def test_no_read_for_requests_talk_and_questions_without_an_object(
        service: ConversationService, text: str, intent: str, slots: dict[str, str]) -> None:
    service.parser = Reading(intent, slots)
    say(service, "bob", text)
    assert not [r for r in _runs(service) if r[0] == "diagnose"]
    if text.startswith("can you"):
        assert _runs(service) == [("suspend_cronjob", RunState.PROPOSED, NIGHTLY)]
    else:
        assert _runs(service) == []


class Unsure:
    def __init__(self, score: float) -> None:
        self.score = score

    def parse(self, text: str) -> ParsedIntent:
        spans = Reading("suspend_cronjob", NIGHTLY).parse(text).spans
        return ParsedIntent(OUT_OF_SCOPE, dict(NIGHTLY), 1 - self.score,
                            (("suspend_cronjob", self.score), ("diagnose", 0.05)), "model",
                            spans)


# 0.4: "is nightly-report suspended in w…-prod?" got a suspend at 0.44 for one namespace
# prefix in twelve (a CI failure; 0.5 was the bar then, 0.25 now).
@pytest.mark.parametrize(("score", "read"), [(0.6, True), (0.4, True), (0.2, False)])
def test_under_the_bar_only_a_likely_change_s_question(
        service: ConversationService, score: float, read: bool) -> None:
    service.parser = Unsure(score)
    # (Words for the state that name no change's participle: "paused" would say it.)
    say(service, "bob", "why is nightly-report off in prod")
    assert bool(_runs(service)) is read


# A user trial: "is nightly-report suspended in prod?" was answered with prod's whole scan,
# where a cronjob that is not suspended shows only as "1 cronjob healthy". The answer now
# says, after the scan, what it found of the cronjob asked about.
@pytest.mark.parametrize(("cronjob", "suspended", "said"), [
    ("nightly-report", True, "cronjob nightly-report in prod is suspended"),
    ("nightly-report", False, "cronjob nightly-report in prod is not suspended"),
    ("weekly-report", False, "prod has no cronjob weekly-report"),
    # Names are lower-case (an attacker review: "Nightly-Report" was said to be missing).
    ("Nightly-Report", False, "cronjob nightly-report in prod is not suspended"),
])
def test_a_question_of_a_cronjob_s_state_says_what_the_scan_found_of_it(
        service: ConversationService, cluster: FakeCluster, cronjob: str, suspended: bool,
        said: str) -> None:
    if suspended:
        cluster.suspended.add(("prod", "nightly-report"))
    service.parser = Reading("suspend_cronjob", {**NIGHTLY, "cronjob": cronjob})
    out = say(service, "bob", f"is {cronjob} suspended in prod?")
    assert out[1].startswith(said), out
    assert _runs(service) == [("diagnose", RunState.SUCCEEDED, {"namespace": "prod"})]


def test_a_cronjob_that_has_run_says_when() -> None:
    from chatops.messages.cronjobs import cronjob_state_text
    from chatops.results import CronjobState

    text = cronjob_state_text("prod", "nightly-report", CronjobState(
        "nightly-report", "0 2 * * *", False, "2026-12-06T02:00:00Z",
        "2026-12-06T02:01:10Z"))
    assert text == ("cronjob nightly-report in prod is not suspended (schedule 0 2 * * *): "
                    "its last run was scheduled at 2026-12-06T02:00:00Z, and the last one "
                    "that succeeded finished at 2026-12-06T02:01:10Z.")
    never = cronjob_state_text("prod", "nightly-report", CronjobState(
        "nightly-report", "0 2 * * *", True, None, None))
    assert never == ("cronjob nightly-report in prod is suspended (schedule 0 2 * * *): it "
                     "has never run.")


class Unlikely:
    """Out of scope, the change its state word names given almost no weight (session 42's
    trial: "why is node-2 cordoned?", the cordon at 0.08)."""

    def __init__(self, slots: dict[str, str]) -> None:
        self.slots = slots

    def parse(self, text: str) -> ParsedIntent:
        spans = Reading(OUT_OF_SCOPE, self.slots).parse(text).spans
        return ParsedIntent(OUT_OF_SCOPE, dict(self.slots), 0.85,
                            (("cordon_node", 0.08), ("node_status", 0.06)), "model", spans)


@pytest.mark.parametrize(("text", "slots", "read"), [
    ("why is node-2 cordoned?", {"node": "node-2"}, "node_status"),
    ("is node-2 still drained?", {"node": "node-2"}, "node_status"),
    ("why was nightly-report paused in prod?", NIGHTLY, "diagnose"),
])
def test_a_state_s_own_word_says_which_change_a_question_is_about(
        service: ConversationService, text: str, slots: dict[str, str], read: str) -> None:
    service.parser = Unlikely(slots)
    out = say(service, "bob", text)
    assert out[0].startswith(f"(a question, not a request: answered with {read}"), out
    assert [r[0] for r in _runs(service)] == [read]


@pytest.mark.parametrize("text", ["node-2 got cordoned yesterday",  # no question
                                  "why is it cordoned?"])  # no object named
def test_a_state_word_without_a_question_or_an_object_is_no_state_question(
        service: ConversationService, text: str) -> None:
    service.parser = Unlikely({"node": "node-2"} if "node-2" in text else {})
    say(service, "bob", text)
    assert _runs(service) == []
