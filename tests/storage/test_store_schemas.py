"""Every store's tables on a new file, and files made by the released bot (the schemas as
they were before versions were recorded) opened by this one: rows kept, versions recorded."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from chatops.alerts.store import AlertStore
from chatops.audit import AuditLog, chain_hash
from chatops.runs import RunState, RunStore
from chatops.runs.dedupe import DedupeStore
from chatops.runs.threads import ThreadStore
from chatops.runs.workers import WorkerStore
from tests.storage.conftest import legacy_file, shape, versions
from tests.storage.legacy_schema import (
    ALERTS_SCHEMA,
    ALERTS_SCHEMA_FIRST,
    AUDIT_SCHEMA,
    RUNS_SCHEMA,
)

STATE_VERSIONS = {"runs": 2, "dedupe": 1, "workers": 1, "threads": 1, "alerts": 3}
RETRY_COLUMNS = {"attempts", "next_attempt_at", "last_error", "failed_at"}


class _StateFile:
    """The stores of a state file opened one by one (not `open_state`, which adds the
    schedules' tables this file never had): the runs, and the small stores beside them."""

    def __init__(self, runs: RunStore) -> None:
        self.runs = runs
        self.dedupe = DedupeStore(runs.database)
        self.threads = ThreadStore(runs.database)
        self.workers = WorkerStore(runs.database)
        self.get, self.transition = runs.get, runs.transition


def _open_all(state: Path, audit: Path) -> None:
    store = RunStore(state)
    DedupeStore(store.database).claim("k")
    WorkerStore(store.database)
    ThreadStore(store.database)
    AlertStore(state).pending()
    with AuditLog(audit) as log:
        log.append("opened")


def test_new_files_get_every_table_at_the_latest_version(tmp_path: Path) -> None:
    _open_all(tmp_path / "state.db", tmp_path / "audit.db")
    assert versions(tmp_path / "state.db") == STATE_VERSIONS
    assert versions(tmp_path / "audit.db") == {"audit": 1}
    # The same tables, columns and indexes as the released schema made, plus what the
    # migrations since added (alerts 3: the outbox's in_doubt column; runs 2: asked_as).
    with closing(legacy_file(tmp_path / "old-state.db", RUNS_SCHEMA + ALERTS_SCHEMA)) as old:
        old.execute("ALTER TABLE alert_outbox ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0")
        old.execute("ALTER TABLE runs ADD COLUMN asked_as TEXT NOT NULL DEFAULT ''")
        old.commit()
    legacy_file(tmp_path / "old-audit.db", AUDIT_SCHEMA).close()
    assert shape(tmp_path / "state.db") == shape(tmp_path / "old-state.db")
    assert shape(tmp_path / "audit.db") == shape(tmp_path / "old-audit.db")


def _seed_runs(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO runs (id, state, runbook, risk, requester, requester_name, identity, "
        "channel, thread, raw_slots, plan, digest, needed, created_at, expires_at, "
        "updated_at) VALUES ('r-old', 'proposed', 'scale', 'write', 'U1', 'ann', ?, 'C1', "
        "'1.0', '{\"replicas\": \"3\"}', '{}', 'd1', 1, 10.0, 99999999999.0, 10.0)",
        (json.dumps({"user": "U1", "groups": ["sre"]}),))
    conn.execute("INSERT INTO approvals VALUES ('r-old', 'U2', 'bob', 'd1', 'approve', 11.0)")
    conn.execute("INSERT INTO dedupe VALUES ('evt-1', 12.0)")
    conn.execute("INSERT INTO workers VALUES ('w1', 'elsewhere', 1, 13.0)")
    conn.execute("INSERT INTO threads VALUES ('C1:1.0', '{\"topic\": \"db\"}', 14.0)")
    conn.commit()


def test_a_released_state_file_keeps_its_runs_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with closing(legacy_file(path, RUNS_SCHEMA)) as conn:
        _seed_runs(conn)
    store = _StateFile(RunStore(path))
    run = store.get("r-old")
    assert run is not None
    assert (run.state, run.raw_slots, run.identity.groups) == (
        RunState.PROPOSED, {"replicas": "3"}, ("sre",))
    # Stored before runs said how they were asked for: none, shown by its confidence.
    assert run.asked_as is None
    assert [a.approver for a in run.approvers()] == ["U2"]
    assert store.dedupe.seen("evt-1")
    assert not store.dedupe.claim("evt-1")
    assert store.threads.load("C1:1.0") == {"topic": "db"}
    assert set(store.workers.workers()) == {"w1"}
    assert versions(path) == {"runs": 2, "dedupe": 1, "workers": 1, "threads": 1}
    assert store.transition("r-old", (RunState.PROPOSED,), RunState.APPROVED)


def _seed_alerts(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO alert_groups VALUES ('g1', 'C1', NULL, NULL, '{}', 0, 1.0, 1.0)")
    conn.execute("INSERT INTO alert_outbox (channel, group_key, kind, body, created_at) "
                 "VALUES ('C1', 'g1', 'root', '{\"text\": \"down\"}', 2.0)")
    conn.commit()


def test_a_released_alert_file_keeps_its_outbox(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with closing(legacy_file(path, ALERTS_SCHEMA)) as conn:
        _seed_alerts(conn)
        conn.execute("UPDATE alert_outbox SET attempts = 2")
        conn.commit()
    store = AlertStore(path)
    item = store.claim_next("w", lambda channel: True)
    assert item is not None
    assert (item.kind, item.body, item.attempts) == ("root", {"text": "down"}, 2)
    assert versions(path) == {"alerts": 3}


def test_a_first_version_alert_file_gets_the_retry_columns(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with closing(legacy_file(path, ALERTS_SCHEMA_FIRST)) as conn:
        _seed_alerts(conn)
    store = AlertStore(path)
    with closing(sqlite3.connect(path)) as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(alert_outbox)")}
    assert columns >= RETRY_COLUMNS
    assert store.stats().pending == 1
    item = store.claim_next("w", lambda channel: True)
    assert item is not None
    store.retry_later(item, "rate limited", 5.0)
    assert store.stats().retrying == 1
    assert versions(path) == {"alerts": 3}


def test_a_released_audit_log_keeps_its_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    prev = "0" * 64
    with closing(legacy_file(path, AUDIT_SCHEMA)) as conn:
        for event_id in (1, 2):
            ts = f"2025-03-01T09:30:0{event_id}.000000Z"
            digest = chain_hash(event_id=event_id, ts=ts, kind="message", actor="U1",
                                run_id=None, thread=None, data={"n": event_id}, prev_hash=prev)
            conn.execute("INSERT INTO audit_events VALUES (?, ?, 'message', 'U1', NULL, NULL, "
                         "?, ?, ?)", (event_id, ts, json.dumps({"n": event_id}), prev, digest))
            conn.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (event_id, digest))
            prev = digest
        conn.commit()
    with AuditLog(path) as log:
        report = log.verify()
        assert (report.ok, report.checked, report.head_hash) == (True, 2, prev)
        event = log.append("result")
        assert (event.id, event.prev_hash) == (3, prev)
        assert log.verify().ok
    assert versions(path) == {"audit": 1}


def _open_in_process(state: str, audit: str, results: multiprocessing.Queue[str]) -> None:
    try:
        _open_all(Path(state), Path(audit))
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(repr(exc))


def test_processes_migrating_one_file_together_all_succeed(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    for round_, legacy in enumerate((False, True, False)):
        state, audit = tmp_path / f"state-{round_}.db", tmp_path / f"audit-{round_}.db"
        if legacy:
            with closing(legacy_file(state, RUNS_SCHEMA + ALERTS_SCHEMA_FIRST)) as conn:
                _seed_runs(conn)
                _seed_alerts(conn)
        results: multiprocessing.Queue[str] = ctx.Queue()
        procs = [ctx.Process(target=_open_in_process, args=(str(state), str(audit), results))
                 for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [results.get(timeout=5) for _ in procs] == ["ok"] * 4
        assert versions(state) == STATE_VERSIONS
        with AuditLog(audit) as log:
            assert log.verify().checked == 4
        if legacy:
            assert RunStore(state).get("r-old") is not None
            assert AlertStore(state).stats().pending == 1


def test_threads_migrating_one_file_together_all_succeed(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with closing(legacy_file(state, RUNS_SCHEMA + ALERTS_SCHEMA_FIRST)) as conn:
        _seed_alerts(conn)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_() -> None:
        start.wait()
        try:
            _open_all(state, tmp_path / "audit.db")
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=open_) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert versions(state) == STATE_VERSIONS
    assert AlertStore(state).stats().pending == 1
