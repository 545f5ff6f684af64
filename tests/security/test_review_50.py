"""Session 50: a decision must be the speaker's own, and Slack's shortcode of a thumb is a
thumb.

1. An approver who explains how to decide ("reply yes to approve", "react with 👍 to
   approve", "to approve, type ok"), asks someone else to ("someone approve this pls",
   "erin, approve"), reports another's word ("the IC said go ahead"), hedges ("I'd
   approve"), defers ("yes tomorrow"), acknowledges ("ok noted") or quotes ("> yes")
   approved the plan waiting in the thread: each holds a word or emoji that says yes. A
   yes in words is now taken only as the writer's own decision now: every word of it (or
   of its last sentence, after context that waits for nothing and names nobody) says yes,
   asks politely, thanks, or says who says it or what they checked, and it names no other
   person the policy knows (`meta_words.own_yes`, `Dialogue._names_another_person`); else
   the bot says so, and the buttons still work. A no or a cancel stays as wide as before
   ("never mind, someone else did it" cancels): stopping runs nothing.
2. Slack sends an emoji picked in its client as a shortcode in the text: "👍" arrives as
   ":+1:", which the NLU dropped as markup, so the bot stayed silent under a plan while the
   same thumb typed as a character approved it.
3. A kubectl command with `--dry-run` (`=client`, `=server`, or bare) asked for a
   preview, and was planned for approval as the real change.

With the shipped model and the catalogue, in the console: bob asks, carol (an approver)
answers in the thread; on the in-memory cluster, and a few cases through to the sandbox's
API server.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatops.console import Shell
from chatops.runs import RunState
from tests.plugins.world_fixtures import World

Console = Callable[[str], Shell]


def _answer_a_waiting_plan(console: Console, text: str, user: str = "carol",
                           prod: str = "prod") -> RunState:
    sh = console("bob")
    sh.say(f"restart checkout-api in {prod}")
    runs = sh.service.store.runs_in_thread("console", "console")
    assert [r.state for r in runs] == [RunState.PROPOSED], runs
    sh.user = user
    sh.say(text)
    runs = sh.service.store.runs_in_thread("console", "console")
    assert len(runs) == 1, runs
    return runs[0].state


@pytest.mark.parametrize(("text", "state"), [
    ("reply yes to approve", RunState.PROPOSED), ("erin, approve", RunState.PROPOSED),
    ("yes, I approve", RunState.SUCCEEDED), (":+1:", RunState.SUCCEEDED),
])
def test_a_decision_in_words_on_the_sandbox(world: World, text: str, state: RunState) -> None:
    """The cases below run on the in-memory cluster (the sandbox's cost seconds each);
    these run through to the real API server."""
    assert _answer_a_waiting_plan(lambda user: world.model_shell(user), text,
                                  prod=world.ns["prod"]) is state, text


@pytest.mark.parametrize("text", [
    # How to decide, said to others.
    "reply yes to approve", "react with 👍 to approve", "react with :+1: to approve",
    "to approve, reply yes", "type ok to confirm", "just click approve to run it",
    "hit the button to approve",
    "use the approve button to go ahead",
    # The decision handed to someone else.
    "someone approve this pls", "can somebody +1 this", "ok, anyone on sre approve pls",
    "whoever is on call, approve it", "one of you approve this", "anybody :+1: this",
    # The review's other shapes: instructions without "to", someone else addressed or
    # reported, a hedge, a deferral, an acknowledgement, a quote, a thumb beside doubt.
    "approve it by typing yes", "yes = approve", "approval: reply ok", "erin, approve",
    "yes please erin", "@here please approve", "the IC said go ahead", "per dave: approve",
    "I'd approve", "probably yes", "yes if the canary is fine", "yes tomorrow", "ok wait",
    ":+1: later", "ok noted", "yes I'm looking at it", "> yes", ":+1: :thinking_face:",
    "👍 🤔", ":+1::x:", "yeah right", "yes /s", "e.g. yes",
    # The second review, past a list of words that make a yes less: synonyms, emoticons,
    # a yes about something else, what was done by hand, a name after thanks.
    "ok i suppose", "yes 5pm", "ok l8r", "ok :/", "ok, already did it",
    "yes, the graph is right", "dba: yes", "ty erin approve", "U0ERIN approve",
    # The third review: context before a plain yes, emoticons, "confirming" (checking),
    # a word after thanks, other question marks, an unticked box.
    "Tmrw. Approve.", "Testing. Approve.", "ok -.-", "confirming", "yes thanks maybe",
    "ok\u061f", "- [ ] approve", "ok...",
])
def test_words_about_deciding_or_for_someone_else_decide_nothing(
        model_console: Console, text: str) -> None:
    assert _answer_a_waiting_plan(model_console, text) is RunState.PROPOSED, text


@pytest.mark.parametrize(("text", "state"), [
    ("yes, I approve", RunState.SUCCEEDED), ("I'm happy to approve this", RunState.SUCCEEDED),
    ("ok, hit it", RunState.SUCCEEDED), ("approved, thanks", RunState.SUCCEEDED),
    ("approved, thanks bob", RunState.SUCCEEDED), ("lgtm ship it", RunState.SUCCEEDED),
    ("ok, I've checked, approve", RunState.SUCCEEDED), ("good to go", RunState.SUCCEEDED),
    ("checked the dashboards, approve", RunState.SUCCEEDED),
    ("to confirm, yes go ahead", RunState.SUCCEEDED), ("**yes**", RunState.SUCCEEDED),

    (":+1:", RunState.SUCCEEDED), (":+1::skin-tone-2:", RunState.SUCCEEDED),
    (":white_check_mark: go", RunState.SUCCEEDED), (":-1:", RunState.DENIED),
    ("no, don't", RunState.DENIED),
])
def test_an_approver_s_own_decision_still_decides(
        model_console: Console, text: str, state: RunState) -> None:
    assert _answer_a_waiting_plan(model_console, text) is state, text


@pytest.mark.parametrize(("text", "user", "state"), [
    # Stopping runs nothing: a no or a cancel that names someone else still stops.
    ("never mind, someone else did it", "bob", RunState.CANCELLED),
    ("no, someone else should look first", "carol", RunState.DENIED),
])
def test_a_stop_that_names_someone_else_still_stops(
        model_console: Console, text: str, user: str, state: RunState) -> None:
    assert _answer_a_waiting_plan(model_console, text, user) is state, text


@pytest.mark.parametrize("text", [
    # Session 50's second review: a preview that could not be built fell through to the
    # real change, which an approver approved and ran.
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 --dry-run=server --context=eu",
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 --dry-run=server --as=erin",
    "kubectl scale deploy checkout-api calc-app -n {prod} --replicas=0 --dry-run=server",
    # Dashes a chat client turned into "—", no `kubectl`, older spellings.
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 \u2014dry-run=server",
    "scale checkout-api to 0 in {prod} --dry-run=server",
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 --server-dry-run",
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 (--dry-run=client)",
    # The third review: no dashes, a later none, Slack italics, an input method's dashes,
    # full-width letters, a space inside, in words.
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 dry-run=server",
    "kubectl rollout restart deploy/checkout-api -n {prod} --dry-run=server --dry-run=None",
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 _--dry-run=server_",
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 \u30fc\u30fcdry-run=server",
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 \uff0d\uff0d\uff44\uff52\uff59"
    "\uff0d\uff52\uff55\uff4e",
    "kubectl scale deploy checkout-api -n {prod} --replicas=0 --dry run=server",
    "restart checkout-api in {prod} [dry run]",
    "restart checkout-api in {prod} (dry-run mode)",
])
def test_a_dry_run_is_never_planned_as_the_real_change(model_console: Console,
                                                      text: str) -> None:
    sh = model_console("bob")
    replies = sh.say(text.format(prod="prod"))
    assert replies[0].text.startswith(("Preview only", "You asked for a dry run")), replies
    sh.user = "carol"
    sh.say("approve")
    assert sh.service.store.runs_in_thread("console", "console") == []


@pytest.mark.parametrize("text", [
    "kubectl scale deploy checkout-api -n {prod} --replicas=3 --dry-run=server",
    "kubectl rollout restart deployment/checkout-api -n {prod} --dry-run=client",
    "`kubectl rollout restart deploy/checkout-api -n {prod} --dry-run`",
])
def test_kubectl_s_own_dry_run_is_a_preview_nobody_can_approve(world: World, text: str) -> None:
    """A kubectl command with `--dry-run` asks to see what it would do: it was planned for
    approval, the real change, which an approver could run. On the sandbox: the preview is
    the API server's own dry run."""
    sh = world.model_shell()
    replies = sh.say(text.format(**world.ns))
    assert sh.service.store.runs_in_thread("console", "console") == [], replies
    assert any("Preview only" in r.text for r in replies), replies
