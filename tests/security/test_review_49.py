"""Session 49: an order taken back in the same message, and a change read from the sentence
that asks for it.

1. Words that take the order back after it ("restart checkout-api in prod. never mind",
   "..., just kidding", "... jk", "... scratch that") planned the change: the guards knew a
   decline only after a question of it ("Restart it? Nah, never mind.").
2. A long message whose request is lost in its context is read again from the sentence
   that asks (`intents/parser.py`, `_or_the_request`); since session 46 only for reads.
   A change may come from that sentence now too, on stricter terms: the whole message
   must lean to a runbook (not out of scope), the sentence must ask or order and be the
   last that does, and the change's object and every other slot come from that sentence
   alone. Session 46's attacks on the first version still plan nothing
   (`tests/security/test_review_46.py::test_a_sentence_read_alone_plans_no_change`).

End to end on the sandbox with the shipped model, as bob in the console.
"""

from __future__ import annotations

import pytest

from tests.plugins.world_fixtures import World
from tests.security.test_review_46 import READS, _runs


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
])
def test_an_order_taken_back_in_the_same_message_plans_nothing(
        world: World, text: str) -> None:
    runs = _runs(world, text.format(**world.ns))
    assert [r for r in runs if r[0] not in READS] == [], runs


@pytest.mark.parametrize("text", [
    # Taken back, then another order: the later order is what is asked.
    "restart calc-app in {prod}. never mind, restart checkout-api in {prod} instead",
    # Words of that kind before the order, or about something else.
    "never mind the alert, restart checkout-api in {prod}",
    "ignore the noise in the channel and restart checkout-api in {prod}",
])
def test_an_order_after_the_words_that_take_one_back_still_counts(
        world: World, text: str) -> None:
    runs = _runs(world, text.format(**world.ns))
    assert [(r, s.get("deployment")) for r, s in runs] == [
        ("restart_deployment", "checkout-api")], runs
