"""Editing a waiting plan in words: the value goes where the plan set one, and a refused
edit leaves the plan waiting.

A user trial:
- "raise payments-worker's memory limit to 256Mi" waited; "actually make it 512Mi" was
  read as the memory *request*, refused by the dry-run (a request above the limit), and
  the waiting plan had been cancelled first: it vanished without a word;
- "raise the autoscaler max of search-indexer to 8" waited; "make it 10 instead" became a
  new scale of the deployment to 10 replicas (after two questions), beside the plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.model import OUT_OF_SCOPE, Message, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads
from tests.conversation.test_service_logic import Clock, say, service_on

WORKER = {"deployment": "payments-worker", "namespace": "prod"}


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue) -> ConversationService:
    return service_on(FakeCluster(deployments={("prod", "payments-worker"): 2,
                                               ("prod", "search-indexer"): 2}),
                      tmp_path, catalogue, Clock())


def _plans(service: ConversationService) -> list[tuple[str, RunState, dict[str, str]]]:
    return [(r.runbook, r.state, dict(r.raw_slots))
            for r in service.store.runs_in_thread("C1", "t1")]


def test_a_bare_value_edits_the_field_the_plan_set(service: ConversationService) -> None:
    say(service, "bob", "run set_resources deployment=payments-worker namespace=prod "
                        "memory_limit=256Mi")
    text = "actually make it 512Mi"
    service.parser = Reads({text: ("set_resources", {"memory_request": "512Mi"})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("set_resources", RunState.PROPOSED,
                        {**WORKER, "memory_limit": "512Mi"})]


@pytest.mark.parametrize("value", ["512Mi", "1Gi"])
def test_a_bare_value_edits_both_fields_the_plan_set_to_one_value(
        service: ConversationService, value: str) -> None:
    # A plan that set request and limit alike: a bare value keeps them alike (read as the
    # limit only, a value under the request made the plan fail its dry-run).
    say(service, "bob", "run set_resources deployment=payments-worker namespace=prod "
                        "memory_request=768Mi memory_limit=768Mi")
    text = f"actually {value}"
    service.parser = Reads({text: ("set_resources", {"memory_limit": value})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("set_resources", RunState.PROPOSED,
                        {**WORKER, "memory_request": value, "memory_limit": value})]


def test_make_both_sets_both_whatever_the_plan_set(service: ConversationService) -> None:
    # An attacker review: on a plan that set the limit only, "both" was dropped silently.
    say(service, "bob", "run set_resources deployment=payments-worker namespace=prod "
                        "memory_limit=512Mi")
    text = "make both 1Gi instead"
    service.parser = Reads({text: ("set_resources", {"memory_limit": "1Gi"})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("set_resources", RunState.PROPOSED,
                        {**WORKER, "memory_request": "1Gi", "memory_limit": "1Gi"})]


@pytest.mark.parametrize("read_as", ["memory_limit", "memory_request"])
def test_a_bare_value_for_a_plan_with_two_different_fields_is_asked_which(
        service: ConversationService, read_as: str) -> None:
    say(service, "bob", "run set_resources deployment=payments-worker namespace=prod "
                        "memory_request=256Mi memory_limit=512Mi")
    (first,) = service.store.runs_in_thread("C1", "t1")
    text = "actually make it 1Gi"
    service.parser = Reads({text: ("set_resources", {read_as: "1Gi"})})
    out = " ".join(say(service, "bob", text))
    assert "memory request (256Mi)" in out and "memory limit (512Mi)" in out, out
    assert f"{first.id} still waits as it was" in out, out
    assert _plans(service) == [("set_resources", RunState.PROPOSED,
                                {**WORKER, "memory_request": "256Mi",
                                 "memory_limit": "512Mi"})]
    both = "ok make both 1Gi then"
    service.parser = Reads({both: ("set_resources", {read_as: "1Gi"})})
    out = " ".join(say(service, "bob", both))
    assert "was replaced by an edited request" in out, out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("set_resources", RunState.PROPOSED,
                        {**WORKER, "memory_request": "1Gi", "memory_limit": "1Gi"})]


def test_a_refused_edit_leaves_the_plan_waiting_and_says_so(
        service: ConversationService) -> None:
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    (first,) = service.store.runs_in_thread("C1", "t1")
    replies = service.edit(first.id, Message("UBOB", "", "C1", "t1"), {"replicas": "500"})
    text = replies[-1].text
    assert f"{first.id} still waits as it was" in text, text
    assert _plans(service) == [("scale_deployment", RunState.PROPOSED,
                                {**WORKER, "replicas": "4"})]


def test_make_it_n_instead_edits_the_one_plan_waiting_whatever_the_model_read(
        service: ConversationService) -> None:
    say(service, "bob", "run set_autoscaling deployment=search-indexer namespace=prod "
                        "max_replicas=8")
    text = "make it 10 instead"
    service.parser = Reads({text: ("scale_deployment", {"replicas": "10"})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("set_autoscaling", RunState.PROPOSED,
                        {"deployment": "search-indexer", "namespace": "prod",
                         "max_replicas": "10"})]


def test_a_value_for_a_plan_that_set_two_is_not_guessed(service: ConversationService) -> None:
    say(service, "bob", "run set_autoscaling deployment=search-indexer namespace=prod "
                        "min_replicas=2 max_replicas=8")
    text = "make it 10 instead"
    service.parser = Reads({text: ("scale_deployment", {"replicas": "10"})})
    say(service, "bob", text)
    assert ("set_autoscaling", RunState.PROPOSED,
            {"deployment": "search-indexer", "namespace": "prod", "min_replicas": "2",
             "max_replicas": "8"}) in _plans(service)
    assert not [p for p in _plans(service) if p[2].get("max_replicas") == "10"]


@pytest.mark.parametrize(("waiting", "text", "read_as"), [
    # An attacker review: each replaced the waiting plan with a value edit of it.
    ("run scale_deployment deployment=payments-worker namespace=prod replicas=5",
     "actually, roll it back to revision 3 instead", ("rollback_deployment", {"revision": "3"})),
    ("run rollback_deployment deployment=payments-worker namespace=prod revision=1",
     "sorry, scale it to 2 instead", ("scale_deployment", {"replicas": "2"})),
    ("run set_autoscaling deployment=search-indexer namespace=prod max_replicas=8",
     "make it 512Mi instead", ("set_resources", {"memory_limit": "512Mi"})),
])
def test_an_edit_that_names_another_change_or_value_kind_is_not_a_value_edit(
        service: ConversationService, waiting: str, text: str,
        read_as: tuple[str, dict[str, str]]) -> None:
    say(service, "bob", waiting)
    (first,) = service.store.runs_in_thread("C1", "t1")
    service.parser = Reads({text: read_as})
    say(service, "bob", text)
    run = service.store.get(first.id)
    assert run is not None and run.state is RunState.PROPOSED
    assert not [p for p in _plans(service)
                if p[0] == first.runbook and p[2] != dict(first.raw_slots)]


def test_an_edit_of_another_object_by_button_is_no_longer_the_suggested_fix(
        service: ConversationService) -> None:
    """An attacker review: the diagnosis's restart of one deployment, edited to another,
    still read "(the fix a diagnosis suggested)"."""
    from tests.conversation.fake_cluster import FakeCluster as _Fake

    cluster = service.executor
    assert isinstance(cluster, _Fake)
    cluster.crashing.add(("prod", "payments-worker"))
    say(service, "bob", "run diagnose namespace=prod deployment=payments-worker")
    say(service, "bob", "fix it")
    (fix,) = [r for r in service.store.runs_in_thread("C1", "t1")
              if r.runbook == "restart_deployment"]
    out = service.edit(fix.id, Message("bob", "", "C1", "t1"),
                       {"deployment": "search-indexer"})
    assert "restart deployment search-indexer in prod (explicit command)" in out[-1].text, \
        out[-1].text


class Unsure:
    """The model under its bar: out of scope, `intent` the likeliest runbook at `score`."""

    def __init__(self, intent: str, score: float, slots: dict[str, str]) -> None:
        self.intent, self.score, self.slots = intent, score, slots

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(OUT_OF_SCOPE, dict(self.slots), 0.2,
                            ((self.intent, self.score), ("deny", 0.1)), "model")


@pytest.mark.parametrize("text", ["actually make it 6", "sorry, 6 replicas",
                                  "make that 6 instead"])
def test_an_edit_the_model_is_unsure_of_edits_the_plan_waiting(
        service: ConversationService, text: str) -> None:
    """A user trial: "actually make it 6" (a scale at 0.69, under the bar of 0.8) was
    answered "I'm not sure" while the scale it edits waited."""
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    service.parser = Unsure("scale_deployment", 0.69, {"replicas": "6"})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("scale_deployment", RunState.PROPOSED, {**WORKER, "replicas": "6"})]


@pytest.mark.parametrize(("text", "score"), [
    ("actually make it 6", 0.25),         # too unsure
    ("what happens at 6 replicas?", 0.69),  # no edit's word
])
def test_an_unsure_reading_without_an_edit_is_not_taken(
        service: ConversationService, text: str, score: float) -> None:
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    service.parser = Unsure("scale_deployment", score, {"replicas": "6"})
    say(service, "bob", text)
    assert [p for p in _plans(service) if p[1] is RunState.PROPOSED] == [
        ("scale_deployment", RunState.PROPOSED, {**WORKER, "replicas": "4"})]


def test_an_edit_less_sure_still_edits_a_plan_of_that_runbook_waiting(
        service: ConversationService) -> None:
    """Session 42's trial: "actually make it 3" after a scale got "not sure" (the scale at
    0.37). Where the speaker's plan of that runbook waits, 0.3 is enough; where another
    runbook's waits, 0.5 still is."""
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    service.parser = Unsure("scale_deployment", 0.37, {"replicas": "3"})
    out = say(service, "bob", "actually make it 3")
    assert "was replaced by an edited request" in out[0], out
    say(service, "bob", "run restart_deployment deployment=search-indexer namespace=prod",
        thread="t2")
    service.parser = Unsure("set_autoscaling", 0.37, {"max_replicas": "3"})
    out = say(service, "bob", "actually make it 3", thread="t2")
    assert "was replaced" not in out[0], out


def test_same_but_a_value_edits_the_plan_waiting(service: ConversationService) -> None:
    """Session 42's trial: "same but 3 replicas" after a scale was asked which deployment."""
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    text = "same but 3 replicas"
    service.parser = Reads({text: ("scale_deployment", {"replicas": "3"})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    assert [p for p in _plans(service) if p[1] is RunState.PROPOSED] == [
        ("scale_deployment", RunState.PROPOSED, {**WORKER, "replicas": "3"})]


@pytest.mark.parametrize("text", ["actually make that search-indexer",
                                  "no wait, search-indexer instead",
                                  "sorry, I meant search-indexer"])
def test_a_correction_naming_another_object_replaces_the_plan_waiting(
        service: ConversationService, text: str) -> None:
    """Session 42's trial: "actually make that web-frontend" after a restart of calc-app
    was "outside what I can do". It replaces the speaker's plan, as an edit does: left
    waiting, the plan corrected could still be approved and run (an attacker review)."""
    say(service, "bob", "run restart_deployment deployment=payments-worker namespace=prod")
    first = service.store.runs_in_thread("C1", "t1")[0].id
    service.parser = Reads({text: (OUT_OF_SCOPE, {"deployment": "search-indexer"})})
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    assert [p for p in _plans(service) if p[1] is RunState.PROPOSED] == [
        ("restart_deployment", RunState.PROPOSED, {**WORKER, "deployment": "search-indexer"})]
    out = say(service, "carol", f"approve {first}")
    assert service.store.get(first).state is RunState.CANCELLED, out  # type: ignore[union-attr]


def test_a_correction_with_no_plan_of_its_own_waiting_plans_nothing(
        service: ConversationService) -> None:
    # Another person's correction, or one after the plan was decided, is no edit.
    say(service, "bob", "run restart_deployment deployment=payments-worker namespace=prod")
    service.parser = Reads({"actually make that search-indexer": (
        OUT_OF_SCOPE, {"deployment": "search-indexer"})})
    say(service, "alice", "actually make that search-indexer")
    assert [(p[2]["deployment"], p[1]) for p in _plans(service)] == [
        ("payments-worker", RunState.PROPOSED)]


def test_an_unsure_edit_with_nothing_waiting_is_still_not_sure(
        service: ConversationService) -> None:
    service.parser = Unsure("scale_deployment", 0.69, {"replicas": "6"})
    out = say(service, "bob", "actually make it 6")
    assert "not sure" in out[0].lower() and _plans(service) == [], out


@pytest.mark.parametrize(("text", "reading"), [
    ("disk cleaned up on node-3, undo the drain pls", ("drain_node", {"node": "node-3"})),
    ("revert the scale of payments-worker in prod", ("scale_deployment", WORKER)),
])
def test_undo_of_a_kind_of_change_is_never_that_change(
        tmp_path: Path, catalogue: Catalogue, text: str,
        reading: tuple[str, dict[str, str]]) -> None:
    """A user trial: "disk cleaned up on node-3, undo the drain pls" was read as a drain and
    planned one (nothing changed only because the node was drained already)."""
    cluster = FakeCluster(deployments={("prod", "payments-worker"): 2},
                          nodes={"node-3": False})
    service = service_on(cluster, tmp_path, catalogue, Clock())
    service.parser = Reads({text: reading})
    out = say(service, "bob", text)
    assert "asks to undo" in out[0], out
    assert service.store.runs_in_thread("C1", "t1") == []


def test_undo_of_the_threads_last_change_by_its_kind_is_its_undo(
        service: ConversationService) -> None:
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    (first,) = service.store.runs_in_thread("C1", "t1")
    service.decide(first.id, Message("UCAROL", "", "C1", "t1"), "approve")
    text = "hmm that was wrong, revert the scale"
    service.parser = Reads({text: ("scale_deployment", {"replicas": "4"})})
    out = say(service, "bob", text)
    assert any("undo" in line.lower() for line in out), out
    waiting = [p for p in _plans(service) if p[1] is RunState.PROPOSED]
    assert waiting == [("scale_deployment", RunState.PROPOSED, {**WORKER, "replicas": "2"})]


class ReadsADeny:
    """The shipped model's reading of "no, <value>": `deny`, the value tagged or not, the
    change it corrects the likeliest runbook after it."""

    def __init__(self, slots: dict[str, str], confidence: float) -> None:
        self.slots, self.confidence = slots, confidence

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent("deny", dict(self.slots), self.confidence,
                            (("scale_deployment", 0.31), ("set_autoscaling", 0.02)), "model")


@pytest.mark.parametrize("text", ["no, 3 replicas", "no 3 replicas pls", "nope, 3 replicas"])
def test_no_and_a_value_edits_the_plan_rather_than_denying_it(
        service: ConversationService, text: str) -> None:
    """A user trial: "no, 3 replicas" (read as `deny` at 0.64, 3 tagged as replicas) under
    a scale to 4 denied it and planned nothing; the person wanted 3."""
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    service.parser = ReadsADeny({"replicas": "3"}, 0.64)
    out = say(service, "bob", text)
    assert "was replaced by an edited request" in out[0], out
    assert [(p[0], p[1], p[2]["replicas"]) for p in _plans(service)] == [
        ("scale_deployment", RunState.PROPOSED, "3"),
        ("scale_deployment", RunState.CANCELLED, "4")]


def test_no_and_an_untagged_value_decides_nothing(service: ConversationService) -> None:
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    service.parser = ReadsADeny({}, 0.99)
    out = say(service, "bob", "nope, 3")
    assert "decided nothing" in out[0], out
    assert [p[1] for p in _plans(service)] == [RunState.PROPOSED]


def test_a_plain_no_still_denies(service: ConversationService) -> None:
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    service.parser = ReadsADeny({}, 0.99)
    say(service, "bob", "no")
    assert [p[1] for p in _plans(service)] == [RunState.DENIED]


@pytest.mark.parametrize("text", ["no, 1 replica is not enough", "no 10 replicas, that's too much",
                                  "nope, 8 is too much"])
def test_a_no_that_says_more_than_a_count_is_still_a_no(service: ConversationService,
                                                        text: str) -> None:
    """An attacker review: "no, 1 replica is not enough" replaced the waiting scale with a
    scale to 1, the count the person had just rejected."""
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=4")
    service.parser = ReadsADeny({"replicas": text.split()[1].strip(",")}, 0.9)
    say(service, "bob", text)
    assert [(p[1], p[2]["replicas"]) for p in _plans(service)] == [(RunState.DENIED, "4")]


def test_an_approver_s_no_with_a_count_does_not_edit_her_own_plan(
        service: ConversationService) -> None:
    """An attacker review: carol's "no 10 replicas, that's too much" about bob's plan
    replaced her own waiting plan with a scale to 10."""
    say(service, "bob", "run scale_deployment deployment=payments-worker namespace=prod "
                        "replicas=10")
    say(service, "carol", "run scale_deployment deployment=search-indexer namespace=prod "
                          "replicas=3")
    service.parser = ReadsADeny({"replicas": "10"}, 0.9)
    say(service, "carol", "no 10 replicas, that's too much")
    mine = [p for p in _plans(service) if p[2]["deployment"] == "search-indexer"]
    assert [(p[1], p[2]["replicas"]) for p in mine] == [(RunState.PROPOSED, "3")]
