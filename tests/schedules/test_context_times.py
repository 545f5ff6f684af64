"""A clock time that says when something happened is context, not a schedule.

A user trial: "api fell over at 2:15, restart it please" proposed a restart for 02:15 the
next night, and "calc-app in prod restarted at 4am, why?" activated a daily... a one-off
diagnosis at 04:00 (a read needs no approval) instead of answering: every "at <time>" in
a message was read as when to run it. A time phrase in a clause that speaks of the past
(a past verb next to it, "ago", "yesterday", "last night": `chatops/schedules/context.py`)
is now left in the message: a read is answered now, and a change is asked again without
the time (or with `schedule:`), since planning it for now or for then could both be
wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.model import ParsedIntent
from chatops.runbook.catalogue import Catalogue
from chatops.schedules import find_timing
from chatops.schedules.timing import context_times
from tests.conversation.fake_cluster import FakeCluster
from tests.conversation.test_carried_target import Reads as ReadsTexts
from tests.conversation.test_service_logic import Clock, say, service_on
from tests.schedules.conftest import START, Bot

PAST = [
    "api in trial34 fell over at 2:15, restart it please",
    "calc-app in prod restarted at 4am, why?",
    "ok so context: we got paged at 3am, can you tell me what is going on with web in prod",
    "we deployed payments to trial34 at 9am and it has been broken ever since, check it",
    "at 9:15 we saw errors from calc-app in prod, can you show me its logs",
    "the nightly batch kicked off at 11pm and api has been slow since, restart api",
    "checkout-api was fine at 10:30 yesterday, what changed?",
    "it has crashed every night at 03:00 this week, diagnose checkout-api in prod",
    "the alert fired at 11:40 - restart checkout-api in prod",
    "web had 5 replicas at 8am, scale it back to 5",
    "someone cordoned node-2 at 14:00 and forgot, uncordon it",
    "the node went NotReady at 2am last night, drain node-2",
    "we have restarted it at 6am already, show me the pods of checkout-api",
    "checkout-api died at noon today at 12:05, restart it",
    # An attacker review: other past forms, no verb at all, a second time after "and".
    "api crashlooped at 2:15, restart it",
    "api OOM'd at 2:15, restart it",
    "api bounced at 2:15, restart it",
    "api flaked at 2:15, restart it",
    "latency spike at 2:15 on api, restart it",
    "api: 502s at 2:15 - restart it",
    "api's been down at 2:15, restart",
    "api in prod fell over at 2:15 and again at 3:40, restart it",
    "api crashing at 2:15, restart it",
    # A second attacker review: a weekday head, "last <day>", other past forms, a relative
    # clause, a clause opened by the time.
    "api crashed on saturday at 2am, please restart it in prod",
    "checkout-api fell over on sunday at 4am, bounce it in prod",
    "api crashed last saturday at 2am, restart it",
    "we saw errors on friday at 2am, restart api",
    "restart checkout-api in prod it died at 3am",
    "restart api in prod bc it died at 3am",
    "restart api that died at 3am",
    "restart api that stopped responding at 3am",
    "at 2am it died, restart checkout-api in prod",
    "at 3am we hit OOM, bounce checkout-api in prod",
]

FUTURE = [
    ("restart checkout-api in prod at 3am", "restart checkout-api in prod"),
    ("every day at 03:00 restart checkout in staging", "restart checkout in staging"),
    ("resume the suspended cronjob report at 6am", "resume the suspended cronjob report"),
    ("get checkout-api restarted at 3am please", "get checkout-api restarted please"),
    ("I want web scaled down to 2 at 7pm", "I want web scaled down to 2"),
    ("scale web down to 2 at 7pm because traffic dropped", "scale web down to 2 because "
     "traffic dropped"),
    ("it crashed twice today, cordon node-1 at 10pm", "it crashed twice today, cordon node-1"),
    ("uncordon node-2 at 6am once it's patched", "uncordon node-2 once it's patched"),
    ("restart the failed pods' deployment web tomorrow at 2:15", "restart the failed pods' "
     "deployment web"),
    ("web should be scaled to 4 at 9am", "web should be scaled to 4"),
    ("restart the deployment named api at 3am", "restart the deployment named api"),
    # An attacker review: a past word elsewhere in the message, or in a name, says nothing
    # of the time of the request.
    ("restart api in prod at 3am like we did last week",
     "restart api in prod like we did last week"),
    ("drain node-2 at 11pm like we did last week", "drain node-2 like we did last week"),
    ("restart api at 3am as discussed earlier", "restart api as discussed earlier"),
    ("restart api overnight at 3am", "restart api overnight"),
    ("restart api tomorrow at 9am not earlier", "restart api not earlier"),
    ("restart api at 3am once traffic has dropped", "restart api once traffic has dropped"),
    ("scale api to 3 at 9am as it was slow", "scale api to 3 as it was slow"),
    ("restart api at 3am per the ticket from yesterday",
     "restart api per the ticket from yesterday"),
    ("cordon node-2 tonight at 11pm where we saw errors", "cordon node-2 where we saw errors"),
    ("restart stuck-worker at 3am", "restart stuck-worker"),
    ("restart expired-sessions-cleaner in prod at 3am",
     "restart expired-sessions-cleaner in prod"),
    ("scale api in prod to 5 at 9am same as yesterday", "scale api in prod to 5 same as "
     "yesterday"),
    ("please restart api in prod overnight at 3am", "please restart api in prod overnight"),
    ("at 3am, restart api", "restart api"),
    ("in prod at 3am restart api", "in prod restart api"),
    # A second attacker review: adverbs of the schedule, a request further before.
    ("restart checkout-api in prod, preferably at 3am", "restart checkout-api in prod, "
     "preferably"),
    ("restart checkout-api in prod, but only at 3am", "restart checkout-api in prod, but only"),
    ("restart checkout-api in prod, maybe at 3am?", "restart checkout-api in prod, maybe ?"),
    ("restart checkout-api in prod once more at 3am", "restart checkout-api in prod once more"),
    ("please get checkout-api in prod scaled to 2 at 10pm",
     "please get checkout-api in prod scaled to 2"),
]


@pytest.mark.parametrize("text", PAST)
def test_a_time_in_a_clause_about_the_past_is_no_schedule(text: str) -> None:
    assert find_timing(text, "UTC", START) is None
    assert context_times(text)


@pytest.mark.parametrize(("text", "rest"), FUTURE)
def test_a_time_said_of_the_request_is_still_a_schedule(text: str, rest: str) -> None:
    found = find_timing(text, "UTC", START)
    assert found is not None and found.request == rest
    assert context_times(text) == ()


def test_the_later_of_two_times_can_be_the_schedule() -> None:
    found = find_timing("it went down at 2am, restart checkout-api in prod at 11pm", "UTC",
                        START)
    assert found is not None and found.timing.expression == "2026-03-25 23:00"
    assert found.request == "it went down at 2am, restart checkout-api in prod"


class Reads:
    """The model's reading of whatever text it is given, fixed."""

    def __init__(self, intent: str, slots: dict[str, str]) -> None:
        self.intent, self.slots, self.texts = intent, slots, []

    def parse(self, text: str) -> ParsedIntent:
        self.texts.append(text)
        return ParsedIntent(self.intent, self.slots, 0.97, source="model")


def test_a_change_asked_for_after_a_past_time_is_asked_again_without_it(bot: Bot) -> None:
    # Neither now nor at 2:15 is planned: a reading of the time that is wrong either way
    # would plan a change for a moment nobody asked (an attacker review found both).
    reads = Reads("restart_deployment", {"deployment": "checkout-api", "namespace": "prod"})
    bot.service.parser = reads
    (answer,) = bot.say("bob", "checkout-api in prod fell over at 2:15, restart it please")
    assert answer.kind == "refusal" and answer.run is None
    assert "'at 2:15'" in answer.text and "schedule:" in answer.text, answer.text
    assert bot.service.schedules.live() == []
    assert bot.service.store.runs_in_thread("C1", "t1") == []
    assert reads.texts == ["checkout-api in prod fell over at 2:15, restart it please"]


def test_a_question_about_a_past_time_is_answered_and_schedules_nothing(bot: Bot) -> None:
    bot.service.parser = Reads("deployment_status", {"deployment": "checkout-api",
                                                     "namespace": "prod"})
    (answer,) = bot.say("bob", "checkout-api in prod restarted at 4am, why?")
    assert answer.kind == "answer" and "checkout-api" in answer.text
    assert "schedule:" not in answer.text  # a read runs now, whatever the time was
    assert bot.service.schedules.live() == []



@pytest.mark.parametrize(("text", "when"), [
    # A second attacker review: a day after the clock was left in the request, and the
    # schedule set for today.
    ("restart checkout-api in prod at 9pm tomorrow", "2026-03-26 21:00"),
    ("restart checkout-api in prod at 9am on friday", "2026-03-27 09:00"),
    ("restart checkout-api in prod at 9am friday", "2026-03-27 09:00"),
])
def test_a_day_after_the_clock_is_part_of_the_time(text: str, when: str) -> None:
    found = find_timing(text, "UTC", START)
    assert found is not None and found.timing.expression == when
    assert found.request == "restart checkout-api in prod"


def test_a_day_without_a_clock_beside_a_read_answers_now(tmp_path: Path,
                                                         catalogue: Catalogue) -> None:
    """A day word in a read ("which pods had no limits on thursday") is no reason to refuse
    it: a read answers now, and only a change needs the time said exactly."""
    service = service_on(FakeCluster(deployments={("prod", "checkout-api"): 3}), tmp_path,
                         catalogue, Clock())
    read, change = ("show the pods in prod on thursday",
                    "scale checkout-api in prod to 5 on thursday")
    service.parser = ReadsTexts({"show the pods in prod": ("show_pods", {"namespace": "prod"}),
                            read: ("show_pods", {"namespace": "prod"}),
                            change: ("scale_deployment", {"deployment": "checkout-api",
                                                          "namespace": "prod",
                                                          "replicas": "5"})})
    assert "no exact time" not in say(service, "bob", read)[0]
    assert "no exact time" in say(service, "bob", change)[0]
