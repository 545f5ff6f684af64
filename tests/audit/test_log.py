"""The audit log API: append, list, get, export, and what `verify` finds."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from chatops.audit import GENESIS_HASH, AuditLog, chain_hash
from tests.audit.conftest import StepClock, Tamper, seed


def test_append_returns_the_stored_event_chained_to_the_previous(audit_db: AuditLog) -> None:
    first = audit_db.append("message", actor="U1", thread="C1:1.0", data={"text": "hi"})
    second = audit_db.append("parse", actor="U1", run_id="r1", data={"intent": "scale"})

    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert first.ts == "2025-03-01T09:30:01.000000Z"
    assert first.hash == chain_hash(event_id=1, ts=first.ts, kind="message", actor="U1",
                                    run_id=None, thread="C1:1.0", data={"text": "hi"},
                                    prev_hash=GENESIS_HASH)
    assert audit_db.get(2) == second


def test_get_unknown_id_is_none(audit_db: AuditLog) -> None:
    assert audit_db.get(1) is None
    seed(audit_db, 2)
    assert audit_db.get(3) is None


def test_list_is_newest_first_and_filters(audit_db: AuditLog) -> None:
    seed(audit_db, 14)

    assert [e.id for e in audit_db.list(limit=3)] == [14, 13, 12]
    assert [e.id for e in audit_db.list()] == list(range(14, 0, -1))
    assert [e.id for e in audit_db.list(run_id="run-1")] == [12, 11, 10, 9, 8, 7]
    assert [e.id for e in audit_db.list(kind="plan")] == [9, 3]
    assert [e.id for e in audit_db.list(kind="plan", run_id="run-0")] == [3]
    assert [e.id for e in audit_db.list(since_id=11)] == [14, 13, 12]
    assert audit_db.list(limit=0) == []
    assert audit_db.list(run_id="no-such-run") == []


def test_data_is_stored_as_round_tripped_json(audit_db: AuditLog) -> None:
    event = audit_db.append("plan", data={"steps": ("scale", "wait"), "replicas": 5,
                                          "ratio": 0.25, "nested": {"ok": True, "none": None}})

    expected = {"steps": ["scale", "wait"], "replicas": 5, "ratio": 0.25,
                "nested": {"ok": True, "none": None}}
    assert event.data == expected
    assert audit_db.get(event.id) == event
    assert audit_db.verify().ok


def test_non_json_data_is_refused_and_nothing_is_written(audit_db: AuditLog) -> None:
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        audit_db.append("plan", data={"when": datetime.now()})
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        audit_db.append("plan", data={"ratio": float("nan")})
    with pytest.raises(TypeError, match="must be a mapping"):
        audit_db.append("plan", data=["not", "a", "mapping"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a kind"):
        audit_db.append("")
    assert audit_db.list() == []
    assert audit_db.append("plan").id == 1


def test_naive_clock_is_refused(audit_path: Path) -> None:
    with AuditLog(audit_path, clock=datetime.now) as log, pytest.raises(ValueError, match="aware"):
        log.append("message")


def test_in_memory_log_works(tmp_path: Path) -> None:
    with AuditLog(":memory:") as log:
        seed(log, 5)
        assert [e.id for e in log.list(limit=2)] == [5, 4]
        report = log.verify()
    assert report.ok
    assert report.checked == 5


def test_reopening_the_file_continues_the_chain(audit_path: Path) -> None:
    with AuditLog(audit_path) as log:
        seed(log, 3)
        last = log.get(3)
    with AuditLog(audit_path) as log:
        event = log.append("result")
        assert last is not None
        assert (event.id, event.prev_hash) == (4, last.hash)
        assert log.verify().checked == 4


@pytest.mark.sqlite_only
def test_tokens_never_reach_the_file(audit_path: Path) -> None:
    bot, app = "xoxb-1234567890-0987654321-AbCdEfGhIjKl", "xapp-1-A0123-456-deadbeef"
    with AuditLog(audit_path) as log:
        event = log.append("message", actor="U1", data={
            "text": f"my token is {bot}",
            "headers": {"Authorization": "Bearer eyJhbGciOi.secret.sig"},
            "args": ["--token", app],
        })
        assert event.data["text"] == "my token is [redacted]"
        assert event.data["headers"] == {"Authorization": "[redacted]"}
        assert log.verify().ok
    raw = b"".join(p.read_bytes() for p in audit_path.parent.iterdir() if p.is_file())
    for secret in (bot, app, "eyJhbGciOi", "xoxb-", "xapp-"):
        assert secret.encode() not in raw


@pytest.mark.sqlite_only
def test_tables_are_plain_for_datasette(audit_db: AuditLog, audit_path: Path) -> None:
    seed(audit_db, 2)
    conn = sqlite3.connect(audit_path)
    try:
        columns = {row[1]: (row[2], row[5]) for row in conn.execute("pragma table_info(audit_events)")}
        indexes = {row[1] for row in conn.execute("pragma index_list(audit_events)")}
        head = conn.execute("select id, last_id, last_hash from audit_head").fetchall()
        data = conn.execute("select data from audit_events where id = 2").fetchone()[0]
        mode = conn.execute("pragma journal_mode").fetchone()[0]
    finally:
        conn.close()
    assert columns == {
        "id": ("INTEGER", 1), "ts": ("TEXT", 0), "kind": ("TEXT", 0), "actor": ("TEXT", 0),
        "run_id": ("TEXT", 0), "thread": ("TEXT", 0), "data": ("TEXT", 0),
        "prev_hash": ("TEXT", 0), "hash": ("TEXT", 0),
    }
    assert {"idx_audit_events_run_id", "idx_audit_events_kind"} <= indexes
    last = audit_db.get(2)
    assert last is not None
    assert head == [(1, 2, last.hash)]
    assert json.loads(data) == {"seq": 1, "text": "event 1"}
    assert mode == "wal"


def test_export_jsonl_is_oldest_first(audit_db: AuditLog) -> None:
    seed(audit_db, 4)
    out = io.StringIO()

    assert audit_db.export_jsonl(out) == 4
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["id"] for line in lines] == [1, 2, 3, 4]
    assert lines[0]["prev_hash"] == GENESIS_HASH
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(lines))
    assert lines[2] == audit_db.get(3).to_dict()  # type: ignore[union-attr]


# --- verify ------------------------------------------------------------------------------


def test_verify_passes_on_a_clean_log(audit_db: AuditLog) -> None:
    assert audit_db.verify().ok
    assert audit_db.verify().checked == 0
    seed(audit_db, 10)
    report = audit_db.verify()
    assert (report.ok, report.checked, report.first_bad_id, report.problem) == (True, 10, None, "")
    assert report.head_hash == audit_db.list(limit=1)[0].hash


def test_edited_data_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 10)
    tamper("update audit_events set data = ? where id = 7", ('{"seq":6,"text":"nothing here"}',))

    report = audit_db.verify()
    assert not report.ok
    assert report.first_bad_id == 7
    assert report.checked == 6
    assert report.problem == "row 7 was edited (hash mismatch)"


def test_edited_metadata_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 5)
    tamper("update audit_events set actor = 'U_someone_else' where id = 2")

    report = audit_db.verify()
    assert (report.first_bad_id, report.problem) == (2, "row 2 was edited (hash mismatch)")


def test_data_edited_into_non_json_is_found_and_still_shown(audit_db: AuditLog,
                                                             tamper: Tamper) -> None:
    seed(audit_db, 3)
    tamper("update audit_events set data = 'not json' where id = 2")

    assert audit_db.verify().first_bad_id == 2
    assert audit_db.get(2).data == {"unparseable_data": "not json"}  # type: ignore[union-attr]


def test_edited_hash_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 10)
    tamper("update audit_events set hash = ? where id = 4", ("f" * 64,))

    report = audit_db.verify()
    assert (report.ok, report.first_bad_id) == (False, 4)
    assert report.problem == "row 4 was edited (hash mismatch)"


def test_row_rewritten_with_a_valid_hash_breaks_the_next_link(audit_db: AuditLog,
                                                              tamper: Tamper) -> None:
    seed(audit_db, 10)
    row = audit_db.get(8)
    assert row is not None
    forged_data = {"seq": 7, "text": "approved by nobody"}
    forged = chain_hash(event_id=8, ts=row.ts, kind=row.kind, actor=row.actor,
                        run_id=row.run_id, thread=row.thread, data=forged_data,
                        prev_hash=row.prev_hash)
    tamper("update audit_events set data = ?, hash = ? where id = 8",
           (json.dumps(forged_data), forged))

    report = audit_db.verify()
    assert (report.first_bad_id, report.problem) == (9, "row 9 does not chain to row 8")
    assert report.checked == 8


def test_deleted_middle_row_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 10)
    tamper("delete from audit_events where id = 5")

    report = audit_db.verify()
    assert (report.ok, report.first_bad_id, report.checked) == (False, 5, 4)
    assert report.problem == "row 5 is missing (ids jump 4 -> 6)"


def test_deleted_run_of_rows_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 10)
    tamper("delete from audit_events where id between 3 and 6")

    report = audit_db.verify()
    assert (report.first_bad_id, report.problem) == (3, "rows 3-6 are missing (ids jump 2 -> 7)")


def test_deleted_first_row_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 3)
    tamper("delete from audit_events where id = 1")

    report = audit_db.verify()
    assert (report.first_bad_id, report.problem) == (1, "row 1 is missing (the log starts at row 2)")


def test_deleted_last_row_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 10)
    tamper("delete from audit_events where id = 10")

    report = audit_db.verify()
    assert (report.ok, report.first_bad_id, report.checked) == (False, 10, 9)
    assert report.problem.startswith("the last row was removed")


def test_deleted_last_rows_are_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 10)
    tamper("delete from audit_events where id > 8")

    report = audit_db.verify()
    assert report.first_bad_id == 9
    assert report.problem.startswith("the last 2 rows were removed")


def test_every_row_deleted_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 4)
    tamper("delete from audit_events")

    report = audit_db.verify()
    assert (report.first_bad_id, report.checked) == (1, 0)
    assert report.problem.startswith("the last 4 rows were removed")


def test_appending_after_a_deletion_keeps_the_gap_visible(audit_db: AuditLog,
                                                          tamper: Tamper) -> None:
    seed(audit_db, 5)
    tamper("delete from audit_events where id = 5")

    event = audit_db.append("message")
    assert event.id == 6
    report = audit_db.verify()
    assert (report.first_bad_id, report.problem) == (5, "row 5 is missing (ids jump 4 -> 6)")


def test_row_added_by_hand_is_found(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 3)
    last = audit_db.get(3)
    assert last is not None
    ts, data = "2025-03-01T10:00:00.000000Z", {"text": "I was here"}
    forged = chain_hash(event_id=4, ts=ts, kind="approval", actor="U9", run_id=None,
                        thread=None, data=data, prev_hash=last.hash)
    tamper("insert into audit_events values (4, ?, 'approval', 'U9', null, null, ?, ?, ?)",
           (ts, json.dumps(data), last.hash, forged))

    report = audit_db.verify()
    assert (report.first_bad_id, report.checked) == (4, 4)
    assert report.problem.startswith("row 4 was added by hand")


def test_missing_head_row_is_reported(audit_db: AuditLog, tamper: Tamper) -> None:
    seed(audit_db, 3)
    tamper("delete from audit_head")

    report = audit_db.verify()
    assert (report.ok, report.first_bad_id, report.checked) == (False, None, 3)
    assert "audit_head" in report.problem
    # The log keeps accepting events; the missing head stays reported.
    assert audit_db.append("message").id == 4
    assert "audit_head" in audit_db.verify().problem


def test_a_clean_log_stays_clean_across_reopen_with_a_new_clock(audit_path: Path) -> None:
    with AuditLog(audit_path, clock=StepClock()) as log:
        seed(log, 3)
    with AuditLog(audit_path) as log:
        seed(log, 3)
        assert log.verify().checked == 6
