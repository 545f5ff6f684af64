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


@pytest.mark.parametrize(("typed", "names"), [
    # Another number is another object, never a typo of it.
    ("node-9", ("node-1", "node-2", "node-3")),
    ("worker-4", ("worker-2", "api")),
    ("redis-10", ("redis-1", "redis-2")),
    ("web-v3", ("web-v2",)),
])
def test_a_name_with_another_number_is_not_a_typo(typed: str, names: tuple[str, ...]) -> None:
    assert candidates(typed, names) == []


@pytest.mark.parametrize(("typed", "names", "generated"), [
    # An attacker review: the prefix branch extended the number ("node-1" -> node-10).
    ("node-1", ("node-10", "node-2"), False),
    ("worker-4", ("worker-42",), False),
    ("db-1", ("db-12", "db-2"), True),
    ("web-frontend-76477cc95f-bcx", ("web-frontend-76477cc95f-bcxd5",), True),
])
def test_a_prefix_never_extends_a_number_or_a_pods_part(
        typed: str, names: tuple[str, ...], generated: bool) -> None:
    assert candidates(typed, names, generated=generated) == []


def test_a_prefix_that_ends_a_part_still_narrows() -> None:
    assert candidates("node", ("node-10", "node-2")) == ["node-2", "node-10"]
    assert candidates("check", ("checkout-api",)) == ["checkout-api"]
    pods = ("db-1", "db-12", "web-7d9f-abcde")
    assert candidates("web", pods, generated=True) == ["web-7d9f-abcde"]
    assert candidates("web-7d9f", pods, generated=True) == ["web-7d9f-abcde"]


def test_a_typo_keeps_its_numbers() -> None:
    assert candidates("wroker-4", ("worker-4", "worker-2")) == ["worker-4"]


@pytest.mark.parametrize("typed", [
    "checkout-api-84bdb6bbb4-kcdn9",   # one character off: another pod
    "checkout-api-84bdb6bbb4-zzzzz",
    "checkout-api-84bdb6bbb5-kcdn8",   # the ReplicaSet's hash off
])
def test_a_generated_pod_name_is_never_taken_for_a_close_one(typed: str) -> None:
    pods = ("checkout-api-84bdb6bbb4-kcdn8", "checkout-api-84bdb6bbb4-pnql7")
    assert candidates(typed, pods, generated=True) == []
    # A prefix still narrows to the pods it starts (asked, never taken alone).
    assert candidates("checkout-api-84bdb6bbb4", pods, generated=True) == sorted(pods, key=len)


def other(slot: str, kind: str, value: str) -> OtherKind:
    return OtherKind("", slot, kind, value)


def test_a_name_of_another_kind_moves_to_the_runbooks_slot_of_that_kind() -> None:
    catalogue = load_catalogue()
    values, note = read_as_other_kind(
        catalogue.get("diagnose"), {"pod": "ledger", "namespace": "prod"},
        other("pod", "deployment", "ledger"), catalogue.runbooks) or ({}, "")
    assert values == {"deployment": "ledger", "namespace": "prod"}
    assert note == "'ledger' is a deployment, so it was read as one"


def test_a_read_only_runbook_that_needs_no_such_name_reads_the_namespace() -> None:
    catalogue = load_catalogue()
    values, note = read_as_other_kind(
        catalogue.get("diagnose"), {"deployment": "ledger-db", "namespace": "prod"},
        other("deployment", "statefulset", "ledger-db"), catalogue.runbooks) or ({}, "")
    assert values == {"namespace": "prod"}
    assert "all of 'prod' was read" in note
    # Not with another object still named (only that one would be read), nor for a
    # runbook whose namespace-wide reading is not the scan: every pod or event of the
    # namespace is not an answer about one statefulset.
    assert read_as_other_kind(
        catalogue.get("diagnose"), {"deployment": "ledger-db", "pod": "api-1",
                                    "namespace": "prod"},
        other("deployment", "statefulset", "ledger-db"), catalogue.runbooks) is None
    for name in ("show_pods", "recent_events"):
        assert read_as_other_kind(
            catalogue.get(name), {"deployment": "ledger-db", "namespace": "prod"},
            other("deployment", "statefulset", "ledger-db"), catalogue.runbooks) is None


@pytest.mark.parametrize("runbook", ["restart_deployment", "scale_deployment",
                                     "deployment_status", "rollback_deployment"])
def test_a_runbook_that_needs_the_named_kind_is_never_given_something_else(
        runbook: str) -> None:
    catalogue = load_catalogue()
    assert read_as_other_kind(catalogue.get(runbook), {"deployment": "ledger-db",
                                                       "namespace": "prod", "replicas": "2"},
                              other("deployment", "statefulset", "ledger-db"),
                              catalogue.runbooks) is None
