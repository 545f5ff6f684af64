"""Session 50: a decision must be the speaker's own, and Slack's shortcode of a thumb is a
thumb.

1. An approver who explains how to decide ("reply yes to approve", "react with 👍 to
   approve", "to approve, type ok", "say no to deny it") or asks someone else to
   ("someone approve this pls", "anybody :+1: this") approved or denied the plan waiting
   in the thread: each holds a word or emoji that says yes or no. Words about how to decide
   decide nothing, and a yes handed to someone else runs nothing; the bot says how to
   decide. A no or a cancel that names someone else still stops ("never mind, someone
   else did it"): stopping runs nothing.
2. Slack sends an emoji picked in its client as a shortcode in the text: "👍" arrives as
   ":+1:", which the NLU dropped as markup, so the bot stayed silent under a plan while the
   same thumb typed as a character approved it.
3. A kubectl command with `--dry-run` (`=client`, `=server`, or bare) asked for a
   preview, and was planned for approval as the real change.

End to end on the sandbox with the shipped model and the catalogue, in the console: bob
asks, carol (an approver) answers in the thread.
"""

from __future__ import annotations

import pytest

from chatops.runs import RunState
from tests.plugins.world_fixtures import World


def _answer_a_waiting_plan(world: World, text: str, user: str = "carol") -> RunState:
    sh = world.model_shell()
    sh.say(f"restart checkout-api in {world.ns['prod']}")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.state for r in runs] == [RunState.PROPOSED], runs
    sh.user = user
    sh.say(text)
    runs = sh.service.store.runs_in_thread("console", "console")
    assert len(runs) == 1, runs
    return runs[0].state


@pytest.mark.parametrize("text", [
    # How to decide, said to others.
    "reply yes to approve", "react with 👍 to approve", "react with :+1: to approve",
    "to approve, reply yes", "type ok to confirm", "just click approve to run it",
    "say no to deny it", "hit the button to approve", "to deny it, say no",
    "use the approve button to go ahead",
    # The decision handed to someone else.
    "someone approve this pls", "can somebody +1 this", "ok, anyone on sre approve pls",
    "whoever is on call, approve it", "one of you approve this", "anybody :+1: this",
])
def test_words_about_deciding_or_for_someone_else_decide_nothing(
        world: World, text: str) -> None:
    assert _answer_a_waiting_plan(world, text) is RunState.PROPOSED, text


@pytest.mark.parametrize(("text", "state"), [
    ("yes, I approve", RunState.SUCCEEDED), ("I'm happy to approve this", RunState.SUCCEEDED),
    ("ok, hit it", RunState.SUCCEEDED), ("approved, thanks", RunState.SUCCEEDED),
    (":+1:", RunState.SUCCEEDED), (":+1::skin-tone-2:", RunState.SUCCEEDED),
    (":white_check_mark: go", RunState.SUCCEEDED), (":-1:", RunState.DENIED),
    ("no, don't", RunState.DENIED),
])
def test_an_approver_s_own_decision_still_decides(
        world: World, text: str, state: RunState) -> None:
    assert _answer_a_waiting_plan(world, text) is state, text


@pytest.mark.parametrize(("text", "user", "state"), [
    # Stopping runs nothing: a no or a cancel that names someone else still stops.
    ("never mind, someone else did it", "bob", RunState.CANCELLED),
    ("no, someone else should look first", "carol", RunState.DENIED),
])
def test_a_stop_that_names_someone_else_still_stops(
        world: World, text: str, user: str, state: RunState) -> None:
    assert _answer_a_waiting_plan(world, text, user) is state, text


@pytest.mark.parametrize("text", [
    "kubectl scale deploy checkout-api -n {prod} --replicas=3 --dry-run=server",
    "kubectl rollout restart deployment/checkout-api -n {prod} --dry-run=client",
    "`kubectl rollout restart deploy/checkout-api -n {prod} --dry-run`",
])
def test_kubectl_s_own_dry_run_is_a_preview_nobody_can_approve(world: World, text: str) -> None:
    """A kubectl command with `--dry-run` asks to see what it would do: it was planned for
    approval, the real change, which an approver could run."""
    sh = world.model_shell()
    replies = sh.say(text.format(**world.ns))
    assert sh.service.store.runs_in_thread("console", "console") == [], replies
    assert any("Preview only" in r.text for r in replies), replies
