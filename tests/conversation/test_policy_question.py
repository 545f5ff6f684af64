"""A question of rights is answered from the policy, and in a namespace from the cluster,
for the person asking; nothing is planned.

A user trial: "who can approve prod restarts?", "what am I allowed to do in staging?" and
"how many approvals does a drain need?" got "outside what I can do". The model reads them
out of scope (rightly: no runbook answers them); the bot holds the answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.conversation import ConversationService
from chatops.conversation.policy_question import (
    APPROVAL,
    MINE,
    WHO_MAY,
    checked_values,
    rights_question,
)
from chatops.conversation.runbook_words import runbooks_asked_about
from chatops.runbook.catalogue import Catalogue
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.readings import Reading
from tests.conversation.test_service_logic import Clock, say, service_on


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster(deployments={("prod", "checkout-api"): 3, ("staging", "checkout-api"): 1},
                       nodes={"node-1": False})


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue, cluster: FakeCluster) -> ConversationService:
    return service_on(cluster, tmp_path, catalogue, Clock())


@pytest.mark.parametrize(("text", "kind"), [
    ("who can approve prod restarts?", APPROVAL),
    ("who approves node drains", APPROVAL),
    ("who's signing off on this?", APPROVAL),
    ("who should I ask to approve this?", APPROVAL),
    ("who needs to sign off on rollbacks", APPROVAL),
    ("how many approvals does a drain need?", APPROVAL),
    ("how many people have to approve a scale in prod", APPROVAL),
    ("do i need approval to scale checkout-api in staging?", APPROVAL),
    ("does restarting need a second person?", APPROVAL),
    ("is a restart going to require sign-off?", APPROVAL),
    ("can I approve my own scale?", APPROVAL),
    ("is self-approval allowed for writes?", APPROVAL),
    ("what am I allowed to do in staging?", MINE),
    ("am i even allowed to drain nodes", MINE),
    ("are we permitted to roll back in prod?", MINE),
    ("what are my permissions?", MINE),
    ("do I have the rights to cordon a node", MINE),
    ("which runbooks can I use", MINE),
    ("what can i change in dev?", MINE),
    # A user trial: answered with the namespace's diagnosis.
    ("why can't I restart things in prod?", MINE),
    ("why am I not allowed to scale in prod", MINE),
    ("who can restart checkout-api?", WHO_MAY),
    ("who is allowed to suspend cronjobs", WHO_MAY),
    ("who has permission to drain", WHO_MAY),
])
def test_questions_of_rights_are_told_apart(text: str, kind: str) -> None:
    assert rights_question(text) == kind


@pytest.mark.parametrize("text", [
    "who approved the restart?",             # the past: the audit's
    "did anyone sign off on it?",
    "can you approve it?",                   # a decision asked for
    "could someone approve r-1234abcd pls",
    "this needs approval from sre",          # talk, not a question
    "restart checkout-api in prod",
    "what can I do here",                    # help
    "why is the rollout stuck?",
    "why can't the pods start?",             # trouble, not rights
    "why can't calc-app connect to the db",
    "approve",
])
def test_other_messages_are_no_question_of_rights(text: str) -> None:
    assert rights_question(text) is None


@pytest.mark.parametrize(("text", "runbooks"), [
    ("who can approve prod restarts?", ("restart_deployment",)),
    ("how many approvals does a drain need?", ("drain_node",)),
    ("who can uncordon nodes", ("uncordon_node",)),
    ("who approves autoscaling changes", ("set_autoscaling",)),
    ("who can roll back deploys", ("rollback_deployment",)),
    ("can I approve my own scale_deployment?", ("scale_deployment",)),
    ("who can delete pods or cordon nodes", ("cordon_node", "delete_pod")),
    ("what are my permissions?", ()),
])
def test_the_runbooks_a_question_names(text: str, runbooks: tuple[str, ...],
                                       catalogue: Catalogue) -> None:
    assert runbooks_asked_about(text, catalogue.runbooks) == runbooks


def test_only_kubernetes_names_go_into_a_review() -> None:
    assert checked_values({"namespace": "Prod", "deployment": "checkout-api"}) == {
        "namespace": "prod", "deployment": "checkout-api"}
    assert checked_values({"namespace": "prod --as=admin", "pod": "a/b",
                           "node": "-node", "cronjob": "x" * 300}) == {}


def test_who_approves_a_runbook_is_answered_from_the_policy(
        service: ConversationService, cluster: FakeCluster) -> None:
    service.parser = Reading()
    (out,) = say(service, "alice", "how many approvals does a drain need?")
    # the test policy: critical asked for and approved by sre, 2 approvals (at least)
    assert out.startswith("`drain_node` is a critical change: asked for by members of sre "
                          "(not you); needs 2 approvals from members of sre, not the "
                          "requester's own (you may not approve)"), out
    assert service.store.runs_in_thread("C1", "t1") == []
    assert cluster.reviews == []  # alice may not ask for it: the cluster is not asked
    (out,) = say(service, "bob", "who can approve restarts?", thread="t2")
    assert "`restart_deployment` is a write change" in out
    assert "needs 1 approval from members of sre" in out and "(you may approve)" in out
    assert "Name a namespace" in out  # no namespace: the cluster's rights are not guessed


def test_a_namespace_asks_the_cluster_about_the_askers_own_identity(
        service: ConversationService, cluster: FakeCluster) -> None:
    slots = {"deployment": "checkout-api", "namespace": "staging"}
    service.parser = Reading(slots)
    (out,) = say(service, "alice", "do i need approval to scale checkout-api in staging?")
    assert "`scale_deployment` is a write change" in out
    assert "In staging, the cluster lets you (alice) make its requests." in out
    assert cluster.reviews == [("alice", ("scale",))]
    assert cluster.reviewed_params == [{"namespace": "staging", "deployment": "checkout-api"}]
    cluster.lacking_rights.add("alice")
    (out,) = say(service, "alice", "do i need approval to scale checkout-api in staging?",
                 thread="t2")
    assert ("In staging, the cluster doesn't let you (alice) scale (as the fake cluster says), "
            "so it would fail its dry-run as you.") in out
    assert service.store.runs_in_thread("C1", "t1") == []
    assert service.store.runs_in_thread("C1", "t2") == []


def test_what_am_i_allowed_lists_each_risk_and_what_the_cluster_lets_me_run(
        service: ConversationService, cluster: FakeCluster) -> None:
    service.parser = Reading({"namespace": "prod"})
    (out,) = say(service, "alice", "what am I allowed to do in prod?")
    lines = out.splitlines()
    assert lines[0] == "What the policy says for you (alice):"
    assert lines[1].startswith("  read (deployment_status, ")
    assert "asked for by everyone (you may); needs no approval" in lines[1]
    assert lines[2].startswith("  write (") and "(you may);" in lines[2]
    assert lines[3].startswith("  critical (drain_node): asked for by members of sre (not you)")
    assert lines[4].startswith("In prod, the cluster lets you (alice) run: ")
    assert "restart_deployment" in lines[4] and "drain_node" not in lines[4]
    # every runbook she may ask for was reviewed, as her, in prod; none she may not
    assert {user for user, _ in cluster.reviews} == {"alice"}
    assert all(p.get("namespace") == "prod" for p in cluster.reviewed_params)
    assert not any(verbs == ("drain",) for _, verbs in cluster.reviews)


def test_the_channels_namespace_stands_in_and_an_unreachable_cluster_is_said(
        service: ConversationService, cluster: FakeCluster) -> None:
    service.parser = Reading()
    cluster.reviews_fail = True
    (out,) = say(service, "alice", "what are my permissions?", channel="CDEV")
    assert "In dev, I could not ask the cluster about your rights just now." in out


def test_an_unmapped_person_is_told_they_may_only_read(service: ConversationService) -> None:
    service.parser = Reading()
    (out,) = say(service, "UNOBODY", "what am I allowed to do?")
    assert out.startswith("What the policy says for you (UNOBODY):")
    assert "write (" in out and "asked for by anyone the policy names (not you)" in out


def test_who_can_approve_this_is_about_the_plan_waiting_in_the_thread(
        service: ConversationService, cluster: FakeCluster) -> None:
    service.parser = None
    say(service, "alice", "run restart_deployment deployment=checkout-api namespace=prod")
    run = service.store.runs_in_thread("C1", "t1")[0]
    service.parser = Reading()
    (out,) = say(service, "alice", "who can approve this?")
    assert out.startswith("`restart_deployment` is a write change")
    assert f"{run.id}, asked by alice, has 0 of 1 approvals." in out
    assert service.store.runs_in_thread("C1", "t1")[0].state == run.state


def test_a_change_asked_for_with_a_question_of_approval_is_still_planned(
        service: ConversationService) -> None:
    # The model reads the change (restart_deployment at 1.00, as measured): it is planned,
    # and its card names its approvers.
    slots = {"deployment": "checkout-api", "namespace": "prod"}
    service.parser = Reading(slots, intent="restart_deployment")
    (out, *_) = say(service, "bob", "restart checkout-api in prod, who can approve?")
    assert "restart deployment checkout-api in prod" in out
    assert [r.runbook for r in service.store.runs_in_thread("C1", "t1")] == [
        "restart_deployment"]


def test_a_question_put_to_a_colleague_is_theirs(service: ConversationService,
                                                  cluster: FakeCluster) -> None:
    service.parser = Reading()
    assert say(service, "alice", "@carol who can approve restarts?") == []
    assert cluster.reviews == []


def test_who_can_help_is_no_question_of_rights(service: ConversationService) -> None:
    service.parser = Reading()
    (out,) = say(service, "alice", "who can help with this?")
    assert "outside what I can do" in out


def test_a_change_the_asker_may_not_request_asks_the_cluster_nothing(
        service: ConversationService, cluster: FakeCluster) -> None:
    # An attacker review: the review of her drain rights was made, only not shown.
    service.parser = Reading({"namespace": "prod"})
    (out,) = say(service, "alice", "who can approve drains in prod?")
    assert "`drain_node` is a critical change" in out
    assert cluster.reviews == []


@pytest.mark.parametrize(("text", "intent"), [
    ("can I approve my own request?", "confirm"),
    ("what am I allowed to do?", "help"),
    ("am I allowed to approve stuff?", "confirm"),
])
def test_a_question_of_rights_read_as_a_decision_or_help_is_answered(
        service: ConversationService, text: str, intent: str) -> None:
    """A user trial: the first got "I did not understand that" (read as `confirm`), the
    second the list of runbooks (read as `help`)."""
    service.parser = Reading(intent=intent)
    (out,) = say(service, "alice", text)
    assert out.startswith("What the policy says for you (alice):"), out


def test_a_decision_is_still_a_decision(service: ConversationService) -> None:
    service.parser = None
    say(service, "alice", "run restart_deployment deployment=checkout-api namespace=prod")
    service.parser = Reading(intent="confirm")
    (out, *_) = say(service, "bob", "yes approve")
    assert "What the policy says" not in out
