"""Trouble reported in words, read by the model under its bar, is answered with a diagnosis.

A user trial: "api down in prod, help" and "any crashloops in prod?" were answered "I'm not
sure what you want me to do". A diagnosis reads and offers its fix as a plan that waits for
approvals, so it is what such a message gets; never when the message names a change, the
model gave a change real weight, or the namespace is none of the cluster's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.messages import TROUBLE_NOTE
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading, spans_in
from tests.conversation.test_service_logic import Clock, say, service_on

READS = (("deployment_status", 0.6), ("diagnose", 0.3))


class Unsure:
    """The model under its bar: out of scope, with `alternatives` and the slots given,
    their spans found in the text."""

    def __init__(self, slots: dict[str, str],
                 alternatives: tuple[tuple[str, float], ...] = READS) -> None:
        self.slots = slots
        self.alternatives = alternatives

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(OUT_OF_SCOPE, dict(self.slots), 0.1, self.alternatives, "model",
                            spans_in(text, self.slots))


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments={("prod", "calc-app"): 2, ("prod", "checkout-api"): 3,
                                    ("dev", "checkout-api"): 1},
                       crashing={("prod", "calc-app")})


@pytest.fixture
def service(tmp_path: Path, cluster: FakeCluster, catalogue: Catalogue) -> ConversationService:
    return service_on(cluster, tmp_path, catalogue, Clock())


def _diagnosed(cluster: FakeCluster) -> list[str]:
    return [verb for verb, dry, _ in cluster.calls if verb == "diagnose" and not dry]


@pytest.mark.parametrize("text", [
    "calc-app down in prod, help",
    "calc-app keeps crashing in prod??",
    "calc-app in prod is throwing 500s",
    "prod: calc-app not coming up since 10:40",
    "calc-app won't start in prod, any idea",
    "anyone else seeing calc-app OOMKilled in prod",
    "calc-app is flapping in prod pls fix",
    # A second user trial: questions of health, with context around them.
    "we got paged for calc, is calc-app ok in prod?",
    "how's calc-app doing in prod?",
    "is calc-app healthy in prod",
    "anything off with calc-app in prod?",
    "why isnt the calc-app hpa scaling in prod",
    "is the hpa on calc-app in prod actually working?",
    "what's the deal with calc-app in prod not scaling",
])
def test_trouble_with_a_deployment_is_diagnosed(service: ConversationService,
                                                cluster: FakeCluster, text: str) -> None:
    service.parser = Unsure({"deployment": "calc-app", "namespace": "prod"})
    out = say(service, "bob", text)
    assert _diagnosed(cluster) == ["diagnose"], out
    assert out[0].startswith(f"({TROUBLE_NOTE})") and "crash-looping" in out[0], out
    # Its fix is one click away and waits: nothing ran.
    assert "restart_deployment" in out[-1]
    assert not [c for c in cluster.calls if c[0] == "restart" and not c[1]]


# A user trial: "prod checkout-api is slow" and "checkout-api in prod is really slow today"
# got "not sure" and "outside": the model saw no read in them, but they name a workload of
# the cluster, beside its namespace or with it.
@pytest.mark.parametrize(("text", "slots"), [
    ("prod calc-app is slow", {"deployment": "calc-app"}),
    ("calc-app in prod is really slow today", {"deployment": "calc-app", "namespace": "prod"}),
    ("our calc-app in prod is super laggy", {"deployment": "calc-app", "namespace": "prod"}),
    ("calc-app is broken in prod", {"deployment": "calc-app", "namespace": "prod"}),
])
def test_trouble_with_a_workload_tagged_is_diagnosed_without_the_models_read(
        service: ConversationService, cluster: FakeCluster, text: str,
        slots: dict[str, str]) -> None:
    service.parser = Unsure(slots, ())
    out = say(service, "bob", text)
    assert _diagnosed(cluster) == ["diagnose"], out
    assert out[0].startswith(f"({TROUBLE_NOTE})") and "crash-looping" in out[0], out
    assert not [c for c in cluster.calls if c[0] == "restart" and not c[1]]


def test_trouble_in_a_namespace_takes_the_channel_default(
        service: ConversationService, cluster: FakeCluster) -> None:
    service.parser = Unsure({"deployment": "checkout-api"})
    out = say(service, "bob", "checkout-api is down, help", channel="CDEV")
    assert _diagnosed(cluster) == ["diagnose"], out
    assert "checkout-api is healthy" in out[0]


@pytest.mark.parametrize(("text", "slots", "alternatives"), [
    # A change named: the model was unsure of a change request, not of a read.
    ("restart calc-app in prod, it's crashing", {"deployment": "calc-app", "namespace": "prod"},
     READS),
    ("calc-app is down in prod, roll it back", {"deployment": "calc-app", "namespace": "prod"},
     READS),
    ("shut calc-app down in prod", {"deployment": "calc-app", "namespace": "prod"}, READS),
    ("calc-app in prod is broken, flush its cache", {"deployment": "calc-app",
                                                     "namespace": "prod"}, READS),
    # The model gave a change real weight.
    ("calc-app is broken in prod", {"deployment": "calc-app", "namespace": "prod"},
     (("restart_deployment", 0.4), ("diagnose", 0.3))),
    # The model saw no read in it, and tagged no workload.
    ("everything is broken in prod", {"namespace": "prod"}, (("deployment_status", 0.05),)),
    # No trouble reported.
    ("can you check on calc-app in prod", {"deployment": "calc-app", "namespace": "prod"},
     READS),
    # Not this cluster's namespace, or none at all.
    ("my laptop is down at home, help", {"namespace": "home"}, READS),
    ("the wifi is broken again", {}, READS),
    # Guards: creation, someone else asked, a general question.
    ("prod is down, create a deployment calc-app-2 in prod",
     {"deployment": "calc-app-2", "namespace": "prod"}, READS),
    ("@carol calc-app is down in prod, can you look?",
     {"deployment": "calc-app", "namespace": "prod"}, READS),
])
def test_no_diagnosis_without_trouble_a_read_and_a_namespace_of_the_cluster(
        service: ConversationService, cluster: FakeCluster, text: str,
        slots: dict[str, str], alternatives: tuple[tuple[str, float], ...]) -> None:
    service.parser = Unsure(slots, alternatives)
    out = say(service, "bob", text)
    assert _diagnosed(cluster) == [], out
    assert not any(TROUBLE_NOTE in line for line in out)
    assert service.store.runs_in_thread("C1", "t1") == []


CHANGES = (("restart_deployment", 0.35), ("scale_deployment", 0.33), ("rightsize", 0.17))


# Session 42's user trial: "checkout-api in staging is flaky, can you sort it" and
# "search-indexer is throwing errors, sort it out" got "not sure": the model gave a restart
# or a scale weight (the fix's words), which kept the trouble from a diagnosis. A request to
# fix a workload it names is the diagnosis's (#15: "fix it" maps to the diagnosis, whose
# fix is then one click away), whatever weight the model gave a change.
@pytest.mark.parametrize("text", [
    "calc-app in prod is flaky, can you sort it",
    "calc-app is throwing errors in prod, sort it out",
    "calc-app in prod is busted, fix it pls",
    "can someone take care of calc-app in prod? it keeps crashing",
    "calc-app is down in prod, please deal with it",
    # Its cause asked after the context (session 42's trial: "not sure").
    "I already restarted calc-app in prod twice this morning and it's still crashing. "
    "any idea what's going on?",
    "calc-app in prod keeps crashing, what's wrong with it?",
])
def test_a_fix_asked_for_a_named_workload_is_diagnosed(
        service: ConversationService, cluster: FakeCluster, text: str) -> None:
    service.parser = Unsure({"deployment": "calc-app", "namespace": "prod"}, CHANGES)
    out = say(service, "bob", text)
    assert _diagnosed(cluster) == ["diagnose"], out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.runbook, run.raw_slots) == (
        "diagnose", {"deployment": "calc-app", "namespace": "prod"})


@pytest.mark.parametrize(("text", "slots"), [
    # No workload named: the namespace's scan is not what "fix it" asks.
    ("prod is flaky, can you sort it", {"namespace": "prod"}),
    # A change named.
    ("calc-app in prod is flaky, sort it out by restarting it",
     {"deployment": "calc-app", "namespace": "prod"}),
    ("calc-app in prod is down, fix it with a rollback",
     {"deployment": "calc-app", "namespace": "prod"}),
    # No trouble reported, or someone else asked.
    ("can you sort out calc-app in prod", {"deployment": "calc-app", "namespace": "prod"}),
    ("@carol calc-app is broken in prod, can you fix it?",
     {"deployment": "calc-app", "namespace": "prod"}),
])
def test_a_fix_asked_needs_trouble_a_workload_and_no_change_named(
        service: ConversationService, cluster: FakeCluster, text: str,
        slots: dict[str, str]) -> None:
    service.parser = Unsure(slots, CHANGES)
    out = say(service, "bob", text)
    assert _diagnosed(cluster) == [], out
    assert service.store.runs_in_thread("C1", "t1") == []


def test_the_deployment_a_word_names_is_the_one_diagnosed(
        service: ConversationService, cluster: FakeCluster) -> None:
    # The model tagged the namespace only; the word is the cluster's deployment's name.
    service.parser = Unsure({"namespace": "prod"})
    out = say(service, "bob", "calc-app wedged in prod")
    assert _diagnosed(cluster) == ["diagnose"], out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.raw_slots == {"namespace": "prod", "deployment": "calc-app"}


@pytest.mark.parametrize(("text", "diagnosed"), [
    # Session 42's trial: read as the events, answered with a raw list of them.
    ("anything on fire in prod?", True),
    ("is anything broken in prod", True),
    # Events asked for, or no trouble: the events.
    ("any warning events in prod? something is broken", False),
    ("what happened in prod, it was down at 3am", False),
    ("show me prod's events", False),
])
def test_trouble_read_as_the_events_gets_the_scan(
        service: ConversationService, cluster: FakeCluster, text: str,
        diagnosed: bool) -> None:
    from tests.conversation.readings import Reading

    service.parser = Reading({"namespace": "prod"}, "recent_events", 0.96)
    say(service, "bob", text)
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.runbook == ("diagnose" if diagnosed else "recent_events")
    assert run.raw_slots == {"namespace": "prod"}



def test_a_fix_asked_without_a_namespace_is_diagnosed_where_the_one_deployment_is(
        service: ConversationService, cluster: FakeCluster) -> None:
    """Session 42's trial: "search-indexer is throwing errors, sort it out" (no namespace;
    one has it) got "not sure"."""
    service.parser = Unsure({"deployment": "calc-app"}, CHANGES)
    out = say(service, "bob", "calc-app is throwing errors, sort it out")
    assert "(in prod: the one namespace with deployment calc-app)" in out[0], out
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert (run.runbook, run.raw_slots) == ("diagnose", {"deployment": "calc-app",
                                                         "namespace": "prod"})
    # Where two namespaces have it, nothing is guessed.
    service.parser = Unsure({"deployment": "checkout-api"}, CHANGES)
    say(service, "bob", "checkout-api is throwing errors, sort it out", thread="t2")
    assert service.store.runs_in_thread("C1", "t2") == []


# A user trial: "the nightly-report cronjob is busted, can you fix it?" got "not sure"; the
# diagnosis takes no cronjob. The namespace's scan (failed jobs, a suspended cronjob) is
# made, then what it found of the cronjob, in the namespace given, or the one that has it.
@pytest.mark.parametrize(("text", "slots"), [
    ("the nightly-report cronjob is busted, can you fix it?", {"cronjob": "nightly-report"}),
    ("why did nightly-report fail last night in prod",
     {"cronjob": "nightly-report", "namespace": "prod"}),
    ("nightly-report didn't run last night", {"cronjob": "nightly-report"}),
    ("prod nightly-report is broken", {"cronjob": "nightly-report"}),
])
def test_trouble_with_a_cronjob_gets_its_namespace_scan(
        service: ConversationService, cluster: FakeCluster, text: str,
        slots: dict[str, str]) -> None:
    cluster.cronjobs.add(("prod", "nightly-report"))
    service.parser = Unsure(slots, (("suspend_cronjob", 0.5), ("resume_cronjob", 0.3)))
    out = say(service, "bob", text)
    assert _diagnosed(cluster) == ["diagnose"], out
    assert any(line.startswith("cronjob nightly-report in prod is not suspended")
               for line in out), out
    assert service.store.runs_in_thread("C1", "t1")[0].runbook == "diagnose"


@pytest.mark.parametrize("text", [
    "nightly-report is broken, suspend it",  # a change named
    "@carol nightly-report is broken, can you look?",  # said to someone else
    "what is a cronjob that fails?",  # a general question
])
def test_no_cronjob_scan_for_a_change_or_another_listener(
        service: ConversationService, cluster: FakeCluster, text: str) -> None:
    cluster.cronjobs.add(("prod", "nightly-report"))
    service.parser = Unsure({"cronjob": "nightly-report"}, (("suspend_cronjob", 0.5),))
    out = say(service, "bob", text)
    assert _diagnosed(cluster) == [], out


# A user trial: "when does nightly-report run next?" got "outside what I can do". A
# question of when a cronjob runs or ran, read as no change, gets the same scan and line.
@pytest.mark.parametrize(("text", "slots", "intent"), [
    ("when does nightly-report run next?", {"cronjob": "nightly-report"}, OUT_OF_SCOPE),
    ("what's the schedule of nightly-report in prod", {"cronjob": "nightly-report"},
     OUT_OF_SCOPE),
    # The name untagged, read as a read: the one cronjob of the namespace a word names.
    ("when did nightly-report last run in prod", {"namespace": "prod"}, "rollout_history"),
])
def test_when_a_cronjob_runs_gets_its_scan_and_line(
        service: ConversationService, cluster: FakeCluster, text: str,
        slots: dict[str, str], intent: str) -> None:
    cluster.cronjobs.add(("prod", "nightly-report"))
    service.parser = Reading(slots, intent=intent, confidence=0.9)
    out = say(service, "bob", text)
    assert out[0].startswith("(when a cronjob runs"), out
    assert any(line.startswith("cronjob nightly-report in prod is not suspended")
               for line in out), out


@pytest.mark.parametrize(("text", "intent"), [
    ("when does nightly-report run next? suspend it", "suspend_cronjob"),  # a change
    ("@carol when does nightly-report run next?", OUT_OF_SCOPE),
])
def test_a_runs_question_with_a_change_or_for_a_colleague_is_not_scanned(
        service: ConversationService, cluster: FakeCluster, text: str, intent: str) -> None:
    cluster.cronjobs.add(("prod", "nightly-report"))
    service.parser = Reading({"cronjob": "nightly-report"}, intent=intent, confidence=0.9)
    out = say(service, "bob", text)
    assert not out or not out[0].startswith("(when a cronjob runs"), out
