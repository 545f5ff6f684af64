"""The policy's `freeze` windows: read strictly, each error naming the entry and the key and
saying how to write it; a window covers [from, to)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chatops.demo import DEMO_POLICY
from chatops.policy.decisions import PolicyError
from chatops.policy.freeze import MAX_FREEZES, parse_freeze
from chatops.policy.rules import parse_policy

GOOD = {"from": "2026-12-20T00:00:00+01:00", "to": "2027-01-02T00:00:00+01:00",
        "reason": "end of year"}


def at(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def test_a_window_covers_its_start_not_its_end() -> None:
    policy = parse_policy({**DEMO_POLICY, "freeze": [GOOD]})
    (window,) = policy.freeze
    assert policy.frozen_at(at(GOOD["from"])) == window
    assert policy.frozen_at(at(GOOD["to"]) - 1) == window
    assert policy.frozen_at(at(GOOD["to"])) is None
    assert policy.frozen_at(at(GOOD["from"]) - 1) is None
    assert window.reason == "end of year"


def test_tz_places_times_without_an_offset_and_yaml_datetimes_are_taken() -> None:
    (berlin,) = parse_freeze([{"from": "2026-07-01 02:00", "to": "2026-07-01 04:00",
                               "reason": "r", "tz": "Europe/Berlin"}])
    assert berlin.start == datetime(2026, 7, 1, 0, 0, tzinfo=UTC).timestamp()  # CEST, +2
    (parsed,) = parse_freeze([{"from": datetime(2026, 7, 1, tzinfo=UTC),
                               "to": datetime(2026, 7, 2, tzinfo=UTC), "reason": "r"}])
    assert parsed.end - parsed.start == 86400
    assert parse_freeze(None) == () and parse_policy(DEMO_POLICY).freeze == ()


@pytest.mark.parametrize(("raw", "message"), [
    ({"from": "x"}, "freeze: must be a list of {from, to, reason}, not a mapping"),
    ([{**GOOD, "until": "x"}], "freeze[0].until: unknown key"),
    ([{"from": GOOD["from"], "to": GOOD["to"]}], "freeze[0].reason: required"),
    ([{"to": GOOD["to"], "reason": "r"}], "freeze[0].from: required"),
    ([GOOD, {**GOOD, "from": "next friday"}],
     "freeze[1].from: 'next friday' is not a date and time; write e.g. "
     "2026-12-20T00:00:00+01:00, or give tz"),
    ([{**GOOD, "to": "2026-12-21T00:00:00"}],
     "freeze[0].to: 2026-12-21T00:00:00 has no UTC offset and the entry no tz; write e.g. "
     "2026-12-20T00:00:00+01:00, or add tz: Europe/Berlin"),
    ([{**GOOD, "tz": "Mars/Olympus"}],
     "freeze[0].tz: 'Mars/Olympus' is not a time zone (e.g. Europe/Berlin, UTC)"),
    ([{**GOOD, "to": GOOD["from"]}], "freeze[0].to: the window ends before it starts"),
    ([{**GOOD, "reason": "  "}], "freeze[0].reason: say why (it is shown to people)"),
    ([GOOD] * (MAX_FREEZES + 1), f"freeze: at most {MAX_FREEZES} windows"),
])
def test_errors_name_the_entry_and_say_how_to_write_it(raw: Any, message: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_freeze(raw)
    assert str(info.value).startswith(message), str(info.value)
    with pytest.raises(PolicyError):
        parse_policy({**DEMO_POLICY, "freeze": raw})
