"""Walking the hash chain: each row's hash and link checked in id order, then the chain's
end against the `audit_head` row. `AuditLog.verify`, `checkpoint` and `verify_against`
all walk with these; see `chatops.audit.log` for what the chain can and cannot catch."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chatops.audit.events import VerifyReport, chain_hash
from chatops.audit.schema import GENESIS_HASH, HEAD_TABLE


def _rows_missing(prev_id: int, next_id: int) -> str:
    first, last = prev_id + 1, next_id - 1
    which = f"row {first} is" if first == last else f"rows {first}-{last} are"
    if prev_id == 0:
        return f"{which} missing (the log starts at row {next_id})"
    return f"{which} missing (ids jump {prev_id} -> {next_id})"


@dataclass(frozen=True)
class _Walk:
    """Where a walk along the chain got to: the last intact row, and how many it checked."""

    prev_id: int = 0
    prev_hash: str = GENESIS_HASH
    checked: int = 0

    def bad(self, first_bad_id: int | None, problem: str) -> VerifyReport:
        return VerifyReport(False, self.checked, first_bad_id, problem, self.prev_hash)


def _walk_rows(rows: Iterable[tuple[Any, ...]],
               start: _Walk | None = None) -> tuple[_Walk, VerifyReport | None]:
    """Check each row's hash and link in id order, from `start` (the genesis by default).

    Returns where the walk got to, and the report of the first problem (None when none).
    """
    at = start or _Walk()
    prev_id, prev_hash, checked = at.prev_id, at.prev_hash, 0

    def bad(first_bad_id: int | None, problem: str) -> tuple[_Walk, VerifyReport]:
        walk = _Walk(prev_id, prev_hash, checked)
        return walk, walk.bad(first_bad_id, problem)

    for row in rows:
        event_id, ts, kind, actor, run_id, thread, data_text, row_prev, row_hash = row
        if event_id != prev_id + 1:
            return bad(prev_id + 1, _rows_missing(prev_id, event_id))
        try:
            expected = chain_hash(event_id=event_id, ts=ts, kind=kind, actor=actor,
                                  run_id=run_id, thread=thread, data=json.loads(data_text),
                                  prev_hash=row_prev)
        except (TypeError, ValueError):
            expected = None  # the data cell is no longer JSON: it was edited
        if expected != row_hash:
            return bad(event_id, f"row {event_id} was edited (hash mismatch)")
        if row_prev != prev_hash:
            if prev_id == 0:
                return bad(event_id, f"row {event_id} does not start the chain")
            return bad(event_id, f"row {event_id} does not chain to row {prev_id}")
        prev_id, prev_hash, checked = event_id, row_hash, checked + 1
    return _Walk(prev_id, prev_hash, checked), None


def _walk_chain(rows: Iterable[tuple[Any, ...]], head: tuple[Any, ...] | None,
                start: _Walk | None = None) -> VerifyReport:
    """Check each row's hash and link in id order, then the chain's end against the head."""
    walk, problem = _walk_rows(rows, start)
    if problem is not None:
        return problem
    prev_id, prev_hash, bad = walk.prev_id, walk.prev_hash, walk.bad
    if head is None:
        return bad(None, f"the {HEAD_TABLE} row is missing, so removed trailing rows "
                         "cannot be ruled out")
    head_id, head_hash = head
    if head_id > prev_id:
        gone = head_id - prev_id
        which = "the last row was" if gone == 1 else f"the last {gone} rows were"
        return bad(prev_id + 1, f"{which} removed ({HEAD_TABLE} says the log ends at row "
                                f"{head_id}, the chain ends at row {prev_id})")
    if head_id < prev_id:
        return bad(head_id + 1, f"row {head_id + 1} was added by hand ({HEAD_TABLE} says "
                                f"the log ends at row {head_id})")
    if head_hash != prev_hash:
        if prev_id == 0:
            return bad(None, f"the {HEAD_TABLE} row was edited (the log is empty)")
        return bad(prev_id, f"row {prev_id} was replaced, or {HEAD_TABLE} edited (their "
                            "hashes differ)")
    return VerifyReport(True, walk.checked, None, "", prev_hash)
