"""Which words a bare yes or no after them may answer (`conversation.said`)."""

from __future__ import annotations

import pytest

from chatops.conversation.said import decides_by_command, leaves_open

_NAMES = frozenset({"carol", "u0carol", "erin", "bob"})


@pytest.mark.parametrize("text", [
    "should I cancel it?", "coffee anyone?", "want me to page the db team first",
    "I'll do it by hand instead", "let me check the dashboards first", "is it prod?",
    # Asking for the approval beside something else to answer.
    "can you approve, or should I cancel it?", "approve it after lunch?",
    "carol can you approve the rollback instead", "nobody approve this yet",
    "don't approve it", "approve? I think it's wrong",
])
def test_words_a_yes_may_answer(text: str) -> None:
    assert leaves_open(text, _NAMES)


@pytest.mark.parametrize("text", [
    "carol can you approve pls", "<@U0CAROL> please approve when you can, thanks!",
    "need an approval on this asap please", "someone approve?", "@carol +1 pls",
    "can I get a sign-off on this", "🙏", "thanks", "thank you :pray:", "lgtm", "yes",
    "approved", ":+1:",
])
def test_words_a_yes_after_them_approves_the_plan(text: str) -> None:
    assert not leaves_open(text, _NAMES)


@pytest.mark.parametrize(("text", "command"), [
    ("approve", True), ("Approve.", True), ("`deny`", True), ("reject!", True),
    ("yes, approved", False), ("approved", False), ("I approve", False),
    ("no, I deny it", False), ("yes please", False), ("no", False), ("👍", False),
])
def test_the_bot_s_own_words_for_a_decision_alone(text: str, command: bool) -> None:
    assert decides_by_command(text) is command
