"""A new user's first steps: `chatops demo`, then plain `chatops ...` commands with no variables.

The demo runs as a user would run it (a real process, its own sandbox cluster, messages on
stdin) in an empty HOME; the commands after it get the same HOME and no CHATOPS_*,
KUBECONFIG or XDG_* variables, and must find what the demo set up through its profile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatops.sandbox import manager

pytestmark = pytest.mark.k8s


def new_user_env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("CHATOPS_", "SLACK_", "XDG_")) and k != "KUBECONFIG"}
    return {**keep, "HOME": str(home)}


def chatops(*args: str, home: Path, stdin: str = "",
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chatops", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env=new_user_env(home))


@pytest.fixture
def home(tmp_path: Path, sandbox_binary: Path) -> Path:
    """An empty HOME whose binary cache already holds the sandbox build (no 10-minute build)."""
    home = tmp_path / "home"
    (home / ".cache/chatops").mkdir(parents=True)
    (home / ".cache/chatops/ktc").symlink_to(sandbox_binary.parent, target_is_directory=True)
    return home


def test_after_the_demo_plain_commands_find_its_files(home: Path) -> None:
    state = home / ".cache/chatops/sandbox-state"
    try:
        demo = chatops("demo", "--as", "alice", home=home, timeout=400,
                       stdin="run show_pods namespace=prod deployment=checkout-api\n")
        assert demo.returncode == 0, demo.stdout + demo.stderr
        profile = home / ".local/share/chatops/profile.json"
        assert f"Wrote the demo profile to {profile}" in demo.stdout
        demo_dir = home / ".local/share/chatops/demo"
        assert f"audit log      {demo_dir / 'audit.db'}" in demo.stdout

        listed = chatops("audit", "list", "--json", home=home)
        assert listed.returncode == 0, listed.stderr
        events = [json.loads(line) for line in listed.stdout.splitlines()]
        messages = [e for e in events if e["kind"] == "message"]
        assert [m["data"]["text"] for m in messages] == [
            "run show_pods namespace=prod deployment=checkout-api"]
        assert chatops("audit", "verify", home=home).returncode == 0

        # The shell reaches the demo's cluster with the demo's policy: bob may read prod.
        shell = chatops("shell", "--as", "bob", home=home,
                        stdin="run deployment_status namespace=prod deployment=checkout-api\n")
        assert shell.returncode == 0, shell.stdout + shell.stderr
        assert "deployment checkout-api in prod" in shell.stdout
        assert len(chatops("audit", "list", "--kind", "message", home=home)
                   .stdout.splitlines()) == 2

        settings = chatops("settings", "--json", home=home)
        shown = json.loads(settings.stdout)["settings"]
        assert {name: shown[name]["source"] for name in
                ("kubeconfig", "policy_path", "state_db", "audit_db", "sandbox_state")} == \
            dict.fromkeys(("kubeconfig", "policy_path", "state_db", "audit_db",
                           "sandbox_state"), "profile")

        down = chatops("sandbox", "down", home=home)
        assert down.stdout.strip() == "sandbox stopped", down.stderr

        # A new cluster, a new demo: the last one's runs are of objects that are gone
        # (a user trial began with "r-... was interrupted"). Its files are kept, whole.
        again = chatops("demo", "--no-shell", home=home, timeout=400)
        assert again.returncode == 0, again.stdout + again.stderr
        (kept,) = demo_dir.glob("previous-*")
        assert f"are kept in {kept}" in again.stdout
        assert (kept / "state.db").exists() and (kept / "audit.db").stat().st_size > 0
        assert chatops("audit", "list", "--kind", "message", home=home).stdout == ""
    finally:
        manager.down(state)
