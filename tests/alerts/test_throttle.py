"""Root edits in a storm: once per thread per interval, a budget per minute for all,
longest-waiting first, and nothing lost (a waiting root stays due)."""

from __future__ import annotations

import pytest

from chatops.alerts.rules import AlertRulesError, _root_updates
from chatops.alerts.throttle import RootThrottle, RootUpdateLimits
from chatops.policy.decisions import PolicyError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def edit_all(throttle: RootThrottle, keys: list[str], state: str = "firing") -> list[str]:
    due = throttle.due(dict.fromkeys(keys, state))
    for key in due:
        throttle.edited(key, state)
    return due


def test_one_edit_per_thread_per_interval() -> None:
    clock = Clock()
    throttle = RootThrottle(RootUpdateLimits(per_thread=10, per_minute=100), clock)
    assert edit_all(throttle, ["a"]) == ["a"]
    clock.now = 9.9
    assert edit_all(throttle, ["a"]) == []
    clock.now = 10
    assert edit_all(throttle, ["a"]) == ["a"]


def test_a_change_of_state_is_not_held_back_by_the_thread_interval() -> None:
    clock = Clock()
    throttle = RootThrottle(RootUpdateLimits(per_thread=10, per_minute=2), clock)
    assert edit_all(throttle, ["a"]) == ["a"]
    assert edit_all(throttle, ["a"], "resolved") == ["a"]
    assert edit_all(throttle, ["a"], "firing") == []  # the minute's budget still holds


def test_a_storm_of_many_threads_stays_within_the_minute_budget() -> None:
    clock = Clock()
    throttle = RootThrottle(RootUpdateLimits(per_thread=1, per_minute=20), clock)
    keys = [f"g{i}" for i in range(50)]
    edits: list[tuple[float, str]] = []
    for tick in range(600):  # ten minutes of a pump pass every second, all roots dirty
        clock.now = float(tick)
        edits += [(clock.now, k) for k in edit_all(throttle, keys)]
    for start, _ in edits:
        assert sum(1 for t, _ in edits if start <= t < start + 60) <= 20
    # Everyone gets a turn: the longest-waiting go first.
    assert {k for _, k in edits} == set(keys)


@pytest.mark.parametrize("raw", [{"per_minute": 0}, {"per_minute": "many"},
                                 {"per_thread_seconds": -1}, {"per_thread_seconds": True},
                                 {"per_thread_seconds": float("inf")}, {"every": 3}])
def test_bad_root_update_limits_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises((AlertRulesError, PolicyError), match="root_updates"):
        _root_updates(raw)


def test_root_update_limits_default_and_parse() -> None:
    assert _root_updates(None) == RootUpdateLimits()
    assert _root_updates({"per_thread_seconds": 5, "per_minute": 30}) == RootUpdateLimits(5, 30)
