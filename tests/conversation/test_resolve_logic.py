"""Name resolution's pure logic (`chatops.conversation.resolve`): which typed names are
taken as which existing ones, and what a name of another kind of workload becomes."""

from __future__ import annotations

import pytest

from chatops.conversation.resolve import OtherKind, candidates, read_as_other_kind
from chatops.runbook.catalogue import load_catalogue

NAMES = ("checkout-api", "ledger", "search-indexer", "web")


@pytest.mark.parametrize(("typed", "found"), [
    ("checkout-api", ["checkout-api"]),
    ("checkout", ["checkout-api"]),          # a whole word of the name
    ("serach-indexer", ["search-indexer"]),  # a typo, same parts
    ("ledgr", ["ledger"]),
    ("ledger-db", []),                       # a word more: another object
    ("web-worker", []),
    ("checkoutapi", []),                     # parts run together: asked, not taken
])
def test_a_close_name_is_taken_only_when_it_has_the_same_parts(typed: str,
                                                               found: list[str]) -> None:
    assert candidates(typed, NAMES) == found


def other(slot: str, kind: str, value: str) -> OtherKind:
    return OtherKind("", slot, kind, value)


def test_a_name_of_another_kind_moves_to_the_runbooks_slot_of_that_kind() -> None:
    diagnose = load_catalogue().get("diagnose")
    values, note = read_as_other_kind(
        diagnose, {"pod": "ledger", "namespace": "prod"}, other("pod", "deployment", "ledger")
    ) or ({}, "")
    assert values == {"deployment": "ledger", "namespace": "prod"}
    assert note == "'ledger' is a deployment, so it was read as one"


def test_a_read_only_runbook_that_needs_no_such_name_reads_the_namespace() -> None:
    diagnose = load_catalogue().get("diagnose")
    values, note = read_as_other_kind(
        diagnose, {"deployment": "ledger-db", "namespace": "prod"},
        other("deployment", "statefulset", "ledger-db")) or ({}, "")
    assert values == {"namespace": "prod"}
    assert "all of 'prod' was read" in note


@pytest.mark.parametrize("runbook", ["restart_deployment", "scale_deployment",
                                     "deployment_status", "rollback_deployment"])
def test_a_runbook_that_needs_the_named_kind_is_never_given_something_else(
        runbook: str) -> None:
    spec = load_catalogue().get(runbook)
    assert read_as_other_kind(spec, {"deployment": "ledger-db", "namespace": "prod",
                                     "replicas": "2"},
                              other("deployment", "statefulset", "ledger-db")) is None
