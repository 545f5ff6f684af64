"""The time phrase of a message and the firings it gives (pure; no sleeps, no clock)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from chatops.schedules import Timing, TimingError, find_timing
from chatops.schedules.cron import CronError, parse_cron

BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY_NOON = datetime(2026, 3, 25, 12, 0, tzinfo=BERLIN).timestamp()


def local(instant: float, zone: ZoneInfo = BERLIN) -> str:
    return datetime.fromtimestamp(instant, zone).strftime("%a %Y-%m-%d %H:%M %z")


@pytest.mark.parametrize(("text", "kind", "expression", "rest"), [
    ("every day at 03:00 restart checkout in staging", "cron", "0 3 * * *",
     "restart checkout in staging"),
    ("restart checkout in staging every night at 3am", "cron", "0 3 * * *",
     "restart checkout in staging"),
    ("every weekday at 07:30 scale web to 3", "cron", "30 7 * * 1-5", "scale web to 3"),
    ("every monday at 9am show pods", "cron", "0 9 * * 1", "show pods"),
    ("every 15 minutes show pods", "cron", "*/15 * * * *", "show pods"),
    ("drain node-2 on Saturday at 02:00", "once", "2026-03-28 02:00", "drain node-2"),
    ("restart checkout tomorrow at 02:00", "once", "2026-03-26 02:00", "restart checkout"),
    ("restart checkout at 9pm", "once", "2026-03-25 21:00", "restart checkout"),
    # A user trial: "tonight at 2am" said at noon was "already past"; the small hours of
    # tonight are tomorrow's date.
    ("restart checkout tonight at 2am", "once", "2026-03-26 02:00", "restart checkout"),
    ("restart checkout tonight at 23:30", "once", "2026-03-25 23:30", "restart checkout"),
    ('run restart_deployment deployment=checkout namespace=staging at "0 3 * * *"', "cron",
     "0 3 * * *", "run restart_deployment deployment=checkout namespace=staging"),
    ('run drain_node node=node-2 at "2026-12-05 02:00"', "once", "2026-12-05 02:00",
     "run drain_node node=node-2"),
])
def test_the_time_phrase_is_cut_out_and_the_rest_left_as_typed(
        text: str, kind: str, expression: str, rest: str) -> None:
    found = find_timing(text, "Europe/Berlin", WEDNESDAY_NOON)
    assert found is not None
    assert (found.timing.kind, found.timing.expression, found.request) == \
        (kind, expression, rest)


def test_a_window_starts_then_ends_with_its_undo_phase() -> None:
    found = find_timing("suspend the report cronjob from Friday 18:00 until Monday 08:00",
                        "Europe/Berlin", WEDNESDAY_NOON)
    assert found is not None and found.request == "suspend the report cronjob"
    firings = found.timing.firings(WEDNESDAY_NOON, 5)
    assert [(local(f.at), f.phase) for f in firings] == [
        ("Fri 2026-03-27 18:00 +0100", "start"),
        # The clocks went forward on Sunday: the end is 08:00 summer time.
        ("Mon 2026-03-30 08:00 +0200", "end")]


def test_a_zone_given_in_the_message_wins_over_the_default() -> None:
    found = find_timing('run restart_deployment deployment=a namespace=b at "0 3 * * *" '
                        "tz=America/New_York", "Europe/Berlin", WEDNESDAY_NOON)
    assert found is not None and found.timing.zone == "America/New_York"
    assert "tz=" not in found.request


@pytest.mark.parametrize("text", ["show logs since 10:00", "scale checkout to 3",
                                  "restart checkout in staging", "what happened at 3",
                                  # A number with its decimals or unit is no clock (session
                                  # 50's end-to-end bench: "sitting at 1.7Gi" was "at 1").
                                  "working set sits at 1.7Gi, raise the memory limit of "
                                  "api in prod to 3Gi", "scale api in prod to 6, cpu at 2.5 "
                                  "cores per pod"])
def test_no_time_phrase_means_no_schedule(text: str) -> None:
    assert find_timing(text, "UTC", WEDNESDAY_NOON) is None


@pytest.mark.parametrize("text", ['restart x at "2020-01-01 02:00"', "restart x tz=Mars/Base",
                                  'restart x at "61 * * * *"', "show pods every 90 minutes"])
def test_unusable_phrases_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(TimingError):
        find_timing(text, "UTC", WEDNESDAY_NOON)


def test_spring_forward_gap_fires_once_an_hour_later() -> None:
    # Berlin, 2026-03-29: 02:00 -> 03:00. "30 2 * * *" has no 02:30 that day.
    firings = Timing("cron", "30 2 * * *", "Europe/Berlin").firings(WEDNESDAY_NOON, 5)
    assert [local(f.at) for f in firings] == [
        "Thu 2026-03-26 02:30 +0100", "Fri 2026-03-27 02:30 +0100",
        "Sat 2026-03-28 02:30 +0100", "Sun 2026-03-29 03:30 +0200",
        "Mon 2026-03-30 02:30 +0200"]


def test_fall_back_fires_a_repeated_time_once() -> None:
    # Berlin, 2026-10-25: 03:00 -> 02:00, so 02:30 happens twice; it fires once.
    start = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN).timestamp()
    firings = Timing("cron", "30 2 * * *", "Europe/Berlin").firings(start, 3)
    assert [local(f.at) for f in firings] == [
        "Sun 2026-10-25 02:30 +0200", "Mon 2026-10-26 02:30 +0100",
        "Tue 2026-10-27 02:30 +0100"]
    hourly = Timing("cron", "0 * * * *", "Europe/Berlin").firings(
        datetime(2026, 10, 25, 0, 30, tzinfo=BERLIN).timestamp(), 4)
    # Wall-clock hours: 02:00 happens twice that night and fires once, at the first.
    assert [local(f.at) for f in hourly] == [
        "Sun 2026-10-25 01:00 +0200", "Sun 2026-10-25 02:00 +0200",
        "Sun 2026-10-25 03:00 +0100", "Sun 2026-10-25 04:00 +0100"]


@pytest.mark.parametrize(("expression", "day", "fires"), [
    ("0 0 13 * 5", datetime(2026, 2, 13), True),     # Friday the 13th: either matches
    ("0 0 13 * 5", datetime(2026, 2, 6), True),      # a Friday
    ("0 0 13 * 5", datetime(2026, 2, 7), False),
    ("0 0 * * 7", datetime(2026, 3, 29), True),      # 7 is Sunday too
    ("0 0 1 jan-mar *", datetime(2026, 4, 1), False),
])
def test_cron_days_follow_vixie_cron(expression: str, day: datetime, fires: bool) -> None:
    assert parse_cron(expression).matches_day(day.date()) is fires


@pytest.mark.parametrize("expression", ["* * * *", "60 * * * *", "* 24 * * *", "5-1 * * * *",
                                        "*/0 * * * *", "* * * foo *"])
def test_bad_cron_expressions_name_their_field(expression: str) -> None:
    with pytest.raises(CronError):
        parse_cron(expression)


@pytest.mark.parametrize(("text", "expression", "rest"), [
    # A user trial: "in 10 minutes" was dropped and the restart planned for now.
    ("restart checkout-api in prod in 10 minutes", "2026-03-25 12:10",
     "restart checkout-api in prod"),
    ("in 2 hours scale web in prod to 3", "2026-03-25 14:00", "scale web in prod to 3"),
    ("restart checkout in an hour", "2026-03-25 13:00", "restart checkout"),
    ("restart checkout in half an hour please", "2026-03-25 12:30", "restart checkout please"),
    ("restart checkout in 90 mins", "2026-03-25 13:30", "restart checkout"),
    ("cordon node-2 in 1h", "2026-03-25 13:00", "cordon node-2"),
    ("cordon node-2 in 15m", "2026-03-25 12:15", "cordon node-2"),
    ("restart checkout in 1.5 hours", "2026-03-25 13:30", "restart checkout"),
    ("restart checkout 20 minutes from now", "2026-03-25 12:20", "restart checkout"),
    # An attacker review: a delay set off by punctuation was dropped, and the change
    # planned for now; it says when to do what the sentence's other clause asks.
    ("in 10 minutes, scale web in prod to 5", "2026-03-25 12:10", "scale web in prod to 5"),
    ("scale web in prod to 5, in 10 minutes", "2026-03-25 12:10", "scale web in prod to 5"),
    ("scale web in prod to 5 - in 10 minutes", "2026-03-25 12:10", "scale web in prod to 5"),
    ("scale web in prod to 5 (in 10 minutes)", "2026-03-25 12:10", "scale web in prod to 5"),
    ("in 2 hours: scale web in prod to 5", "2026-03-25 14:00", "scale web in prod to 5"),
    ("ok, in an hour please, restart web", "2026-03-25 13:00", "ok, please, restart web"),
])
def test_a_delay_from_now_is_a_schedule_once(text: str, expression: str, rest: str) -> None:
    found = find_timing(text, "Europe/Berlin", WEDNESDAY_NOON)
    assert found is not None
    assert (found.timing.kind, found.timing.expression, found.request) == \
        ("once", expression, rest)


@pytest.mark.parametrize(("text", "minutes"), [("restart x in 1 hour", 61),
                                               ("restart x in 45 minutes", 45),
                                               ("restart x in 10 minutes", 10)])
def test_a_delay_into_the_repeated_hour_fires_when_said(text: str, minutes: int) -> None:
    """An attacker review: said at 01:30:20 EDT on the night clocks go back, "in 1 hour"
    (01:31 EST) was kept as the wall clock 01:31, read back as its first pass: it fired at
    once; "in 45 minutes" was refused as already past."""
    now = datetime(2026, 11, 1, 5, 30, 20, tzinfo=UTC).timestamp()
    found = find_timing(text, "America/New_York", now)
    assert found is not None
    (firing,) = found.timing.firings(now, 1)
    assert firing.at == now - 20 + minutes * 60 + (0 if minutes == 61 else 60), found.timing


def test_a_delay_rounds_up_to_the_minute() -> None:
    found = find_timing("restart x in 5 minutes", "UTC", WEDNESDAY_NOON + 20)
    assert found is not None and found.timing.firings(WEDNESDAY_NOON + 20, 1)[0].at == \
        WEDNESDAY_NOON + 6 * 60


@pytest.mark.parametrize("text", [
    "it restarted 3 times in 10 minutes, why?",  # the past: context
    "show the logs of the last 10 minutes", "scale checkout in prod to 3",
    "restart checkout in minutes",  # no amount
    # What happens, not when to act (a set-A message was read as a schedule):
    "Let us cancel that request and I will come back to you in half an hour.",
    "restart checkout-api, it crashes in 10 minutes after every start",
    "calc-app pods crash in 5 minutes, can you look",
    "we'll know in an hour if the fix worked",
    # Set off by punctuation, a delay belongs to the clause next to it, within its sentence.
    "in 10 minutes, the pods were gone", "api crashed, in 10 minutes it recovered",
    "restart checkout. In 10 minutes it will be fine",
])
def test_words_that_are_no_delay(text: str) -> None:
    assert find_timing(text, "UTC", WEDNESDAY_NOON) is None


@pytest.mark.parametrize("text", [
    "suspend the daily report job in batch", "the report runs every day, suspend it",
    "restart api, it will be fine by tomorrow", "we restarted it on monday, do it again",
    "the api crashed sunday night, restart it",
])
def test_day_words_that_say_no_time_to_act(text: str) -> None:
    assert find_timing(text, "UTC", WEDNESDAY_NOON) is None


@pytest.mark.parametrize(("text", "zone", "expression"), [
    # A user trial: "at 3am CET" fired at 03:00 in the default zone (UTC), an hour off.
    ("restart checkout-api in prod at 3am CET", "CET", "2026-03-26 03:00"),
    ("restart checkout-api in prod at 3am cet", "CET", "2026-03-26 03:00"),
    ("restart checkout at 02:00 PST", "America/Los_Angeles", "2026-03-26 02:00"),
    ("every day at 03:00 UTC restart checkout", "UTC", "0 3 * * *"),
    ("restart checkout tomorrow at 9pm EDT", "America/New_York", "2026-03-26 21:00"),
    # An attacker review: a day after the zone was left in the request, and the schedule
    # fired today.
    ("restart checkout at 9pm ET tomorrow", "America/New_York", "2026-03-26 21:00"),
    ("restart checkout at 3am PST on friday", "America/Los_Angeles", "2026-03-27 03:00"),
    ("restart checkout 03:00 UTC on 2026-03-30 please", "UTC", "2026-03-30 03:00"),
])
def test_a_zone_abbreviation_after_the_time_is_its_zone(text: str, zone: str,
                                                        expression: str) -> None:
    found = find_timing(text, "UTC", WEDNESDAY_NOON)
    assert found is not None
    assert (found.timing.zone, found.timing.expression) == (zone, expression)
    assert zone.lower() not in found.request.lower() and "pst" not in found.request.lower()
    assert not {"tomorrow", "friday", "2026-03-30"} & set(found.request.split())


@pytest.mark.parametrize("text", ["restart checkout in a few minutes",
                                  "restart checkout in a couple of hours",
                                  "restart checkout in 10-15 minutes"])
def test_a_delay_without_an_amount_is_refused_not_done_now(text: str) -> None:
    with pytest.raises(TimingError, match="in 10 minutes"):
        find_timing(text, "UTC", WEDNESDAY_NOON)


@pytest.mark.parametrize("text", ["restart checkout at 3am IST", "restart checkout at 3am CST"])
def test_an_ambiguous_zone_abbreviation_is_asked_about(text: str) -> None:
    with pytest.raises(TimingError, match="tz="):
        find_timing(text, "UTC", WEDNESDAY_NOON)


SUMMER_NOON = datetime(2026, 7, 15, 12, 0, tzinfo=BERLIN).timestamp()
WINTER_NOON = datetime(2026, 12, 2, 12, 0, tzinfo=BERLIN).timestamp()


# A summer time's abbreviation for a day its clocks are on standard time says an offset the
# zone does not have then: "3am CEST" on a December night was 03:00 CET, an hour off one
# of the two readings, so it is asked about instead.
@pytest.mark.parametrize(("text", "now"), [
    ("restart checkout at 3am CEST", WINTER_NOON),
    ("restart checkout tomorrow at 9pm PDT", WINTER_NOON),
    ("restart checkout at 02:00 BST on friday", WINTER_NOON),
    ("drain node-2 tomorrow at 22:00 EEST", WINTER_NOON),
    ("restart checkout tomorrow at 3am AEDT", SUMMER_NOON),
    # Berlin's clocks go forward on 2026-03-29: the Thursday is still CET.
    ("restart checkout at 3am CEST", WEDNESDAY_NOON),
    ("from friday 18:00 until monday 08:00 CEST scale web to 0", WINTER_NOON),
])
def test_a_summer_time_said_of_a_winter_day_is_asked_about(text: str, now: float) -> None:
    with pytest.raises(TimingError, match=r"summer time.*UTC") as caught:
        find_timing(text, "UTC", now)
    assert caught.value.message.count("`") >= 2  # it says what to write instead


@pytest.mark.parametrize(("text", "now", "zone", "expression"), [
    ("restart checkout at 3am CEST", SUMMER_NOON, "CET", "2026-07-16 03:00"),
    ("restart checkout tomorrow at 9pm PDT", SUMMER_NOON, "America/Los_Angeles",
     "2026-07-16 21:00"),
    ("restart checkout tomorrow at 3am AEDT", WINTER_NOON, "Australia/Sydney",
     "2026-12-03 03:00"),
    # A standard time's name is said of the zone all year ("PST" in July), and a recurring
    # time is a wall-clock time through both seasons: both read as the zone's clock.
    ("restart checkout tomorrow at 9pm PST", SUMMER_NOON, "America/Los_Angeles",
     "2026-07-16 21:00"),
    ("every day at 3am CEST restart checkout", WINTER_NOON, "CET", "0 3 * * *"),
])
def test_a_zone_abbreviation_of_its_season_is_the_zones_clock(
        text: str, now: float, zone: str, expression: str) -> None:
    found = find_timing(text, "UTC", now)
    assert found is not None
    assert (found.timing.zone, found.timing.expression) == (zone, expression)


# An attacker review of the delays and zone words.
@pytest.mark.parametrize("text", [
    "restart api in 10 minutes instead of at 15:00",
    "restart api in 30 minutes, not at 15:00",
])
def test_two_times_for_one_request_are_refused(text: str) -> None:
    with pytest.raises(TimingError, match="two times"):
        find_timing(text, "UTC", WEDNESDAY_NOON)


@pytest.mark.parametrize(("text", "zone"), [
    ("restart api at 3am, it crashed at 2am PST", "UTC"),
    ("restart api tomorrow at 9am, the 8am ET standup wants it", "UTC"),
])
def test_a_zone_word_belongs_to_the_clock_it_follows(text: str, zone: str) -> None:
    found = find_timing(text, "UTC", WEDNESDAY_NOON)
    assert found is not None and found.timing.zone == zone


@pytest.mark.parametrize("text", ["restart api first thing in am",
                                  "set the cpu limit of api to 500m in prod",
                                  "restart api in a moment"])
def test_words_that_only_look_like_a_delay(text: str) -> None:
    assert find_timing(text, "UTC", WEDNESDAY_NOON) is None


def test_minutes_written_m_are_asked_about_not_guessed() -> None:
    # "500m" is also CPU millicores: a bare m after a number says no unit for sure.
    with pytest.raises(TimingError, match="minutes, or CPU millicores"):
        find_timing("set the cpu limit of api in 500m", "UTC", WEDNESDAY_NOON)


def test_a_clock_with_a_zone_word_is_a_time_even_without_at() -> None:
    found = find_timing("restart checkout-api in prod 03:00 PST", "UTC", WEDNESDAY_NOON)
    assert found is not None
    assert (found.timing.zone, found.timing.expression) == ("America/Los_Angeles",
                                                            "2026-03-26 03:00")


def test_a_delay_across_a_clock_change_is_real_time() -> None:
    # Berlin, 2026-03-29 01:30 (CET): the clocks jump from 02:00 to 03:00.
    before_jump = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN).timestamp()
    found = find_timing("restart api in 2 hours", "Europe/Berlin", before_jump)
    assert found is not None
    assert found.timing.firings(before_jump, 1)[0].at == before_jump + 2 * 3600


# A second trial: each of these was dropped, and the restart planned for now.
@pytest.mark.parametrize("text", [
    "restart checkout-api in prod in a bit", "restart checkout-api in prod tonight",
    "restart checkout-api in prod later today", "restart checkout-api in prod at 0300 UTC",
    "restart checkout-api in prod at 3 CET", "restart checkout-api in prod in 5'",
    "restart checkout-api in prod in a while",
    # A third trial: a day without a clock, the same ("tomorrow" ran at once, approved).
    "restart checkout-api in staging tomorrow", "restart checkout-api in staging next week",
    "restart checkout-api in staging tomorrow morning",
    "suspend nightly-report in prod over the weekend", "restart api on monday morning",
    "after the release tonight, roll checkout-api in staging back to revision 1",
    "every weekday at 6 scale checkout-api in staging to 0",
])
def test_a_time_it_cannot_read_is_refused_not_dropped(text: str) -> None:
    with pytest.raises(TimingError):
        find_timing(text, "UTC", WEDNESDAY_NOON)


@pytest.mark.parametrize(("text", "expression"), [
    ("restart checkout-api in prod in ten minutes", "2026-03-25 12:10"),
    ("restart checkout-api in prod in thirty minutes", "2026-03-25 12:30"),
    ("restart checkout-api in prod in two hours", "2026-03-25 14:00"),
    ("restart checkout-api in prod in 1h30", "2026-03-25 13:30"),
])
def test_delays_in_words_and_hours_with_minutes(text: str, expression: str) -> None:
    found = find_timing(text, "Europe/Berlin", WEDNESDAY_NOON)
    assert found is not None and found.timing.expression == expression


@pytest.mark.parametrize("text", ["what happened tonight?", "show logs of api from later on",
                                  "api will be fine in a bit"])
def test_those_words_beside_no_action_are_no_time(text: str) -> None:
    assert find_timing(text, "UTC", WEDNESDAY_NOON) is None


def test_an_exact_time_wins_over_a_vague_word_for_the_same_day() -> None:
    found = find_timing("drain node-2 tonight at 22:00, and uncordon it before tonight ends",
                        "UTC", WEDNESDAY_NOON)
    assert found is not None and found.timing.expression == "2026-03-25 22:00"


def test_a_delay_with_a_summer_time_word_is_still_a_delay() -> None:
    # An attacker review: "in 2 hours CEST" in winter was refused; a delay names no clock.
    found = find_timing("restart calc-app in 2 hours CEST", "UTC", WINTER_NOON)
    assert found is not None and found.timing.kind == "once"


@pytest.mark.parametrize(("text", "phrase"), [
    # A question of what something is or will do, the order in another sentence: context
    # (a fourth user trial: "tonight" refused as a vague time to suspend it).
    ("Is nightly-report going to run tonight? If it is, suspend it.", None),
    ("does the backup run at 23:00? if so pause nightly-report", None),
    ("when will it run at 23:30? suspend it now", None),
    # A question that asks for the act, or one with no order elsewhere, keeps its time.
    ("can you restart api at 23:00?", "at 23:00"),
    ("will you scale it at 23:00?", "at 23:00"),
    ("is api going to restart at 23:00? it should", "at 23:00"),
    ("suspend nightly-report at 23:00. is that ok?", "at 23:00"),
])
def test_a_time_in_a_question_of_the_state_is_context(text: str, phrase: str | None) -> None:
    noon = datetime(2026, 12, 6, 12, 0, tzinfo=UTC).timestamp()
    found = find_timing(text, "UTC", noon)
    assert (found.phrase if found else None) == phrase


@pytest.mark.parametrize(("text", "phrase"), [
    # A question whether the time suits proposes it for the order (an attacker review of
    # the first version: each was planned for now, the time dropped).
    ("drain node-2 for the disk swap. Is tomorrow at 09:00 ok?", "tomorrow at 09:00"),
    ("cordon node-1 for maintenance. Is tonight at 23:00 fine?", "tonight at 23:00"),
])
def test_a_time_asked_about_for_the_order_is_its_time(text: str, phrase: str) -> None:
    noon = datetime(2026, 12, 6, 12, 0, tzinfo=UTC).timestamp()
    found = find_timing(text, "UTC", noon)
    assert found is not None and found.phrase == phrase
