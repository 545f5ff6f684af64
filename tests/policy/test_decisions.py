"""The policy's decisions about people, rule by rule: who may request and approve each risk,
how many approvals a risk needs, when a requester may approve their own request, and
which identities a stored run may act as. Pure logic: no cluster, no store."""

from __future__ import annotations

from typing import Any

import pytest

from chatops.model import Identity, Message, Risk
from chatops.policy import Policy, Requester
from chatops.policy.rules import parse_policy

POLICY: dict[str, Any] = {
    "identities": {
        "alice": {"chat": ["U0ALICE"], "kube_user": "alice", "kube_groups": ["dev"]},
        "bob": {"chat": ["U0BOB", "W0BOB"], "kube_user": "bob", "kube_groups": ["sre"]},
        "carol": {"chat": ["U0CAROL"], "kube_user": "carol@example.com"},
        "dave": {"chat": ["U0DAVE"], "kube_user": "dave", "kube_groups": ["ops"]},
    },
    "chat_groups": {"S0SRE": ["sre"], "S0AUDIT": ["auditors"]},
    "request": {"read": ["everyone"], "write": ["group:dev", "group:sre"],
                "critical": ["group:sre", "user:carol"]},
    "approve": {"read": ["mapped"], "write": ["group:sre"],
                "critical": ["group:sre", "user:carol@example.com"]},
    "approvals": {"read": 0, "write": 1, "critical": 3},
    "self_approval": ["write"],
    "unmapped": {"allow": "read", "kube_user": "chat:{user}", "kube_groups": ["chatops:viewers"]},
}


@pytest.fixture
def policy() -> Policy:
    return parse_policy(POLICY)


def who(policy: Policy, user: str, *groups: str) -> Requester:
    return policy.requester(Message(user=user, text="", groups=groups))


# --- may_request -------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "groups", "allowed"), [
    ("U0ALICE", (), {Risk.READ, Risk.WRITE}),            # group:dev
    ("U0BOB", (), {Risk.READ, Risk.WRITE, Risk.CRITICAL}),  # group:sre
    ("W0BOB", (), {Risk.READ, Risk.WRITE, Risk.CRITICAL}),  # bob's second chat id
    ("U0CAROL", (), {Risk.READ, Risk.CRITICAL}),         # user:carol, no write rule
    ("U0DAVE", (), {Risk.READ}),                         # mapped, no group that counts
    ("U0DAVE", ("S0SRE",), {Risk.READ, Risk.WRITE, Risk.CRITICAL}),  # sre by chat group
    ("U0DAVE", ("S0AUDIT",), {Risk.READ}),               # a chat group no rule names
])
def test_may_request_follows_the_rules_of_each_risk(
        policy: Policy, user: str, groups: tuple[str, ...], allowed: set[Risk]) -> None:
    person = who(policy, user, *groups)
    assert {risk for risk in Risk if policy.may_request(person, risk)} == allowed


def test_an_unknown_user_may_request_up_to_the_unmapped_allowance(policy: Policy) -> None:
    guest = who(policy, "U0GUEST")
    assert not guest.mapped and guest.key == "chat:U0GUEST"
    assert policy.may_request(guest, Risk.READ)
    assert not policy.may_request(guest, Risk.WRITE)
    assert not policy.may_request(guest, Risk.CRITICAL)


def test_a_chat_group_does_not_lift_an_unknown_user_over_the_allowance(
        policy: Policy) -> None:
    # The sre chat group gives the group, but the unmapped allowance caps the risk.
    guest = who(policy, "U0GUEST", "S0SRE")
    assert "sre" in guest.identity.groups
    assert not policy.may_request(guest, Risk.WRITE)
    assert not policy.may_request(guest, Risk.CRITICAL)


def test_unknown_users_may_request_nothing_when_the_policy_allows_them_nothing() -> None:
    closed = parse_policy({**POLICY, "unmapped": {"allow": "none"}})
    assert closed.unmapped_allow is None
    assert not closed.may_request(who(closed, "U0GUEST"), Risk.READ)
    assert closed.may_request(who(closed, "U0ALICE"), Risk.READ)


def test_a_risk_without_a_request_rule_is_requested_by_nobody() -> None:
    policy = parse_policy({**POLICY, "request": {"read": ["everyone"]}})
    assert not policy.may_request(who(policy, "U0BOB"), Risk.WRITE)
    assert not policy.may_request(who(policy, "U0BOB"), Risk.CRITICAL)


# --- may_approve -------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "groups", "allowed"), [
    ("U0ALICE", (), {Risk.READ}),                        # mapped only
    ("U0BOB", (), {Risk.READ, Risk.WRITE, Risk.CRITICAL}),
    ("U0CAROL", (), {Risk.READ, Risk.CRITICAL}),         # user: names the kube user
    ("U0DAVE", ("S0SRE",), {Risk.READ, Risk.WRITE, Risk.CRITICAL}),
])
def test_may_approve_follows_the_rules_of_each_risk(
        policy: Policy, user: str, groups: tuple[str, ...], allowed: set[Risk]) -> None:
    person = who(policy, user, *groups)
    assert {risk for risk in Risk if policy.may_approve(person, risk)} == allowed


def test_an_unknown_user_never_approves_whatever_their_groups(policy: Policy) -> None:
    # "mapped" excludes them, and so does a group they get from a chat group.
    guest = who(policy, "U0GUEST", "S0SRE")
    assert "sre" in guest.identity.groups
    assert not any(policy.may_approve(guest, risk) for risk in Risk)
    everyone = parse_policy({**POLICY, "approve": {"write": ["everyone"]}})
    assert not everyone.may_approve(who(everyone, "U0GUEST"), Risk.WRITE)
    assert everyone.may_approve(who(everyone, "U0ALICE"), Risk.WRITE)


def test_a_risk_without_an_approve_rule_is_approved_by_nobody() -> None:
    policy = parse_policy({**POLICY, "approve": {"write": ["group:sre"]}})
    assert not policy.may_approve(who(policy, "U0BOB"), Risk.CRITICAL)


# --- approvals_needed and may_self_approve ------------------------------------------------


def test_approvals_needed_per_risk(policy: Policy) -> None:
    assert [policy.approvals_needed(risk) for risk in (Risk.READ, Risk.WRITE,
                                                       Risk.CRITICAL)] == [0, 1, 3]


def test_approvals_needed_defaults_for_a_risk_the_policy_leaves_out() -> None:
    policy = Policy(approvals={Risk.WRITE: 4})
    assert policy.approvals_needed(Risk.READ) == 0
    assert policy.approvals_needed(Risk.WRITE) == 4
    assert policy.approvals_needed(Risk.CRITICAL) == 2


@pytest.mark.parametrize("asked", [0, 1])
def test_critical_runbooks_need_two_approvals_whatever_the_policy_says(asked: int) -> None:
    policy = Policy(approvals={Risk.READ: 0, Risk.WRITE: asked, Risk.CRITICAL: asked})
    assert policy.approvals_needed(Risk.CRITICAL) == 2
    assert policy.approvals_needed(Risk.WRITE) == asked


def test_self_approval_only_for_the_risks_the_policy_lists(policy: Policy) -> None:
    assert policy.may_self_approve(Risk.WRITE)
    assert not policy.may_self_approve(Risk.READ)
    assert not policy.may_self_approve(Risk.CRITICAL)
    assert not parse_policy({**POLICY, "self_approval": []}).may_self_approve(Risk.WRITE)


def test_self_approval_is_never_allowed_for_critical_even_if_listed() -> None:
    policy = Policy(self_approval=frozenset({Risk.WRITE, Risk.CRITICAL}))
    assert policy.may_self_approve(Risk.WRITE)
    assert not policy.may_self_approve(Risk.CRITICAL)


# --- could_be -----------------------------------------------------------------------------


def test_could_be_the_identity_the_policy_gives_a_mapped_person(policy: Policy) -> None:
    bob = who(policy, "U0BOB")
    assert policy.could_be(bob.key, bob.identity)
    assert policy.could_be("bob", Identity("bob", ()))                # fewer groups
    assert policy.could_be("bob", Identity("bob", ("sre", "auditors")))  # a chat group's
    assert not policy.could_be("bob", Identity("alice", ("sre",)))    # another kube user
    assert not policy.could_be("bob", Identity("bob", ("sre", "admins")))  # a foreign group


def test_could_be_the_unmapped_identity_of_an_unknown_chat_user(policy: Policy) -> None:
    guest = who(policy, "U0GUEST", "S0SRE")
    assert policy.could_be(guest.key, guest.identity)
    assert not policy.could_be(guest.key, Identity("chat:U0OTHER", ("chatops:viewers",)))
    assert not policy.could_be(guest.key, Identity("chat:U0GUEST", ("dev",)))


def test_could_be_refuses_keys_that_name_nobody_or_a_mapped_person_in_disguise(
        policy: Policy) -> None:
    # A key that is neither an identity nor "chat:<id>" names nobody.
    assert not policy.could_be("mallory", Identity("mallory", ()))
    # A mapped person's chat id under the unmapped prefix must not act as the unmapped
    # identity: that person has an identity of their own.
    assert not policy.could_be("chat:U0ALICE", Identity("chat:U0ALICE", ("chatops:viewers",)))
