"""How a list of events reads (pure presentation): in an incident, the warnings first and
whole, the routine Normal events cut to a few and counted by reason (a user trial: "recent
events in prod" was 50 lines, mostly scheduling and starts)."""

from __future__ import annotations

from chatops.messages import records_text
from chatops.results import EventInfo


def event(kind: str, reason: str, i: int) -> EventInfo:
    return EventInfo(kind, reason, f"pod/web-{i}", f"{reason} of web-{i}", 1, i * 10)


def test_warnings_come_whole_and_routine_events_are_counted() -> None:
    normal = [event("Normal", reason, i) for i, reason in
              enumerate(["Scheduled", "Pulled", "Created", "Started"] * 6)]
    warnings = [event("Warning", "BackOff", 100 + i) for i in range(3)]
    text = records_text((*normal[:2], *warnings, *normal[2:]))
    lines = text.splitlines()
    assert sum("BackOff" in line for line in lines) == 3
    assert sum(" Normal " in line and not line.startswith("...") for line in lines) == 5
    assert lines[-1] == ("... and 19 more Normal events: Created x5, Pulled x5, Started x5, "
                         "Scheduled x4")


def test_a_few_events_are_all_shown() -> None:
    few = tuple(event("Normal", "Started", i) for i in range(4))
    assert len(records_text(few).splitlines()) == 4
