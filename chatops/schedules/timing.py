"""When a schedule fires: the time phrase of a message, found and cut out deterministically,
and the firings it gives.

`find_timing` takes "every day at 03:00 restart checkout in staging" apart into a `Timing`
(cron `0 3 * * *` in the default zone) and the request "restart checkout in staging",
which then goes through the model or the grammar unchanged: the NLU model never sees time
words, so it needs no retraining. What it understands:

* recurring: `every day|night at 03:00`, `daily at 03:00`, `every weekday at 07:30`,
  `every monday at 9am`, `every hour`, `every 15 minutes`;
* once: `at 02:00`, `today|tonight|tomorrow at 02:00`, `on saturday at 02:00`,
  `on 2026-12-05 at 02:00`, `at 2026-12-05 02:00`;
* a delay from now: `in 10 minutes`, `in 2 hours`, `in an hour`, `in half an hour`,
  `in 15m` (once, at the next whole minute after it);
* a window: `from friday 18:00 until monday 08:00` (the runbook at the start, its undo at
  the end);
* explicit: `at "0 3 * * *"` (cron), `at "2026-12-05 02:00"`, `from "..." until "..."`;
* a zone anywhere: `tz=Europe/Berlin` (else the configured default), or a common
  abbreviation right after the time (`at 3am CET`, `03:00 PST`; one that names several
  zones, such as IST or CST, is refused with how to name it; so is a summer time's, such
  as CEST, said of a one-off time when its zone is on standard time).

Times are wall-clock times in the zone; the firings are epoch seconds (`Firing.at`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatops.errors import Refusal
from chatops.schedules.context import (
    Message,
    asked_of_the_state,
    said_as_a_request,
    said_of_the_past,
    set_in_the_sentence,
)
from chatops.schedules.cron import CronError, parse_cron

Kind = Literal["cron", "once", "window"]
Phase = Literal["run", "start", "end"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
        r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)")
_FULL_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
"""Day names written out: alone, a day without a clock (abbreviations may be names)."""
_CLOCK = r"(?:\d{1,2}:\d{2}(?:\s*[ap]m)?|\d{1,2}\s*[ap]m)"
_DATE = r"\d{4}-\d{2}-\d{2}"
_HEAD = rf"(?:{_DAY}|today|tonight|tomorrow|{_DATE})"
_POINT = rf"(?:(?:on\s+)?{_HEAD}\s+(?:at\s+)?)?{_CLOCK}"
_CLOCK_ONLY = re.compile(_CLOCK, re.IGNORECASE)
_DAY_AFTER = re.compile(rf"\s+(?:on\s+)?({_HEAD})(?=\s|$|[.!?,;:)\]])", re.IGNORECASE)
"""A day right after a clock's zone ("at 3am ET tomorrow", "03:00 PST on friday")."""
_POINT_PARTS = re.compile(rf"(?:on\s+)?(?:({_HEAD})\s+(?:at\s+)?)?({_CLOCK})", re.IGNORECASE)
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
}
_NUMBER = (r"\d{1,5}(?:\.\d+)?|"
           + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)))
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|h)\b"
"""Units of a delay. Not a bare "m": "in 500m" may be CPU millicores (it is asked about)."""
_MINUTES_IN = {"m": 1, "h": 60}
MAX_DELAY_MINUTES = 7 * 24 * 60
"""The longest delay said from now ("in 10 minutes"); beyond it, a date says it better."""
_ZONE_WORDS = {
    "utc": "UTC", "gmt": "UTC", "z": "UTC",
    "cet": "CET", "cest": "CET", "eet": "EET", "eest": "EET", "wet": "WET", "west": "WET",
    "bst": "Europe/London",
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "jst": "Asia/Tokyo", "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
}
"""Zone abbreviations with one common meaning, as the zone whose wall clock they name (PST
in summer is still meant as Pacific time)."""
_SUMMER_WORDS = {"cest": "CET", "eest": "EET", "west": "WET", "bst": "GMT", "edt": "EST",
                 "mdt": "MST", "pdt": "PST", "aedt": "AEST"}
"""Summer times' abbreviations, each with its zone's standard time. Said of a day the zone
is on standard time, one names an offset the zone does not have then (`_in_season`)."""
_AMBIGUOUS_ZONES = {"ist": "Asia/Kolkata, Europe/Dublin or Asia/Jerusalem",
                    "cst": "America/Chicago or Asia/Shanghai",
                    "ct": "America/Chicago or Asia/Shanghai",
                    "ast": "America/Halifax or Asia/Riyadh"}
_ZONES = "|".join(sorted({*_ZONE_WORDS, *_AMBIGUOUS_ZONES}, key=len, reverse=True))
_ZONE_AFTER = re.compile(rf"\s+({_ZONES})(?=\s|$|[.!?,])", re.IGNORECASE)
"""A zone abbreviation right after a time phrase's clock ("at 3am CET")."""
_TZ = re.compile(r"(?:^|\s)tz\s*[=:]?\s*([A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)*|UTC)(?=\s|$)",
                 re.IGNORECASE)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    # A phrase may stand in brackets or before a colon: "(in 10 minutes)", "in 2 hours:".
    (name, re.compile(rf"(?:^|(?<=[\s(\[]))(?:{pattern})(?=\s|$|[.!?,;:)\]])",
                      re.IGNORECASE))
    for name, pattern in (
        ("explicit_window", r'from\s+"([^"]+)"\s+(?:until|till|to)\s+"([^"]+)"'),
        ("explicit", r'at\s+"([^"]+)"'),
        ("window", rf"from\s+({_POINT})\s+(?:until|till|to)\s+({_POINT})"),
        ("every_n", r"every\s+(\d{1,2})\s+minutes?"),
        ("every_hour", r"every\s+hour|hourly"),
        ("every_day", rf"(?:every\s+(day|night|weekday|{_DAY})s?|daily|nightly)\s+at\s+"
                      rf"({_CLOCK})"),
        # The day after the clock: "at 9pm tomorrow", "at 9am on friday".
        ("once_day_after", rf"at\s+({_CLOCK})\s+(?:on\s+)?({_HEAD})\b"),
        # A bare clock time is not enough ("logs since 10:00"): `at` or a day must say so.
        ("once", rf"at\s+({_POINT})|((?:on\s+)?{_HEAD}\s+(?:at\s+)?{_CLOCK})"),
        # A clock with a zone after it says it is a time ("03:00 PST"), even without `at`.
        ("zoned", rf"()({_CLOCK})(?=\s+(?:{_ZONES})(?:\s|$|[.!?,]))"),
        ("delay", rf"in\s+({_NUMBER})\s*({_UNIT})|({_NUMBER})\s*({_UNIT})\s+from\s+now"),
        ("delay", r"in\s+(an?|half\s+an)\s+(minute|min|hour|hr)\b"),
        ("delay_hm", r"in\s+(\d{1,2})\s*h\s*(\d{1,2})(?:\s*m(?:in)?)?\b"),
        # Said, but not when: planned now, it would run at a time nobody asked for.
        ("vague_delay", r"in\s+(?:a\s+few|a\s+couple(?:\s+of)?|some|several"
                        rf"|\d+\s*(?:-|to)\s*\d+)\s+{_UNIT}"),
        # Times said but not readable (a second trial: each was dropped, the change planned
        # for now): "in a bit", "tonight" without a clock, "later", "at 0300", "at 3", "5'".
        # A day without a clock (a trial: "restart it tomorrow" ran at once when approved).
        ("vague_delay", rf"(?:tomorrow|tmrw|tmr)(?:\s+(?:morning|afternoon|evening|night))?"
                        rf"|next\s+(?:week|month|{_FULL_DAY})|(?:over|on|for|this)\s+the\s+"
                        rf"weekend|this\s+(?:weekend|morning|afternoon|evening)"
                        rf"|(?:on\s+)?{_FULL_DAY}(?:\s+(?:morning|afternoon|evening|night))?"
                        # "every weekday at 6": am or pm? (a clock with them is a cron)
                        rf"|every\s+(?:day|night|weekday|{_FULL_DAY})s?\s+at\s+\d{{1,2}}"
                        r"(?![\d:]|\s*[ap]\.?m)"),
        ("vague_delay", r"in\s+a\s+(?:bit|while)|tonight|later\s+(?:today|tonight)"
                        r"|in\s+\d+\s*'"
                        # "at 0300", "at 3" (am or pm?), as a time: at the end, or before a
                        # zone or a day word ("at 3 replicas" is none).
                        rf"|at\s+(?:(?:[01]\d|2[0-3])[0-5]\d|\d{{1,2}})"
                        # Not a number's decimals ("sitting at 1.7Gi" is no "at 1").
                        rf"(?=\s*(?:$|[.!?,](?!\d))|\s+(?:{_ZONES}|o'?clock|today|tonight|tomorrow"
                        r"|hours|hrs)\b)"),
        ("delay_m", r"in\s+(\d{1,5})(m)\b"),
    ))
MAX_PHRASE_MINUTES = 59
_DELAYS = ("delay", "vague_delay", "delay_m", "delay_hm")
_CPU_WORDS = re.compile(r"\b(?:cpus?|cores?|millicores?|millicpu)\b", re.IGNORECASE)
"""Beside these, "in 500m" may be CPU millicores, not minutes: it is asked about."""
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|our|my|your|their|this|that|its)\s+$",
                                re.IGNORECASE)
"""Before a zoned clock, a noun's modifier ("the 8am ET standup"), not a time to act."""
"""Phrases that are a schedule only next to a verb the bot acts on (`said_as_a_request`)."""
_EXPLICIT = ("explicit", "explicit_window")


class TimingError(Refusal):
    """A time phrase that can't be used (a bad zone, a time in the past)."""

    vague: bool = False
    """A time said without saying when ("tomorrow", "in a bit"): refused beside a change
    (planned now, it would run at a time nobody asked for); a read may answer now."""


@dataclass(frozen=True)
class Firing:
    """One moment a schedule acts: when (epoch seconds) and what (`run`, or a window's
    `start` and `end`)."""

    at: float
    phase: Phase


@dataclass(frozen=True)
class Timing:
    """When a schedule fires. `expression` is a cron expression (`cron`) or a local
    `YYYY-MM-DD HH:MM` (`once`, and a window's start); `until` is a window's end."""

    kind: Kind
    expression: str
    zone: str
    until: str | None = None

    def __post_init__(self) -> None:
        zone_info(self.zone)
        if self.kind == "cron":
            parse_cron(self.expression)
        else:
            start = _local(self.expression)
            if self.kind == "window" and (self.until is None or _local(self.until) <= start):
                raise TimingError("a window ends after it starts")

    def firings(self, after: float, count: int) -> list[Firing]:
        """The next `count` firings strictly after `after` (epoch seconds), in order."""
        zone = zone_info(self.zone)
        if self.kind == "cron":
            return [Firing(t, "run") for t in parse_cron(self.expression).after(after, zone,
                                                                                 count)]
        start = _local(self.expression).replace(tzinfo=zone).timestamp()
        if self.kind == "once":
            points = [Firing(start, "run")]
        else:
            assert self.until is not None
            end = _local(self.until).replace(tzinfo=zone).timestamp()
            points = [Firing(start, "start"), Firing(end, "end")]
        return [p for p in points if p.at > after][:count]

    def to_json(self) -> dict[str, str | None]:
        """What the schedule store keeps."""
        return {"kind": self.kind, "expression": self.expression, "zone": self.zone,
                "until": self.until}

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> Timing:
        """The timing `to_json` stored."""
        kinds: dict[str | None, Kind] = {"cron": "cron", "once": "once", "window": "window"}
        kind = kinds.get(data["kind"])
        if kind is None:
            raise TimingError(f"not a kind of timing: {data['kind']!r}")
        return cls(kind, str(data["expression"]), str(data["zone"]), data.get("until"))


@dataclass(frozen=True)
class Found:
    """A message split into its timing and the request that is left."""

    timing: Timing
    request: str
    phrase: str


def zone_info(name: str) -> ZoneInfo:
    """The zone called `name`, or a `TimingError` that says how zones are named."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimingError(f"{name!r} is not a time zone; name one like Europe/Berlin or "
                          "UTC") from exc


def _local(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise TimingError(f"{text!r} is not a date and time like 2026-12-05 02:00") from exc


def _clock(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*([ap]m)?", text.strip().lower())
    if match is None:
        raise TimingError(f"{text!r} is not a time of day like 03:00")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3):
        if not 1 <= hour <= 12:
            raise TimingError(f"{text!r} is not a time of day")
        hour = hour % 12 + (12 if match.group(3) == "pm" else 0)
    if hour > 23 or minute > 59:
        raise TimingError(f"{text!r} is not a time of day")
    return time(hour, minute)


def _weekday(word: str) -> int:
    word = word.lower()
    return next(i for i, day in enumerate(_WEEKDAYS) if day.startswith(word[:3]))


_NIGHT_ENDS = 6
"""The hour before which a time "tonight" is in the small hours after midnight."""


def _point(text: str, after: datetime) -> datetime:
    """A local point in time (`friday 18:00`, `tomorrow 02:00`, `02:00`), the first one
    after `after` (a naive local time)."""
    match = _POINT_PARTS.fullmatch(text.strip())
    if match is None:  # pragma: no cover - the patterns only hand over points
        raise TimingError(f"{text!r} is not a time I can read")
    head, at = (match.group(1) or "").lower(), _clock(match.group(2))
    if re.fullmatch(_DATE, head):
        return datetime.combine(date.fromisoformat(head), at)
    if head == "tonight" and at.hour < _NIGHT_ENDS and datetime.combine(after.date(), at) <= after:
        # "tonight at 2am", said in the evening or the day before: the small hours after
        # this evening, on tomorrow's date (a user trial: "already past").
        return datetime.combine(after.date() + timedelta(days=1), at)
    if head in ("today", "tonight"):
        return datetime.combine(after.date(), at)
    if head == "tomorrow":
        return datetime.combine(after.date() + timedelta(days=1), at)
    day = after.date()
    for _ in range(8):
        candidate = datetime.combine(day, at)
        if candidate > after and (not head or candidate.weekday() == _weekday(head)):
            return candidate
        day += timedelta(days=1)
    raise TimingError(f"{text!r} names no time I can find")  # pragma: no cover


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _cron_of(kind: str, clock: str) -> str:
    at = _clock(clock)
    word = kind.lower()
    if word in ("day", "night", "daily", "nightly"):
        weekdays = "*"
    elif word == "weekday":
        weekdays = "1-5"
    else:
        weekdays = str((_weekday(word) + 1) % 7)
    return f"{at.minute} {at.hour} * * {weekdays}"


def _phrases(text: str, judged: bool = True, read: Message | None = None
             ) -> Iterator[tuple[str, re.Match[str], bool]]:
    """Every time phrase of `text`, pattern by pattern, with whether it tells of the past
    (`context.said_of_the_past`; never, unless `judged`). `read`: `text` already read."""
    message = (read or Message.read(text)) if judged else None
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            past = (message is not None and name not in _EXPLICIT
                    and said_of_the_past(message, match.start(), match.end()))
            yield name, match, past


def context_times(text: str) -> tuple[str, ...]:
    """The time phrases of `text` that say when something happened (not a schedule)."""
    return tuple(dict.fromkeys(m.group(0) for _, m, past in _phrases(text) if past))


def find_timing(text: str, default_zone: str, now: float, *,
                past_is_context: bool = True) -> Found | None:
    """The time phrase of `text` and the request without it, or None when there is none.

    A phrase in a clause about the past is context, not a schedule ("calc-app restarted at
    4am, why?"), unless `past_is_context` is False (the message said `schedule:` itself).
    `now` (epoch seconds) anchors relative phrases (`on saturday` is the next Saturday).
    Raises `TimingError` for a phrase that is there but unusable (an unknown zone, a bad
    cron expression, a one-shot time already past).
    """
    zone_name = default_zone
    rest = text
    if tz_match := _TZ.search(rest):
        zone_name = tz_match.group(1)
        rest = (rest[:tz_match.start()] + " " + rest[tz_match.end():]).strip()
    zone_info(zone_name)
    read = Message.read(rest)
    usable: list[tuple[str, re.Match[str]]] = []
    for name, match, past in _phrases(rest, judged=past_is_context, read=read):
        if past_is_context and asked_of_the_state(read, match.start(), match.end()):
            continue  # "is it going to run tonight? if so, suspend it": the question's
        if past or (name in _DELAYS and past_is_context
                    and not said_as_a_request(read, match.start(), match.end())
                    and not (name == "vague_delay"
                             and set_in_the_sentence(read, match.start(), match.end()))):
            continue
        if name == "zoned" and _DETERMINER_BEFORE.search(rest[:match.start()]):
            continue
        if not any(match.start() < m.end() and m.start() < match.end() for _, m in usable):
            usable.append((name, match))
    if any(name != "vague_delay" for name, _ in usable):
        # "tonight at 22:00 ... back by tonight": the exact time is the one.
        usable = [(name, m) for name, m in usable if name != "vague_delay"]
    if len(usable) > 1:
        # "restart api in 10 minutes instead of at 15:00": either could be a time nobody
        # asked for (the first found used to win).
        said = " and ".join(repr(m.group(0)) for _, m in usable[:2])
        raise TimingError(f"two times for one request ({said}): say one")
    if usable:
        name, match = usable[0]
        end = match.end()
        day: re.Match[str] | None = None
        clock: re.Match[str] | None = None
        summer: str | None = None
        if tz_match is None and (word := _zone_after(rest, end)) is not None:
            zone_name, end = word
            summer = rest[match.end():end].strip()
            summer = summer if summer.lower() in _SUMMER_WORDS else None
            # "at 3am ET tomorrow": the day after the zone is the clock's (an attacker
            # review: it was left in the request, and the schedule fired today).
            said = (match.group(1) if name == "once" else
                    match.group(2) if name == "zoned" else None) or ""
            clock = _CLOCK_ONLY.fullmatch(said)
            if clock is not None and (day := _DAY_AFTER.match(rest, end)) is not None:
                end = day.end()
        try:
            timing = (_on_day(clock.group(0), day.group(1), zone_name, now)
                      if day is not None and clock is not None
                      else _timing(name, match, zone_name, now))
        except CronError as exc:
            raise TimingError(exc.message) from exc
        request = re.sub(r"\(\s*\)|\[\s*\]", " ", rest[:match.start()] + " " + rest[end:])
        request = re.sub(r"\s+", " ", request).strip(" ,;:-")
        if timing.kind != "cron" and not timing.firings(now, 1):
            raise TimingError(f"{match.group(0)!r} is already past in {zone_name}")
        if summer is not None and name not in _DELAYS:
            # (A delay is from now in any zone: "in 2 hours CEST" names no wall clock.)
            _in_season(summer, timing, now)
        return Found(timing, request, rest[match.start():end])
    if tz_match is not None:
        raise TimingError("a time zone was given, but no time: say when, e.g. "
                          "`every day at 03:00` or `at \"2026-12-05 02:00\"`")
    return None


def _zone_after(text: str, end: int) -> tuple[str, int] | None:
    """The zone a common abbreviation right after the time phrase ending at `end` names
    ("at 3am CET"), and where the abbreviation ends; None when none follows it (a zone
    word after another clock of the message is that clock's). One with several meanings
    is refused: an hour off is a change at a time nobody asked for."""
    match = _ZONE_AFTER.match(text, end)
    if match is None:
        return None
    word = match.group(1).lower()
    if word in _AMBIGUOUS_ZONES:
        raise TimingError(f"{match.group(1)} names more than one time zone "
                          f"({_AMBIGUOUS_ZONES[word]}): say which with tz=, e.g. "
                          f"tz={_AMBIGUOUS_ZONES[word].split(',')[0].split(' or ')[0]}")
    return _ZONE_WORDS[word], match.end()


def _in_season(word: str, timing: Timing, now: float) -> None:
    """Refuse a summer time's abbreviation said of a one-off time when its zone is on
    standard time ("3am CEST" on a December night): the person meant either the zone's
    clock (CET then) or the offset they named, an hour apart, and either guess may be a
    change at a time nobody asked for. A recurring time is a wall-clock time through both
    seasons, so it stays the zone's clock."""
    if timing.kind == "cron":
        return
    zone = zone_info(timing.zone)
    for firing in timing.firings(now, 2):
        moment = datetime.fromtimestamp(firing.at, zone)
        if not moment.dst():
            standard = _SUMMER_WORDS[word.lower()]
            offset = moment.strftime("%z")
            raise TimingError(
                f"{word} is summer time, but on {moment:%Y-%m-%d} that zone is on standard "
                f"time ({standard}, UTC{offset[:3]}:{offset[3:]}): say `{standard}` for the "
                f"clock there, or give the time in `UTC`")


def _delay(amount: str, unit: str, now: float) -> float:
    """The instant `amount` `unit` from `now` (real time: across a clock change too), up
    to the next whole minute (a once schedule says minutes: never earlier than asked)."""
    words = {"a": 1.0, "an": 1.0, **{w: float(n) for w, n in _WORD_NUMBERS.items()}}
    value = words.get(amount.lower()) or (0.5 if amount.lower().startswith("half") else None)
    count = value if value is not None else float(amount)
    minutes = count * _MINUTES_IN[unit.lower()[0]]
    if not 0 < minutes <= MAX_DELAY_MINUTES:
        raise TimingError(f"in {amount} {unit}: say a delay of up to a week, or a date and "
                          "time")
    at = now + minutes * 60
    return float(-(-at // 60) * 60)


def _once_at(instant: float, zone_name: str) -> Timing:
    """Once, at `instant`, said in the zone's wall clock; in UTC where that wall clock
    names the instant twice (the hour repeated when clocks go back): a wall-clock time
    there is read as its first pass (an attacker review: "in 1 hour" said during the
    first pass fired at once)."""
    zone = zone_info(zone_name)
    local = datetime.fromtimestamp(instant, zone).replace(tzinfo=None)
    if local.replace(tzinfo=zone, fold=0).timestamp() == instant:
        return Timing("once", _fmt(local), zone_name)
    return Timing("once", _fmt(datetime.fromtimestamp(instant, UTC).replace(tzinfo=None)),
                  "UTC")


def _vague(message: str) -> TimingError:
    error = TimingError(message)
    error.vague = True
    return error


def _on_day(clock: str, day: str, zone_name: str, now: float) -> Timing:
    """Once, at `clock` on `day` ("tomorrow", "friday", a date) in the zone."""
    local_now = datetime.fromtimestamp(now, zone_info(zone_name)).replace(tzinfo=None)
    return Timing("once", _fmt(_point(f"{day} at {clock}", local_now)), zone_name)


def _timing(name: str, match: re.Match[str], zone_name: str, now: float) -> Timing:
    zone = zone_info(zone_name)
    local_now = datetime.fromtimestamp(now, zone).replace(tzinfo=None)
    if name == "explicit":
        value = match.group(1).strip()
        if len(value.split()) == 5:
            parse_cron(value)
            return Timing("cron", " ".join(value.split()), zone_name)
        return Timing("once", _fmt(_local(value)), zone_name)
    if name == "explicit_window":
        return Timing("window", _fmt(_local(match.group(1))), zone_name,
                      _fmt(_local(match.group(2))))
    if name == "window":
        start = _point(match.group(1), local_now)
        end = _point(match.group(2), start)
        return Timing("window", _fmt(start), zone_name, _fmt(end))
    if name == "every_n":
        minutes = int(match.group(1))
        if not 1 <= minutes <= MAX_PHRASE_MINUTES:
            raise TimingError(f"every {minutes} minutes: say 1 to {MAX_PHRASE_MINUTES}, or "
                              "use a cron expression")
        return Timing("cron", f"*/{minutes} * * * *", zone_name)
    if name == "every_hour":
        return Timing("cron", "0 * * * *", zone_name)
    if name == "every_day":
        kind = match.group(1) or match.group(0).split()[0]
        return Timing("cron", _cron_of(kind, match.group(2)), zone_name)
    if name == "delay_m" and _CPU_WORDS.search(match.string):
        raise TimingError(f"{match.group(0)!r}: minutes, or CPU millicores? Say `in "
                          f"{match.group(1)} minutes` for a time")
    if name in ("delay", "delay_m"):
        groups = [g for g in match.groups() if g]
        return _once_at(_delay(groups[0], groups[1], now), zone_name)
    if name == "delay_hm":
        total = str(int(match.group(1)) * 60 + int(match.group(2)))
        return _once_at(_delay(total, "minutes", now), zone_name)
    if name == "vague_delay":
        raise _vague(f"{match.group(0)!r} says no exact time: say when, e.g. `in 10 "
                          "minutes` or `at 14:30`, or ask without a time to do it now")
    if name == "zoned":
        return Timing("once", _fmt(_point(match.group(2), local_now)), zone_name)
    if name == "once_day_after":
        return Timing("once", _fmt(_point(f"{match.group(2)} at {match.group(1)}", local_now)),
                      zone_name)
    return Timing("once", _fmt(_point(match.group(1) or match.group(2), local_now)), zone_name)
