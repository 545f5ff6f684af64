"""The alert rules file is read as strictly as the policy file: every form that used to be
taken too loosely (system identities for diagnostics or previews, typo'd keys, a key given
twice, a string where a list belongs, a zero burst, ...) is refused with the key path and the
reason; the packaged rules and the rules the other tests use still parse."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.alerts import rules as alert_rules
from chatops.alerts.rules import DEFAULT_RULES, AlertRulesError, load_rules, parse_rules
from chatops.model import Identity
from chatops.runbook.catalogue import Catalogue

Edit = Callable[[dict[str, Any]], None]


def base() -> dict[str, Any]:
    """The packaged rules, with an alert bot and channel, as parsed YAML."""
    data: dict[str, Any] = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    data["allowed_bots"] = ["B0ALERTS"]
    data["channels"] = ["C0ALERTS"]
    return copy.deepcopy(data)


def setting(path: str, value: Any) -> Edit:
    """An edit that sets the dotted `path` (an integer part indexes a list) to `value`."""
    def edit(data: Any) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if key.isdigit() else data.setdefault(key, {})
        if last.isdigit():
            data[int(last)] = value
        else:
            data[last] = value
    return edit


def renaming(path: str, new: str) -> Edit:
    """An edit that renames the last key of the dotted `path` to `new` (a typo)."""
    def edit(data: Any) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if key.isdigit() else data[key]
        data[new] = data.pop(last)
    return edit


def removing(path: str) -> Edit:
    def edit(data: Any) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if key.isdigit() else data[key]
        del data[last]
    return edit


# (id, edit of the packaged rules, substrings the error must contain)
LOOSE: list[tuple[str, Edit, tuple[str, ...]]] = [
    # The forms the security review reproduced.
    ("diagnostics-as-cluster-admin",
     setting("diagnostics_identity", {"user": "system:admin", "groups": ["system:masters"]}),
     ("diagnostics_identity.user:", "system:")),
    ("diagnostics-system-group",
     setting("diagnostics_identity.groups", ["chatops:viewers", "system:masters"]),
     ("diagnostics_identity.groups[1]:", "system:")),
    ("preview-system-user",
     setting("preview_identity.user", "system:serviceaccount:kube-system:default"),
     ("preview_identity.user:", "system:")),
    ("typo-top-level-key", renaming("channels", "chanels"),
     ("chanels: unknown key", "did you mean 'channels'", "allowed:")),
    ("typo-rule-key", renaming("rules.0.remediation", "remediaton"),
     ("rules[0].remediaton: unknown key", "did you mean 'remediation'")),
    ("groups-a-string", setting("diagnostics_identity.groups", "sre"),
     ("diagnostics_identity.groups:", "list")),
    ("channels-a-string", setting("channels", "C0ALERTS"),
     ("channels:", "list")),
    ("zero-burst", setting("burst", {"posts": 0}),
     ("burst.posts:", "at least 1")),
    # Identities.
    ("system-user-any-case", setting("diagnostics_identity.user", "System:Admin"),
     ("diagnostics_identity.user:", "system:")),
    ("preview-system-group", setting("preview_identity.groups", ["system:masters"]),
     ("preview_identity.groups[0]:", "system:")),
    ("typo-identity-key", renaming("diagnostics_identity.groups", "group"),
     ("diagnostics_identity.group: unknown key", "did you mean 'groups'")),
    ("identity-not-a-mapping", setting("preview_identity", "chatops:alerts-preview"),
     ("preview_identity:", "mapping")),
    ("identity-user-empty", setting("diagnostics_identity.user", ""),
     ("diagnostics_identity.user:", "empty")),
    ("identity-user-not-a-string", setting("diagnostics_identity.user", True),
     ("diagnostics_identity.user:", "must be a string")),
    ("identity-user-whitespace", setting("diagnostics_identity.user", "chatops alerts"),
     ("diagnostics_identity.user:", "whitespace")),
    ("identity-group-not-a-string", setting("diagnostics_identity.groups", [7]),
     ("diagnostics_identity.groups[0]:", "must be a string")),
    # Burst.
    ("typo-burst-key", renaming("burst.posts", "post"),
     ("burst.post: unknown key", "did you mean 'posts'")),
    ("burst-not-a-mapping", setting("burst", 30),
     ("burst:", "mapping")),
    ("burst-posts-bool", setting("burst.posts", True),
     ("burst.posts:", "whole number")),
    ("burst-posts-fraction", setting("burst.posts", 2.5),
     ("burst.posts:", "whole number")),
    ("burst-posts-string", setting("burst.posts", "30"),
     ("burst.posts:", "whole number")),
    ("burst-seconds-zero", setting("burst.per_seconds", 0),
     ("burst.per_seconds:", "more than 0")),
    ("burst-seconds-negative", setting("burst.per_seconds", -60),
     ("burst.per_seconds:", "more than 0")),
    ("burst-seconds-bool", setting("burst.per_seconds", True),
     ("burst.per_seconds:", "number of seconds")),
    ("burst-seconds-string", setting("burst.per_seconds", "60"),
     ("burst.per_seconds:", "number of seconds")),
    ("burst-seconds-infinite", setting("burst.per_seconds", float("inf")),
     ("burst.per_seconds:", "finite")),
    # Outbox (already strict about values; now also about key names, with a suggestion).
    ("typo-outbox-key", renaming("outbox.max_attempts", "max_attempt"),
     ("outbox.max_attempt: unknown key", "did you mean 'max_attempts'")),
    ("outbox-bool", setting("outbox.max_attempts", True),
     ("outbox.max_attempts:", "whole number")),
    # Alert bots and channels.
    ("bots-a-string", setting("allowed_bots", "B0ALERTS"),
     ("allowed_bots:", "list")),
    ("bot-is-a-user-id", setting("allowed_bots", ["U0ALICE"]),
     ("allowed_bots[0]:", "Slack bot id")),
    ("bot-id-lowercase", setting("allowed_bots", ["b0alerts"]),
     ("allowed_bots[0]:", "Slack bot id")),
    ("bot-id-not-a-string", setting("allowed_bots", [123]),
     ("allowed_bots[0]:", "must be a string")),
    ("channel-name-not-id", setting("channels", ["#alerts"]),
     ("channels[0]:", "Slack channel id")),
    ("channel-is-a-dm", setting("channels", ["C0ALERTS", "D0BOBDM"]),
     ("channels[1]:", "direct message")),
    ("channel-is-a-user", setting("channels", ["U0ALICE"]),
     ("channels[0]:", "Slack channel id")),
    ("channel-not-a-string", setting("channels", [True]),
     ("channels[0]:", "must be a string")),
    # The rules list and each rule.
    ("no-rules", removing("rules"),
     ("rules:", "required")),
    ("rules-not-a-list", setting("rules", {"name": "x"}),
     ("rules:", "list")),
    ("rule-not-a-mapping", setting("rules.0", "crash-looping pod"),
     ("rules[0]:", "mapping")),
    ("rule-without-name", removing("rules.1.name"),
     ("rules[1].name:", "required")),
    ("rule-name-empty", setting("rules.1.name", ""),
     ("rules[1].name:", "empty")),
    ("rule-name-blank", setting("rules.1.name", "   "),
     ("rules[1].name:", "empty")),
    ("rule-name-not-a-string", setting("rules.1.name", 5),
     ("rules[1].name:", "must be a string")),
    ("rule-name-control-character", setting("rules.1.name", "pod\nnot ready"),
     ("rules[1].name:", "control")),
    ("rule-name-twice", setting("rules.2.name", "crash-looping pod"),
     ("rules[2].name:", "'crash-looping pod'", "rules[0]")),
    ("typo-match-key", renaming("rules.0.match", "matches"),
     ("rules[0].matches: unknown key", "did you mean 'match'")),
    ("rule-matches-nothing", removing("rules.0.match"),
     ("rules[0].match:", "at least one label")),
    ("rule-matches-empty", setting("rules.0.match", {}),
     ("rules[0].match:", "at least one label")),
    ("match-not-a-mapping", setting("rules.0.match", "KubePodCrashLooping"),
     ("rules[0].match:", "mapping")),
    ("match-value-a-number", setting("rules.0.match", {"alertname": "A", "severity": 2}),
     ("rules[0].match.severity:", "must be a string")),
    ("match-value-yes-no", setting("rules.0.match", {"alertname": "A", "critical": False}),
     ("rules[0].match.critical:", "yes/no")),
    ("match-value-a-list", setting("rules.0.match", {"alertname": ["A", "B"]}),
     ("rules[0].match.alertname:", "must be a string")),
    ("match-label-not-a-label", setting("rules.0.match", {"alert name": "A"}),
     ("rules[0].match.alert name:", "label name")),
    ("match-label-not-a-string", setting("rules.0.match", {True: "A"}),
     ("rules[0].match:", "key True")),
    ("match-re-value-a-number", setting("rules.4.match_re", {"code": 500}),
     ("rules[4].match_re.code:", "must be a string")),
    ("match-re-invalid", setting("rules.4.match_re", {"alertname": "Kube(Image"}),
     ("rules[4].match_re.alertname:", "regular expression")),
    ("match-re-not-a-mapping", setting("rules.4.match_re", ["KubeImagePullBackOff"]),
     ("rules[4].match_re:", "mapping")),
    ("diagnostics-a-string", setting("rules.0.diagnostics", "diagnose"),
     ("rules[0].diagnostics:", "list")),
    ("diagnostic-not-a-string", setting("rules.0.diagnostics", [{"diagnose": None}]),
     ("rules[0].diagnostics[0]:", "must be a string")),
    ("diagnostic-unknown", setting("rules.0.diagnostics", ["diagnose", "diagnoze"]),
     ("rules[0].diagnostics[1]:", "no runbook 'diagnoze'", "did you mean 'diagnose'")),
    ("diagnostic-not-read-only", setting("rules.0.diagnostics", ["restart_deployment"]),
     ("rules[0].diagnostics[0]:", "read-only")),
    ("diagnostic-twice", setting("rules.0.diagnostics", ["diagnose", "diagnose"]),
     ("rules[0].diagnostics[1]:", "twice")),
    ("remediation-unknown", setting("rules.0.remediation", "restart_deploymnet"),
     ("rules[0].remediation:", "no runbook", "did you mean 'restart_deployment'")),
    ("remediation-a-list", setting("rules.0.remediation", ["restart_deployment"]),
     ("rules[0].remediation:", "must be a string")),
]


@pytest.mark.parametrize(("edit", "expected"), [(e, x) for _, e, x in LOOSE],
                         ids=[name for name, _, _ in LOOSE])
def test_loosely_accepted_forms_are_refused(edit: Edit, expected: tuple[str, ...],
                                            catalogue: Catalogue) -> None:
    data = base()
    parse_rules(data, catalogue)  # the unedited rules are fine
    edit(data)
    with pytest.raises(AlertRulesError) as caught:
        parse_rules(data, catalogue)
    message = str(caught.value)
    for part in expected:
        assert part in message, message


def test_non_string_top_level_key_is_refused(catalogue: Catalogue) -> None:
    data: dict[Any, Any] = base()
    data[1] = "x"
    with pytest.raises(AlertRulesError, match="key 1 must be a string"):
        parse_rules(data, catalogue)


@pytest.mark.parametrize("data", [None, [], "rules: []"], ids=["empty", "list", "string"])
def test_the_document_must_be_a_mapping(data: Any, catalogue: Catalogue) -> None:
    with pytest.raises(AlertRulesError, match="must be a YAML mapping"):
        parse_rules(data, catalogue)


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_key_given_twice_is_refused(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write(tmp_path, """\
        allowed_bots: [B0ALERTS]
        rules: [{name: any, match: {alertname: A}}]
        allowed_bots: [B0MALLORY]
        """)
    with pytest.raises(AlertRulesError) as caught:
        load_rules(path, catalogue)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "duplicate key 'allowed_bots'" in message and "line 3" in message


def test_a_nested_key_given_twice_is_refused(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write(tmp_path, """\
        diagnostics_identity:
          user: chatops:alerts
          groups: [chatops:viewers]
          groups: [chatops:admins]
        rules: [{name: any, match: {alertname: A}}]
        """)
    with pytest.raises(AlertRulesError, match="duplicate key 'groups'"):
        load_rules(path, catalogue)


def test_load_rules_prefixes_the_file(tmp_path: Path, catalogue: Catalogue) -> None:
    path = write(tmp_path, """\
        chanels: [C0ALERTS]
        rules: [{name: any, match: {alertname: A}}]
        """)
    with pytest.raises(AlertRulesError) as caught:
        load_rules(path, catalogue)
    assert str(caught.value).startswith(f"{path}: chanels: unknown key")


@pytest.mark.parametrize(("content", "words"), [
    (None, "cannot be read"), (b"\xff\xfe rules", "cannot be read"),
    (b"rules: [", "not valid YAML")], ids=["missing", "not-utf8", "bad-yaml"])
def test_unreadable_files_name_the_file(tmp_path: Path, catalogue: Catalogue,
                                        content: bytes | None, words: str) -> None:
    path = tmp_path / "rules.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AlertRulesError) as caught:
        load_rules(path, catalogue)
    assert str(caught.value).startswith(f"{path}: ") and words in str(caught.value)


def test_the_packaged_rules_load(catalogue: Catalogue) -> None:
    rules = load_rules(None, catalogue)
    assert rules.identity == Identity("chatops:alerts", ("chatops:viewers",))
    assert rules.preview_identity == Identity("chatops:alerts-preview", ("chatops:previewers",))
    assert (rules.burst_posts, rules.burst_seconds) == (30, 60.0)
    assert rules.allowed_bots == frozenset() and rules.channels == frozenset()
    assert len(rules.rules) == 8
    crash = rules.match({"alertname": "KubePodCrashLooping"})
    assert crash is not None and crash.remediation == "restart_deployment"
    oom = rules.match({"alertname": "KubePodOOMKilled"})
    assert oom is not None and oom.diagnostics == ("diagnose", "pod_logs")


def test_the_docstring_example_parses_as_documented(catalogue: Catalogue) -> None:
    doc = alert_rules.__doc__ or ""
    block = doc.split("\n\n")[1]
    rules = parse_rules(yaml.safe_load(textwrap.dedent(block)), catalogue)
    assert rules.outbox.per_channel == 200 and rules.burst_posts == 30
    rule = rules.match({"alertname": "KubePodCrashLooping", "severity": "warning"})
    assert rule is not None and rule.name == "crash-looping pod"
    assert rules.match({"alertname": "KubePodCrashLooping", "severity": "info"}) is None


def test_legitimate_forms_still_parse(catalogue: Catalogue) -> None:
    rules = parse_rules({
        "diagnostics_identity": None, "preview_identity": {"groups": []}, "burst": None,
        "outbox": None, "allowed_bots": None, "channels": ["C0ALERTS", "G0PRIVATE"],
        "rules": [{"name": "a", "match": {"alertname": "A"}, "diagnostics": None,
                   "remediation": None},
                  {"name": "b", "match": {"alertname": "B"},
                   "match_re": {"severity": "critical|warning"}}]}, catalogue)
    assert rules.identity == Identity("chatops:alerts", ("chatops:viewers",))
    assert rules.preview_identity == Identity("chatops:alerts-preview", ())
    assert rules.channels == {"C0ALERTS", "G0PRIVATE"}
    assert rules.rules[0].diagnostics == () and rules.rules[0].remediation is None
    fractional = parse_rules({"burst": {"posts": 5, "per_seconds": 0.5}, "rules": []},
                             catalogue)
    assert (fractional.burst_posts, fractional.burst_seconds) == (5, 0.5)


def chatops(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m chatops ARGS` as a real process, away from any real cluster, policy or
    Slack workspace."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("CHATOPS_POLICY", "CHATOPS_KUBECONFIG", "SLACK_APP_TOKEN",
                                "CHATOPS_ALERT_RULES")}
    environment.update(SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s",
                       CHATOPS_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([sys.executable, "-m", "chatops", *args], capture_output=True,
                          text=True, timeout=60, env=environment, stdin=subprocess.DEVNULL)


def test_serve_with_bad_alert_rules_exits_2_naming_file_key_and_reason(
        tmp_path: Path) -> None:
    path = write(tmp_path, """\
        diagnostics_identity: {user: system:admin, groups: [system:masters]}
        rules: [{name: any, match: {alertname: A}}]
        """)
    # A kubeconfig that loads (nothing is asked of the cluster before the rules are read).
    kubeconfig = write(tmp_path, """\
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """, name="kubeconfig")
    result = chatops("serve", tmp_path=tmp_path, CHATOPS_ALERT_RULES=str(path),
                     KUBECONFIG=str(kubeconfig))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{path}: diagnostics_identity.user: " in result.stderr
    assert "system:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
