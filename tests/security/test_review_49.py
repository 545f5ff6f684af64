"""Session 49: an order taken back or put off in the same message, and a change read
from the sentence that asks for it.

1. Words that take the order back after it ("restart checkout-api in prod. never mind",
   "..., just kidding", "... jk", "... scratch that", "Wrong channel, sorry.", "(don't)")
   planned the change: the guards knew a decline only after a question of it ("Restart it?
   Nah, never mind.").
2. An order put off to no time the bot can keep ("... later", "next time", "at some
   point") or to the next time something happens ("if it happens again", "should it
   crash again, ...", "when it's quiet") was planned for now.
3. A change read from a long message's sentence that asks, on stricter terms than session
   46's first version, was tried and taken out: an attacker review planned 100 changes
   nobody asked for among 137 new plans (conditions and retractions in the next sentence,
   someone addressed two sentences back, a verb used as a noun, quotes, "it" taken from
   the wrong sentence). Its cases stay here: such a sentence gives no change.

With the shipped model and the catalogue, as bob in the console, on the in-memory cluster
(a plain yes and the rotation words through to the sandbox's API server).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatops.console import Shell
from tests.plugins.world_fixtures import World
from tests.security.conftest import console_runs
from tests.security.test_review_46 import READS, _runs

Console = Callable[[str], Shell]


def _plans_no_change(console: Console, text: str) -> None:
    runs = console_runs(console, text)
    assert [r for r in runs if r[0] not in READS] == [], (text, runs)


@pytest.mark.parametrize("text", [
    "restart checkout-api in {prod}. never mind.",
    "restart checkout-api in {prod}. nvm",
    "restart checkout-api in {prod}, just kidding",
    "restart checkout-api in {prod}? just kidding",
    "restart checkout-api in {prod} lol jk",
    "roll back checkout-api in {prod}. Kidding!",
    "scale checkout-api in {prod} to 0. scratch that.",
    "scale checkout-api in {prod} to 0 -- forget it",
    "Would you roll back checkout-api in {prod}? Just kidding.",
    "restart checkout-api in {prod}. ignore that, wrong channel",
    "restart checkout-api in {prod}. disregard.",
    "restart checkout-api in {prod}... on second thought, don't",
    "Restart checkout-api in {prod}. (don't)",
    "Restart checkout-api in {prod}. Wrong channel, sorry.",
    "Can you restart checkout-api in {prod}? Meant to DM that.",
    "Please restart checkout-api in {prod}. Actually no.",
])
def test_an_order_taken_back_in_the_same_message_plans_nothing(
        model_console: Console, text: str) -> None:
    _plans_no_change(model_console, text)


@pytest.mark.parametrize("text", [
    "restart calc-app in {prod}. never mind, restart checkout-api in {prod} instead",
    "restart calc-app in {prod}. nvm, restart checkout-api in {prod}",
    "restart calc-app in {prod}. forget that, restart checkout-api in {prod}",
])
def test_an_order_taken_back_for_another_is_never_planned(model_console: Console,
                                                          text: str) -> None:
    """Taken back, then another order: the later order is what is asked. Read with "prod"
    (not the sandbox's prefixed namespace, session 51) the model took calc-app's restart,
    and it was planned: at most the later order is, else the bot asks again."""
    runs = console_runs(model_console, text)
    assert all(s.get("deployment") == "checkout-api" for _, s in runs), runs


@pytest.mark.parametrize("text", [
    # Words of that kind before the order, or about something else.
    "never mind the alert, restart checkout-api in {prod}",
    "ignore the noise in the channel and restart checkout-api in {prod}",
])
def test_an_order_after_the_words_that_take_one_back_still_counts(
        model_console: Console, text: str) -> None:
    runs = console_runs(model_console, text)
    assert [(r, s.get("deployment")) for r, s in runs] == [
        ("restart_deployment", "checkout-api")], runs


@pytest.mark.parametrize("text", [
    "restart checkout-api in {prod} later",
    "Let's restart checkout-api in {prod} next time.",
    "It crashed twice this week. Please restart checkout-api in {prod} if it happens again.",
    "should it crash again, roll back checkout-api in {prod}",
    "next time, just restart checkout-api in {prod}",
    "whenever it flaps, scale checkout-api in {prod} to 3",
    "please restart checkout-api in {prod} at some point",
    "Restart checkout-api in {prod} if/when it OOMs.",
    "restart checkout-api in {prod} when it's quiet",
])
def test_an_order_put_off_to_no_time_or_to_the_next_time_plans_nothing(
        model_console: Console, text: str) -> None:
    _plans_no_change(model_console, text)


@pytest.mark.parametrize("text", [
    "restart checkout-api in {prod}, we'll dig into the logs later",
    "restart checkout-api in {prod} now and check it again later",
    "restart checkout-api in {prod} if you can",
])
def test_later_in_a_clause_of_its_own_leaves_the_order(model_console: Console,
                                                       text: str) -> None:
    runs = console_runs(model_console, text)
    assert [(r, s.get("deployment")) for r, s in runs] == [
        ("restart_deployment", "checkout-api")], runs


@pytest.mark.parametrize("last", [
    "Can you switch checkout-api in {prod} to nginx:1.25.4 next time?",
    "Switch checkout-api in {prod} to nginx:1.25.4 again?",
    "Dave! Can you switch checkout-api in {prod} to nginx:1.25.4?",
    "Can you switch checkout-api in {prod} to nginx:1.25.4? Restart calc-app later.",
    "Can you switch checkout-api in {prod} to nginx:1.25.4? Just kidding.",
])
def test_a_long_message_s_last_sentence_gives_no_change_it_does_not_ask_for(
        model_console: Console, last: str) -> None:
    text = ("Security flagged a CVE in our base image, and the patched build is in the "
            "registry. Tomás tested it on staging, all green. " + last)
    _plans_no_change(model_console, text)


@pytest.mark.parametrize("question", [
    "release ok?", "that ok?", "good to go?", "yes?", "sounds good?", "pr ok?", "go?",
])
def test_a_question_under_a_waiting_plan_approves_nothing(model_console: Console,
                                                         question: str) -> None:
    """An approver's question in the thread ("that ok?", "good to go?") approved the
    waiting plan and ran it (session 49's second attacker review): a question asks, it
    decides nothing; an approval is said ("ok", "approve") or clicked."""
    from chatops.runs import RunState

    sh = model_console("bob")
    sh.say("restart checkout-api in prod")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.state for r in runs] == [RunState.PROPOSED], runs
    sh.user = "carol"
    sh.say(question)
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.state for r in runs] == [RunState.PROPOSED], (question, runs)


def test_a_plain_yes_under_a_waiting_plan_still_approves_it(world: World) -> None:
    from chatops.runs import RunState

    sh = world.model_shell()
    sh.say(f"restart checkout-api in {world.ns['prod']}")
    sh.user = "carol"
    sh.say("ok")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.state for r in runs] != [RunState.PROPOSED], runs


@pytest.mark.parametrize("text", [
    # Weighed against not doing it, or called off: each planned the change it was about
    # (session 49's second review, in both trees).
    "restart checkout-api in {prod} or is that overkill?",
    "restart checkout-api in {prod} or not?",
    "skip the rollback of checkout-api in {prod}",
    "cancel the rollback of checkout-api in {prod}",
    "restart checkout-api in {prod} if errors climb",
    "leave checkout-api in {prod} alone",
])
def test_a_change_weighed_called_off_or_on_a_metric_plans_nothing(
        model_console: Console, text: str) -> None:
    _plans_no_change(model_console, text)


@pytest.mark.parametrize("text", [
    "nightly-report in {prod}",
    "nightly-report",
    "the nightly-report cronjob in {prod}",
    "@chatops nightly-report in {prod} pls",
])
def test_a_message_that_only_names_an_object_plans_no_change(model_console: Console,
                                                             text: str) -> None:
    """A bare name was read as a resume at 0.84-0.95 and planned (session 49's second
    review, both trees): names say nothing of what to do; the bot offers the closest
    runbooks instead."""
    _plans_no_change(model_console, text)


def test_back_into_rotation_is_never_a_drain(world: World) -> None:
    """"You can put it back in rotation" read as a drain at 0.82 (set K, a node's long name
    and context): the opposite change, planned (session 49). Words that put a node back
    into rotation or service ask for no drain or cordon, and the other way round."""
    from kubernetes import client

    node = sorted(n.metadata.name for n in client.CoreV1Api(world.api).list_node().items)[0]
    for text in (f"Ok the disk cleanup on {node} is done, usage is down to 34%. Turned out to "
                 "be the fluent-bit buffer. You can put it back in rotation.",
                 f"{node} is patched, bring it back into service",
                 f"disk is replaced on {node}, return it to the pool"):
        runs = _runs(world, text)
        assert [r for r in runs if r[0] in ("drain_node", "cordon_node")] == [], (text, runs)
    for text in (f"{node} keeps flapping, take it out of rotation",
                 f"pull {node} out of service for the kernel patch"):
        runs = _runs(world, text)
        assert [r for r in runs if r[0] == "uncordon_node"] == [], (text, runs)
