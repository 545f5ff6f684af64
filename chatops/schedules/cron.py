"""A small five-field cron parser (`minute hour day-of-month month day-of-week`) and its
firings in a time zone, correct across daylight-saving changes.

Written here rather than taken from PyPI: the grammar is small, and what happens on a
DST change is a safety question the bot must answer the same way everywhere:

* a wall-clock time that does not exist that day (02:30 when clocks jump from 02:00 to
  03:00) fires at the same instant the offset before the jump gives it, i.e. 03:30 local;
* a wall-clock time that happens twice (02:30 when clocks go back) fires once, at the
  first occurrence;
* two wall-clock times that fall on the same instant fire once.

Day-of-month and day-of-week follow Vixie cron: when both are restricted, a day matching
either matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chatops.errors import Refusal

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_PART = re.compile(r"^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(\d+))?$")
MAX_DAYS = 8 * 366
"""How far ahead a firing is looked for: long enough for `0 0 29 2 *` after a leap day."""


class CronError(Refusal):
    """A cron expression that can't be read; the message says which field and why."""


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression: the allowed values of each field."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    """0 = Sunday ... 6 = Saturday (7 is read as Sunday)."""
    any_day: bool
    any_weekday: bool

    def matches_day(self, day: date) -> bool:
        """Whether `day` is one the expression fires on (hours and minutes aside)."""
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.any_day and self.any_weekday:
            return True
        if self.any_day:
            return in_week
        if self.any_weekday:
            return in_month
        return in_month or in_week

    def after(self, instant: float, zone: ZoneInfo, count: int) -> list[float]:
        """The next `count` firings strictly after `instant` (epoch seconds), in order."""
        out: list[float] = []
        start = datetime.fromtimestamp(instant, zone).date()
        times = sorted(time(h, m) for h in self.hours for m in self.minutes)
        for offset in range(MAX_DAYS):
            day = start + timedelta(days=offset)
            if not self.matches_day(day):
                continue
            for at in times:
                # fold=0: the first of two occurrences; in a gap, the offset before the jump.
                fire = datetime.combine(day, at, zone).replace(fold=0).timestamp()
                if fire > instant and (not out or fire > out[-1]):
                    out.append(fire)
                    if len(out) == count:
                        return out
        return out


def _value(token: str, names: dict[str, int], lo: int, hi: int, field: str) -> int:
    if token.isdigit():
        value = int(token)
    elif token[:3] in names and (token in names or len(token) > 3):
        value = names[token[:3]]
    else:
        raise CronError(f"cron {field}: {token!r} is not a number")
    if not lo <= value <= hi:
        raise CronError(f"cron {field}: {value} is outside {lo}-{hi}")
    return value


def _field(text: str, field: str, lo: int, hi: int,
           names: dict[str, int] | None = None) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    for part in text.lower().split(","):
        match = _PART.match(part)
        if match is None:
            raise CronError(f"cron {field}: {part!r} is not a value, range or step")
        base, step_text = match.groups()
        step = int(step_text) if step_text else 1
        if step < 1:
            raise CronError(f"cron {field}: a step must be at least 1")
        if base == "*":
            first, last = lo, hi
        elif "-" in base:
            a, b = base.split("-", 1)
            first, last = (_value(a, names or {}, lo, hi, field),
                           _value(b, names or {}, lo, hi, field))
            if first > last:
                raise CronError(f"cron {field}: the range {base} runs backwards")
        else:
            first = _value(base, names or {}, lo, hi, field)
            last = hi if step_text else first
        values.update(range(first, last + 1, step))
    return frozenset(values), text == "*"


def parse_cron(expression: str) -> Cron:
    """Read a five-field cron expression, or raise `CronError` naming the field."""
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(f"a cron expression has 5 fields (minute hour day month weekday), "
                        f"not {len(fields)}")
    minutes, _ = _field(fields[0], "minute", 0, 59)
    hours, _ = _field(fields[1], "hour", 0, 23)
    days, any_day = _field(fields[2], "day of month", 1, 31)
    months, _ = _field(fields[3], "month", 1, 12, _MONTHS)
    weekdays, any_weekday = _field(fields[4], "day of week", 0, 7, _DAYS)
    weekdays = frozenset(d % 7 for d in weekdays)
    return Cron(" ".join(fields), minutes, hours, days, months, weekdays, any_day, any_weekday)
