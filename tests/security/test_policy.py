"""The policy file is accepted strictly: every form that used to be taken too loosely (typo'd
keys, system identities, unknown risks and principals, ...) is refused with the key path and
the reason; legitimate policies still parse. Also: `serve`/`shell`/`policy validate` refuse
a bad file at start, and Slack user group rights lapse when Slack cannot be asked."""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from chatops.cli.wiring import SAFE_DEFAULT_POLICY
from chatops.demo import DEMO_POLICY
from chatops.model import Message, Risk
from chatops.policy import rules
from chatops.policy.rules import PolicyError, load_policy, parse_policy
from chatops.slack import UserGroups, make_client
from tests.conversation.test_service_logic import POLICY as LOGIC_POLICY
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import MockSlack

Edit = Callable[[dict[str, Any]], None]


def doc_example() -> dict[str, Any]:
    """The example policy in the module docstring of `chatops.policy.rules`."""
    doc = rules.__doc__ or ""
    block = doc.split("Example (YAML):")[1].split("A principal is")[0]
    data: dict[str, Any] = yaml.safe_load(textwrap.dedent(block))
    return data


def base() -> dict[str, Any]:
    return copy.deepcopy(DEMO_POLICY)


def setting(path: str, value: Any) -> Edit:
    """An edit that sets the dotted `path` (creating mappings on the way) to `value`."""
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data.setdefault(key, {})
        data[last] = value
    return edit


def renaming(path: str, new: str) -> Edit:
    """An edit that renames the last key of the dotted `path` to `new` (a typo)."""
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        data[new] = data.pop(last)
    return edit


def both(first: Edit, second: Edit) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        first(data)
        second(data)
    return edit


# (id, edit of the demo policy, substrings the error must contain)
LOOSE: list[tuple[str, Edit, tuple[str, ...]]] = [
    ("typo-top-level-key", setting("chanels", ["C0DEV"]),
     ("chanels: unknown key", "did you mean 'channels'", "allowed:")),
    ("typo-identity-key", renaming("identities.alice.kube_groups", "kube_grups"),
     ("identities.alice.kube_grups: unknown key", "did you mean 'kube_groups'")),
    ("typo-unmapped-key", renaming("unmapped.allow", "alow"),
     ("unmapped.alow: unknown key", "did you mean 'allow'")),
    ("unknown-key-without-suggestion", setting("approvals.zzz", 1),
     ("approvals.zzz:", "read, write, critical")),
    ("system-masters-group", setting("identities.alice.kube_groups", ["dev", "system:masters"]),
     ("identities.alice.kube_groups[1]:", "system:")),
    ("system-admin-user", setting("identities.alice.kube_user", "system:admin"),
     ("identities.alice.kube_user:", "system:")),
    ("system-user-any-case", setting("identities.alice.kube_user", "System:admin"),
     ("identities.alice.kube_user:", "system:")),
    ("system-serviceaccount-user",
     setting("identities.alice.kube_user", "system:serviceaccount:kube-system:default"),
     ("identities.alice.kube_user:", "system:")),
    ("system-group-in-chat-groups", setting("chat_groups.S0SRE", ["system:masters"]),
     ("chat_groups.S0SRE[0]:", "system:")),
    ("system-group-unmapped", setting("unmapped.kube_groups", ["system:masters"]),
     ("unmapped.kube_groups[0]:", "system:")),
    ("system-user-unmapped", setting("unmapped.kube_user", "system:{user}"),
     ("unmapped.kube_user:", "system:")),
    # A prefix that a chat id could complete into system:... (`:as tem:masters` in the console).
    ("unmapped-template-could-spell-system", setting("unmapped.kube_user", "sys{user}"),
     ("unmapped.kube_user:", "'sys{user}'", "system:")),
    ("unmapped-template-could-spell-system-any-case",
     setting("unmapped.kube_user", "SYSTEM{user}"),
     ("unmapped.kube_user:", "'SYSTEM{user}'", "system:")),
    ("unmapped-user-is-the-chat-id", setting("unmapped.kube_user", "{user}"),
     ("unmapped.kube_user:", "fixed prefix")),
    ("unmapped-template-attribute", setting("unmapped.kube_user", "chat:{user.__class__}"),
     ("unmapped.kube_user:", "{user}")),
    ("unmapped-template-positional", setting("unmapped.kube_user", "chat:{0}"),
     ("unmapped.kube_user:", "{user}")),
    ("unmapped-template-broken", setting("unmapped.kube_user", "chat:{user"),
     ("unmapped.kube_user:", "template")),
    ("unmapped-allow-unknown", setting("unmapped.allow", "admin"),
     ("unmapped.allow:", "read, write, critical or none")),
    ("empty-kube-user", setting("identities.alice.kube_user", ""),
     ("identities.alice.kube_user:", "empty")),
    ("empty-kube-group", setting("identities.alice.kube_groups", [""]),
     ("identities.alice.kube_groups[0]:", "empty")),
    ("whitespace-kube-group", setting("identities.alice.kube_groups", ["dev ops"]),
     ("identities.alice.kube_groups[0]:", "whitespace")),
    ("control-char-kube-user", setting("identities.alice.kube_user", "alice\x00"),
     ("identities.alice.kube_user:", "whitespace or control")),
    ("kube-user-not-a-string", setting("identities.alice.kube_user", True),
     ("identities.alice.kube_user:", "must be a string")),
    ("missing-kube-user", lambda d: d["identities"]["alice"].pop("kube_user"),
     ("identities.alice.kube_user:", "required")),
    ("identity-not-a-mapping", setting("identities.alice", "alice"),
     ("identities.alice:", "mapping")),
    ("chat-not-a-list", setting("identities.alice.chat", "U0ALICE"),
     ("identities.alice.chat:", "list")),
    ("unknown-risk-self-approval", setting("self_approval", ["writ"]),
     ("self_approval[0]:", "'writ'", "did you mean 'write'")),
    ("critical-self-approval", setting("self_approval", ["critical"]),
     ("self_approval[0]:", "never")),
    ("unknown-risk-request", setting("request.writ", ["everyone"]),
     ("request.writ: unknown key", "did you mean 'write'")),
    ("unknown-risk-approve", setting("approve.critcal", ["group:sre"]),
     ("approve.critcal: unknown key", "did you mean 'critical'")),
    ("unknown-risk-approvals", setting("approvals.writ", 1),
     ("approvals.writ: unknown key", "did you mean 'write'")),
    ("principal-without-kind", setting("approve.write", ["sre"]),
     ("approve.write[0]:", "everyone, mapped, user:<name> or group:<name>")),
    ("principal-unknown-kind", setting("request.write", ["team:sre"]),
     ("request.write[0]:", "everyone, mapped")),
    ("principal-empty-name", setting("approve.write", ["group:"]),
     ("approve.write[0]:", "empty")),
    ("principal-unknown-group", setting("approve.write", ["group:sres"]),
     ("approve.write[0]:", "'sres'", "did you mean 'sre'")),
    ("principal-unknown-user", setting("approve.critical", ["user:carl"]),
     ("approve.critical[0]:", "'carl'", "did you mean 'carol'")),
    ("principal-names-a-chat-id", setting("approve.critical", ["user:U0CAROL"]),
     ("approve.critical[0]:", "user:carol")),
    ("principals-not-a-list", setting("request.read", "everyone"),
     ("request.read:", "list")),
    ("bool-as-count", setting("approvals.write", True),
     ("approvals.write:", "whole number")),
    ("float-as-count", setting("approvals.write", 1.5),
     ("approvals.write:", "whole number")),
    ("negative-count", setting("approvals.write", -1),
     ("approvals.write:", "0 to 10")),
    ("huge-count", setting("approvals.write", 11),
     ("approvals.write:", "0 to 10")),
    ("critical-below-two", setting("approvals.critical", 1),
     ("approvals.critical:", "at least 2")),
    ("bool-as-expiry", setting("approval_expiry_minutes", True),
     ("approval_expiry_minutes:", "number")),
    ("string-as-expiry", setting("approval_expiry_minutes", "15"),
     ("approval_expiry_minutes:", "number")),
    ("zero-expiry", setting("approval_expiry_minutes", 0),
     ("approval_expiry_minutes:", "more than 0")),
    ("expiry-over-a-day", setting("approval_expiry_minutes", 24 * 60 + 1),
     ("approval_expiry_minutes:", "1440")),
    ("chat-id-mapped-twice", setting("identities.bob.chat", ["U0BOB", "U0ALICE"]),
     ("identities.bob.chat[1]:", "U0ALICE", "alice")),
    ("identity-name-is-anothers-chat-id",
     setting("identities.U0BOB", {"kube_user": "bobby"}),
     ("U0BOB", "bob")),
    ("kube-user-shared", setting("identities.erin.kube_user", "bob"),
     ("identities.erin.kube_user:", "bob")),
    ("kube-user-is-another-identity",
     both(setting("identities.carol.kube_user", "carol@corp"),
          setting("identities.erin.kube_user", "carol")),
     ("identities.erin.kube_user:", "identity carol")),
    ("kube-user-looks-unmapped", setting("identities.erin.kube_user", "chat:U0EVE"),
     ("identities.erin.kube_user:", "unmapped")),
    ("chat-id-lowercase", setting("identities.alice.chat", ["u0alice"]),
     ("identities.alice.chat[0]:", "Slack user id")),
    ("chat-id-is-a-channel", setting("identities.alice.chat", ["C0DEV"]),
     ("identities.alice.chat[0]:", "Slack user id")),
    ("identity-name-with-colon", setting("identities.chat:x", {"kube_user": "x"}),
     ("identities.chat:x:", "identity name")),
    ("chat-group-not-a-group-id", setting("chat_groups", {"sre": ["sre"]}),
     ("chat_groups.sre:", "Slack user group id")),
    ("channel-name-not-id", setting("channels", ["#general"]),
     ("channels[0]:", "Slack channel id")),
    ("channels-not-a-list", setting("channels", "C0DEV"),
     ("channels:", "list")),
    ("namespace-not-dns-label", setting("channel_namespaces", {"C0DEV": "Dev_NS"}),
     ("channel_namespaces.C0DEV:", "DNS-1123")),
    ("namespace-not-a-string", setting("channel_namespaces", {"C0DEV": 7}),
     ("channel_namespaces.C0DEV:", "must be a string")),
    ("namespace-channel-not-id", setting("channel_namespaces", {"dev": "dev"}),
     ("channel_namespaces.dev:", "Slack channel id")),
    ("non-string-key", setting("identities", {1: {"kube_user": "one"}}),
     ("identities:", "key 1")),
]


@pytest.mark.parametrize(("edit", "expected"), [(e, x) for _, e, x in LOOSE],
                         ids=[name for name, _, _ in LOOSE])
def test_loosely_accepted_forms_are_refused(edit: Edit, expected: tuple[str, ...]) -> None:
    data = base()
    edit(data)
    with pytest.raises(PolicyError) as caught:
        parse_policy(data)
    message = str(caught.value)
    for part in expected:
        assert part in message, message


SYSTEM_NAMES = ["system:masters", "system:admin", "system:anonymous", "system:unauthenticated",
                "system:serviceaccount:kube-system:default", "system:serviceaccounts",
                "system:nodes", "System:Masters"]


@pytest.mark.parametrize("value", SYSTEM_NAMES)
@pytest.mark.parametrize("field", ["kube_user", "kube_groups"])
def test_nobody_is_mapped_to_a_system_user_or_group(field: str, value: str) -> None:
    """Whatever the form, mapping a person to a `system:` user or group is refused, and the
    error names the person, the field and the value."""
    data = base()
    data["identities"]["mallory"][field] = value if field == "kube_user" else ["interns", value]
    with pytest.raises(PolicyError) as caught:
        parse_policy(data)
    message = str(caught.value)
    assert message.startswith(f"identities.mallory.{field}"), message
    assert repr(value) in message and "system:" in message, message


@pytest.mark.parametrize("template", ["sys{user}", "SYSTEM{user}", "s{user}", "system{user}"])
def test_no_chat_id_can_make_the_unmapped_user_a_system_user(template: str) -> None:
    """The unmapped kube user is the template with the chat id filled in: a prefix that the
    chat id could complete into `system:` is refused, whatever the chat id will be."""
    data = base()
    data["unmapped"]["kube_user"] = template
    with pytest.raises(PolicyError, match=r"^unmapped\.kube_user: .*system:"):
        parse_policy(data)


@pytest.mark.parametrize("data", [None, [], "identities: {}"], ids=["empty", "list", "string"])
def test_the_document_must_be_a_mapping(data: Any) -> None:
    with pytest.raises(PolicyError, match="must be a YAML mapping"):
        parse_policy(data)


@pytest.mark.parametrize("data", [DEMO_POLICY, LOGIC_POLICY, SAFE_DEFAULT_POLICY, {}],
                         ids=["demo", "conversation-tests", "safe-default", "empty-mapping"])
def test_legitimate_policies_still_parse(data: dict[str, Any]) -> None:
    parse_policy(copy.deepcopy(data))


def test_the_docstring_example_parses_as_documented() -> None:
    policy = parse_policy(doc_example())
    alice = policy.requester(Message(user="U0ALICE", text=""))
    assert alice.identity.user == "alice" and alice.identity.groups == ("dev",)
    sre = policy.requester(Message(user="U0ALICE", text="", groups=("S0SRE",)))
    assert sre.identity.groups == ("dev", "sre")
    guest = policy.requester(Message(user="U0GUEST", text=""))
    assert guest.identity.user == "chat:U0GUEST"
    assert guest.identity.groups == ("chatops:viewers",)
    assert policy.approvals_needed(Risk.WRITE) == 1
    assert policy.may_self_approve(Risk.WRITE)
    assert policy.default_namespace("C0DEV") == "dev"


def test_empty_sections_mean_the_defaults() -> None:
    policy = parse_policy({"identities": None, "request": None, "channels": None})
    assert not policy.people and policy.channel_allowed("C0ANY")


def test_fractional_expiry_and_per_risk_counts_are_kept() -> None:
    policy = parse_policy({"approval_expiry_minutes": 0.5, "approvals": {"write": 0}})
    assert policy.expiry.total_seconds() == 30
    assert policy.approvals_needed(Risk.WRITE) == 0


def test_user_principal_may_name_the_identity_or_its_kube_user() -> None:
    data = {"identities": {"alice": {"chat": ["U0ALICE"], "kube_user": "alice@example.com"}},
            "approve": {"write": ["user:alice", "user:alice@example.com"]}}
    parse_policy(data)


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        channels: [C0DEV]
        request: {read: [everyone]}
        channels: []
        """)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "duplicate key 'channels'" in message and "line 3" in message


def test_duplicate_nested_yaml_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        identities:
          alice: {chat: [U0ALICE], kube_user: alice}
          alice: {chat: [U0MALLORY], kube_user: alice}
        """)
    with pytest.raises(PolicyError, match="duplicate key 'alice'"):
        load_policy(path)


def test_load_policy_prefixes_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "chanels: [C0DEV]\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value).startswith(f"{path}: chanels: unknown key")


def chatops(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m chatops ARGS` as a real process, away from any real cluster or policy."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("CHATOPS_POLICY", "CHATOPS_KUBECONFIG", "SLACK_APP_TOKEN")}
    environment.update(SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s",
                       CHATOPS_DATA_DIR=str(tmp_path / "data"),
                       KUBECONFIG=str(tmp_path / "no-kubeconfig"), **env)
    return subprocess.run([sys.executable, "-m", "chatops", *args], capture_output=True,
                          text=True, timeout=60, env=environment, stdin=subprocess.DEVNULL)


@pytest.fixture
def bad_policy(tmp_path: Path) -> Path:
    return write(tmp_path, """\
        identities:
          alice: {chat: [U0ALICE], kube_user: alice, kube_groups: [system:masters]}
        """, name="bad.yaml")


@pytest.mark.parametrize("command", ["serve", "shell"])
def test_start_with_a_bad_policy_exits_2_naming_file_key_and_reason(
        command: str, bad_policy: Path, tmp_path: Path) -> None:
    result = chatops(command, "--policy", str(bad_policy), tmp_path=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{bad_policy}: identities.alice.kube_groups[0]: " in result.stderr
    assert "system:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_with_a_bad_policy_in_the_environment_exits_2(bad_policy: Path,
                                                              tmp_path: Path) -> None:
    result = chatops("serve", tmp_path=tmp_path, CHATOPS_POLICY=str(bad_policy))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{bad_policy}: identities.alice.kube_groups[0]" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_validate_reports_the_error(bad_policy: Path, tmp_path: Path) -> None:
    result = chatops("policy", "validate", str(bad_policy), tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"{bad_policy}: identities.alice.kube_groups[0]: " in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_validate_accepts_the_demo_policy(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(DEMO_POLICY), encoding="utf-8")
    result = chatops("policy", "validate", str(path), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
    assert "5 identities" in result.stdout


def test_policy_validate_reads_the_environment(bad_policy: Path, tmp_path: Path) -> None:
    result = chatops("policy", "validate", tmp_path=tmp_path, CHATOPS_POLICY=str(bad_policy))
    assert result.returncode == 2
    assert str(bad_policy) in result.stderr


def test_policy_validate_without_a_file_says_what_to_do(tmp_path: Path) -> None:
    result = chatops("policy", "validate", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "CHATOPS_POLICY" in result.stderr


def test_policy_validate_has_help(tmp_path: Path) -> None:
    result = chatops("policy", "validate", "--help", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "system:" in result.stdout


# --- people never act as the bot's own identities ---------------------------------------

PREVIEW_USER_POLICY = """\
    identities:
      bob: {chat: [U0BOB], kube_user: "chatops:alerts-preview", kube_groups: [sre]}
    request: {write: [user:bob]}
    """
DIAGNOSTICS_UNMAPPED_POLICY = """\
    unmapped: {allow: read, kube_user: "chatops:alerts", kube_groups: [chatops:viewers]}
    """
BOT_USER_CASES = [
    (PREVIEW_USER_POLICY, "identities.bob.kube_user", "preview_identity"),
    (DIAGNOSTICS_UNMAPPED_POLICY, "unmapped.kube_user", "diagnostics_identity"),
]


@pytest.mark.parametrize("command", [("policy", "rbac", "--policy"),
                                     ("policy", "rbac", "--helm-values", "--policy"),
                                     ("policy", "validate"), ("serve", "--policy")])
@pytest.mark.parametrize(("text", "key", "identity"), BOT_USER_CASES, ids=["bob", "unmapped"])
def test_a_person_mapped_to_a_bot_identity_is_refused(
        command: tuple[str, ...], text: str, key: str, identity: str, tmp_path: Path) -> None:
    """bob as the preview user would change workloads cluster-wide; every unmapped person as
    the diagnostics user would read everything it reads. Wherever the policy meets the alert
    rules, that is an error naming the policy file and key, and nothing is rendered."""
    path = write(tmp_path, text)
    result = chatops(*command, str(path), tmp_path=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{path}: {key}: " in result.stderr
    assert identity in result.stderr
    assert "ClusterRole" not in result.stdout and "identities" not in result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_a_bot_identity_overridden_in_the_alert_rules_is_checked_too(tmp_path: Path) -> None:
    rules_path = write(tmp_path, """\
        diagnostics_identity: {user: "ops:reader"}
        rules: []
        """, name="rules.yaml")
    path = write(tmp_path, """\
        identities:
          bob: {chat: [U0BOB], kube_user: "ops:reader"}
        """)
    result = chatops("policy", "rbac", "--policy", str(path), "--alert-rules", str(rules_path),
                     tmp_path=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{path}: identities.bob.kube_user: " in result.stderr
    assert "diagnostics_identity" in result.stderr


@pytest.mark.parametrize("command", [("policy", "rbac"), ("serve",)])
def test_the_same_user_for_diagnostics_and_preview_is_refused(
        command: tuple[str, ...], tmp_path: Path) -> None:
    """Reads at once, without approval, would run with the preview's change rights."""
    rules_path = write(tmp_path, """\
        diagnostics_identity: {user: "chatops:alerts-preview"}
        rules: []
        """, name="rules.yaml")
    result = chatops(*command, tmp_path=tmp_path, CHATOPS_ALERT_RULES=str(rules_path))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"{rules_path}: preview_identity.user: " in result.stderr
    assert "diagnostics_identity" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_policies_apart_from_the_bot_identities_still_render(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        identities:
          bob: {chat: [U0BOB], kube_user: "chatops:alerts-previewer"}
        unmapped: {allow: read, kube_user: "chatops:unmapped"}
        """)
    result = chatops("policy", "rbac", "--policy", str(path), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "chatops:alerts-previewer" in result.stdout


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def user_groups(tmp_path: Path, slack_api: MockSlack, clock: FakeClock) -> UserGroups:
    client = make_client(slack_settings(tmp_path, slack_api), server_error_retries=0)
    return UserGroups(client, ttl=300, retry_after=30, clock=clock)


def test_group_rights_lapse_after_the_ttl_while_slack_fails(
        tmp_path: Path, slack_api: MockSlack, caplog: pytest.LogCaptureFixture) -> None:
    slack_api.usergroups = [{"id": "S0SRE", "users": ["U0MALLORY"]}]
    clock = FakeClock()
    groups = user_groups(tmp_path, slack_api, clock)
    assert groups.groups_of("U0MALLORY") == ("S0SRE",)

    slack_api.fail("usergroups.list", 500, times=2)
    clock.now += 299  # still fresh: not asked again
    assert groups.groups_of("U0MALLORY") == ("S0SRE",)
    assert len(slack_api.of("usergroups.list")) == 1

    clock.now += 1  # the TTL has passed and Slack fails: fewer rights, not stale ones
    with caplog.at_level(logging.WARNING, logger="chatops.slack.directory"):
        assert groups.groups_of("U0MALLORY") == ()
    assert "usergroups.list failed" in caplog.text
    clock.now += 10  # within retry_after: not asked, still nothing
    assert groups.groups_of("U0MALLORY") == ()
    assert len(slack_api.of("usergroups.list")) == 2
    clock.now += 30  # asked again, fails again
    assert groups.groups_of("U0MALLORY") == ()
    assert len(slack_api.of("usergroups.list")) == 3

    clock.now += 30  # Slack answers again: the rights come back
    assert groups.groups_of("U0MALLORY") == ("S0SRE",)


def test_failure_after_invalidate_keeps_fresh_memberships_until_the_ttl(
        tmp_path: Path, slack_api: MockSlack) -> None:
    slack_api.usergroups = [{"id": "S0SRE", "users": ["U0MALLORY"]}]
    clock = FakeClock()
    groups = user_groups(tmp_path, slack_api, clock)
    assert groups.groups_of("U0MALLORY") == ("S0SRE",)
    slack_api.fail("usergroups.list", 500, times=100)
    clock.now += 100
    groups.invalidate()
    assert groups.groups_of("U0MALLORY") == ("S0SRE",)  # 100 s old: younger than the TTL
    clock.now += 200
    assert groups.groups_of("U0MALLORY") == ()


def test_never_fetched_means_no_groups(tmp_path: Path, slack_api: MockSlack) -> None:
    slack_api.usergroups = [{"id": "S0SRE", "users": ["U0MALLORY"]}]
    slack_api.fail("usergroups.list", 500, times=1)
    groups = user_groups(tmp_path, slack_api, FakeClock())
    assert groups.groups_of("U0MALLORY") == ()
