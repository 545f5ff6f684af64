"""One audit event as stored: its record, its hash, and how its data is scrubbed of
secrets and stored as JSON text; also the verdicts of walking the chain (`VerifyReport`,
`AuditTampered`). The log itself is `chatops.audit.log`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chatops.audit.schema import GENESIS_HASH
from chatops.errors import ChatOpsError
from chatops.logs import scrub

_EVENT_COLUMNS: dict[str, type] = {
    "id": int,
    "ts": str,
    "kind": str,
    "actor": str,
    "run_id": str,
    "thread": str,
    "data": str,
    "prev_hash": str,
    "hash": str,
}


def _canonical(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, ASCII only, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def chain_hash(*, event_id: int, ts: str, kind: str, actor: str | None, run_id: str | None,
               thread: str | None, data: Mapping[str, Any], prev_hash: str) -> str:
    """The hex SHA-256 of one event: over the canonical JSON of its fields and `prev_hash`.

    Canonical JSON is `json.dumps(obj, sort_keys=True, separators=(",", ":"),
    ensure_ascii=True, allow_nan=False)` of an object with the keys `id, ts, kind, actor,
    run_id, thread, data, prev_hash`, so the chain can be checked by any other tool too.
    """
    record = {
        "id": event_id, "ts": ts, "kind": kind, "actor": actor, "run_id": run_id,
        "thread": thread, "data": data, "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(record).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    """One row of the audit log, as stored (secrets already scrubbed from `data`)."""

    id: int
    ts: str
    kind: str
    actor: str | None
    run_id: str | None
    thread: str | None
    # A dict cannot be hashed; events are identified by `id` and `hash` anyway.
    data: Mapping[str, Any] = field(hash=False)
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """The event as a plain JSON-ready dict (the shape of `export_jsonl` lines)."""
        return {
            "id": self.id, "ts": self.ts, "kind": self.kind, "actor": self.actor,
            "run_id": self.run_id, "thread": self.thread, "data": dict(self.data),
            "prev_hash": self.prev_hash, "hash": self.hash,
        }


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of `AuditLog.verify`.

    `checked` counts the rows found intact before the first problem (all rows when `ok`).
    `first_bad_id` is the first row that was edited, is missing or does not chain; it is
    None when the log is intact, or when only the `audit_head` row itself is missing.
    `head_hash` is the hash at the end of the intact chain: record it elsewhere to detect a
    later rewrite of the whole tail.
    """

    ok: bool
    checked: int
    first_bad_id: int | None
    problem: str
    head_hash: str = GENESIS_HASH


class AuditTampered(ChatOpsError):
    """The audit chain is broken, so no checkpoint is taken: signing it would vouch for the
    tampering. `report` says where."""

    def __init__(self, report: VerifyReport) -> None:
        where = f"row {report.first_bad_id}" if report.first_bad_id is not None else "the head"
        super().__init__(f"the audit log was tampered with at {where}: {report.problem}")
        self.report = report


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _format_ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        # A naive time would be read as local time and silently shifted.
        raise ValueError("the audit clock must return a timezone-aware datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {scrub(k) if isinstance(k, str) else k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(item) for item in value]
    return value


def _scrub_text(value: str | None) -> str | None:
    return None if value is None else scrub(value)


def _prepare_data(kind: str, data: Mapping[str, Any] | None) -> tuple[dict[str, Any], str]:
    """Scrub tokens from `data` and return it as stored: (round-tripped dict, JSON text)."""
    if data is None:
        return {}, "{}"
    if not isinstance(data, Mapping):
        raise TypeError(f"audit data for {kind!r} must be a mapping, not {type(data).__name__}")
    cleaned = _scrub_value(data)
    try:
        # The hash is computed over the stored form, so what `get` returns is exactly
        # what was hashed (tuples become lists, and so on).
        text = json.dumps(cleaned, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
        text.encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"audit data for {kind!r} is not JSON-serialisable: {exc}") from exc
    stored: dict[str, Any] = json.loads(text)
    return stored, text


def _load_data(text: Any) -> dict[str, Any]:
    """Parse a stored `data` cell; a cell edited into non-JSON is shown, not fatal."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"unparseable_data": text}
    return value if isinstance(value, dict) else {"value": value}


def _event_from_row(row: Mapping[str, Any] | tuple[Any, ...]) -> AuditEvent:
    if not isinstance(row, Mapping):
        row = dict(zip(_EVENT_COLUMNS, row, strict=True))
    return AuditEvent(
        id=row["id"], ts=row["ts"], kind=row["kind"], actor=row["actor"],
        run_id=row["run_id"], thread=row["thread"], data=_load_data(row["data"]),
        prev_hash=row["prev_hash"], hash=row["hash"],
    )

