"""An attacker review of session 46's readings (a helper, white-box, the shipped model on
a fake cluster): each way it found to plan a change nobody asked for, or on an object the
writer excluded, end to end through the console with the shipped model.

1. kubectl's `kind/name` in a context clause took the object slot ("restart orders in
   shop but leave deploy/cart alone" restarted cart).
2. A long message read again from the sentence that asks took its objects from the other
   sentences ("Never touch checkout-api in prod. Can you restart orders?" restarted
   checkout-api), and planned changes other sentences made no request of ("Retro notes.
   Let's restart orders in shop next time.", "Thanks all. Dave! Could you restart orders
   in shop?"): that reading is now for reads only, each sentence read on its own.
3. A CPU utilisation range became an autoscaler's replica bounds ("hpa orders in shop,
   utilisation 70-90").
4. A change asked, declined and another ordered planned the declined one ("Drain node-1?
   No, cordon it."); a decline after asking words or a filler did not count ("Could you
   restart orders in shop? Not yet.", "...? Hmm, not yet.").
"""

from __future__ import annotations

import pytest

from tests.plugins.world_fixtures import World


def _runs(world: World, text: str) -> list[tuple[str, dict[str, str]]]:
    """What a fresh console thread planned or ran for `text` (bob, the shipped model):
    (runbook, slots) of each run."""
    sh = world.model_shell()
    sh.say(text.format(prod=world.ns["prod"]))
    return [(r.runbook, dict(r.raw_slots))
            for r in sh.service.store.runs_in_thread("console", "console")]


@pytest.mark.parametrize("text", [
    "restart checkout-api in {prod} but leave deploy/calc-app alone",
    "restart checkout-api in {prod}, don't touch deploy/calc-app",
    "restart checkout-api in {prod} after deploy/calc-app finishes",
])
def test_kind_slash_name_in_a_context_clause_never_takes_the_object(
        world: World, text: str) -> None:
    runs = _runs(world, text)
    assert all(slots.get("deployment") != "calc-app" for _, slots in runs), runs


@pytest.mark.parametrize("text", [
    "Never touch calc-app in {prod}. Can you restart checkout-api?",
    "Retro notes. Let's restart checkout-api in {prod} next time.",
    "Thanks all. Dave! Could you restart checkout-api in {prod}?",
    "Retro notes. Would you roll back checkout-api in {prod}? Just kidding.",
    "Retro notes. Please let me know before anyone restarts checkout-api in {prod}.",
])
def test_a_sentence_read_alone_plans_no_change(world: World, text: str) -> None:
    runs = _runs(world, text)
    assert [r for r in runs if r[0] not in READS] == [], runs


@pytest.mark.parametrize("text", [
    "hpa search-indexer in {prod}, utilisation 70-90",
    "set the hpa for search-indexer in {prod} to keep cpu at 40-60",
])
def test_a_utilisation_range_is_no_replica_range(world: World, text: str) -> None:
    runs = _runs(world, text)
    assert all(slots.get("max_replicas") not in ("90", "60") for _, slots in runs), runs


@pytest.mark.parametrize("text", [
    "Restart checkout-api in {prod}? No, scale it to 4.",
    "Could you restart checkout-api in {prod}? Not yet.",
    "Restart checkout-api in {prod}? Hmm, not yet.",
    "Restart checkout-api in {prod}?! Hold on.",
    "Restart checkout-api in {prod}? Actually never mind.",
])
def test_a_change_asked_then_declined_is_not_planned(world: World, text: str) -> None:
    runs = _runs(world, text)
    assert all(runbook != "restart_deployment" for runbook, _ in runs), runs


READS = frozenset({"deployment_status", "diagnose", "pod_logs", "recent_events", "show_pods",
                   "rollout_history", "list_images", "node_status", "describe_pod",
                   "rightsize", "pod_hygiene"})


def test_declining_words_take_no_quadratic_time() -> None:
    """A second review's padding: thousands of "? no" after a change took seconds."""
    import time

    from chatops.conversation.asking import not_a_request

    for text in ("restart x" + "? no x" * 8000, "is it ok" + "? no" * 10_000):
        started = time.process_time()
        not_a_request(text)
        assert time.process_time() - started < 1.0  # was 7 s at 6,000 characters
