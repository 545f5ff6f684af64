"""`chatops settings`, and every command finding what the active profile names, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chatops.audit import AuditLog
from chatops.demo import DEMO_POLICY
from chatops.settings import PROFILE_FILE, write_profile


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The process environment without any chatops, Slack or Kubernetes settings, or XDG
    folders, and with `home` as HOME: a new user's shell."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("CHATOPS_", "SLACK_", "XDG_")) and k != "KUBECONFIG"}
    return {**keep, "HOME": str(home), **extra}


def chatops(*args: str, home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chatops", *args], capture_output=True,
                          text=True, timeout=60, env=clean_env(home, **extra),
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def demo_files(home: Path, tmp_path: Path) -> dict[str, Path]:
    """What `chatops demo` leaves behind: an audit log, a policy, and the profile naming them."""
    files = {"audit_db": tmp_path / "demo/audit.db", "policy_path": tmp_path / "demo/policy.yaml",
             "state_db": tmp_path / "demo/state.db", "sandbox_state": tmp_path / "demo/sandbox",
             "kubeconfig": tmp_path / "demo/sandbox/admin.kubeconfig"}
    files["policy_path"].parent.mkdir()
    files["policy_path"].write_text(yaml.safe_dump(DEMO_POLICY), encoding="utf-8")
    with AuditLog(files["audit_db"]) as log:
        log.append("message", actor="U0ALICE", data={"text": "show pods in prod"})
    write_profile(home / ".local/share/chatops" / PROFILE_FILE, "demo", files)
    return files


def test_audit_list_finds_the_profiles_log(home: Path, demo_files: dict[str, Path]) -> None:
    result = chatops("audit", "list", "--json", home=home)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["data"]["text"] for line in result.stdout.splitlines()] == [
        "show pods in prod"]


def test_the_environment_and_flags_still_win_over_the_profile(
        home: Path, demo_files: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with AuditLog(other) as log:
        log.append("message", actor="U0BOB", data={"text": "from the environment"})
    result = chatops("audit", "list", "--json", home=home, CHATOPS_AUDIT_DB=str(other))
    assert "from the environment" in result.stdout, result.stderr
    result = chatops("audit", "list", "--json", "--db", str(demo_files["audit_db"]),
                     home=home, CHATOPS_AUDIT_DB=str(other))
    assert "show pods in prod" in result.stdout, result.stderr


def test_policy_validate_and_sandbox_status_use_the_profile(
        home: Path, demo_files: dict[str, Path]) -> None:
    result = chatops("policy", "validate", home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"ok: {demo_files['policy_path']}")
    result = chatops("sandbox", "status", home=home)
    assert result.returncode == 1
    assert f"state dir {demo_files['sandbox_state']}" in result.stdout


def test_settings_shows_values_and_sources_never_secrets(
        home: Path, demo_files: dict[str, Path]) -> None:
    result = chatops("settings", home=home, SLACK_BOT_TOKEN="xoxb-secret-value",
                     CHATOPS_STATE_DB="/env/state.db")
    assert result.returncode == 0, result.stderr
    assert "xoxb-secret-value" not in result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[3:] if line}
    assert lines["audit_db"].split()[1:] == [str(demo_files["audit_db"]), "[profile]"]
    assert lines["state_db"].split()[1:] == ["/env/state.db", "[env", "CHATOPS_STATE_DB]"]
    assert lines["slack_bot_token"].split()[1:] == ["set", "[env", "SLACK_BOT_TOKEN]"]
    assert lines["data_dir"].split()[1:] == [str(home / ".local/share/chatops"), "[default]"]
    assert f"profile: demo ({home / '.local/share/chatops' / PROFILE_FILE})" in result.stdout

    shown = json.loads(chatops("settings", "--json", home=home,
                               SLACK_BOT_TOKEN="xoxb-secret-value").stdout)
    assert shown["settings"]["slack_bot_token"] == {"value": "set", "source": "env",
                                                    "from": "SLACK_BOT_TOKEN"}
    assert shown["settings"]["audit_db"]["source"] == "profile"
    assert shown["profile"]["active"] is True


def test_clear_profile_forgets_the_demo_but_keeps_its_files(
        home: Path, demo_files: dict[str, Path]) -> None:
    result = chatops("settings", "--clear-profile", home=home)
    assert result.returncode == 0, result.stderr
    assert "Removed the profile" in result.stdout
    assert demo_files["audit_db"].is_file()
    result = chatops("audit", "list", home=home)
    assert result.returncode == 2
    assert f"No audit log at {home / '.local/share/chatops/audit.db'}" in result.stderr


def test_a_broken_profile_exits_2_saying_how_to_get_past_it(home: Path) -> None:
    path = home / ".local/share/chatops" / PROFILE_FILE
    path.parent.mkdir(parents=True)
    path.write_text('{"settings": {"slack_bot_token": "xoxb-1"}}', encoding="utf-8")
    result = chatops("audit", "list", home=home)
    assert result.returncode == 2
    assert f"{path}: settings.slack_bot_token" in result.stderr
    assert "--clear-profile" in result.stderr and "Traceback" not in result.stderr
    assert chatops("audit", "list", home=home, CHATOPS_PROFILE="none").returncode == 2
    assert chatops("settings", "--clear-profile", home=home).returncode == 0
    assert not path.exists()


def test_shell_says_when_the_environment_overrides_the_profile(
        home: Path, demo_files: dict[str, Path], tmp_path: Path) -> None:
    # A kubeconfig that cannot be loaded: the shell stops before any cluster is contacted.
    result = chatops("shell", home=home, KUBECONFIG=str(tmp_path / "missing"))
    assert "overrides the demo profile for kubeconfig (KUBECONFIG)" in result.stderr
