"""Session 52: "no objections, approve" denied the plan.

The model read the approver's "no objections, approve" (and "no objection from me,
approved") as a deny, and the bot denied the waiting plan: the "no" of "no objections" was
taken as the answer. Such phrases ("no objections", "no concerns", "nothing against it")
now say nothing either way, and a deny the words do not say, where the words say an
approval, is read as that approval (which then meets every check a yes meets). A deny that
is said still denies; a yes that is not the writer's own, or waits, decides nothing.

As carol under bob's restart, with the shipped model on the in-memory cluster.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chatops.console import Shell
from chatops.runs import RunState

Console = Callable[[str], Shell]


def _answer(console: Console, text: str) -> RunState:
    sh = console("bob")
    sh.say("restart checkout-api in prod")
    sh.user = "carol"
    sh.say(text)
    (run,) = sh.service.store.runs_in_thread("console", "console")
    return run.state


@pytest.mark.parametrize("text", [
    "no objections, approve",
    "no objection from me, approved",
    "no issues here, approve",
])
def test_no_objections_and_an_approval_approves(model_console: Console, text: str) -> None:
    assert _answer(model_console, text) is RunState.SUCCEEDED, text


@pytest.mark.parametrize(("text", "state"), [
    ("no, deny", RunState.DENIED),
    ("no objections? deny", RunState.DENIED),
    ("no objection to denying it", RunState.DENIED),
    ("no concerns. not approved though", RunState.DENIED),
    ("no objections from me but don't approve yet", RunState.DENIED),
    ("no objections, but approve only after the freeze", RunState.PROPOSED),
    ("no objections, I'd approve", RunState.PROPOSED),
    ("no objections, erin approve pls", RunState.PROPOSED),
    ("no objections if alice approves", RunState.PROPOSED),
])
def test_no_objections_never_approves_what_the_words_do_not(
        model_console: Console, text: str, state: RunState) -> None:
    assert _answer(model_console, text) is state, text
