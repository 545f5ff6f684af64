"""Fixtures for the storage seam: real SQLite files in tmp_path, and real PostgreSQL
databases (`db` runs each test on both backends; see tests/plugins/postgres_fixtures.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from chatops.storage import SQLiteDatabase, is_postgres_url, open_database
from tests.plugins.postgres_fixtures import run_sql


@pytest.fixture
def db(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest
       ) -> Iterator[SQLiteDatabase]:
    """A new SQLite database file, or a new PostgreSQL database; closed after the test."""
    if db_backend == "postgresql":
        database: Any = open_database(str(request.getfixturevalue("postgres_database")))
    else:
        database = SQLiteDatabase(tmp_path / "db" / "state.db")
    yield database
    database.close_all()


def versions(path: Path | str) -> dict[str, int]:
    """The `schema_versions` rows of the file (or PostgreSQL URL) at `path`, read with plain
    sqlite3 (or psycopg)."""
    if is_postgres_url(path):
        return dict(run_sql(str(path), "SELECT store, version FROM schema_versions"))
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT store, version FROM schema_versions").fetchall())


def legacy_file(path: Path, script: str) -> sqlite3.Connection:
    """A file made with a released schema (no versions recorded); the caller adds rows and
    closes it."""
    conn = sqlite3.connect(path)
    conn.executescript(script)
    return conn


def shape(path: Path | str) -> dict[str, object]:
    """Every table's columns (name, type, not null, default, primary key) and indexes."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_versions' ORDER BY name")]
        return {t: ([tuple(c[1:]) for c in conn.execute(f"PRAGMA table_info({t})")],
                    sorted((i[1], i[2]) for i in conn.execute(f"PRAGMA index_list({t})")))
                for t in tables}
