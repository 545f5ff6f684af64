"""Schedules: runbooks that run later, approved like plans and checked again when they fire.

`timing` finds the time phrase of a message (and `cron` reads cron expressions), `model`
holds the schedule state machine, and `store` keeps schedules, the proposals that change
them, and one row per firing: the exactly-once claim.
"""

from chatops.schedules.model import (
    LIVE,
    TRANSITIONS,
    Change,
    FiringState,
    IllegalScheduleMove,
    Person,
    Schedule,
    ScheduleState,
)
from chatops.schedules.store import CLAIM_STALE_AFTER, SCHEDULE_SCHEMA, Claim, ScheduleStore
from chatops.schedules.timing import (
    Firing,
    Found,
    Timing,
    TimingError,
    context_times,
    find_timing,
)

__all__ = ["CLAIM_STALE_AFTER", "LIVE", "SCHEDULE_SCHEMA", "TRANSITIONS", "Change", "Claim",
           "Firing", "FiringState", "Found", "IllegalScheduleMove", "Person", "Schedule",
           "ScheduleState", "ScheduleStore", "Timing", "TimingError", "context_times",
           "find_timing"]
