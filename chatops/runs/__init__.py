"""Runs: the exactly-once state machine (`model`), the store that keeps runs and approvals
(`store`), and the small stores beside it: dedupe keys, worker heartbeats, thread contexts."""

from chatops.runs.model import (
    TERMINAL,
    TRANSITIONS,
    Approval,
    ApprovalDecision,
    Asked,
    IllegalTransition,
    Run,
    RunState,
)
from chatops.runs.store import RunStore

__all__ = ["TERMINAL", "TRANSITIONS", "Approval", "ApprovalDecision", "Asked", "IllegalTransition",
           "Run", "RunState", "RunStore"]
