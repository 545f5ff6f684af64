"""Runs and approvals: the exactly-once state machine, kept in SQLite."""

from chatops.approvals.runs import Run, RunState, RunStore

__all__ = ["Run", "RunState", "RunStore"]
