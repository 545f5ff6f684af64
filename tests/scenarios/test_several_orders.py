"""Several orders in one message, against the sandbox cluster with the shipped model.

A third user trial sent two orders on two lines ("restart checkout-api in prod" and
"scale calc-app in prod to 4"), and the shipped model read a scale of checkout-api to 4:
the first line's object with the second line's change, a change nobody asked for. Orders
on separate lines, in sentences or list items are now two changes: neither is planned.
"""

from __future__ import annotations

import pytest

from tests.plugins.world_fixtures import World

pytestmark = pytest.mark.k8s


@pytest.mark.parametrize("text", [
    "restart checkout-api in {prod}\nscale calc-app in {prod} to 4",
    "Two things:\n1. restart checkout-api in {prod}\n2. scale calc-app in {prod} to 4",
    "- restart checkout-api in {prod}\n- restart calc-app in {prod}",
])
def test_orders_on_lines_of_their_own_plan_nothing(world: World, text: str) -> None:
    prod = world.ns["prod"]
    before = world.replicas("prod", "checkout-api")
    sh = world.model_shell()
    replies = sh.say(text.format(prod=prod))
    assert any("more than one change" in r.text for r in replies), [r.text for r in replies]
    assert sh.service.store.runs_in_thread("console", "console") == []
    assert world.replicas("prod", "checkout-api") == before


def test_context_on_another_line_leaves_the_one_order(world: World) -> None:
    prod = world.ns["prod"]
    sh = world.model_shell()
    replies = sh.say(f"the rollback didn't help.\nrestart checkout-api in {prod}")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [(r.runbook, dict(r.raw_slots)) for r in runs] == [
        ("restart_deployment", {"deployment": "checkout-api", "namespace": prod})], \
        [r.text for r in replies]


def test_a_read_with_an_order_on_another_line_says_the_order_was_not_planned(
        world: World) -> None:
    """A fourth trial: "1. show me the pods for calc-app in prod\n2. restart calc-app" was
    read as the pods, the restart dropped without a word."""
    prod = world.ns["prod"]
    sh = world.model_shell()
    replies = sh.say(f"show the calc-app logs in {prod}. after that restart calc-app")
    assert "also asks for a change (`restart`)" in replies[0].text, [r.text for r in replies]
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.runbook for r in runs] == ["pod_logs"]


def test_a_list_of_orders_read_as_nothing_says_one_change_per_request(world: World) -> None:
    """A fourth trial: "outside what I can do" to a list of two cordons."""
    sh = world.model_shell()
    (reply,) = sh.say("doing maintenance on two boxes this afternoon:\n- cordon node-2\n"
                      "- cordon node-3")
    assert "asks for 2 changes" in reply.text, reply.text
    assert sh.service.store.runs_in_thread("console", "console") == []


def test_an_order_read_as_a_decision_is_the_order(world: World) -> None:
    """A fourth trial: "is node-2 ok?" then "cordon it, we're swapping a disk" (read as
    `cancel` at 0.61, the cordon next): "I did not understand that". It is the cordon, its
    node asked for with the thread's node-2 offered first; nothing planned yet."""
    sh = world.model_shell()
    sh.say("is node-2 ok?")
    (reply,) = sh.say("cordon it, we're swapping a disk")
    assert reply.kind == "question" and "Which node should I cordon?" in reply.text, \
        reply.text
    assert reply.choices[0] == "node-2"
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.runbook for r in runs] == ["node_status"]
