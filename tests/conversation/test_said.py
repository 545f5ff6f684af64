"""Which words a bare yes or no after them may answer (`conversation.said`)."""

from __future__ import annotations

import pytest

from chatops.conversation.said import after, decides_by_command, kind_of_words
from chatops.conversation.thread import Said

_NAMES = frozenset({"carol", "u0carol", "erin", "bob"})


@pytest.mark.parametrize("text", [
    "should I cancel it?", "coffee anyone?", "want me to page the db team first",
    "I'll do it by hand instead", "let me check the dashboards first", "is it prod?",
    # Asking for the approval beside something else to answer.
    "can you approve, or should I cancel it?", "approve it after lunch?",
    "carol can you approve the rollback instead", "nobody approve this yet",
    "don't approve it", "approve? I think it's wrong", "yes, but is it prod?",
    # Emoji that ask, other scripts (whatever they say, the bot cannot tell).
    "☕?", "🤔", "取り消したほうがいいですか？", "Мне отменить?", "はい",
])
def test_words_a_yes_may_answer(text: str) -> None:
    assert kind_of_words(text, _NAMES) == "open"


@pytest.mark.parametrize("text", [
    "carol can you approve pls", "<@U0CAROL> please approve when you can, thanks!",
    "need an approval on this asap please", "someone approve?", "@carol +1 pls",
    "can I get a sign-off on this", "`approve` pls, carol", "<!here> approval needed 🙏",
    "ping for approval",
])
def test_words_that_only_ask_for_the_approval(text: str) -> None:
    assert kind_of_words(text, _NAMES) == "plea"


@pytest.mark.parametrize("text", ["🙏", "thanks", "thank you :pray:", "thanks in advance!",
                                  "bump", "anyone?", "?", "lgtm", "yes", ":+1:"])
def test_words_that_add_nothing_to_answer(text: str) -> None:
    assert kind_of_words(text, _NAMES) == "nothing"


_OPEN = Said("bob", "bob", answerable=True, asks=True)
_CLOSED = Said("bob", "bob", answerable=False)
_ERIN_OPEN = Said("erin", "erin", answerable=True)
_ERIN_ASKS = Said("erin", "erin", answerable=True, asks=True)
_ERIN_CLOSED = Said("erin", "erin", answerable=False)
_PLAN = frozenset({"restart", "deployment", "checkout-api", "prod"})


@pytest.mark.parametrize(("previous", "text", "planned", "ran", "said"), [
    (None, "should I cancel it?", False, False, _ERIN_ASKS),
    (None, "let me check the dashboards first", False, False, _ERIN_OPEN),
    # What adds nothing passes the words before it on, as its writer's.
    (_OPEN, "🙏", False, False, Said("erin", "bob", answerable=True, asks=True)),
    (_OPEN, "lgtm", False, False, Said("erin", "bob", answerable=True, asks=True)),
    (_CLOSED, "thanks", False, False, _ERIN_CLOSED),
    # A plea closes only what nothing open stands before, unless it names the plan.
    (None, "carol can you approve pls", False, False, _ERIN_CLOSED),
    (_OPEN, "carol can you approve it pls", False, False,
     Said("erin", "bob", answerable=True, asks=True)),
    (_OPEN, "carol can you approve the restart pls", False, False, _ERIN_CLOSED),
    (None, "can I approve?", False, False, _ERIN_ASKS),
    (None, "is a second approval still required for prod?", False, False, _ERIN_ASKS),
    (None, "carol, ok to proceed?", False, False, _ERIN_CLOSED),
    # A plan or a question back closes it; a read only when it asks nothing itself.
    (_OPEN, "restart payments-api too", True, False, _ERIN_CLOSED),
    (_OPEN, "show pods in prod", False, True, Said("erin", "bob", answerable=True, asks=True)),
    (None, "show pods in prod", False, True, _ERIN_CLOSED),
    (None, "is checkout-api the one with the broken probe?", False, True, _ERIN_ASKS),
    (None, "carol, how many replicas does it have?", False, True, _ERIN_CLOSED),
    (None, "who deployed it last, was it you carol?", False, True, _ERIN_ASKS),
    (None, "IS PAYMENTS-API HEALTHY IN PROD", False, True, _ERIN_ASKS),
    (None, "how about staging?", False, True, _ERIN_ASKS),
])
def test_what_a_message_leaves(previous: Said | None, text: str, planned: bool, ran: bool,
                               said: Said) -> None:
    assert after(previous, "erin", "erin", text, _NAMES, planned=planned, ran=ran,
                 plan_words=_PLAN) == said


@pytest.mark.parametrize(("text", "command"), [
    ("approve", True), ("Approve.", True), ("`deny`", True), ("reject!", True),
    ("yes, approved", False), ("approved", False), ("I approve", False),
    ("no, I deny it", False), ("yes please", False), ("no", False), ("👍", False),
])
def test_the_bot_s_own_words_for_a_decision_alone(text: str, command: bool) -> None:
    assert decides_by_command(text) is command
