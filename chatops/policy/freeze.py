"""Freeze windows: `freeze: [{from, to, reason, tz}]` in the policy file, times when no
schedule may change anything (a release weekend, the end of the year).

Read as strictly as the rest of the file: an unknown key, a missing reason, a time that is
not a time, a window that ends before it starts, or a time without an offset when no `tz`
says which zone it is in are errors naming the entry. A freeze blocks a schedule's firing
(it is reported, not run); typed requests are for the approvers to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatops.policy.checks import _at, _kind, _mapping, _string
from chatops.policy.decisions import PolicyError

_FREEZE_KEYS = ("from", "to", "reason", "tz")
MAX_FREEZES = 100


@dataclass(frozen=True)
class Freeze:
    """One freeze window, [start, end) in epoch seconds, and why."""

    start: float
    end: float
    reason: str

    def covers(self, instant: float) -> bool:
        """Whether `instant` (epoch seconds) is inside the window."""
        return self.start <= instant < self.end


def _moment(value: Any, where: str, zone: ZoneInfo | None) -> float:
    if isinstance(value, datetime):
        moment = value
    else:
        text = _string(value, where)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise PolicyError(f"{where}: {text!r} is not a date and time; write e.g. "
                              "2026-12-20T00:00:00+01:00, or give tz") from None
    if moment.tzinfo is None:
        if zone is None:
            raise PolicyError(f"{where}: {value!s} has no UTC offset and the entry no tz; "
                              "write e.g. 2026-12-20T00:00:00+01:00, or add tz: Europe/Berlin")
        moment = moment.replace(tzinfo=zone)
    return moment.timestamp()


def parse_freeze(raw: Any) -> tuple[Freeze, ...]:
    """The `freeze` section: a list of windows, or a `PolicyError` naming the entry."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise PolicyError(f"freeze: must be a list of {{from, to, reason}}, not {_kind(raw)}")
    if len(raw) > MAX_FREEZES:
        raise PolicyError(f"freeze: at most {MAX_FREEZES} windows")
    out = []
    for i, entry in enumerate(raw):
        where = f"freeze[{i}]"
        fields = _mapping(entry, where, _FREEZE_KEYS)
        for key in ("from", "to", "reason"):
            if key not in fields:
                raise PolicyError(f"{_at(where, key)}: required")
        zone = None
        if "tz" in fields:
            name = _string(fields["tz"], _at(where, "tz"))
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise PolicyError(f"{_at(where, 'tz')}: {name!r} is not a time zone (e.g. "
                                  "Europe/Berlin, UTC)") from None
        start = _moment(fields["from"], _at(where, "from"), zone)
        end = _moment(fields["to"], _at(where, "to"), zone)
        if end <= start:
            raise PolicyError(f"{_at(where, 'to')}: the window ends before it starts")
        reason = _string(fields["reason"], _at(where, "reason")).strip()
        if not reason:
            raise PolicyError(f"{_at(where, 'reason')}: say why (it is shown to people)")
        out.append(Freeze(start, end, reason))
    return tuple(out)
