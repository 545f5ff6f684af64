"""Conversation logic over an in-memory fake executor (pure logic; cluster behaviour is
tested against the sandbox in tests/scenarios/)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from chatops.audit import AuditLog
from chatops.conversation import ConversationService
from chatops.messages import NOTHING_TO_UNDO
from chatops.model import OUT_OF_SCOPE, Message, ParsedIntent
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.stores import open_state
from tests.conversation.fake_cluster import FakeCluster

POLICY = {
    "identities": {
        "alice": {"chat": ["UALICE"], "kube_user": "alice", "kube_groups": ["dev"]},
        "bob": {"chat": ["UBOB"], "kube_user": "bob", "kube_groups": ["sre"]},
        "carol": {"chat": ["UCAROL"], "kube_user": "carol", "kube_groups": ["sre"]},
        "dave": {"chat": ["UDAVE"], "kube_user": "dave", "kube_groups": ["sre"]},
    },
    "request": {"read": ["everyone"], "write": ["mapped"], "critical": ["group:sre"]},
    "approve": {"write": ["group:sre"], "critical": ["group:sre"]},
    "channel_namespaces": {"CDEV": "dev"},
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(
        deployments={("prod", "checkout-api"): 3, ("prod", "calc-app"): 2,
                     ("staging", "checkout-api"): 1, ("dev", "checkout-api"): 1,
                     ("prod", "payments-api"): 2, ("prod", "payments-worker"): 2},
        nodes={"node-1": False, "node-2": False},
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


def service_on(cluster: FakeCluster, tmp_path: Path, catalogue: Catalogue,
               clock: Clock) -> ConversationService:
    """The engine on `cluster`, with this file's policy and fresh SQLite stores."""
    return ConversationService(
        catalogue=catalogue, executor=cluster, policy=parse_policy(POLICY),
        stores=open_state(tmp_path / "state.db", clock=clock),
        audit=AuditLog(tmp_path / "audit.db"), clock=clock)


@pytest.fixture
def service(tmp_path: Path, cluster: FakeCluster, catalogue: Catalogue,
            clock: Clock) -> ConversationService:
    return service_on(cluster, tmp_path, catalogue, clock)


def say(service: ConversationService, user: str, text: str, thread: str = "t1",
        channel: str = "C1", event_id: str | None = None) -> list[str]:
    replies = service.handle(Message(user=user, text=text, channel=channel, thread=thread,
                                     event_id=event_id))
    return [r.text for r in replies]


def run_id(service: ConversationService, thread: str = "t1", channel: str = "C1") -> str:
    return service.store.runs_in_thread(channel, thread)[0].id


def test_missing_slot_is_asked_and_the_answer_in_thread_is_taken(
        service: ConversationService, cluster: FakeCluster) -> None:
    out = say(service, "alice", "run scale_deployment deployment=checkout-api replicas=5")
    assert out == ["In which namespace?"]
    out = say(service, "alice", "prod")
    assert "scale deployment checkout-api in prod to 5 replicas" in out[0]
    assert "spec.replicas: 3 -> 5" in out[0]
    assert cluster.deployments[("prod", "checkout-api")] == 3


class _ReadsNamespace:
    """A model that finds the namespace in whatever it is given."""

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent("scale_deployment", {"namespace": "prod"}, 0.95, (), "model")


def test_talk_that_does_not_ask_answers_no_question(service: ConversationService,
                                                   cluster: FakeCluster) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = _ReadsNamespace()
    out = say(service, "alice", "we should NOT scale checkout-api in prod")
    assert not any("scale deployment checkout-api in prod" in line for line in out)
    assert service.store.runs_in_thread("C1", "t1") == []
    out = say(service, "alice", "prod")  # the question still waits for its answer
    assert "scale deployment checkout-api in prod to 5 replicas" in out[0]


def test_cancel_drops_the_pending_question(service: ConversationService) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api replicas=5")
    assert say(service, "alice", "cancel") == ["Cancelled my question to you; nothing was changed."]
    assert say(service, "alice", "cancel") == ["There is nothing to cancel here."]


def test_unique_fuzzy_name_is_taken_and_shown(service: ConversationService) -> None:
    out = say(service, "alice", "run scale_deployment deployment=calc namespace=prod replicas=3")
    assert "deployment 'calc' taken as calc-app" in out[0]


def test_ambiguous_name_becomes_a_question_with_choices(service: ConversationService) -> None:
    out = say(service, "alice",
              "run scale_deployment deployment=payments namespace=prod replicas=3")
    assert out[0].startswith("Which deployment in namespace prod did you mean?")
    assert "payments-api" in out[0] and "payments-worker" in out[0]
    out = say(service, "alice", "2")
    assert "payments-worker" in out[0]


def test_unknown_name_is_refused_with_suggestions(service: ConversationService,
                                                  cluster: FakeCluster) -> None:
    out = say(service, "alice", "run scale_deployment deployment=zzz namespace=prod replicas=3")
    assert out == ["deployment 'zzz' not found in namespace prod."]
    assert not any(dry for _, dry, _ in cluster.calls)


def test_follow_up_repeats_the_last_intent_in_a_new_namespace(
        service: ConversationService) -> None:
    say(service, "alice", "run deployment_status deployment=checkout-api namespace=prod")
    out = say(service, "alice", "and in staging?")
    assert "checkout-api in staging: 1/1 ready" in out[0]


def test_channel_default_namespace(service: ConversationService) -> None:
    out = say(service, "alice", "run deployment_status deployment=checkout-api", channel="CDEV")
    assert "namespace dev is this channel's default" in out[0]


def test_write_needs_one_approver_and_runs_once(service: ConversationService,
                                                cluster: FakeCluster) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    rid = run_id(service)
    refused = service.decide(rid, Message("UALICE", "approve", "C1", "t1"), "approve")
    assert refused[0].text == ("You may not approve write requests. Who may approve: "
                               "members of sre.")
    replies = service.decide(rid, Message("UBOB", "approve", "C1", "t1"), "approve")
    assert replies[-1].kind == "result" and "Succeeded" in replies[-1].text
    assert cluster.deployments[("prod", "checkout-api")] == 5
    again = service.decide(rid, Message("UCAROL", "approve", "C1", "t1"), "approve")
    assert "already succeeded" in again[0].text
    assert [c for c in cluster.calls if c[0] == "scale" and not c[1]] == [
        ("scale", False, "alice")]


def test_drain_needs_two_distinct_approvers_not_the_requester(
        service: ConversationService, cluster: FakeCluster) -> None:
    say(service, "UBOB", "run drain_node node=node-1")
    rid = run_id(service)
    assert "can't approve your own" in service.decide(
        rid, Message("UBOB", "", "C1", "t1"), "approve")[0].text
    first = service.decide(rid, Message("UCAROL", "", "C1", "t1"), "approve")
    assert "Approvals 1 of 2" in first[0].text
    assert "already approved" in service.decide(
        rid, Message("UCAROL", "", "C1", "t1"), "approve")[0].text
    assert cluster.nodes["node-1"] is False
    done = service.decide(rid, Message("UDAVE", "", "C1", "t1"), "approve")
    assert "Succeeded" in done[-1].text and cluster.nodes["node-1"] is True


def test_self_approval_is_refused_under_any_chat_id(service: ConversationService) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    out = service.decide(run_id(service), Message("bob", "", "C1", "t1"), "approve")
    assert out[0].text == "You can't approve your own write request; ask members of sre."


def test_unauthorized_click_changes_nothing(service: ConversationService,
                                            cluster: FakeCluster) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    out = service.decide(run_id(service), Message("UNOBODY", "", "C1", "t1"), "approve")
    assert out[0].ephemeral and "Who may approve: members of sre" in out[0].text
    assert service.store.get(run_id(service)).state is RunState.PROPOSED  # type: ignore[union-attr]


def test_expired_approval_is_refused(service: ConversationService, clock: Clock,
                                     cluster: FakeCluster) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    clock.now += 16 * 60
    out = service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    assert "expired" in out[0].text
    assert cluster.deployments[("prod", "checkout-api")] == 3


def test_plan_drift_asks_again_with_the_new_diff(service: ConversationService,
                                                 cluster: FakeCluster) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    cluster.deployments[("prod", "checkout-api")] = 4
    out = service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    assert "needs approval again" in out[-1].text and "spec.replicas: 4 -> 5" in out[-1].text
    assert cluster.deployments[("prod", "checkout-api")] == 4
    done = service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    assert "Succeeded" in done[-1].text


def test_undo_after_scale_restores_the_old_count(service: ConversationService,
                                                 cluster: FakeCluster) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    first = run_id(service)
    out = say(service, "alice", "undo")
    assert out[0].startswith("Undoing") and "spec.replicas: 5 -> 3" in out[1]
    # What was understood says it is an undo, not "(explicit command)": nobody typed it.
    assert f"(undo of {first})" in out[1] and "explicit command" not in out[1]
    service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    assert cluster.deployments[("prod", "checkout-api")] == 3


@pytest.mark.parametrize("word", ["rollback", "roll back", "revert"])
def test_a_bare_rollback_is_the_undo(service: ConversationService, cluster: FakeCluster,
                                     word: str) -> None:
    """A user trial: "rollback" alone was "not sure" ("roll back" alone the undo)."""
    service.parser = None
    assert say(service, "alice", word) == [NOTHING_TO_UNDO]
    assert "roll back checkout-api in prod" in NOTHING_TO_UNDO
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    out = say(service, "alice", word)
    assert out[0].startswith("Undoing") and "spec.replicas: 5 -> 3" in out[1]


def test_undo_after_a_rollback_warns_that_it_brings_the_release_back(
        service: ConversationService, cluster: FakeCluster) -> None:
    """Undoing a rollback rolls forward to the release that was rolled back from, most
    likely because it failed: the plan says so before anyone approves it."""
    say(service, "alice", "run rollback_deployment deployment=checkout-api namespace=prod")
    service.decide(run_id(service), Message("UBOB", "", "C1", "t1"), "approve")
    out = say(service, "alice", "undo")
    assert out[0].startswith("Undoing") and "revision 3 -> revision 2" in out[1]
    assert ("rolls checkout-api forward again to revision 2, the release the rollback "
            "moved away from") in out[1]
    # An undo of anything else has no such warning.
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
        "replicas=5", thread="t2")
    service.decide(run_id(service, "t2"), Message("UBOB", "", "C1", "t2"), "approve")
    assert "forward again" not in say(service, "alice", "undo", thread="t2")[1]


def test_retried_event_is_answered_once(service: ConversationService) -> None:
    first = say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
                "replicas=5", event_id="Ev1")
    assert first and say(service, "alice", "run scale_deployment deployment=checkout-api "
                         "namespace=prod replicas=5", event_id="Ev1") == []
    assert len(service.store.runs_in_thread("C1", "t1")) == 1


def test_hostile_values_are_refused_and_touch_nothing(service: ConversationService,
                                                      cluster: FakeCluster) -> None:
    out = say(service, "alice", 'run scale_deployment deployment="{{ 7*7 }}" namespace=prod '
              "replicas=5")
    assert out[0].startswith("deployment: '{{ 7*7 }}' is not a valid deployment name")
    assert cluster.calls == []


def test_cluster_refusal_is_explained(service: ConversationService,
                                      cluster: FakeCluster) -> None:
    cluster.denied_users.add("alice")
    out = say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
              "replicas=5")
    assert out == ["The cluster refused: alice may not scale in namespace prod"]


def test_unmapped_users_may_only_read(service: ConversationService) -> None:
    out = say(service, "USTRANGER", "run scale_deployment deployment=checkout-api "
              "namespace=prod replicas=5")
    assert "may not request write runbooks" in out[0]


def _racer(db: str, audit: str, rid: str, user: str, queue: multiprocessing.Queue[int]) -> None:
    from chatops.runbook.catalogue import load_catalogue

    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3})
    service = ConversationService(catalogue=load_catalogue(), executor=cluster,
                                  policy=parse_policy(POLICY), stores=open_state(db),
                                  audit=AuditLog(audit))
    service.decide(rid, Message(user, "", "C1", "t1"), "approve")
    queue.put(len([c for c in cluster.calls if c[0] == "scale" and not c[1]]))


def test_two_processes_on_one_database_run_once(tmp_path: Path, catalogue: Catalogue) -> None:
    db, audit = str(tmp_path / "state.db"), str(tmp_path / "audit.db")
    service = ConversationService(catalogue=catalogue,
                                  executor=FakeCluster(deployments={("prod", "checkout-api"): 3}),
                                  policy=parse_policy(POLICY), stores=open_state(db),
                                  audit=AuditLog(audit))
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    rid = run_id(service)
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[int] = ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(db, audit, rid, user, queue))
             for user in ("UBOB", "UCAROL", "UBOB", "UDAVE")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sum(queue.get(timeout=5) for _ in procs) == 1
    assert service.store.get(rid).state is RunState.SUCCEEDED  # type: ignore[union-attr]


def test_cancel_withdraws_only_the_newest_plan(service: ConversationService) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    older = run_id(service)
    say(service, "UBOB", "run scale_deployment deployment=calc-app namespace=prod replicas=3")
    newer = run_id(service)
    assert say(service, "UBOB", "cancel") == [f"Cancelled {newer}; nothing was changed."]
    assert service.store.get(newer).state is RunState.CANCELLED  # type: ignore[union-attr]
    assert service.store.get(older).state is RunState.PROPOSED  # type: ignore[union-attr]


@pytest.mark.parametrize("word", ["nvm", "NVM.", "forget it", "never mind that"])
def test_nvm_cancels_whatever_the_model_reads(service: ConversationService, word: str) -> None:
    """A user trial: "nvm" under a waiting restart got "I did not understand that"."""
    service.parser = OosWithNamespace()
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    rid = run_id(service)
    assert say(service, "UBOB", word) == [f"Cancelled {rid}; nothing was changed."]


def test_undo_of_a_restart_says_there_is_nothing_to_reverse(
        service: ConversationService) -> None:
    """A user trial: "undo that" after a restart was told "Ask for the reverse change
    explicitly", but a restart has no reverse change."""
    say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod")
    service.decide(run_id(service), Message("UCAROL", "", "C1", "t1"), "approve")
    (out,) = say(service, "UBOB", "undo")
    assert "nothing to reverse" in out and "rollback_deployment" in out, out
    assert "reverse change explicitly" not in out


def test_a_denied_plan_shows_no_undo_hint(service: ConversationService) -> None:
    """A user trial: the card of a denied plan still said "Undo: say `undo` ..."."""
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod "
                         "replicas=5")
    rid = run_id(service)
    (card,) = [r.text for r in service.decide(rid, Message("UCAROL", "", "C1", "t1"), "deny")
               if r.run is not None]
    assert "Denied by carol" in card and "say `undo`" not in card, card


class OosWithNamespace:
    """A parser stub: everything is out of scope, with the namespace it mentions."""

    def parse(self, text: str) -> ParsedIntent:
        words = text.split()
        return ParsedIntent(OUT_OF_SCOPE, {"namespace": words[-1].strip("?")}, 0.99)


def test_only_short_messages_count_as_follow_ups(service: ConversationService) -> None:
    service.parser = OosWithNamespace()
    say(service, "alice", "run deployment_status deployment=checkout-api namespace=prod")
    assert "outside what I can do" in say(service, "alice", "kubectl delete namespace staging")[0]
    assert "checkout-api in staging: 1/1" in say(service, "alice", "staging?")[0]


class Fixed:
    """A parser stub that always understands the same thing."""

    def __init__(self, parsed: ParsedIntent) -> None:
        self.parsed = parsed

    def parse(self, text: str) -> ParsedIntent:
        return self.parsed


def test_a_full_new_request_is_not_taken_as_the_answer(service: ConversationService) -> None:
    say(service, "UBOB", "run scale_deployment namespace=prod replicas=2")
    service.parser = Fixed(ParsedIntent(
        "scale_deployment", {"deployment": "checkout-api", "namespace": "staging",
                             "replicas": "2"}, 0.99))
    out = say(service, "UBOB", "scale checkout-api in staging to 2")
    assert "scale deployment checkout-api in staging to 2 replicas" in out[0]


@pytest.mark.parametrize("answer", ["5 i guess, same as calc-app",
                                    "5, like calc-app", "5 as in calc-app"])
def test_a_name_an_answer_compares_with_is_no_new_target(service: ConversationService,
                                                          answer: str) -> None:
    """A user trial: asked which tag, "1.25 i guess, same as checkout" moved the plan from
    the deployment asked about to checkout."""
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod")
    service.parser = Fixed(ParsedIntent(
        "scale_deployment", {"deployment": "calc-app", "replicas": "5"}, 0.97,
        source="model"))
    out = say(service, "UBOB", answer)
    assert "scale deployment checkout-api in prod to 5 replicas" in out[0], out


def test_a_one_word_answer_is_the_answer_whatever_the_model_reads_in_it(
        service: ConversationService) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api replicas=5")
    # A bare generated namespace name ("w3f2a-prod") can look like a pod's name to a model,
    # confidently; one word is no new request, it answers the question.
    service.parser = Fixed(ParsedIntent("describe_pod", {"pod": "prod"}, 0.99, source="model"))
    out = say(service, "UBOB", "prod")
    assert "scale deployment checkout-api in prod to 5 replicas" in out[0]


def test_a_slot_the_model_mislabels_is_dropped_and_asked_for(
        service: ConversationService) -> None:
    service.parser = Fixed(ParsedIntent(
        "scale_deployment", {"deployment": "checkout-api", "namespace": "prod",
                             "min_replicas": "2"}, 0.99, source="model"))
    assert say(service, "UBOB", "scale checkout-api in prod to 2") == [
        "How many replicas? (a number, +2, -1, by 50%, double or half)"]
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, {}, 0.9, source="model"))
    assert "to 2 replicas" in say(service, "UBOB", "2")[0]
    assert say(service, "UBOB", "run scale_deployment min_replicas=2")[0].startswith(
        "scale_deployment has no slot called 'min_replicas'")


def test_what_the_delete_step_saw_reaches_the_verification(
        service: ConversationService, cluster: FakeCluster) -> None:
    cluster.pods.add(("prod", "web-7d9f8b6c5-x2kqp"))
    say(service, "alice", "run delete_pod pod=web-7d9f8b6c5-x2kqp namespace=prod")
    replies = service.decide(run_id(service), Message("UBOB", "approve", "C1", "t1"),
                             "approve")
    assert replies[-1].kind == "result" and "Succeeded" in replies[-1].text
    [check] = cluster.checks
    assert check.verb == "wait_pod_replaced"
    assert (check.params["pod_uid"], check.params["pod_owner"]) == (
        "uid-1", "ReplicaSet/web-7d9f8b6c5")


@pytest.mark.parametrize("text, slots", [
    # Read as out of scope, yet naming a change: another request, or talk about one.
    ("team, can we restart checkout in prod", {"deployment": "checkout", "namespace": "prod"}),
    ("someone bounced checkout-api in prod an hour ago", {"namespace": "prod"}),
    ("actually roll it back in prod", {"namespace": "prod"}),
    ("get rid of the stuck pod in prod first", {"namespace": "prod"}),
])
def test_an_out_of_scope_message_naming_a_change_answers_no_question(
        service: ConversationService, text: str, slots: dict[str, str]) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, slots, 0.97, source="model"))
    out = say(service, "UBOB", text)
    assert not any("scale deployment checkout-api in prod" in line for line in out), out
    assert service.store.runs_in_thread("C1", "t1") == []
    # The question still waits for its answer.
    assert "scale deployment checkout-api in prod to 5 replicas" in say(service, "UBOB", "prod")[0]


@pytest.mark.parametrize("text", ["it's in the prod namespace", "prod one please",
                                  "in prod, the one that is crashing"])
def test_an_answer_in_words_is_still_the_answer_when_read_as_out_of_scope(
        service: ConversationService, text: str) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, {"namespace": "prod"}, 0.97,
                                        source="model"))
    assert "scale deployment checkout-api in prod to 5 replicas" in say(service, "UBOB", text)[0]


def test_an_answer_that_names_the_plans_own_change_is_still_the_answer(
        service: ConversationService) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod")
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, {"replicas": "5"}, 0.97, source="model"))
    assert "to 5 replicas" in say(service, "UBOB", "ok then scale it up to 5")[0]


def test_an_unsure_reading_of_another_change_answers_no_question(
        service: ConversationService) -> None:
    # Read as a restart, but not surely: still no value for the scale the bot asked about.
    say(service, "UBOB", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = Fixed(ParsedIntent(
        "restart_deployment", {"deployment": "checkout-api", "namespace": "prod"}, 0.8,
        source="model"))
    out = say(service, "UBOB", "bounce checkout-api in prod first")
    assert not any("scale deployment checkout-api in prod" in line for line in out), out
    assert not any(r.runbook == "scale_deployment"
                   for r in service.store.runs_in_thread("C1", "t1"))


@pytest.mark.parametrize("text", ["restart in staging", "rollback staging too",
                                  "and rollback?"])
def test_a_short_message_naming_another_change_is_no_follow_up(
        service: ConversationService, text: str) -> None:
    assert "scale deployment checkout-api in prod" in say(
        service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")[0]
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, {"namespace": "staging"}, 0.9,
                                        source="model"))
    out = say(service, "UBOB", text)
    assert not any("in staging" in line and "scale" in line for line in out), out
    assert [r.runbook for r in service.store.runs_in_thread("C1", "t1")] == ["scale_deployment"]


@pytest.mark.parametrize("setup, text, parsed, expected", [
    # Amounts, and what went wrong said around the answer, are no other change.
    ("run scale_deployment deployment=checkout-api namespace=prod", "lower it to 2",
     ParsedIntent(OUT_OF_SCOPE, {"replicas": "2"}, 0.5, source="model"), "to 2 replicas"),
    ("run scale_deployment deployment=checkout-api namespace=prod",
     "4, same as before the restart",
     ParsedIntent("deny", {"replicas": "4"}, 0.44, source="model"), "to 4 replicas"),
    ("run rollback_deployment namespace=prod", "checkout-api, the update broke it",
     ParsedIntent(OUT_OF_SCOPE, {"deployment": "checkout-api"}, 0.5, source="model"),
     "roll back deployment checkout-api in prod"),
    ("run rollback_deployment deployment=checkout-api", "in prod, after the bump",
     ParsedIntent(OUT_OF_SCOPE, {"namespace": "prod"}, 1.0, source="model"),
     "roll back deployment checkout-api in prod"),
    ("run restart_deployment deployment=checkout-api", "in prod, we set a new configmap",
     ParsedIntent(OUT_OF_SCOPE, {"namespace": "prod"}, 1.0, source="model"),
     "restart deployment checkout-api in prod"),
])
def test_answers_that_mention_a_change_in_passing_are_still_answers(
        service: ConversationService, setup: str, text: str, parsed: ParsedIntent,
        expected: str) -> None:
    say(service, "UBOB", setup)
    service.parser = Fixed(parsed)
    assert expected in say(service, "UBOB", text)[0]


def test_an_uncertain_message_keeps_the_question_it_did_not_answer(
        service: ConversationService) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = Fixed(ParsedIntent(
        OUT_OF_SCOPE, {"deployment": "checkout", "namespace": "prod"}, 0.6,
        (("restart_deployment", 0.3),), source="model"))
    out = say(service, "UBOB", "team, can we restart checkout in prod")
    assert "restart_deployment" in out[0] and "still waits" in out[0]
    # The scale's question was not replaced by an offer of runbooks: "prod" answers it.
    assert "scale deployment checkout-api in prod to 5 replicas" in say(service, "UBOB", "prod")[0]


@pytest.mark.parametrize("text", ["which is busier, prod or staging?",
                                  "can alice approve it in prod?"])
def test_a_question_of_its_own_answers_no_question(service: ConversationService,
                                                  text: str) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, {"namespace": "staging"}, 0.7,
                                        source="model"))
    say(service, "UBOB", text)
    assert service.store.runs_in_thread("C1", "t1") == []


@pytest.mark.parametrize("text", ["maybe staging?", "is it in staging?", "staging I think?"])
def test_a_short_questioning_answer_is_still_the_answer(service: ConversationService,
                                                         text: str) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, {"namespace": "staging"}, 0.7,
                                        source="model"))
    assert "checkout-api in staging to 5 replicas" in say(service, "UBOB", text)[0]


def test_every_runbook_that_changes_something_says_which_changes_are_its_own(
        catalogue: Catalogue) -> None:
    # A new runbook that changes something needs its kinds of change in
    # chatops.conversation.asking.RUNBOOK_CHANGES, or its questions take any message.
    from chatops.conversation.asking import _CHANGE_OF, RUNBOOK_CHANGES
    from chatops.model import Risk

    changing = {name for name, rb in catalogue.runbooks.items() if rb.risk is not Risk.READ}
    assert set(RUNBOOK_CHANGES) == changing
    assert set().union(*RUNBOOK_CHANGES.values()) <= set(_CHANGE_OF.values())


@pytest.mark.parametrize("setup, text, parsed", [
    # The opposite change, however the correction opens.
    ("run uncordon_node", "i meant cordon node-2",
     ParsedIntent(OUT_OF_SCOPE, {"node": "node-2"}, 0.9, source="model")),
    ("run cordon_node", "sorry i meant uncordon node-2",
     ParsedIntent(OUT_OF_SCOPE, {"node": "node-2"}, 0.9, source="model")),
    ("run drain_node", "actually just cordon node-2",
     ParsedIntent(OUT_OF_SCOPE, {"node": "node-2"}, 0.9, source="model")),
    ("run restart_deployment deployment=checkout-api", "hmm revert it in prod",
     ParsedIntent("rollback_deployment", {"namespace": "prod"}, 0.8, source="model")),
    ("run restart_deployment deployment=checkout-api", "no, roll it back in prod",
     ParsedIntent(OUT_OF_SCOPE, {"namespace": "prod"}, 0.9, source="model")),
    ("run set_image deployment=checkout-api image=nginx:1.26",
     "we should roll it back in prod instead",
     ParsedIntent(OUT_OF_SCOPE, {"namespace": "prod"}, 0.9, source="model")),
])
def test_the_opposite_change_answers_no_question(service: ConversationService, setup: str,
                                                 text: str, parsed: ParsedIntent) -> None:
    say(service, "UBOB", setup)
    service.parser = Fixed(parsed)
    say(service, "UBOB", text)
    assert service.store.runs_in_thread("C1", "t1") == []


@pytest.mark.parametrize("text", ["take it up to 5", "scale it back to 5", "5, apply it now"])
def test_an_amount_said_with_a_verb_is_still_the_answer(service: ConversationService,
                                                        text: str) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod")
    service.parser = Fixed(ParsedIntent(OUT_OF_SCOPE, {"replicas": "5"}, 0.6, source="model"))
    assert "to 5 replicas" in say(service, "UBOB", text)[0]


class _DiagnosesInProd:
    """A model that reads a diagnosis in prod (with no target) in whatever it is given, as
    it may for "db-migrate job failed in prod again, can u look + fix it"."""

    def parse(self, text: str) -> ParsedIntent:
        return ParsedIntent(OUT_OF_SCOPE, {"namespace": "prod"}, 0.6,
                            (("diagnose", 0.3),), "model")


@pytest.mark.parametrize("text", [
    "db-migrate job failed in prod again, can u look + fix it",
    "anyone seen the latency graphs for prod this morning?",
    "heads up: deploying the new ingress rules to prod after lunch",
])
def test_someone_elses_sentence_is_their_own_message_not_an_answer_to_a_question(
        service: ConversationService, text: str) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = _DiagnosesInProd()
    out = say(service, "bob", text)
    # Not "I asked alice that": bob said something of his own, and is answered as himself.
    assert not any("I asked alice" in line for line in out), out
    # alice's question still waits for her, and her answer is still taken.
    out = say(service, "alice", "prod")
    assert "scale deployment checkout-api in prod to 5 replicas" in out[0]


@pytest.mark.parametrize("text", ["prod", "it's prod", "prod please", "in prod",
                                  "prod for sure", "and in prod?", "what about the prod namespace?"])
def test_someone_elses_short_answer_to_a_question_is_still_not_taken(
        service: ConversationService, text: str) -> None:
    say(service, "alice", "run scale_deployment deployment=checkout-api replicas=5")
    # alice's earlier request is the thread's last one: a short reply of bob's must not
    # repeat it elsewhere either (a follow-up), as bob.
    say(service, "alice", "run deployment_status deployment=checkout-api namespace=staging")
    say(service, "alice", "run scale_deployment deployment=checkout-api replicas=5")
    service.parser = _DiagnosesInProd()
    out = say(service, "bob", text)
    assert "I asked alice that" in out[0], out
    assert not [r for r in service.store.runs_in_thread("C1", "t1") if r.requester == "bob"]


def test_a_refusal_is_audited_as_the_person_it_answered(service: ConversationService,
                                                        tmp_path: Path) -> None:
    say(service, "bob", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    rid = run_id(service)
    # alice may not approve writes; her refused click and edit are hers in the log.
    service.decide(rid, Message(user="alice", text="", channel="C1", thread="t1"), "approve")
    service.edit(rid, Message(user="alice", text="", channel="C1", thread="t1"),
                 {"replicas": "7"})
    say(service, "alice", "run scale_deployment deployment=nope namespace=prod replicas=1")
    refusals = AuditLog(tmp_path / "audit.db").list(kind="refusal")
    # (The refused approval has its own record, kept by the approvals stage.)
    assert {r.actor for r in refusals} == {"alice"}, refusals
    assert sorted(str(r.data["cause"]) for r in refusals) == ["policy", "value"]


@pytest.mark.parametrize("text", ["ok just fix it then", "can you fix it?", "fix it",
                                  "yes, apply the fix please", "go ahead and fix that"])
def test_fix_it_after_a_diagnosis_plans_its_one_suggested_fix_and_runs_nothing(
        service: ConversationService, cluster: FakeCluster, text: str) -> None:
    cluster.crashing.add(("prod", "checkout-api"))
    out = say(service, "bob", "run diagnose namespace=prod deployment=checkout-api")
    assert any("Suggested fix" in line for line in out), out
    out = say(service, "bob", text)
    assert "restart deployment checkout-api in prod" in out[0], out
    (run,) = [r for r in service.store.runs_in_thread("C1", "t1")
              if r.runbook == "restart_deployment"]
    assert run.state is RunState.PROPOSED and run.requester == "bob"
    assert not [c for c in cluster.calls if c[0] != "diagnose" and not c[1]]


def test_fix_it_from_someone_else_or_without_a_diagnosis_plans_nothing(
        service: ConversationService, cluster: FakeCluster) -> None:
    cluster.crashing.add(("prod", "checkout-api"))
    say(service, "bob", "run diagnose namespace=prod deployment=checkout-api")
    say(service, "carol", "fix it")
    say(service, "alice", "fix it", thread="t2")
    assert not [r for r in service.store.runs_in_thread("C1", "t1")
                if r.runbook == "restart_deployment"]
    assert service.store.runs_in_thread("C1", "t2") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("run deployment_status deployment=CHECKOUT-API namespace=PROD",
     "checkout-api in prod: 3/3 ready"),
    ("run deployment_status deployment=Checkout-Api namespace=Staging",
     "checkout-api in staging: 1/1 ready"),
    ("run scale_deployment deployment=CALC-APP namespace=Prod replicas=3",
     "scale deployment calc-app in prod to 3 replicas"),
    ("run cordon_node node=NODE-2", "cordon node node-2"),
])
def test_names_in_capitals_are_the_lower_case_names_kubernetes_allows(
        service: ConversationService, text: str, expected: str) -> None:
    """A user trial: "DEV", "PROD" and "NODE-3" were "not found" (Kubernetes names are
    lower case, so they can only mean dev, prod and node-3), "Dev" was a question."""
    out = say(service, "bob", text)
    assert expected in out[0]
    assert "not found" not in out[0] and "Did you mean" not in out[0]


@pytest.mark.parametrize("follow", ["and in prod?", "what about staging", "same in dev"])
def test_a_namespace_follow_up_of_a_request_without_one_says_so(
        service: ConversationService, follow: str) -> None:
    """A user trial: "and in prod?" after "cordon node-3" answered with the whole help
    text (the model read it as `help`)."""
    say(service, "bob", "run cordon_node node=node-1")
    out = say(service, "bob", follow)
    assert out == ["The last request here (cordon_node) takes no namespace, so there is "
                   "nothing to repeat elsewhere: say the whole request."]


@pytest.mark.parametrize(("first", "follow", "slots"), [
    ("run node_status", "and node-2?", {"node": "node-2"}),
    ("run node_status", "what about node-1", {"node": "node-1"}),
    ("run show_pods namespace=prod", "and checkout-api?",
     {"namespace": "prod", "deployment": "checkout-api"}),
])
def test_a_follow_up_naming_an_object_fills_the_last_requests_empty_slot_of_its_kind(
        service: ConversationService, first: str, follow: str,
        slots: dict[str, str]) -> None:
    """A user trial: "and node-2?" after "show node status" (all nodes) was answered
    "node_status takes no namespace"."""
    say(service, "bob", first)
    say(service, "bob", follow)
    assert dict(service.store.runs_in_thread("C1", "t1")[0].raw_slots) == slots


def test_a_follow_up_naming_nothing_that_exists_still_says_so(
        service: ConversationService) -> None:
    say(service, "bob", "run node_status")
    out = say(service, "bob", "and node-7?")
    assert "takes no namespace" in out[0]
    assert len(service.store.runs_in_thread("C1", "t1")) == 1


@pytest.mark.parametrize(("first", "follow", "expected"), [
    ("run restart_deployment deployment=checkout-api namespace=prod", "and calc-app?",
     "restart deployment calc-app in prod"),
    ("run deployment_status deployment=checkout-api namespace=prod", "what about payments-api",
     "payments-api in prod: 2/2 ready"),
    ("run cordon_node node=node-1", "same for node-2", "cordon node node-2"),
    # The namespace still wins when the words or the cluster say it is one, or nearly.
    ("run deployment_status deployment=checkout-api namespace=prod", "and staging?",
     "checkout-api in staging: 1/1 ready"),
    ("run deployment_status deployment=checkout-api namespace=prod", "and in dev?",
     "checkout-api in dev: 1/1 ready"),
    ("run deployment_status deployment=checkout-api namespace=prod", "and stagin?",
     "checkout-api in staging: 1/1 ready"),
])
def test_a_follow_up_naming_another_object_repeats_the_request_for_it(
        service: ConversationService, first: str, follow: str, expected: str) -> None:
    """A user trial: "and search-indexer?" after a restart was read as a namespace
    ("namespace 'search-indexer' not found")."""
    say(service, "bob", first)
    out = say(service, "bob", follow)
    assert expected in out[-1]


@pytest.mark.parametrize(("first", "follow", "expected"), [
    ("run deployment_status deployment=checkout-api namespace=staging",
     "what about payments-api in prod?", "payments-api in prod: 2/2 ready"),
    ("run deployment_status deployment=checkout-api namespace=staging",
     "same for calc-app in the prod namespace", "calc-app in prod: 2/2 ready"),
    ("run restart_deployment deployment=checkout-api namespace=staging",
     "and calc-app on prod", "restart deployment calc-app in prod"),
    # Words where the object would stand (an attacker review: "deployment 'thing' not
    # found"): the namespace only.
    ("run deployment_status deployment=checkout-api namespace=staging",
     "same thing in prod", "checkout-api in prod: 3/3 ready"),
    ("run restart_deployment deployment=checkout-api namespace=staging",
     "same but in prod", "restart deployment checkout-api in prod"),
    ("run deployment_status deployment=checkout-api namespace=staging",
     "same again in prod", "checkout-api in prod: 3/3 ready"),
])
def test_a_follow_up_may_name_another_object_and_its_namespace(
        service: ConversationService, first: str, follow: str, expected: str) -> None:
    say(service, "bob", first)
    out = say(service, "bob", follow)
    assert expected in out[-1], out


@pytest.mark.parametrize(("first", "follow", "said"), [
    # A user trial: "same for web-frontend" after a read in a namespace without it got "I'm
    # not sure what you want me to do".
    ("run deployment_status deployment=checkout-api namespace=staging", "same for calc-app",
     "staging has no deployment calc-app; prod has one: say `same for calc-app in prod`"),
    ("run restart_deployment deployment=checkout-api namespace=staging",
     "what about payments-worker?",
     "staging has no deployment payments-worker; prod has one: say `same for "
     "payments-worker in prod`"),
    ("run deployment_status deployment=checkout-api namespace=staging", "and web-frontend?",
     "staging has no deployment web-frontend that you can see"),
])
def test_a_follow_up_naming_an_object_the_namespace_lacks_says_so(
        service: ConversationService, first: str, follow: str, said: str) -> None:
    say(service, "bob", first)
    out = say(service, "bob", follow)
    assert out[-1].startswith(said), out
    assert len(service.store.runs_in_thread("C1", "t1")) == 1  # nothing else asked


def test_a_message_and_its_hint_read_as_two_sentences() -> None:
    """A user trial: "no autoscaler targets deployment checkout-api in namespace staging
    Autoscaled deployments here: none." (no full stop between the two)."""
    from chatops.errors import NotFound
    from chatops.messages.conversation import not_found_text

    error = NotFound("no autoscaler targets deployment web in namespace dev", (),
                     "Autoscaled deployments here: none.")
    assert not_found_text(error) == ("no autoscaler targets deployment web in namespace dev. "
                                     "Autoscaled deployments here: none.")
    assert not_found_text(NotFound("namespace 'x' not found.", (), "Did you mean y?")) == (
        "namespace 'x' not found. Did you mean y?")
    assert not_found_text(NotFound("pod p not found", ())) == "pod p not found"


class _Reads:
    """A model that reads each listed text as given (and anything else as out of scope)."""

    def __init__(self, readings: dict[str, ParsedIntent]) -> None:
        self.readings = readings

    def parse(self, text: str) -> ParsedIntent:
        return self.readings.get(text, ParsedIntent(OUT_OF_SCOPE, {}, 0.9, (), "model"))


def _scale(slots: dict[str, str]) -> ParsedIntent:
    return ParsedIntent("scale_deployment", slots, 0.96, (), "model")


def test_a_waiting_plan_is_edited_in_words_and_asks_for_approval_again(
        service: ConversationService, cluster: FakeCluster) -> None:
    """A user trial: "make it 4 instead" after a scale plan asked "Which deployment should I
    scale?" and, answered, left two plans waiting. The requester's own waiting plan of that
    runbook is re-planned with the new value, like the Edit button: the old one is
    cancelled, the new one needs its approvals again."""
    service.parser = _Reads({"make it 4 instead": _scale({"replicas": "4"}),
                             "scale checkout-api in prod to 5 instead":
                                 _scale({"deployment": "checkout-api", "namespace": "prod",
                                         "replicas": "5"})})
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=2")
    first = run_id(service)
    out = say(service, "alice", "make it 4 instead")
    assert out[0] == f"{first} was replaced by an edited request."
    assert "scale deployment checkout-api in prod to 4 replicas" in out[1]
    assert service.store.get(first).state is RunState.CANCELLED  # type: ignore[union-attr]
    waiting = [r for r in service.store.runs_in_thread("C1", "t1")
               if r.state is RunState.PROPOSED]
    assert len(waiting) == 1 and waiting[0].raw_slots["replicas"] == "4"
    # Naming the same object again edits too; nothing ran.
    out = say(service, "alice", "scale checkout-api in prod to 5 instead")
    assert out[0] == f"{waiting[0].id} was replaced by an edited request."
    assert cluster.deployments[("prod", "checkout-api")] == 3


def test_words_never_edit_someone_elses_plan_nor_another_object(
        service: ConversationService) -> None:
    service.parser = _Reads({"make it 4 instead": _scale({"replicas": "4"}),
                             "scale calc-app in prod to 4":
                                 _scale({"deployment": "calc-app", "namespace": "prod",
                                         "replicas": "4"})})
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=2")
    first = run_id(service)
    # bob's "make it 4" edits nothing of alice's: it is his own request, which asks.
    out = say(service, "bob", "make it 4 instead")
    assert out == ["Which deployment should I scale?"]
    # alice naming another deployment is a request of its own, next to the first.
    out = say(service, "alice", "scale calc-app in prod to 4")
    assert "scale deployment calc-app in prod to 4 replicas" in out[0]
    assert service.store.get(first).state is RunState.PROPOSED  # type: ignore[union-attr]


def test_a_deployment_name_with_dots_is_a_name_the_api_allows(tmp_path: Path,
                                                             catalogue: Catalogue,
                                                             clock: Clock) -> None:
    """A user trial: `web.v2` (a valid DNS-1123 subdomain, as deployment names are) was
    refused as "not a valid deployment name", after being offered as an answer."""
    cluster = FakeCluster(deployments={("dev", "web.v2"): 1, ("dev", "web"): 1})
    service = service_on(cluster, tmp_path, catalogue, clock)
    out = say(service, "bob", "run deployment_status deployment=web.v2 namespace=dev")
    assert "web.v2 in dev: 1/1 ready" in out[0]
    out = say(service, "bob", "run scale_deployment deployment=web.v2 namespace=dev replicas=2")
    assert "scale deployment web.v2 in dev to 2 replicas" in out[0]


def _restart(slots: dict[str, str]) -> ParsedIntent:
    return ParsedIntent("restart_deployment", slots, 0.97, (), "model")


@pytest.mark.parametrize(("text", "taken"), [
    ("restart the checkout worker in prod", False),
    ("please restart checkout frontend in prod now", False),
    ("restart checkout api in prod", True),
    ("restart checkout in prod", True),
    ("restart checkout deployment in prod please", True),
])
def test_a_name_the_model_cut_short_is_not_completed_to_another_object(
        service: ConversationService, text: str, taken: bool) -> None:
    """A user trial: "pause the nightly backup" was read as cronjob `nightly`, and the one
    name starting so, nightly-report, was planned ("taken as"), though the message said
    backup. The word after the name decides: when it is no part of the name it would be
    completed to (nor a word such as "in" or "deployment"), the bot asks."""
    service.parser = _Reads({text: _restart({"deployment": "checkout", "namespace": "prod"})})
    out = say(service, "bob", text)
    if taken:
        assert "restart deployment checkout-api in prod" in out[0]
    else:
        assert "not found" in out[0] and "Did you mean checkout-api?" in out[0]
        assert service.store.runs_in_thread("C1", "t1") == []


@pytest.mark.parametrize("follow", ["and then?", "what about it?", "and now?"])
def test_a_follow_up_that_names_nothing_repeats_nothing(service: ConversationService,
                                                         follow: str) -> None:
    say(service, "bob", "run restart_deployment deployment=checkout-api namespace=prod")
    out = say(service, "bob", follow)
    assert not any("not found" in line or "restart deployment" in line for line in out)
    assert len(service.store.runs_in_thread("C1", "t1")) == 1


@pytest.mark.parametrize(("reply", "read_as"), [
    ("yeah", "confirm"), ("sure", "confirm"), ("yes", None), ("no", None),
    ("nope", "deny"), ("approve", None),
])
def test_a_bare_yes_or_no_while_someone_else_is_asked_decides_nothing(
        service: ConversationService, cluster: FakeCluster, reply: str,
        read_as: str | None) -> None:
    """An attacker review: carol's plan waits, the bot asks alice "Did you mean staging?",
    and bob's "yeah" (meaning: yes, alice meant staging) approved carol's plan, which ran."""
    if read_as is not None:
        service.parser = _Reads({reply: ParsedIntent(read_as, {}, 0.97, (), "model")})
    say(service, "carol", "run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=5")
    first = run_id(service)
    out = say(service, "alice", "run deployment_status deployment=checkout-api namespace=stg")
    assert "Did you mean staging?" in out[0]
    out = say(service, "bob", reply)
    assert "alice" in out[0].lower() or "Alice" in out[0]
    assert service.store.get(first).state is RunState.PROPOSED  # type: ignore[union-attr]
    assert cluster.deployments[("prod", "checkout-api")] == 3


@pytest.mark.parametrize(("reply", "read_as", "decided"), [
    ("hmm actually do that in staging instead, not prod", "deny", False),
    ("sorry, no, make it 4 instead", "deny", False),
    ("actually yes, 5 is right", "confirm", False),
    ("no wait, deny it", "deny", True),  # no value: still a decision
])
def test_a_yes_or_no_that_gives_a_value_with_an_edits_word_decides_nothing(
        service: ConversationService, reply: str, read_as: str, decided: bool) -> None:
    """A user trial: "hmm actually do that in staging instead, not prod" (read as `deny`)
    denied the waiting plan and planned nothing in staging."""
    service.parser = _Reads({reply: ParsedIntent(read_as, {}, 0.97, (), "model")})
    say(service, "bob", "run scale_deployment deployment=checkout-api namespace=prod "
                        "replicas=5")
    first = run_id(service)
    out = say(service, "bob", reply)
    state = service.store.get(first).state  # type: ignore[union-attr]
    assert (state is not RunState.PROPOSED) is decided, out
    if not decided:
        assert "decided nothing" in out[0], out


@pytest.mark.parametrize("follow", ["what about the rest?", "same for all", "and 4?",
                                    "same for me", "and logs?", "and check?"])
def test_a_follow_up_word_is_never_completed_to_an_object_nobody_named(
        tmp_path: Path, catalogue: Catalogue, clock: Clock, follow: str) -> None:
    """An attacker review: "what about the rest?" planned rest-api, "and 4?" worker-4."""
    cluster = FakeCluster(deployments={("prod", name): 1 for name in (
        "calc-app", "rest-api", "allocator", "worker-4", "metrics-server", "logstash",
        "checker")})
    service = service_on(cluster, tmp_path, catalogue, clock)
    say(service, "bob", "run restart_deployment deployment=calc-app namespace=prod")
    say(service, "bob", follow)
    plans = service.store.runs_in_thread("C1", "t1")
    # ("and logs?" reads the logs of calc-app, the object the thread is about.)
    assert [p.runbook for p in plans if p.runbook != "pod_logs"] == ["restart_deployment"]
    assert all(p.raw_slots["deployment"] == "calc-app" for p in plans)


def test_a_message_without_an_edit_cue_never_edits_a_waiting_plan(
        service: ConversationService) -> None:
    """An attacker review: "scale the payments worker to 4", the model dropping the name,
    replaced the speaker's waiting checkout-api plan by checkout-api to 4."""
    service.parser = _Reads({"scale the payments worker to 4": _scale({"replicas": "4"})})
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod "
                          "replicas=2")
    first = run_id(service)
    out = say(service, "alice", "scale the payments worker to 4")
    assert out == ["Which deployment should I scale?"]
    assert service.store.get(first).state is RunState.PROPOSED  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "replicas", "diff"), [
    ("reduce checkout-api in prod by 50%", "by 50%", "3 -> 2"),
    ("cut the checkout-api replicas in prod by 2", "by 2", "3 -> 1"),
    ("bump checkout-api in prod by 2", "by 2", "3 -> 5"),
])
def test_a_bare_by_is_read_in_the_direction_the_message_says(
        service: ConversationService, text: str, replicas: str, diff: str) -> None:
    # The model spans "by 50%" and leaves "reduce" outside: read alone, it scaled up.
    service.parser = Fixed(ParsedIntent(
        "scale_deployment", {"deployment": "checkout-api", "namespace": "prod",
                             "replicas": replicas}, 0.99, source="model"))
    out = say(service, "UBOB", text)
    assert f"spec.replicas: {diff}" in out[0]


def test_asking_again_for_a_change_that_waits_points_to_it(
        service: ConversationService, cluster: FakeCluster) -> None:
    # Two identical restarts both approved would restart twice: the second ask points to
    # the first, for the same person in the same thread.
    first = say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod")
    waiting = run_id(service)
    again = say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod")
    assert again == [f"You already asked for exactly this: {waiting} still waits for "
                     "approval in this thread, so I did not ask again. Say `cancel` to drop "
                     "it."]
    assert len(service.store.runs_in_thread("C1", "t1")) == 1
    assert first[0].startswith(f"[{waiting}]")
    # Another person's same request is their own (it would run as them).
    say(service, "UCAROL", "run restart_deployment deployment=checkout-api namespace=prod")
    assert len(service.store.runs_in_thread("C1", "t1")) == 2
    # Another thread, or different values: a new request.
    say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod",
        thread="t2")
    say(service, "UBOB", "run restart_deployment deployment=calc-app namespace=prod")
    assert len(service.store.runs_in_thread("C1", "t1")) == 3


def test_a_request_asked_again_after_the_first_expired_is_new(
        service: ConversationService, clock: Clock) -> None:
    say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod")
    clock.now += 10 * 24 * 3600
    out = say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod")
    assert "already asked" not in out[0]
    assert len(service.store.runs_in_thread("C1", "t1")) == 2


def test_a_change_that_failed_its_verification_can_be_undone(
        service: ConversationService, cluster: FakeCluster) -> None:
    """A user trial: after a change applied but failed its verification (a rollout stuck
    on a pod no node could fit), `undo` said "no completed change to undo"."""
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    cluster.verify_fails = True
    say(service, "UCAROL", f"approve {run_id(service)}")
    assert service.store.get(run_id(service)).state is RunState.FAILED  # type: ignore[union-attr]
    assert cluster.deployments[("prod", "checkout-api")] == 5
    out = say(service, "UBOB", "undo")
    assert out[0].startswith("Undoing") and "spec.replicas: 5 -> 3" in out[1]


def test_a_change_whose_first_step_failed_is_not_what_undo_undoes(
        service: ConversationService, cluster: FakeCluster) -> None:
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    say(service, "UCAROL", f"approve {run_id(service)}")
    say(service, "UBOB", "run scale_deployment deployment=calc-app namespace=prod replicas=4")
    cluster.writes_fail = True  # the cluster refuses the step: nothing changed
    say(service, "UCAROL", f"approve {run_id(service)}")
    assert service.store.get(run_id(service)).state is RunState.FAILED  # type: ignore[union-attr]
    cluster.writes_fail = False
    out = say(service, "UBOB", "undo")
    assert "checkout-api" in out[1] and "spec.replicas: 5 -> 3" in out[1]


def test_an_interrupted_change_can_be_undone(service: ConversationService,
                                             cluster: FakeCluster) -> None:
    say(service, "UBOB", "run cordon_node node=node-1")
    rid = run_id(service)
    store = service.store
    assert store.transition(rid, (RunState.PROPOSED,), RunState.APPROVED)
    assert store.transition(rid, (RunState.APPROVED,), RunState.RUNNING)
    assert store.transition(rid, (RunState.RUNNING,), RunState.INTERRUPTED)
    cluster.nodes["node-1"] = True  # the step had run when the process died
    out = say(service, "UBOB", "undo")
    assert out[0].startswith("Undoing") and "uncordon" in out[1]


@pytest.mark.parametrize("text", ["diagnose staging", "check the health of staging",
                                  "what's wrong in staging"])
def test_a_request_naming_only_a_namespace_is_its_own_not_a_follow_up(
        service: ConversationService, text: str) -> None:
    """A user trial: "diagnose dev" after diagnosing search-indexer in prod kept the
    deployment ("deployment 'search-indexer' not found in namespace dev")."""
    say(service, "bob", "run diagnose deployment=checkout-api namespace=prod")
    service.parser = Fixed(ParsedIntent("diagnose", {"namespace": "staging"}, 0.97,
                                        source="model"))
    say(service, "bob", text)
    assert dict(service.store.runs_in_thread("C1", "t1")[0].raw_slots) == {
        "namespace": "staging"}


@pytest.mark.parametrize("text", ["staging?", "how about staging", "same for staging please"])
def test_a_bare_namespace_is_still_the_follow_up(service: ConversationService,
                                                 text: str) -> None:
    say(service, "bob", "run diagnose deployment=checkout-api namespace=prod")
    service.parser = Fixed(ParsedIntent("diagnose", {"namespace": "staging"}, 0.97,
                                        source="model"))
    say(service, "bob", text)
    assert dict(service.store.runs_in_thread("C1", "t1")[0].raw_slots) == {
        "deployment": "checkout-api", "namespace": "staging"}


def test_a_change_that_acted_then_timed_out_is_what_undo_undoes(
        service: ConversationService, cluster: FakeCluster) -> None:
    """An attacker review: a drain that cordoned node-1 and then timed out was skipped,
    and `undo` proposed to uncordon node-2, an older change."""
    say(service, "UBOB", "run cordon_node node=node-2")
    say(service, "UCAROL", f"approve {run_id(service)}")
    say(service, "UBOB", "run cordon_node node=node-1")
    cluster.writes_time_out = True
    say(service, "UCAROL", f"approve {run_id(service)}")
    cluster.writes_time_out = False
    assert cluster.nodes["node-1"] is True
    out = say(service, "UBOB", "undo")
    assert "uncordon node node-1" in out[1]


def test_an_interrupted_scale_keeps_what_it_saw_for_its_undo(
        service: ConversationService, cluster: FakeCluster) -> None:
    """An attacker review: `before` was stored only at the end, so an interrupted scale
    could not be undone ("the value before the change was not recorded")."""
    say(service, "UBOB", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    rid = run_id(service)
    cluster.dies_verifying = True  # the step ran, then the process died
    with pytest.raises(SystemExit):
        say(service, "UCAROL", f"approve {rid}")
    cluster.dies_verifying = False
    assert service.store.transition(rid, (RunState.RUNNING,), RunState.INTERRUPTED)
    run = service.store.get(rid)
    assert run is not None and run.before.get("replicas") == 3
    out = say(service, "UBOB", "undo")
    assert "spec.replicas: 5 -> 3" in out[1]


def test_a_bare_approve_counts_only_requests_that_have_not_expired(
        service: ConversationService, clock: Clock, cluster: FakeCluster) -> None:
    """A user trial: "approve" listed seven requests "waiting", the oldest proposed hours
    before (expired after 15 minutes; approving it said so), instead of deciding the one
    request still open."""
    say(service, "alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=5")
    clock.now += 16 * 60
    say(service, "alice", "run scale_deployment deployment=calc-app namespace=prod replicas=4")
    out = say(service, "bob", "approve")
    assert "Several requests" not in out[-1] and "Succeeded" in out[-1], out
    assert cluster.deployments[("prod", "calc-app")] == 4
    assert cluster.deployments[("prod", "checkout-api")] == 3


def test_a_failed_verification_says_why_from_a_diagnosis(
        service: ConversationService, cluster: FakeCluster) -> None:
    """A user trial: "Verification failed: 1 of 2 replicas of deployment payments-worker
    updated after 300 s", and nothing on why (the new pod was OOM-killed)."""
    cluster.verify_fails = True
    cluster.crashing.add(("prod", "checkout-api"))
    say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod")
    out = service.decide(run_id(service), Message("UCAROL", "", "C1", "t1"), "approve")
    assert "Verification failed" in out[-1].text
    assert "Why: container app is crash-looping." in out[-1].text, out[-1].text


def test_a_passed_verification_runs_no_diagnosis(service: ConversationService,
                                                 cluster: FakeCluster) -> None:
    say(service, "UBOB", "run restart_deployment deployment=checkout-api namespace=prod")
    out = service.decide(run_id(service), Message("UCAROL", "", "C1", "t1"), "approve")
    assert "Succeeded" in out[-1].text and "Why:" not in out[-1].text
    assert "diagnose" not in [verb for verb, _, _ in cluster.calls]


@pytest.mark.parametrize("take", ["fix it", "restart_deployment checkout-api"])
def test_a_suggested_fix_carries_the_diagnosis_caveat_to_its_plan(
        service: ConversationService, cluster: FakeCluster, take: str) -> None:
    """A user trial: "fix it" after "a restart does not help while that [database] is
    down" planned the restart as "the fix a diagnosis suggested", with no word of it for
    the approver."""
    cluster.crashing.add(("prod", "checkout-api"))
    cluster.dependency_down.add(("prod", "checkout-api"))
    say(service, "UBOB", "run diagnose namespace=prod deployment=checkout-api")
    out = say(service, "UBOB", take)
    assert "restart deployment checkout-api in prod" in out[0], out
    assert ("note: the diagnosis found it cannot reach a dependency: a restart helps only "
            "once that is back") in out[0]


@pytest.mark.parametrize(("text", "intent"), [
    # Session 42's trial: "pods of deployment \"search-indexer\" in prod" got "not sure".
    ('pods of deployment "checkout-api" in prod', "show_pods"),
    ("events for checkout-api in prod", "recent_events"),
    ("status of checkout-api in prod?", "deployment_status"),
])
def test_a_read_asked_by_its_noun_under_the_bar_is_that_read(
        service: ConversationService, text: str, intent: str) -> None:
    service.parser = _Reads({text: ParsedIntent(
        OUT_OF_SCOPE, {"deployment": "checkout-api", "namespace": "prod"}, 0.3,
        (("restart_deployment", 0.7),), "model")})
    say(service, "bob", text)
    assert [(r.runbook, r.state) for r in service.store.runs_in_thread("C1", "t1")] == [
        (intent, RunState.SUCCEEDED)]


@pytest.mark.parametrize("text", ["pods of checkout-api in prod, restart them",
                                  "@carol status of checkout-api in prod?"])
def test_a_noun_with_a_change_or_said_to_someone_else_is_no_read(
        service: ConversationService, text: str) -> None:
    service.parser = _Reads({text: ParsedIntent(
        OUT_OF_SCOPE, {"deployment": "checkout-api", "namespace": "prod"}, 0.3,
        (("restart_deployment", 0.7),), "model")})
    say(service, "bob", text)
    assert service.store.runs_in_thread("C1", "t1") == []
