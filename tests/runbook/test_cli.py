"""The `chatops runbooks` commands, run as a user would run them (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chatops.runbook.catalogue import load_catalogue
from tests.conftest import FIXTURES


def chatops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chatops", *args], capture_output=True,
                          text=True, timeout=60)


def test_validate_passes_on_the_catalogue() -> None:
    result = chatops("runbooks", "validate")
    assert result.returncode == 0, result.stderr
    # Counted from the files, so a new runbook doesn't need this test changed; the
    # catalogue's exact contents are pinned by test_catalogue.py.
    assert f"{len(load_catalogue().runbooks)} runbook(s) valid" in result.stdout


def test_validate_fails_on_broken_fixtures_naming_file_and_field() -> None:
    result = chatops("runbooks", "validate", str(FIXTURES / "broken_runbooks"))
    assert result.returncode == 1
    assert "bad_risk.yaml: risk:" in result.stderr
    assert "missing_slot_type.yaml: slots.deployment.type:" in result.stderr
    assert "undeclared_slot.yaml: steps[0].params.deployment:" in result.stderr
    assert "unknown_verb.yaml: steps[0].verb:" in result.stderr
    assert "Traceback" not in result.stderr


def test_render_prints_the_plan() -> None:
    result = chatops("runbooks", "render", "scale_deployment", "deployment=checkout",
                     "namespace=prod", "replicas=5")
    assert result.returncode == 0, result.stderr
    assert "scale deployment checkout in prod to 5 replicas" in result.stdout


@pytest.mark.parametrize(
    "slot",
    [
        "deployment=checkout\n  replicas: 100",
        "deployment={{ 7*7 }}",
        "deployment={% for %}",
        "deployment=x; rm -rf /",
        "deployment=" + "a" * 300,
        "namespace=../etc",
        "deployment=",
        "replicas=-3",
        "replicas=100000",
    ],
)
def test_render_refuses_hostile_values_with_exit_2(slot: str) -> None:
    base = {"deployment": "checkout", "namespace": "prod", "replicas": "5"}
    key, _, value = slot.partition("=")
    base[key] = value
    result = chatops("runbooks", "render", "scale_deployment",
                     *(f"{k}={v}" for k, v in base.items()))
    assert result.returncode == 2
    assert result.stderr.startswith("Refused: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_list_json_gives_name_risk_and_slots() -> None:
    result = chatops("runbooks", "list", "--json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(load_catalogue().runbooks)
    hygiene = next(r for r in rows if r["name"] == "pod_hygiene")
    assert hygiene["risk"] == "read" and hygiene["slots"] == ["namespace", "check"]
    drain = next(r for r in rows if r["name"] == "drain_node")
    assert drain["risk"] == "critical" and drain["slots"] == ["node"]


def test_show_unknown_runbook_suggests() -> None:
    result = chatops("runbooks", "show", "drain_nod")
    assert result.returncode == 2 and "drain_node" in result.stderr
