"""What an `auto: true` alert rule can and cannot be: the rules file refuses a critical or
read-only runbook, a runbook without a namespace, a missing or system identity, the bot's
own identities, wildcard namespaces and automatic keys without `auto: true`, each with the
key path. Who may edit the file at all is whoever may change the bot's deployment (the file
is mounted read-only; `docs/security.md`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatops.alerts.rules import AlertRulesError, load_rules, parse_rules
from chatops.model import Identity
from chatops.runbook.catalogue import Catalogue

AS = {"user": "chatops:auto-dev", "groups": ["chatops:auto"]}


def auto_rule(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": "crash in dev", "match": {"alertname": "KubePodCrashLooping"},
                            "diagnostics": ["diagnose"], "remediation": "restart_deployment",
                            "auto": True, "namespaces": ["dev"], "as": dict(AS)}
    rule.update(changes)
    return {k: v for k, v in rule.items() if v is not None}


def parse(catalogue: Catalogue, rule: dict[str, Any]) -> Any:
    return parse_rules({"rules": [rule]}, catalogue)


def test_an_auto_rule_parses_with_its_limit(catalogue: Catalogue) -> None:
    rules = parse(catalogue, auto_rule(max_per_hour=5))
    auto = rules.rules[0].auto
    assert auto is not None
    assert auto.identity == Identity("chatops:auto-dev", ("chatops:auto",))
    assert auto.namespaces == frozenset({"dev"}) and auto.max_per_hour == 5
    assert auto.allows("dev") and not auto.allows("prod") and not auto.allows(None)
    assert parse(catalogue, auto_rule()).rules[0].auto.max_per_hour == 3
    assert parse(catalogue, auto_rule(auto=False, namespaces=None, **{"as": None})
                 ).rules[0].auto is None


@pytest.mark.parametrize(("rule", "error"), [
    (auto_rule(remediation="drain_node"), "critical runbooks never run automatically"),
    (auto_rule(remediation="diagnose"), "auto is for write runbooks"),
    (auto_rule(remediation="cordon_node"), "takes no namespace"),
    (auto_rule(remediation=None), "needs a remediation"),
    (auto_rule(namespaces=None), "rules[0].namespaces: required with auto: true"),
    (auto_rule(namespaces=[]), "name at least one namespace"),
    (auto_rule(namespaces=["*"]), "no wildcards"),
    (auto_rule(namespaces="dev"), "must be a list"),
    (auto_rule(**{"as": None}), "rules[0].as: required with auto: true"),
    (auto_rule(**{"as": {"groups": ["chatops:auto"]}}), "rules[0].as.user: required"),
    (auto_rule(**{"as": {"user": "system:admin"}}), "never impersonates system"),
    (auto_rule(**{"as": {"user": "bot", "groups": ["system:masters"]}}),
     "never impersonates system"),
    (auto_rule(**{"as": {"user": "chatops:alerts"}}), "is the diagnostics_identity"),
    (auto_rule(**{"as": {"user": "chatops:alerts-preview"}}), "is the preview_identity"),
    (auto_rule(**{"as": "chatops:auto-dev"}), "must be a mapping"),
    (auto_rule(**{"as": {"user": "a", "grups": []}}), "unknown key"),
    (auto_rule(auto="yes"), "must be true or false"),
    (auto_rule(max_per_hour=0), "at least 1"),
    (auto_rule(max_per_hour=True), "at least 1"),
    (auto_rule(auto=False, namespaces=["dev"], **{"as": None}),
     "rules[0].namespaces: only for a rule with auto: true"),
    (auto_rule(auto=None, namespaces=None, max_per_hour=2, **{"as": None}),
     "rules[0].max_per_hour: only for a rule with auto: true"),
])
def test_an_unsafe_auto_rule_is_refused_at_load(catalogue: Catalogue, rule: dict[str, Any],
                                                error: str) -> None:
    with pytest.raises(AlertRulesError, match=None) as caught:
        parse(catalogue, rule)
    assert error in str(caught.value)


def test_a_critical_auto_rule_in_a_file_is_refused_at_load(catalogue: Catalogue,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - name: drain bad nodes\n"
        "    match: {alertname: KubeNodeNotReady}\n"
        "    remediation: drain_node\n"
        "    auto: true\n"
        "    namespaces: [dev]\n"
        "    as: {user: 'chatops:auto-nodes'}\n", encoding="utf-8")
    with pytest.raises(AlertRulesError) as caught:
        load_rules(path, catalogue)
    assert str(caught.value).startswith(f"{path}: rules[0].auto: 'drain_node' is a critical")


def test_the_rules_are_read_once_at_start_from_the_file_only(catalogue: Catalogue,
                                                             tmp_path: Path) -> None:
    """Making a fix automatic takes an edit of the rules file (a ConfigMap mounted
    read-only in the chart) and a restart, which validates it: nothing at run time (no
    message, no alert, no later edit of the file) changes what runs automatically."""
    from chatops.cli.wiring import build_runtime
    from chatops.settings import Settings
    from tests.conversation.fake_cluster import FakeCluster

    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path, state_db=tmp_path / "state.db",
                        audit_db=tmp_path / "audit.db", alert_rules_path=path)
    runtime = build_runtime(settings, executor=FakeCluster(), use_model=False)
    path.write_text(yaml_rule(), encoding="utf-8")
    assert runtime._alert_rules is not None and runtime._alert_rules.rules == ()
    assert load_rules(path, catalogue).rules[0].auto is not None


def yaml_rule() -> str:
    import yaml

    return yaml.safe_dump({"rules": [auto_rule()]})
