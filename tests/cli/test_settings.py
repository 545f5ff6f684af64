"""Settings resolution: command-line flags, then the environment, then the profile, then defaults."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chatops.settings import (
    PROFILE_FILE,
    ProfileError,
    Settings,
    SettingsError,
    environment_variables,
    is_secret,
    profile_location,
    read_profile,
    resolve_settings,
    setting_names,
    write_profile,
)

CHATOPS = Path(__file__).resolve().parents[2] / "chatops"
# Every read of the process environment (HOME included) stays in the settings module.
READS_ENVIRONMENT = re.compile(r"\bos\.environ\b|\bgetenv\b|\benviron\b|Path\.home\(|"
                               r"expanduser\(")


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment with nothing but an empty HOME."""
    (tmp_path / "home").mkdir()
    return {"HOME": str(tmp_path / "home")}


@pytest.fixture
def profile(home: dict[str, str], tmp_path: Path) -> Path:
    """An active profile (where `chatops demo` writes it) naming files under tmp_path."""
    path = Path(home["HOME"]) / ".local/share/chatops" / PROFILE_FILE
    write_profile(path, "demo", {"audit_db": tmp_path / "demo/audit.db",
                                 "state_db": tmp_path / "demo/state.db",
                                 "kubeconfig": tmp_path / "demo/kubeconfig",
                                 "policy_path": tmp_path / "demo/policy.yaml",
                                 "nlu_threads": 5})
    return path


def test_defaults_follow_home_and_xdg(home: dict[str, str]) -> None:
    settings = Settings.resolve(home)
    base = Path(home["HOME"])
    assert settings.data_dir == base / ".local/share/chatops"
    assert settings.audit_db == base / ".local/share/chatops/audit.db"
    assert settings.sandbox_dir == base / ".cache/chatops/sandbox-state"
    xdg = Settings.resolve({**home, "XDG_DATA_HOME": "/x/data", "XDG_CACHE_HOME": "/x/cache"})
    assert xdg.state_db == Path("/x/data/chatops/state.db")
    assert xdg.sandbox_dir == Path("/x/cache/chatops/sandbox-state")


@pytest.mark.parametrize(("name", "variable", "flag", "env_value", "in_profile"), [
    ("audit_db", "CHATOPS_AUDIT_DB", Path("/flag/audit.db"), "/env/audit.db", "demo/audit.db"),
    ("policy_path", "CHATOPS_POLICY", Path("/flag/p.yaml"), "/env/p.yaml", "demo/policy.yaml"),
    ("kubeconfig", "KUBECONFIG", Path("/flag/kc"), "/env/kc", "demo/kubeconfig"),
    ("nlu_threads", "CHATOPS_NLU_THREADS", 7, "3", 5),
])
def test_flag_beats_environment_beats_profile_beats_default(
        name: str, variable: str, flag: object, env_value: str, in_profile: object,
        home: dict[str, str], profile: Path, tmp_path: Path) -> None:
    from_profile = tmp_path / in_profile if isinstance(in_profile, str) else in_profile
    env = {**home, variable: env_value}
    default = getattr(Settings.resolve(home, use_profile=False), name)

    resolved = resolve_settings(env, {name: flag})
    assert getattr(resolved.settings, name) == flag
    assert resolved.sources[name].kind == "flag"

    resolved = resolve_settings(env, {name: None})  # a flag not given
    assert str(getattr(resolved.settings, name)) == env_value
    assert str(resolved.sources[name]) == f"env {variable}"

    resolved = resolve_settings(home)
    assert getattr(resolved.settings, name) == from_profile
    assert resolved.sources[name].kind == "profile"
    assert resolved.sources[name].detail == str(profile)

    profile.unlink()
    resolved = resolve_settings(home)
    assert getattr(resolved.settings, name) == default
    assert resolved.sources[name].kind == "default"


def test_chatops_kubeconfig_beats_kubeconfig(home: dict[str, str]) -> None:
    resolved = resolve_settings({**home, "KUBECONFIG": "/a", "CHATOPS_KUBECONFIG": "/b"})
    assert resolved.settings.kubeconfig == Path("/b")
    assert resolved.sources["kubeconfig"].detail == "CHATOPS_KUBECONFIG"


def test_empty_variables_count_as_unset(home: dict[str, str], profile: Path,
                                        tmp_path: Path) -> None:
    settings = Settings.resolve({**home, "CHATOPS_AUDIT_DB": "", "SLACK_BOT_TOKEN": ""})
    assert settings.audit_db == tmp_path / "demo/audit.db"
    assert settings.slack_bot_token is None


def test_the_profile_is_found_in_the_data_dir_and_can_be_turned_off(
        home: dict[str, str], profile: Path, tmp_path: Path) -> None:
    assert profile_location(home) == profile
    assert Settings.resolve(home).audit_db == tmp_path / "demo/audit.db"
    off = resolve_settings({**home, "CHATOPS_PROFILE": "none"})
    assert off.profile is None and off.profile_path is None
    assert off.settings.audit_db == Path(home["HOME"]) / ".local/share/chatops/audit.db"
    # The profile lives in the data folder, so moving that moves the profile too.
    moved = Settings.resolve({**home, "CHATOPS_DATA_DIR": str(tmp_path / "elsewhere")})
    assert moved.audit_db == tmp_path / "elsewhere/audit.db"
    named = Settings.resolve({"CHATOPS_PROFILE": str(profile), "HOME": "/nowhere"})
    assert named.audit_db == tmp_path / "demo/audit.db"


def test_from_env_never_reads_a_profile(home: dict[str, str], profile: Path) -> None:
    assert Settings.from_env(home).audit_db == Path(home["HOME"]) / ".local/share/chatops/audit.db"


def test_shadowed_lists_profile_settings_the_environment_overrides(
        home: dict[str, str], profile: Path) -> None:
    resolved = resolve_settings({**home, "KUBECONFIG": "/real/cluster"},
                                {"policy_path": Path("/flag.yaml")})
    assert {name: str(source) for name, source in resolved.shadowed().items()} == {
        "kubeconfig": "env KUBECONFIG"}


def test_tokens_are_shown_only_as_set_or_unset(home: dict[str, str]) -> None:
    resolved = resolve_settings({**home, "SLACK_BOT_TOKEN": "xoxb-secret-value",
                                 "CHATOPS_AUDIT_CHECKPOINT_KEY": "k3y"})
    assert resolved.settings.slack_bot_token == "xoxb-secret-value"
    assert resolved.shown("slack_bot_token") == "set"
    assert resolved.shown("audit_checkpoint_key") == "set"
    assert resolved.shown("slack_app_token") == "unset"
    assert "xoxb" not in repr(resolved.settings)


def test_a_bad_value_names_its_variable(home: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="CHATOPS_NLU_THREADS: 'many' is not a whole"):
        Settings.resolve({**home, "CHATOPS_NLU_THREADS": "many"})
    with pytest.raises(SettingsError, match="CHATOPS_HTTP_BODY_TIMEOUT"):
        Settings.resolve({**home, "CHATOPS_HTTP_BODY_TIMEOUT": "soon"})


@pytest.mark.parametrize(("content", "problem"), [
    ("{not json", "not JSON"),
    ('{"settings": {"slack_bot_token": "xoxb-1"}}', "settings.slack_bot_token: not a setting"),
    ('{"settings": {"data_dir": "/x"}}', "settings.data_dir: not a setting"),
    ('{"settings": {"audit_dbb": "/x"}}', "settings.audit_dbb: not a setting"),
    ('{"settings": {"nlu_threads": "lots"}}', "settings.nlu_threads: 'lots' is not a whole"),
    ('{"settings": {"audit_db": ["/x"]}}', "settings.audit_db: not a string or a number"),
    ('{"setings": {}}', "settings: missing"),
    ('{"settings": {}, "extra": 1}', "extra: unknown key"),
])
def test_a_bad_profile_is_refused_naming_file_and_key(tmp_path: Path, content: str,
                                                      problem: str) -> None:
    path = tmp_path / PROFILE_FILE
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        read_profile(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


def test_write_profile_refuses_secrets_and_writes_absolute_paths(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ProfileError, match="slack_bot_token"):
        write_profile(tmp_path / PROFILE_FILE, "demo", {"slack_bot_token": "xoxb-1"})
    monkeypatch.chdir(tmp_path)
    write_profile(tmp_path / PROFILE_FILE, "demo", {"audit_db": Path("rel/audit.db")},
                  written_by="test")
    data = json.loads((tmp_path / PROFILE_FILE).read_text())
    assert data == {"profile": "demo", "written_by": "test",
                    "settings": {"audit_db": str(tmp_path / "rel/audit.db")}}
    assert list(tmp_path.glob(".profile-*")) == []


def test_every_field_has_its_variables() -> None:
    for name in setting_names():
        variables = environment_variables(name)
        assert variables, name
        assert all(v.startswith(("CHATOPS_", "SLACK_")) or v == "KUBECONFIG"
                   for v in variables), name
    assert [n for n in setting_names() if is_secret(n)] == [
        "slack_bot_token", "slack_app_token", "slack_signing_secret", "alertmanager_token",
        "audit_checkpoint_key"]


def test_only_the_settings_module_reads_the_environment() -> None:
    offenders = []
    for path in sorted(CHATOPS.rglob("*.py")):
        if path == CHATOPS / "settings.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if READS_ENVIRONMENT.search(line):
                offenders.append(f"{path.relative_to(CHATOPS.parent)}:{number}: {line.strip()}")
    assert offenders == [], "read settings through chatops.settings instead:\n" + "\n".join(
        offenders)


def test_leader_election_settings_are_read_strictly() -> None:
    settings = Settings.from_env({"CHATOPS_LEADER_ELECTION": "yes",
                                  "CHATOPS_LEASE_DURATION": "20", "CHATOPS_POD_NAME": "bot-0"})
    assert settings.leader_election and settings.lease_duration == 20.0
    assert settings.pod_name == "bot-0"
    assert not Settings.from_env({}).leader_election
    with pytest.raises(SettingsError, match="CHATOPS_LEADER_ELECTION"):
        Settings.from_env({"CHATOPS_LEADER_ELECTION": "maybe"})


def test_lease_timings_that_could_let_two_replicas_lead_stop_the_start(tmp_path: Path) -> None:
    from chatops.cli.leadership import build_leadership
    from chatops.cli.wiring import SetupError

    settings = Settings.from_env({"CHATOPS_LEADER_ELECTION": "1",
                                  "CHATOPS_LEASE_RENEW_DEADLINE": "30",
                                  "CHATOPS_KUBECONFIG": str(tmp_path / "none")})
    with pytest.raises(SetupError, match="CHATOPS_LEASE_RENEW_DEADLINE"):
        build_leadership(settings)
