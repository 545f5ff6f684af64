"""Session 51: a bare yes answers the message before it, not always the plan.

Session 50's third attacker review: under bob's waiting restart, bob asks "should I cancel
it?" and carol, an approver, answers "yes please": the bot took it as carol's approval and
ran the restart. The same for any words of another person right before a bare yes or no
("coffee anyone?" - "yes please"; "I'll do it by hand instead" - "ok"), and for words
said to someone else with a Slack mention, which the bot does not answer but must still
hear. A bare yes or no from someone whose words did not come last, after words that the
bot made nothing of (no plan, no run, no question back), now decides nothing and says
why; `approve` or `deny` alone, the buttons and `approve r-...` still decide. Words that only
ask for the approval ("carol, can you approve pls?") are no other question: a yes after
them approves. Words that add nothing (thanks, "🙏", another approver's "lgtm") leave the
words before them standing, and so does a read the bot answered unless it asks a
yes-or-no question (the session's first attacker review: 137 threads). The second (102
more) found pleas about something else ("I submitted my PTO request" - "carol can you
approve it pls"), a writer's own question ("do I need to check with finance first?" -
"yes") and questions behind "what"/"why" ("why is it crashing, is it OOM?"): a plea
closes only what nothing open stands before (or names the plan), and a yes-or-no
question is answerable even by its writer.

In process with the shipped model on the in-memory cluster (the conversation is the same
in every surface); through the real Bolt app for a message said to a colleague with a
mention, which Slack's surface must pass on without answering.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from chatops.audit import AuditLog
from chatops.console import Shell
from chatops.conversation import ConversationService
from chatops.demo import DEMO_POLICY
from chatops.policy.rules import parse_policy
from chatops.runbook.catalogue import Catalogue
from chatops.runs import RunState
from chatops.stores import open_state
from intents import ModelParser
from tests.conversation.fake_cluster import FakeCluster
from tests.slack.conftest import Bot, eventually
from tests.slack.sender import next_ts
from tests.waiting import wait_until_idle

_RESTART = "run restart_deployment deployment=checkout-api namespace=prod"


@pytest.fixture
def service(tmp_path: Path, catalogue: Catalogue, model: ModelParser) -> ConversationService:
    cluster = FakeCluster(deployments={("prod", "checkout-api"): 3,
                                       ("prod", "payments-api"): 2})
    return ConversationService(catalogue=catalogue, executor=cluster,
                               policy=parse_policy(DEMO_POLICY),
                               stores=open_state(tmp_path / "state.db"),
                               audit=AuditLog(tmp_path / "audit.db"), parser=model)


def _say(service: ConversationService, user: str, text: str) -> list[str]:
    from chatops.model import Message

    replies = service.handle(Message(user=user, text=text, channel="C1", thread="t1"))
    return [r.text for r in replies]


def _states(service: ConversationService) -> list[RunState]:
    return [r.state for r in service.store.runs_in_thread("C1", "t1")]


def _after(service: ConversationService, said: list[tuple[str, str]], answer: str
           ) -> tuple[RunState, list[str]]:
    """bob's restart planned, then `said` (user, text) in the thread, then carol's
    `answer`: the restart's state and what carol was told."""
    _say(service, "U0BOB", _RESTART)
    assert _states(service) == [RunState.PROPOSED]
    for user, text in said:
        _say(service, user, text)
    out = _say(service, "U0CAROL", answer)
    (restart,) = [r for r in service.store.runs_in_thread("C1", "t1")
                  if r.runbook == "restart_deployment"]
    return restart.state, out


@pytest.mark.parametrize("said", [
    [("U0BOB", "should I cancel it?")],
    [("U0BOB", "carol, should I just cancel this and do it by hand?")],
    [("U0BOB", "want me to page the db team first")],
    [("U0ERIN", "coffee anyone?")],
    [("U0ERIN", "is the error rate still climbing on your dashboard?")],
    [("U0BOB", "I'll grab a coffee while this waits")],
    [("U0BOB", "let me check the dashboards first")],
    [("U0BOB", "@carol should I cancel it?")],
    [("U0ALICE", "are you still in the war room")],
    [("U0BOB", "carol did you approve my PR?")],
    # Someone else's words last, even after a plea for the approval.
    [("U0BOB", "carol can you approve pls"), ("U0ERIN", "wait, do we need this?")],
    # The session's review: what adds nothing after the question (thanks, a nudge,
    # another approver's yes), emoji and other scripts that ask, a plea that also asks
    # something else, a yes-or-no question the bot answered with a read.
    [("U0BOB", "should I cancel it?"), ("U0BOB", "🙏")],
    [("U0BOB", "should I cancel this and open a new one for staging?"), ("U0BOB", "thanks")],
    [("U0BOB", "should I cancel it?"), ("U0ERIN", "lgtm")],
    [("U0ALICE", "☕?")], [("U0BOB", "Мне отменить?")], [("U0ERIN", "喝咖啡吗？")],
    [("U0BOB", "can you approve the other one?")],
    [("U0ERIN", "is checkout-api the one with the broken readiness probe?")],
    [("U0BOB", "is payments-api healthy in prod?")],
    # The second review: a plea about something else, someone's own question answered by
    # another's yes, a plea after someone else's words, a question about the approval,
    # wh-words before a question that a yes answers, a yes-or-no read without "?".
    [("U0ALICE", "i submitted my PTO request for next week"),
     ("U0ALICE", "carol can you approve it pls")],
    [("U0BOB", "my expense report from the offsite is sitting in concur"),
     ("U0BOB", "can you approve it asap please")],
    [("U0CAROL", "should we just cancel this and roll back instead?"), ("U0ERIN", "yes")],
    [("U0CAROL", "hmm do I need to check with finance before this one?")],
    [("U0ALICE", "who wants pizza tonight?"), ("U0BOB", "carol can you approve pls"),
     ("U0ALICE", "anyone?")],
    [("U0DAVE", "can I approve?")],
    [("U0BOB", "is a second approval still required for prod?")],
    [("U0BOB", "what pods are crashing in prod? should I delete the stuck one instead?")],
    [("U0BOB", "why is payments-api crashing in prod, is it OOM?")],
    [("U0BOB", "IS PAYMENTS-API HEALTHY IN PROD")],
])
@pytest.mark.parametrize("answer", ["yes", "yes please", "yeah", "ok", "sure", "👍", ":+1:",
                                    "yep, go ahead", "no", "nope", "yes, approved", "I approve",
                                    "no, I deny it"])
def test_a_bare_yes_or_no_after_someone_else_s_words_decides_nothing(
        service: ConversationService, said: list[tuple[str, str]], answer: str) -> None:
    state, out = _after(service, said, answer)
    assert state is RunState.PROPOSED, (said, answer, out)
    assert "decided nothing" in out[0], out


@pytest.mark.parametrize("said", [
    [],
    # Only asking for the approval, or a yes itself (a second approver's, a thumb).
    [("U0BOB", "carol can you approve pls")],
    [("U0BOB", "<@U0CAROL> please approve when you can, thanks!")],
    [("U0BOB", "need an approval on this asap please")],
    [("U0BOB", "<!here> approval needed 🙏")],
    [("U0BOB", "carol can you approve pls"), ("U0BOB", "🙏")],
    [("U0BOB", "is checkout-api healthy in prod?"),
     ("U0BOB", "carol can you approve the restart pls")],
    [("U0BOB", "carol, ok to proceed?")],
    [("U0BOB", "someone approve?")],
    [("U0BOB", "🙏")],
    [("U0BOB", "thanks")],
    [("U0ERIN", "lgtm")],
    # The writer's own words before the yes, and words the bot answered with a read.
    [("U0CAROL", "checking the dashboards first")],
    [("U0BOB", "how many replicas does payments-api have in prod?")],
])
@pytest.mark.parametrize("answer", ["yes please", "👍"])
def test_a_yes_after_a_plea_for_approval_or_its_own_words_approves(
        service: ConversationService, said: list[tuple[str, str]], answer: str) -> None:
    state, out = _after(service, said, answer)
    assert state is RunState.SUCCEEDED, (said, answer, out)


@pytest.mark.parametrize(("answer", "state"), [
    ("approve", RunState.SUCCEEDED), ("Approve.", RunState.SUCCEEDED),
    ("deny", RunState.DENIED), ("reject", RunState.DENIED),
])
def test_the_bot_s_own_words_still_decide_after_a_question(
        service: ConversationService, answer: str, state: RunState) -> None:
    got, out = _after(service, [("U0BOB", "should I cancel it?")], answer)
    assert got is state, out


def test_the_approve_button_still_decides_after_a_question(
        service: ConversationService) -> None:
    from chatops.model import Message

    _say(service, "U0BOB", _RESTART)
    _say(service, "U0BOB", "should I cancel it?")
    (run,) = service.store.runs_in_thread("C1", "t1")
    service.decide(run.id, Message(user="U0CAROL", text="", channel="C1", thread="t1"),
                   "approve")
    assert _states(service) == [RunState.SUCCEEDED]


@pytest.mark.parametrize("bot_mentioned", [False, True])
def test_a_question_to_a_colleague_by_mention_is_heard_in_slack(
        bot: Bot, model: ModelParser, bot_mentioned: bool) -> None:
    """Slack's surface answers nothing to "<@U0CAROL> should I cancel it?" (it is said to
    carol, even with "<@UBOT> fyi" after it), so the conversation never saw it and carol's
    "yes please" approved the restart."""
    bot.service.parser = model
    root = next_ts()
    bot.sender.message(_RESTART, user="U0BOB", channel="C0OPS", ts=root, mention=True)
    bot.slack.wait_for("chat.postMessage", "")
    wait_until_idle(bot)
    before = len(bot.slack.calls)
    if bot_mentioned:
        bot.sender.event({"type": "app_mention", "user": "U0BOB", "channel": "C0OPS",
                          "text": "<@U0CAROL> should I cancel it? <@UBOT> fyi",
                          "ts": next_ts(), "thread_ts": root, "channel_type": "channel"})
    else:
        bot.sender.message("<@U0CAROL> should I cancel it?", user="U0BOB", channel="C0OPS",
                           thread_ts=root)
    wait_until_idle(bot)
    # Not answered: said to carol (the plan's message and the Home tabs may still change).
    assert [c for c in bot.slack.calls[before:]
            if c.method in ("chat.postMessage", "chat.postEphemeral")] == []
    bot.sender.message("yes please", user="U0CAROL", channel="C0OPS", thread_ts=root)
    notice = eventually(lambda: [c for c in bot.slack.calls[before:]
                                 if c.method == "chat.postEphemeral"], what="the notice")
    assert "decided nothing" in str(notice)
    assert [r.state for r in bot.service.store.runs_in_thread("C0OPS", root)] == [
        RunState.PROPOSED]


def test_a_question_to_a_colleague_by_mention_is_heard_in_the_console(
        model_console: Callable[[str], Shell]) -> None:
    """The console, like Slack's surface, leaves "<@U0CAROL> ..." to carol; it is heard."""
    sh = model_console("bob")
    sh.say("restart checkout-api in prod")
    sh.say("<@U0CAROL> should I cancel it?")
    sh.user = "carol"
    replies = sh.say("yes please")
    assert "decided nothing" in replies[0].text, replies
    assert [r.state for r in sh.service.store.runs_in_thread("console", "console")] == [
        RunState.PROPOSED]
