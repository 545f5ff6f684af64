"""`chatops db migrate`, and the audit commands on `CHATOPS_DATABASE_URL`, as a user runs
them: real subprocesses on real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatops.audit import AuditLog
from chatops.cli.wiring import SetupError, build_runtime, build_stores
from chatops.runs import RunStore
from chatops.settings import Settings, resolve_settings
from tests.audit.conftest import seed
from tests.conversation.fake_cluster import FakeCluster
from tests.plugins.postgres_fixtures import run_sql
from tests.storage.conftest import versions

STATE_VERSIONS = {"runs": 2, "dedupe": 1, "workers": 1, "threads": 1, "alerts": 3,
                  "autofix": 1, "schedules": 1}


def chatops(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("CHATOPS_")}
    return subprocess.run([sys.executable, "-m", "chatops", *args], capture_output=True,
                          text=True, timeout=120, env={**keep, "CHATOPS_PROFILE": "none", **env},
                          stdin=subprocess.DEVNULL)


def test_migrate_creates_every_store_in_the_sqlite_files(tmp_path: Path) -> None:
    state, audit = tmp_path / "state.db", tmp_path / "audit.db"
    result = chatops("db", "migrate", CHATOPS_STATE_DB=str(state), CHATOPS_AUDIT_DB=str(audit))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{state}: runs 2, dedupe 1, workers 1, threads 1, alerts 3, autofix 1, schedules 1",
        f"{audit}: audit 1"]
    assert versions(state) == STATE_VERSIONS
    assert versions(audit) == {"audit": 1}


def test_migrate_puts_every_store_in_the_postgres_database(postgres_database: str,
                                                           tmp_path: Path) -> None:
    url = postgres_database.replace("postgres@", "postgres:sekrit@")  # trust: any password
    result = chatops("db", "migrate", CHATOPS_DATABASE_URL=url,
                     CHATOPS_STATE_DB=str(tmp_path / "state.db"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{postgres_database}: runs 2, dedupe 1, workers 1, threads 1, alerts 3, autofix 1, "
        "schedules 1, audit 1"]
    assert "sekrit" not in result.stdout + result.stderr
    assert versions(postgres_database) == {**STATE_VERSIONS, "audit": 1}
    assert not (tmp_path / "state.db").exists()  # the URL replaces the files
    again = chatops("db", "migrate", "--database-url", postgres_database)
    assert again.returncode == 0, again.stderr
    assert again.stdout == result.stdout


def test_migrate_says_when_the_server_cannot_be_reached() -> None:
    url = "postgresql://chatops:hunter2@127.0.0.1:1/chatops?connect_timeout=2"
    result = chatops("db", "migrate", "--database-url", url)
    assert result.returncode == 2
    assert "cannot connect to the database at postgresql://chatops@127.0.0.1:1/chatops" in \
        result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_url_that_is_not_one_is_refused(tmp_path: Path) -> None:
    result = chatops("db", "migrate", "--database-url", "mysql://u:hunter2@h/db")
    assert result.returncode == 2
    assert "not a PostgreSQL URL" in result.stderr and "hunter2" not in result.stderr
    result = chatops("db", "migrate", CHATOPS_DATABASE_URL=str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "CHATOPS_DATABASE_URL: not a PostgreSQL URL" in result.stderr


def test_audit_commands_use_the_database_url(postgres_database: str, tmp_path: Path) -> None:
    with AuditLog(postgres_database) as log:
        seed(log, 5)
    env = {"CHATOPS_DATABASE_URL": postgres_database,
           "CHATOPS_AUDIT_DB": str(tmp_path / "unused.db")}
    result = chatops("audit", "verify", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 5 events, chain intact")
    listed = chatops("audit", "list", "--json", **env)
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [5, 4, 3, 2, 1]
    out = tmp_path / "checkpoint.jsonl"
    taken = chatops("audit", "checkpoint", "--out", str(out), **env)
    assert taken.returncode == 0, taken.stderr
    against = chatops("audit", "verify", "--against", str(out), **env)
    assert against.returncode == 0, against.stderr
    assert "it holds the checkpoint at event #5" in against.stdout
    exported = chatops("audit", "export", "--database-url", postgres_database)
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == [1, 2, 3, 4, 5]
    assert not (tmp_path / "unused.db").exists()

    run_sql(postgres_database, "UPDATE audit_events SET actor = 'mallory' WHERE id = 3")
    tampered = chatops("audit", "verify", "--database-url", postgres_database)
    assert tampered.returncode == 1
    assert "TAMPERED at row 3: row 3 was edited (hash mismatch)" in tampered.stderr


def test_a_db_flag_naming_a_file_beats_the_database_url(postgres_database: str,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with AuditLog(path) as log:
        seed(log, 2)
    result = chatops("audit", "verify", "--db", str(path), CHATOPS_DATABASE_URL=postgres_database)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 2 events")


def test_audit_verify_leaves_a_database_without_a_log_alone(postgres_database: str) -> None:
    RunStore(postgres_database).close()
    result = chatops("audit", "verify", "--database-url", postgres_database)
    assert result.returncode == 2
    assert "holds no audit log" in result.stderr
    assert not run_sql(postgres_database, "SELECT 1 FROM information_schema.tables "
                                          "WHERE table_name = 'audit_events'")


def test_the_database_url_is_one_setting_shown_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://bot:hunter2@db.example:5432/chatops?sslmode=require"
    resolved = resolve_settings({"HOME": str(tmp_path), "CHATOPS_DATABASE_URL": url},
                                use_profile=False)
    settings = resolved.settings
    assert settings.database_url == url
    assert settings.state_location == settings.audit_location == url
    assert resolved.shown("database_url") == "postgresql://bot@db.example:5432/chatops?sslmode=require"
    assert str(resolved.sources["database_url"]) == "env CHATOPS_DATABASE_URL"
    assert "hunter2" not in repr(settings)
    plain = Settings.from_env({"HOME": str(tmp_path)})
    assert (plain.state_location, plain.audit_location) == (plain.state_db, plain.audit_db)
    shown = chatops("settings", CHATOPS_DATABASE_URL=url, HOME=str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert "postgresql://bot@db.example:5432/chatops" in shown.stdout
    assert "hunter2" not in shown.stdout


def test_the_bot_opens_every_store_in_the_database_url(postgres_database: str,
                                                        tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path, state_db=tmp_path / "state.db",
                        audit_db=tmp_path / "audit.db", database_url=postgres_database)
    runtime = build_runtime(settings, executor=FakeCluster(), use_model=False)
    assert runtime.runs.path == postgres_database
    assert runtime.claim("event:1") and not runtime.claim("event:1")
    runtime.audit.append("message", actor="U1", data={"text": "hi"})
    assert versions(postgres_database) == {**STATE_VERSIONS, "audit": 1}
    assert run_sql(postgres_database, "SELECT kind FROM audit_events") == [("message",)]
    assert list(tmp_path.glob("*.db")) == []


def test_an_unreachable_database_is_a_setup_error_without_its_password(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path, state_db=tmp_path / "state.db",
                        audit_db=tmp_path / "audit.db",
                        database_url="postgresql://bot:hunter2@127.0.0.1:1/chatops")
    with pytest.raises(SetupError) as caught:
        build_stores(settings)
    assert "postgresql://bot@127.0.0.1:1/chatops" in str(caught.value)
    assert "hunter2" not in str(caught.value)
