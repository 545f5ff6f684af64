"""Stopping a schedule in words: never a "Cancelled" that cancelled something else.

A user trial: with a schedule active for 3am, "cancel the 3am restart" answered
"Cancelled; nothing was changed." (it had dropped an open question of the bot's), and the
restart still fired; "actually dont restart it at 3am, cancel that" was read as a new
schedule to make; "cancel s-..." was not understood. A message that asks to cancel
something scheduled now lists the schedules of the channel and how to stop them, and
`cancel s-...` pauses the schedule at once (as `pause s-...` does).
"""

from __future__ import annotations

import pytest

from chatops.schedules import ScheduleState
from tests.schedules.conftest import Bot, approved_schedule


@pytest.mark.parametrize("text", [
    "cancel the 3am restart", "actually dont restart it at 3am, cancel that",
    "please cancel the scheduled scale", "call off tonight's scale of checkout-api",
    "do not run the 03:00 scale, cancel it",
])
def test_a_cancel_of_something_scheduled_says_how_to_stop_it(bot: Bot, text: str) -> None:
    sid = approved_schedule(bot)
    replies = bot.say("alice", text)
    (reply,) = replies
    assert sid in reply.text and f"pause {sid}" in reply.text, reply.text
    assert "Cancelled" not in reply.text and "nothing was changed" in reply.text
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.ACTIVE
    assert len(bot.service.store.runs_in_thread("C1", "t1")) == 1  # no new plan


def test_a_cancel_of_something_scheduled_where_nothing_is_says_so(bot: Bot) -> None:
    (reply,) = bot.say("alice", "cancel the 3am restart")
    assert "No schedule" in reply.text and "nothing was changed" in reply.text


@pytest.mark.parametrize("text", [
    "checkout-api crashes every night at 3am, don't know why",
    "the backup job got cancelled at 3am, why?",
    # An attacker review: a run's cancel, and a request, were answered with the schedules.
    "cancel r-109c162a, I'll redo it at 5pm",
    "abort, checkout-api fails every few minutes, roll back checkout-api in prod",
])
def test_talk_about_times_is_no_cancel(bot: Bot, text: str) -> None:
    approved_schedule(bot)
    (reply,) = bot.say("alice", text)
    assert "To stop one at once" not in reply.text, reply.text


@pytest.mark.parametrize("word", ["cancel", "stop", "cancel schedule",
                                  "pls cancel", "can you stop"])
def test_cancel_with_the_id_pauses_it_at_once(bot: Bot, word: str) -> None:
    sid = approved_schedule(bot)
    (reply,) = bot.say("alice", f"{word} {sid}")
    assert "paused" in reply.text.lower(), reply.text
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.PAUSED


def test_cancel_with_an_id_of_someone_elses_schedule_changes_nothing(bot: Bot) -> None:
    sid = approved_schedule(bot)
    (reply,) = bot.say("mallory", f"cancel {sid}")
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.ACTIVE, reply.text


def test_a_cancelled_question_says_it_was_the_question(bot: Bot) -> None:
    bot.say("alice", "run scale_deployment deployment=checkout-api replicas=5")
    (reply,) = bot.say("alice", "cancel")
    assert reply.text == "Cancelled my question to you; nothing was changed."


def test_a_schedules_own_request_is_not_edited_into_a_change_for_now(bot: Bot) -> None:
    """An attacker review: the Edit button on a schedule's delete request cancelled it and
    proposed an immediate scale; "sorry, make it 7 instead" on a waiting schedule proposal
    cancelled it for an immediate scale to 7."""
    from chatops.model import Message
    from chatops.runs import RunState

    sid = approved_schedule(bot)
    (delete,) = bot.say("alice", f"delete {sid}")[:1]
    assert delete.run is not None
    replies = bot.service.edit(delete.run.id, Message("alice", "", "C1", "t1"),
                               {"replicas": "6"})
    assert "not edited" in replies[-1].text, replies[-1].text
    run = bot.service.store.get(delete.run.id)
    assert run is not None and run.state is RunState.PROPOSED
    proposal = bot.say("alice", "run scale_deployment deployment=checkout-api namespace=prod "
                                'replicas=5 at "0 4 * * *" tz=UTC', thread="t2")[0]
    assert proposal.run is not None
    # In words, an edit cue: a plan of its own, the schedule's proposal left waiting.
    bot.say("alice", "run scale_deployment deployment=checkout-api namespace=prod replicas=7 "
                     "instead", thread="t2")
    again = bot.service.store.get(proposal.run.id)
    assert again is not None and again.state is RunState.PROPOSED


@pytest.mark.parametrize("tail", [" pls, we don't need the restart anymore", ", not needed"])
def test_cancel_with_the_id_and_more_words_pauses_it(bot: Bot, tail: str) -> None:
    """A second trial: "cancel s-... pls, we don't need the restart anymore" listed the
    schedules and paused nothing; a bare "cancel s-..." paused it."""
    sid = approved_schedule(bot)
    (reply,) = bot.say("alice", f"cancel {sid}{tail}")
    assert "paused" in reply.text.lower(), reply.text
    schedule = bot.service.schedules.get(sid)
    assert schedule is not None and schedule.state is ScheduleState.PAUSED


def test_a_delete_plan_reads_as_a_delete(bot: Bot) -> None:
    """A second trial: the delete's plan explained the schedule's runbook ("Scale ...") and
    said "(a schedule's plan)" though the person typed the delete."""
    sid = approved_schedule(bot)
    (plan,) = bot.say("alice", f"delete {sid}")[:1]
    assert plan.run is not None
    assert plan.run.understood.endswith("(explicit command)"), plan.run.understood
    assert plan.run.explanation.startswith(f"Approving this deletes schedule {sid}"), \
        plan.run.explanation
