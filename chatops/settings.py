"""One settings object, resolved in one place for every command.

`Settings.resolve` takes each setting from the first of:

1. the command line: `overrides`, the flags a command was given (`--kubeconfig`, `--db`, ...);
2. the environment: Slack's own names (`SLACK_BOT_TOKEN`, `SLACK_APP_TOKEN`,
   `SLACK_SIGNING_SECRET`), `KUBECONFIG`, and a `CHATOPS_` prefix for everything else;
3. the active profile: `profile.json` in the data folder (or the file `CHATOPS_PROFILE`
   names; `CHATOPS_PROFILE=none` turns it off), which `chatops demo` writes so that later
   commands work on the sandbox, policy, state and audit files the demo set up;
4. the defaults, which work on a laptop.

This module is the only one that reads `os.environ`. Nothing below the CLI reads settings
at all: the CLI resolves `Settings` once per command and passes what each part needs.

Where a value can come from (`Source`, `Profile`) and the errors naming it are in
`chatops.settings_sources`, re-exported here.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from chatops.settings_sources import (
    DEFAULT,
    FLAG,
    NO_PROFILE,
    PROFILE_FILE,
    PROFILE_VARIABLE,
    Profile,
    ProfileError,
    SettingsError,
    Source,
    default_profile_path,
)
from chatops.settings_specs import SPECS, home, path_value

__all__ = ["DEFAULT", "FLAG", "NO_PROFILE", "PROFILE_FILE", "PROFILE_VARIABLE", "Profile",
           "ProfileError", "Resolved", "Settings", "SettingsError", "Source",
           "default_profile_path", "default_sandbox_state", "environment_variables",
           "is_secret", "profile_location", "read_profile", "resolve_settings",
           "setting_names", "write_profile"]


def _data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME")
    return (Path(base) if base else home(env) / ".local/share") / "chatops"


def _cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME")
    return (Path(base) if base else home(env) / ".cache") / "chatops"


def default_sandbox_state(cache_dir: Path) -> Path:
    """Where the sandbox cluster keeps its state when nothing else says."""
    return cache_dir / "sandbox-state"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults that work on a laptop."""

    data_dir: Path
    cache_dir: Path
    state_db: Path
    audit_db: Path
    database_url: str | None = field(default=None, repr=False)
    """A `postgresql://` URL: when set, every store (state, alerts, audit) is in that one
    database instead of the SQLite files `state_db` and `audit_db`."""
    policy_path: Path | None = None
    model_dir: Path | None = None
    kubeconfig: Path | None = None
    kube_context: str | None = None
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_api_url: str | None = None
    alert_rules_path: Path | None = None
    alert_channel: str | None = None
    alertmanager_token: str | None = field(default=None, repr=False)
    sandbox_src: Path | None = None
    sandbox_state: Path | None = None
    nlu_threads: int = 2
    slack_team_id: str | None = None
    """The only workspace whose payloads are taken (default: the bot token's, from auth.test)."""
    slack_app_id: str | None = None
    """The only app id (`api_app_id`) whose payloads are taken; unset: not checked."""
    audit_checkpoint_key: str | None = field(default=None, repr=False)
    """HMAC key that signs audit checkpoints (unset: checkpoints are unsigned)."""
    audit_checkpoint_file: Path | None = None
    """Where `serve` appends audit checkpoints (JSON lines) besides the log stream."""
    audit_checkpoint_configmap: str | None = None
    """`namespace/name` of a ConfigMap that `serve` writes the newest checkpoint to."""
    audit_checkpoint_seconds: float = 60.0
    http_header_timeout: float = 10.0
    """Seconds a client may take to send a request head before its connection is closed."""
    http_body_timeout: float = 10.0
    """Seconds a client may pause while sending a request body."""
    leader_election: bool = False
    """Whether replicas elect one (a Lease) to do the work that must happen once; off, this
    process does it (the embedded single-replica default)."""
    lease_name: str = "chatops"
    lease_namespace: str | None = None
    """The Lease's namespace (unset: the pod's own, else `default`)."""
    lease_duration: float = 15.0
    lease_renew_deadline: float = 10.0
    lease_retry_period: float = 2.0
    pod_name: str | None = None
    """This replica's name as the Lease holder (unset: the host name, which is the pod's)."""
    watch_namespaces: tuple[str, ...] = ()
    """Namespaces whose pods and jobs the bot watches and raises alerts for itself, in the
    alert channel (empty: no watches); the Lease holder alone watches."""
    watch_pending_minutes: float = 10.0
    """A watched pod Pending longer than this raises `KubePodNotReady`."""
    watch_nodes: bool = True
    """Whether watches also follow nodes (`KubeNodeNotReady`), when namespaces are watched."""
    hygiene_registries: tuple[str, ...] = ()
    """Registries (hosts, or host/path prefixes such as `ghcr.io/acme`) that `pod_hygiene`
    accepts images from; empty: no allow-list, and the registry check says so."""
    hygiene_max_limit_ratio: float = 4.0
    """The largest limit/request ratio `pod_hygiene` accepts for CPU and memory."""
    schedule_timezone: str = "UTC"
    """The time zone of a schedule's times when the message names none (`tz=...`)."""
    schedule_grace_seconds: float = 900.0
    """How late a firing missed while no bot ran may still run; later, it is reported."""
    prometheus_url: str | None = field(default=None, repr=False)
    """Prometheus's base URL (`http://prometheus.monitoring:9090`): `rightsize` compares
    requests with the usage it has recorded. Wins over `metrics_api`."""
    metrics_api: bool = False
    """Whether `rightsize` reads current usage from the metrics.k8s.io API (metrics-server);
    neither set: it advises from the spec and the restart history alone."""

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None,
                overrides: Mapping[str, object | None] | None = None, *,
                use_profile: bool = True) -> Settings:
        """The settings from flags (`overrides`; None means not given), `env` (the process
        environment by default), the active profile and the defaults, in that order.

        Raises `SettingsError` naming the variable or profile file of a value that cannot
        be used.
        """
        return resolve_settings(env, overrides, use_profile=use_profile).settings

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The environment and the defaults only, never a profile (tests, helper processes)."""
        return cls.resolve(env, use_profile=False)

    @property
    def state_location(self) -> str | Path:
        """Where the runs, dedupe keys, workers, threads and alerts are: the database URL,
        else the `state_db` file."""
        return self.database_url or self.state_db

    @property
    def audit_location(self) -> str | Path:
        """Where the audit log is: the database URL, else the `audit_db` file."""
        return self.database_url or self.audit_db

    @property
    def sandbox_dir(self) -> Path:
        """The sandbox's state folder: `sandbox_state`, or the default under the cache."""
        return self.sandbox_state or default_sandbox_state(self.cache_dir)

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]


def setting_names() -> list[str]:
    """Every setting, in the order `Settings` declares them."""
    return [f.name for f in fields(Settings)]


def environment_variables(name: str) -> tuple[str, ...]:
    """The variables that set `name`, the first one set winning."""
    return SPECS[name].env


def is_secret(name: str) -> bool:
    """Whether `name` is a token or key: shown as set/unset only, never kept in a profile."""
    return SPECS[name].secret


def _profile_location(env: Mapping[str, str], data_dir: Path) -> Path | None:
    named = env.get(PROFILE_VARIABLE)
    if named and named.lower() == NO_PROFILE:
        return None
    return path_value(named, env) if named else default_profile_path(data_dir)


def profile_location(env: Mapping[str, str] | None = None,
                     data_dir: Path | None = None) -> Path | None:
    """Where the active profile is kept (`CHATOPS_PROFILE`, else profile.json in the data
    folder), read without any other setting; None with `CHATOPS_PROFILE=none`."""
    env = os.environ if env is None else env
    if data_dir is None:
        named = env.get("CHATOPS_DATA_DIR")
        data_dir = path_value(named, env) if named else _data_dir(env)
    return _profile_location(env, data_dir)


def read_profile(path: Path, env: Mapping[str, str] | None = None) -> Profile | None:
    """The profile at `path`, or None when there is no such file.

    Read strictly: a file that is not a JSON object of known, non-secret settings is a
    `ProfileError` reading `path: what is wrong`.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read the profile: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("settings"), dict):
        raise ProfileError(f"{path}: settings: missing, or not a mapping")
    unknown = set(data) - {"profile", "written_by", "settings"}
    if unknown:
        raise ProfileError(f"{path}: {sorted(unknown)[0]}: unknown key")
    values: dict[str, object] = {}
    for key, raw in data["settings"].items():
        spec = SPECS.get(key)
        if spec is None or spec.secret or not spec.in_profile:
            raise ProfileError(f"{path}: settings.{key}: not a setting a profile may hold")
        if raw is None:
            continue
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            raise ProfileError(f"{path}: settings.{key}: not a string or a number")
        try:
            values[key] = spec.parse(str(raw), env or {})
        except SettingsError as exc:
            raise ProfileError(f"{path}: settings.{key}: {exc}") from exc
    return Profile(path=path, name=str(data.get("profile") or path.stem), values=values)


def write_profile(path: Path, name: str, values: Mapping[str, object], *,
                  written_by: str = "") -> Profile:
    """Write `values` (setting name -> value) as the profile at `path`, replacing any.

    Paths are written absolute, so the profile means the same from any folder. Secrets and
    unknown names are refused with `ProfileError`: a profile is a plain file.
    """
    kept: dict[str, object] = {}
    for key, value in values.items():
        spec = SPECS.get(key)
        if spec is None or spec.secret or not spec.in_profile:
            raise ProfileError(f"{key}: not a setting a profile may hold")
        kept[key] = value.absolute() if isinstance(value, Path) else value
    settings = {key: str(value) if isinstance(value, Path) else value
                for key, value in kept.items()}
    document = {"profile": name, "written_by": written_by, "settings": settings}
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed over: a command reading it never sees half a file.
    fd, tmp = tempfile.mkstemp(prefix=".profile-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
            out.write("\n")
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Profile(path=path, name=name, values=kept)


@dataclass(frozen=True)
class Resolved:
    """Resolved settings, with where each came from."""

    settings: Settings
    sources: Mapping[str, Source]
    profile_path: Path | None
    """Where the active profile is kept; None with `CHATOPS_PROFILE=none`."""
    profile: Profile | None
    """The profile read from `profile_path`, if that file exists (and was asked for)."""

    def shadowed(self) -> dict[str, Source]:
        """The profile's settings that the environment overrides (flags are deliberate)."""
        if self.profile is None:
            return {}
        return {name: self.sources[name] for name in self.profile.values
                if self.sources[name].kind == "env"}

    def shown(self, name: str) -> str:
        """`name`'s value for people: tokens and keys only as set/unset."""
        value = getattr(self.settings, name)
        spec = SPECS[name]
        if spec.secret:
            return "set" if value else "unset"
        if isinstance(value, tuple):
            return ", ".join(value) if value else spec.unset
        if value is not None and spec.show is not None:
            return spec.show(str(value))
        return spec.unset if value is None else str(value)


def resolve_settings(env: Mapping[str, str] | None = None,
                     overrides: Mapping[str, object | None] | None = None, *,
                     use_profile: bool = True) -> Resolved:
    """`Settings.resolve`, keeping where each value came from (`chatops settings` shows it)."""
    env = os.environ if env is None else env
    given = {name: value for name, value in (overrides or {}).items() if value is not None}
    unknown = set(given) - set(SPECS)
    if unknown:
        raise TypeError(f"not settings: {sorted(unknown)}")
    values: dict[str, object] = {}
    sources: dict[str, Source] = {}
    profile: Profile | None = None

    def take(name: str, default: object) -> None:
        if name in given:
            values[name], sources[name] = given[name], FLAG
            return
        spec = SPECS[name]
        for variable in spec.env:
            text = env.get(variable)
            if text:
                try:
                    values[name] = spec.parse(text, env)
                except SettingsError as exc:
                    raise SettingsError(f"{variable}: {exc}") from exc
                sources[name] = Source("env", variable)
                return
        if profile is not None and name in profile.values:
            values[name], sources[name] = profile.values[name], Source("profile",
                                                                       str(profile.path))
            return
        values[name], sources[name] = default, DEFAULT

    take("data_dir", _data_dir(env))
    take("cache_dir", _cache_dir(env))
    data_dir, cache_dir = values["data_dir"], values["cache_dir"]
    assert isinstance(data_dir, Path) and isinstance(cache_dir, Path)
    location = _profile_location(env, data_dir)
    profile = read_profile(location, env) if use_profile and location is not None else None
    computed: dict[str, object] = {"state_db": data_dir / "state.db",
                                   "audit_db": data_dir / "audit.db",
                                   "sandbox_state": default_sandbox_state(cache_dir)}
    for f in fields(Settings):
        if f.name not in values:
            take(f.name, computed.get(f.name, f.default))
    settings = Settings(**values)  # type: ignore[arg-type]
    return Resolved(settings=settings, sources=sources, profile_path=location, profile=profile)
