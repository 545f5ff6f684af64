"""Fixtures for the audit log: real SQLite files in tmp_path or real PostgreSQL databases
(`audit_path` runs each test on both backends), and a way to tamper with them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest

from chatops.audit import AuditLog
from chatops.storage import is_postgres_url
from chatops.storage.postgres import to_driver
from tests.plugins.postgres_fixtures import run_sql


class Tamper(Protocol):
    """Runs one SQL statement on the audit file behind AuditLog's back."""

    def __call__(self, sql: str, params: tuple[object, ...] = ()) -> None: ...


class StepClock:
    """A clock that starts at a fixed instant and moves one second per call."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def audit_path(audit_location: Path | str) -> Path:
    """Where the audit database file lives for this test (on PostgreSQL, the URL of the
    test's database)."""
    return audit_location  # type: ignore[return-value]


@pytest.fixture
def audit_db(audit_path: Path) -> Iterator[AuditLog]:
    """An empty audit log in a real SQLite file, with a predictable clock."""
    log = AuditLog(audit_path, clock=StepClock())
    yield log
    log.close()


def seed(log: AuditLog, count: int) -> None:
    """Append `count` events that look like a short conversation."""
    kinds = ("message", "parse", "plan", "approval", "step", "result")
    for i in range(count):
        log.append(kinds[i % len(kinds)], actor=f"U{i % 3}", run_id=f"run-{i // 6}",
                   thread="C1:1700000000.000100", data={"seq": i, "text": f"event {i}"})


@pytest.fixture
def tamper(audit_path: Path) -> Tamper:
    """Run one SQL statement on the audit file with the plain sqlite3 module (or psycopg),
    as an attacker with file access would, bypassing AuditLog entirely."""

    def run(sql: str, params: tuple[object, ...] = ()) -> None:
        if is_postgres_url(audit_path):
            run_sql(str(audit_path), to_driver(sql), params)
            return
        conn = sqlite3.connect(audit_path)
        try:
            conn.execute(sql, params)
            conn.commit()
        finally:
            conn.close()

    return run
