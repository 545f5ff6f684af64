"""The audit log records typed events: every kind has its class, and the stored data of
each class is the shape `chatops audit export` has always written."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from chatops.audit import records
from chatops.audit.log import AuditLog
from chatops.audit.records import (
    AlertPostFailed,
    AskedBack,
    AuditRecord,
    Cancelled,
    ChangeFinished,
    OutOfScope,
    Parsed,
    Planned,
    ReadFailed,
    Rejected,
    RejectionsSuppressed,
)

ALL = [c for c in vars(records).values()
       if isinstance(c, type) and issubclass(c, AuditRecord) and c is not AuditRecord]


def test_every_record_names_its_kind_and_is_frozen() -> None:
    assert len(ALL) >= 20
    for cls in ALL:
        assert cls.kind, cls
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize(("record", "stored"), [
    (Cancelled(), {}),
    # A parse stored before its text, source and spans were recorded keeps that shape.
    (Parsed({"intent": "oos", "slots": {}, "confidence": 0.9, "alternatives": []}),
     {"intent": "oos", "slots": {}, "confidence": 0.9, "alternatives": []}),
    (Parsed({"intent": "restart_deployment", "slots": {"deployment": "checkout"},
             "confidence": 0.9, "alternatives": []}, "bounce checkout", "model",
            [{"slot": "deployment", "start": 7, "end": 15, "text": "checkout"}]),
     {"intent": "restart_deployment", "slots": {"deployment": "checkout"},
      "confidence": 0.9, "alternatives": [], "text": "bounce checkout", "source": "model",
      "spans": [{"slot": "deployment", "start": 7, "end": 15, "text": "checkout"}]}),
    (OutOfScope(), {"offered": []}),
    (OutOfScope(("restart_deployment",)), {"offered": ["restart_deployment"]}),
    (AskedBack("restart_deployment", "namespace"),
     {"intent": "restart_deployment", "slot": "namespace", "choices": []}),
    (Cancelled("edited"), {"reason": "edited"}),
    (Planned({"runbook": "scale", "steps": []}, "d1"),
     {"runbook": "scale", "steps": [], "digest": "d1"}),
    (Rejected("click", "stale", {"origin": "C1:2.0"}),
     {"what": "click", "reason": "stale", "origin": "C1:2.0"}),
    (RejectionsSuppressed(3), {"what": "more refused requests", "count": 3,
                               "reason": "not recorded one by one (rate limit)"}),
    (ReadFailed("boom"), {"state": "failed", "error": "boom"}),
    (ChangeFinished("succeeded", ["ok"], 1.5, {"replicas": 2}),
     {"state": "succeeded", "lines": ["ok"], "elapsed_seconds": 1.5,
      "before": {"replicas": 2}}),
    (AlertPostFailed(7, "root", 2, "channel_not_found", (8, 9)),
     {"item": 7, "kind": "root", "attempts": 2, "error": "channel_not_found",
      "dropped": [8, 9]}),
])
def test_records_are_stored_in_their_documented_shape(
        tmp_path: Path, record: AuditRecord, stored: dict[str, object]) -> None:
    log = AuditLog(tmp_path / "audit.db")
    event = log.record(record, actor="U1", run_id="r-1", thread="C1:1.0")
    assert (event.kind, event.actor, event.run_id, event.thread) == (
        record.kind, "U1", "r-1", "C1:1.0")
    assert dict(event.data) == stored
    assert log.verify().ok


def test_no_code_outside_the_audit_package_appends_loose_dicts() -> None:
    root = Path(__file__).resolve().parents[2] / "chatops"
    offenders = []
    for path in root.rglob("*.py"):
        if path.parent.name == "audit":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "append" and isinstance(node.func.value, ast.Attribute)
                    and node.func.value.attr == "audit"):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
