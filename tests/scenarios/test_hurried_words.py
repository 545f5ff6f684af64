"""Words typed in a hurry, against the sandbox cluster with the shipped model (a second
user trial): kubectl's shorthand, a verb without its vowels, a count in words that opens
the order, and "which pods are on node-2" with no node tagged."""

from __future__ import annotations

import pytest

from chatops.runs import RunState
from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


def test_a_verb_without_its_vowels_is_not_taken_for_the_name(world: World) -> None:
    """The trial: "deployment 'rstrt' not found". Now the name's typo is the question."""
    prod = world.ns["prod"]
    sh = world.model_shell()
    (reply,) = sh.say(f"pls rstrt chkout-api in {prod}")
    assert reply.kind == "question" and "Did you mean checkout-api?" in reply.text, reply.text
    assert "rstrt" not in reply.text
    (planned,) = sh.say("yes")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, dict(r.raw_slots), r.state) for r in runs] == [
        ("restart_deployment", {"deployment": "checkout-api", "namespace": prod},
         RunState.PROPOSED)], planned.text


def test_kubectl_shorthand_is_read(world: World) -> None:
    """The trial: "desc po calc-app" was not understood."""
    prod = world.ns["prod"]
    sh = world.model_shell()
    replies = sh.say(f"desc po calc-app in {prod}")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [
        ("deployment_status", {"deployment": "calc-app", "namespace": prod})], \
        [r.text for r in replies]


def test_an_order_that_opens_with_a_count_in_words_is_planned(world: World) -> None:
    """The trial: "triple web-frontend" was out of scope (0.75, the scale next)."""
    prod = world.ns["prod"]
    sh = world.model_shell()
    before = world.replicas("prod", "checkout-api")
    replies = sh.say(f"triple checkout-api in {prod}")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, r.state) for r in runs] == [
        ("scale_deployment", RunState.PROPOSED)], [r.text for r in replies]
    assert f"to {before * 3} replicas" in replies[0].text
    assert world.replicas("prod", "checkout-api") == before  # proposed, not run


def test_a_count_that_happened_is_not_an_order(world: World) -> None:
    prod = world.ns["prod"]
    sh = world.model_shell()
    sh.say(f"we got double the traffic on checkout-api in {prod} today")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert all(r.runbook != "scale_deployment" for r in runs)


def test_which_pods_are_on_a_node(world: World) -> None:
    """The trial: asked for a namespace (the model tagged no node)."""
    sh = world.model_shell()
    replies = sh.say("which pods are on node-2")
    assert replies[0].text.startswith("(what runs on a node"), [r.text for r in replies]
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [("node_status", {"node": "node-2"})]


def test_turning_a_deployment_off_says_what_stops_it(world: World) -> None:
    """The trial: "turn calc-app off" was read as a cronjob's suspend and refused without
    a word of what would stop a deployment."""
    prod = world.ns["prod"]
    sh = world.model_shell()
    replies = sh.say(f"turn calc-app off in {prod}")
    said = " ".join(r.text for r in replies)
    assert f"`scale calc-app in {prod} to 0`" in said, said
    assert sh.service.store.runs_in_thread("console", "console") == []
