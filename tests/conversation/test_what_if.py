"""A question of what a change would do is answered with its dry-run as the asker, and
nothing is proposed: nobody can approve a change nobody asked for. The change is offered;
taking it plans it like any request.

A user trial: "what would happen if I scaled X to 0?" got "outside what I can do".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.conversation.what_if import asks_what_if, change_asked_about
from chatops.model import OUT_OF_SCOPE, ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.runs import Asked, RunState
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, say, service_on

SCALE = {"deployment": "checkout-api", "namespace": "prod", "replicas": "0"}
API = {"deployment": "checkout-api", "namespace": "prod"}


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments={("prod", "checkout-api"): 3, ("staging", "checkout-api"): 1},
                       nodes={"node-1": False})


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue, cluster: FakeCluster) -> ConversationService:
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize("text", [
    "what would happen if I scaled checkout-api to 0 in prod?",
    "what happens if we restart checkout-api in prod",
    "what'll break if we drain node-1",
    "what if we rolled checkout-api back in prod?",
    "what would a rollback of checkout-api in prod do?",
    "what's the blast radius of restarting checkout-api",
    "would restarting checkout-api in prod cause downtime?",
    "would a drain of node-1 take the api down?",
    "is it safe to drain node-1?",
    "how risky would a restart of checkout-api be",
    "dry-run a restart of checkout-api in prod",
    "can you preview scaling checkout-api to 5",
    # Advice asked (session 42's trial: "should we restart checkout-api in prod?" was
    # "outside what I can do"): the dry-run shows what it would do, and proposes nothing.
    "should we restart checkout-api in prod?",
    "should I scale checkout-api to 5",
    "do you think we should roll back checkout-api in prod?",
    "is it a good idea to drain node-1 now?",
    "would it be wise to restart checkout-api",
])
def test_questions_of_what_a_change_would_do(text: str) -> None:
    assert asks_what_if(text)


@pytest.mark.parametrize("text", [
    "restart checkout-api in prod",
    "what would you do here?",
    "what happened when we restarted checkout-api",
    "scale checkout-api to 0 in prod, it's broken anyway",
    "who changed checkout-api",
    "what should we do about checkout-api?",
    "we should restart checkout-api in prod",
    "I think we should restart checkout-api",
])
def test_requests_and_other_questions_are_not(text: str) -> None:
    assert not asks_what_if(text)


CHANGES = ("restart_deployment", "scale_deployment", "rollback_deployment", "drain_node")


@pytest.mark.parametrize(("text", "intent", "change"), [
    ("what would happen if I scaled checkout-api to 0?", OUT_OF_SCOPE, "scale_deployment"),
    ("is it safe to drain node-1?", "drain_node", "drain_node"),
    ("dry-run it please", "restart_deployment", "restart_deployment"),
    ("what would happen if we restarted it or rolled it back?", OUT_OF_SCOPE, None),
    ("what would happen if we restarted it?", "scale_deployment", "restart_deployment"),
    ("what would happen then?", OUT_OF_SCOPE, None),
])
def test_the_one_change_a_question_is_about(text: str, intent: str, change: str | None) -> None:
    parsed = ParsedIntent(intent, {}, 1.0, (), "model", ())
    assert change_asked_about(text, parsed, CHANGES) == change


def test_a_what_if_is_previewed_as_the_asker_and_nothing_is_proposed(
        service: ConversationService, cluster: FakeCluster, tmp_path: Path) -> None:
    service.parser = Reading(SCALE)
    (out,) = say(service, "alice", "what would happen if I scaled checkout-api to 0 in prod?")
    assert out.startswith("Preview only: nothing was asked for, and nothing changed.")
    assert "spec.replicas: 3 -> 0" in out
    assert "choose `scale_deployment`" in out and "1 approval from members of sre" in out
    assert service.store.runs_in_thread("C1", "t1") == []
    assert cluster.deployments[("prod", "checkout-api")] == 3
    assert cluster.calls == [("scale", True, "alice")]  # one dry run, as her
    kinds = [e.kind for e in AuditLog(tmp_path / "audit.db").list(limit=100)]
    assert "previewed" in kinds and "proposed" not in kinds
    # An approver finds nothing to approve.
    out = say(service, "bob", "approve")
    assert service.store.runs_in_thread("C1", "t1") == []


def test_taking_the_offer_asks_for_the_change_with_its_approvals(
        service: ConversationService, cluster: FakeCluster) -> None:
    service.parser = Reading(SCALE)
    say(service, "alice", "what would happen if I scaled checkout-api to 0 in prod?")
    service.parser = None  # the choice typed as it is offered
    (out, *_) = say(service, "alice", "scale_deployment")
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.state is RunState.PROPOSED and run.asked_as is Asked.PREVIEW
    assert "(asked for after its preview)" in out
    assert dict(run.raw_slots) == SCALE
    assert cluster.deployments[("prod", "checkout-api")] == 3


def test_someone_elses_yes_takes_no_preview(service: ConversationService) -> None:
    service.parser = Reading(SCALE)
    say(service, "alice", "what would happen if I scaled checkout-api to 0 in prod?")
    service.parser = None
    say(service, "bob", "yes")
    say(service, "bob", "scale_deployment")
    assert service.store.runs_in_thread("C1", "t1") == []


def test_a_change_read_by_the_model_but_asked_as_a_what_if_is_not_proposed(
        service: ConversationService, cluster: FakeCluster) -> None:
    # Read as the restart itself, it would be a plan any approver could approve.
    service.parser = Reading(API, intent="restart_deployment")
    (out,) = say(service, "alice", "dry-run a restart of checkout-api in prod")
    assert out.startswith("Preview only")
    assert service.store.runs_in_thread("C1", "t1") == []
    assert cluster.calls == [("rollout_restart", True, "alice")]


def test_a_missing_value_is_said_not_asked(service: ConversationService) -> None:
    service.parser = Reading(API)
    (out,) = say(service, "alice", "what would happen if I scaled checkout-api in prod?")
    assert out.startswith("To preview it I need more: How many replicas?")
    service.parser = Reading({"replicas": "0"}, intent="scale_deployment")
    say(service, "alice", "0")  # no question was open: not taken as its answer
    assert service.store.runs_in_thread("C1", "t1") == []


def test_a_preview_takes_the_one_namespace_with_the_deployment(
        service: ConversationService, cluster: FakeCluster) -> None:
    """A user trial: "what would happen if I restarted calc-app?" was asked which
    namespace, calc-app being in prod only; a preview proposes nothing, so it is made there
    and says so. Taking the offered change proposes it there, with its approvals."""
    cluster.deployments[("prod", "calc-app")] = 2
    service.parser = Reading({"deployment": "calc-app"})
    (out,) = say(service, "alice", "what would happen if I restarted calc-app?")
    assert out.startswith("Preview only") and "in prod: the one namespace" in out, out
    assert service.store.runs_in_thread("C1", "t1") == []
    # checkout-api is in two namespaces: which is still asked.
    service.parser = Reading({"deployment": "checkout-api"})
    (out,) = say(service, "alice", "what would happen if I restarted checkout-api?",
                 thread="t2")
    assert out.startswith("To preview it I need more: In which namespace?"), out


def test_a_follow_up_repeats_no_preview(service: ConversationService,
                                        cluster: FakeCluster) -> None:
    service.parser = Reading(SCALE)
    say(service, "alice", "what would happen if I scaled checkout-api to 0 in prod?")
    service.parser = Reading({"namespace": "staging"})
    say(service, "alice", "and in staging?")
    assert service.store.runs_in_thread("C1", "t1") == []
    assert cluster.deployments[("staging", "checkout-api")] == 1


def test_the_policy_still_decides_who_may_preview(service: ConversationService,
                                                   cluster: FakeCluster) -> None:
    service.parser = Reading({"node": "node-1"})
    (out,) = say(service, "alice", "is it safe to drain node-1?")
    assert "You may not request critical runbooks such as drain_node" in out
    assert cluster.calls == []


def test_a_question_put_to_a_colleague_previews_nothing(service: ConversationService,
                                                         cluster: FakeCluster) -> None:
    service.parser = Reading(SCALE)
    assert say(service, "alice", "@carol what would happen if I scaled checkout-api to 0 "
                                 "in prod?") == []
    assert cluster.calls == []


def test_the_words_of_a_change_about_no_object_are_no_preview(
        service: ConversationService, cluster: FakeCluster) -> None:
    # Two out-of-scope messages of the blind sets named a suspend's words and no cronjob.
    service.parser = Reading({})
    (out,) = say(service, "alice", "what happens if we pause the rollout?")
    assert "outside what I can do" in out
    assert cluster.calls == []


# An attacker review of the first version (each of these planned or swallowed a change).

@pytest.mark.parametrize(("reply", "intent", "slots"), [
    # as the model reads them: a yes ("confirm"), or the change with a value
    ("ok, makes sense", "confirm", {}), ("yep, that is what I thought", "confirm", {}),
    ("ok.", "confirm", {}), ("okay", "confirm", {}), ("sure", "confirm", {}),
    ("yes", "confirm", {}), ("go ahead", "confirm", {}),
    ("make it 5", "scale_deployment", {"replicas": "5"}),
    ("ok do it with 2 replicas", "scale_deployment", {"replicas": "2"}),
    # typed as choices are: a number, a word of the offer, the fix's words
    ("1", None, {}), ("the deployment", None, {}), ("fix it", None, {}),
])
def test_only_the_change_itself_takes_a_preview_never_an_acknowledgment(
        service: ConversationService, reply: str, intent: str | None,
        slots: dict[str, str]) -> None:
    # The preview asked nothing: "ok, makes sense" or a number proposed the scale to 0
    # (with no approvals needed it ran at once).
    service.parser = Reading(SCALE)
    say(service, "alice", "what would happen if I scaled checkout-api to 0 in prod?")
    service.parser = Reading(slots, intent=intent) if intent else None
    say(service, "alice", reply)
    assert service.store.runs_in_thread("C1", "t1") == []


def test_the_change_named_or_ordered_takes_the_preview(service: ConversationService) -> None:
    service.parser = Reading(SCALE)
    say(service, "alice", "what would happen if I scaled checkout-api to 0 in prod?")
    service.parser = Reading({}, intent="scale_deployment")
    say(service, "alice", "ok scale it then")
    (run,) = service.store.runs_in_thread("C1", "t1")
    assert run.asked_as is Asked.PREVIEW and dict(run.raw_slots) == SCALE


@pytest.mark.parametrize("text", [
    "what would happen if we restarted checkout-api and calc-app in prod?",
    "what would happen if we restarted the checkout-api database in prod?",
    "what would happen if we did NOT restart checkout-api in prod?",
    "what would happen if I restarted 'checkout-api; rm -rf /' in prod?",
])
def test_a_what_if_the_guards_refuse_as_an_order_previews_nothing(
        service: ConversationService, cluster: FakeCluster, text: str) -> None:
    service.parser = Reading(API)
    out = say(service, "alice", text)
    assert not any(o.startswith("Preview only") for o in out), out
    assert cluster.calls == []


def test_a_drain_sparing_pods_previews_no_full_drain(service: ConversationService,
                                                      cluster: FakeCluster) -> None:
    service.parser = Reading({"node": "node-1"})
    out = say(service, "bob", "what would happen if we drained node-1 but left the prod "
                              "pods alone?")
    assert not any(o.startswith("Preview only") for o in out), out
    assert cluster.calls == []


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("the preview looked good, restart checkout-api in prod", "restart_deployment", API),
    ("dry-run was clean, restart checkout-api in prod please", "restart_deployment", API),
    ("restart checkout-api in prod to reduce the impact of the memory leak",
     "restart_deployment", API),
    ("scale checkout-api in prod to 5 to soften the effect of the traffic spike",
     "scale_deployment", {**API, "replicas": "5"}),
    ("restart checkout-api in prod, preview first", "restart_deployment", API),
    ("restart checkout-api in prod now, what happens is pods restart one at a time",
     "restart_deployment", API),
])
def test_a_request_that_mentions_a_preview_is_still_a_request(
        service: ConversationService, text: str, intent: str, slots: dict[str, str]) -> None:
    service.parser = Reading(slots, intent=intent)
    say(service, "alice", text)
    assert [r.runbook for r in service.store.runs_in_thread("C1", "t1")] == [intent]


def test_roll_back_words_take_no_quadratic_time() -> None:
    import time

    for text in ("what if we roll " + "-" * 39_980, "who can approve a roll " + "-" * 39_970):
        started = time.process_time()
        asks_what_if(text)
        change_asked_about(text, ParsedIntent(OUT_OF_SCOPE, {}, 1.0, (), "model", ()), CHANGES)
        assert time.process_time() - started < 1.0  # was 9.6 s and 8.0 s


@pytest.mark.parametrize("text", [
    "dry run restart checkout-api in prod at 3pm",
    "preview restart checkout-api in prod tomorrow at 9am",
    "dry-run: restart checkout-api in prod at 23:00",
    "can you dry-run a restart of checkout-api in prod every day at 3am",
])
def test_a_preview_with_a_time_is_no_schedule(service: ConversationService, text: str) -> None:
    # The schedule path read the change and proposed it: an approval would have started a
    # real (even recurring) schedule of it (an attacker review).
    service.parser = Reading(API, intent="restart_deployment")
    out = say(service, "bob", text)
    assert service.store.runs_in_thread("C1", "t1") == [], out
    assert "preview" in out[0]


def test_a_dry_run_of_an_undo_proposes_no_undo(service: ConversationService,
                                               cluster: FakeCluster) -> None:
    service.parser = None
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=5")
    run = service.store.runs_in_thread("C1", "t1")[0]
    say(service, "bob", f"approve {run.id}")
    assert cluster.deployments[("prod", "checkout-api")] == 5
    service.parser = Reading({}, intent="undo")
    out = say(service, "carol", "dry run undo the scale")
    assert any(o.startswith("Preview only") for o in out), out
    assert [r.id for r in service.store.runs_in_thread("C1", "t1")] == [run.id]


def test_advice_asked_on_a_change_gets_its_preview(service: ConversationService,
                                                   cluster: FakeCluster) -> None:
    service.parser = Reading(API)
    (out,) = say(service, "alice", "should we restart checkout-api in prod?")
    assert out.startswith("Preview only: nothing was asked for, and nothing changed."), out
    assert service.store.runs_in_thread("C1", "t1") == []
    assert [c for c in cluster.calls if c[0] == "restart" and not c[1]] == []
