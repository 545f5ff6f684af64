"""`chatops audit ...` run as a user would run it (a real subprocess on a real file, or on a
real PostgreSQL database given to --db as its URL)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest

from chatops.audit import AuditLog
from chatops.cli.audit_cmd import audit
from tests.audit.conftest import Tamper, seed


def chatops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chatops", "audit", *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def seeded(audit_path: Path) -> Path:
    """An audit file holding 8 events (runs run-0 and run-1), closed again."""
    with AuditLog(audit_path) as log:
        seed(log, 8)
    return audit_path


def test_list_shows_newest_first(seeded: Path) -> None:
    result = chatops("list", "--db", str(seeded), "--limit", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["8", "7", "6"]
    assert "message" in lines[1] and "run-1" in lines[1]


def test_list_json_with_filters(seeded: Path) -> None:
    result = chatops("list", "--db", str(seeded), "--run", "run-0", "--kind", "plan", "--json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["id"], e["kind"], e["run_id"]) for e in events] == [(3, "plan", "run-0")]
    assert events[0]["data"] == {"seq": 2, "text": "event 2"}


@pytest.mark.sqlite_only
def test_default_db_comes_from_the_settings(seeded: Path) -> None:
    result = chatops("list", "--json", env={"CHATOPS_AUDIT_DB": str(seeded)})
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 8


def test_show_prints_pretty_json(seeded: Path) -> None:
    result = chatops("show", "4", "--db", str(seeded))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("{\n  ")
    event = json.loads(result.stdout)
    assert (event["id"], event["kind"], event["actor"]) == (4, "approval", "U0")
    assert len(event["hash"]) == 64


def test_show_unknown_id_exits_1(seeded: Path) -> None:
    result = chatops("show", "99", "--db", str(seeded))
    assert result.returncode == 1
    assert "No audit event 99" in result.stderr


def test_verify_clean_log_exits_0(seeded: Path) -> None:
    result = chatops("verify", "--db", str(seeded))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 8 events, chain intact")


def test_verify_edited_row_exits_1_naming_it(seeded: Path, tamper: Tamper) -> None:
    tamper("update audit_events set data = '{\"seq\":5,\"text\":\"harmless\"}' where id = 6")

    result = chatops("verify", "--db", str(seeded))
    assert result.returncode == 1
    assert "row 6 was edited (hash mismatch)" in result.stderr
    assert "5 event(s) before it are intact" in result.stderr
    assert "Traceback" not in result.stderr


def test_verify_deleted_last_row_exits_1(seeded: Path, tamper: Tamper) -> None:
    tamper("delete from audit_events where id = 8")

    result = chatops("verify", "--db", str(seeded))
    assert result.returncode == 1
    assert "TAMPERED at row 8: the last row was removed" in result.stderr


def test_export_jsonl_to_stdout_and_to_a_file(seeded: Path, tmp_path: Path) -> None:
    result = chatops("export", "--jsonl", "--db", str(seeded))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["id"] for e in lines] == list(range(1, 9))

    out = tmp_path / "export" / "audit.jsonl"
    out.parent.mkdir()
    result = chatops("export", "--jsonl", "--output", str(out), "--db", str(seeded))
    assert result.returncode == 0, result.stderr
    assert "Exported 8 event(s)" in result.stderr
    assert [json.loads(line) for line in out.read_text().splitlines()] == lines


def test_missing_db_exits_2_saying_what_to_do(tmp_path: Path) -> None:
    result = chatops("verify", "--db", str(tmp_path / "nope.db"))
    assert result.returncode == 2
    assert "No audit log at" in result.stderr
    assert "--db" in result.stderr


def test_a_db_without_audit_tables_is_not_touched(tmp_path: Path) -> None:
    other = tmp_path / "state.db"
    conn = sqlite3.connect(other)
    conn.execute("create table runs (id integer primary key)")
    conn.commit()
    conn.close()

    result = chatops("verify", "--db", str(other))
    assert result.returncode == 2
    assert "holds no audit log" in result.stderr
    conn = sqlite3.connect(other)
    tables = {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}
    conn.close()
    assert tables == {"runs"}


def test_every_command_and_option_has_help() -> None:
    assert audit.help
    for name, command in audit.commands.items():
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"
    result = subprocess.run([sys.executable, "-m", "chatops", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert "audit" in result.stdout
