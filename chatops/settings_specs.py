"""What each setting is: the variables that set it, how its text is parsed, whether it is a
secret, whether a profile may hold it. `chatops.settings` resolves the values from these;
it is still the only module that reads the environment (parsers get it as a mapping)."""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatops.settings_sources import SettingsError, parse_database_url, redact_url


def home(env: Mapping[str, str]) -> Path:
    """The home folder `env` names (HOME), else the user's."""
    home = env.get("HOME")
    # Without HOME, the user's entry in the password database (as Path.expanduser does).
    return Path(home) if home else Path(pwd.getpwuid(os.getuid()).pw_dir)


Parse = Callable[[str, Mapping[str, str]], object]


def path_value(text: str, env: Mapping[str, str]) -> Path:
    """A path setting: `~` is the home folder `env` names."""
    if text == "~" or text.startswith("~/"):
        return home(env) / text[2:]
    return Path(text)


def _text(text: str, _env: Mapping[str, str]) -> str:
    return text


def _int(text: str, _env: Mapping[str, str]) -> int:
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"{text!r} is not a whole number") from None


def _bool(text: str, _env: Mapping[str, str]) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{text!r} is not true or false (1/0, true/false, yes/no, on/off)")


def _float(text: str, _env: Mapping[str, str]) -> float:
    try:
        return float(text)
    except ValueError:
        raise SettingsError(f"{text!r} is not a number") from None


def _zone(text: str, _env: Mapping[str, str]) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{text!r} is not a time zone (e.g. Europe/Berlin, UTC)") from None
    return text


_REGISTRY = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._-]+)*$")


def _registries(text: str, _env: Mapping[str, str]) -> tuple[str, ...]:
    """A comma- or space-separated list of registry hosts or host/path prefixes."""
    entries = [e.strip().lower().rstrip("/") for e in re.split(r"[,\s]+", text) if e.strip()]
    for entry in entries:
        if not _REGISTRY.match(entry):
            raise SettingsError(f"{entry!r} is not a registry host or host/path prefix "
                                "(e.g. ghcr.io/acme, registry.internal:5000, docker.io)")
    return tuple(dict.fromkeys(entries))


_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _namespaces(text: str, _env: Mapping[str, str]) -> tuple[str, ...]:
    """A comma- or space-separated list of namespace names (no wildcards)."""
    entries = [e.strip() for e in re.split(r"[,\s]+", text) if e.strip()]
    for entry in entries:
        if not _NAMESPACE.match(entry):
            raise SettingsError(f"{entry!r} is not a namespace name (lower-case letters, "
                                "digits and -; list each namespace, no wildcards)")
    return tuple(dict.fromkeys(entries))


def _positive(text: str, env: Mapping[str, str]) -> float:
    value = _float(text, env)
    if not value > 0:  # also refuses nan
        raise SettingsError(f"{text!r} is not more than 0")
    return value


def _ratio(text: str, env: Mapping[str, str]) -> float:
    value = _float(text, env)
    if not value >= 1:  # also refuses nan
        raise SettingsError(f"{text!r} is below 1; a limit can never be under its request")
    return value


def _http_url(text: str, _env: Mapping[str, str]) -> str:
    """An http(s) base URL with a host."""
    value = text.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{redact_url(value)!r} is not an http(s) URL "
                            "(e.g. http://prometheus.monitoring:9090)")
    return value.rstrip("/")


@dataclass(frozen=True)
class Spec:
    env: tuple[str, ...]
    """Variables that set it, the first one set wins."""
    parse: Parse = _text
    secret: bool = False
    """Shown only as set/unset, and never kept in a profile."""
    in_profile: bool = True
    """Whether a profile may hold it (not the folders the profile is found in)."""
    unset: str = "unset"
    """What an unset value means, for `chatops settings`."""
    show: Callable[[str], str] | None = None
    """How a value is shown, when not as it is (a URL without its password)."""


SPECS: dict[str, Spec] = {
    "data_dir": Spec(("CHATOPS_DATA_DIR",), path_value, in_profile=False),
    "cache_dir": Spec(("CHATOPS_CACHE_DIR",), path_value, in_profile=False),
    "state_db": Spec(("CHATOPS_STATE_DB",), path_value),
    "audit_db": Spec(("CHATOPS_AUDIT_DB",), path_value),
    "database_url": Spec(("CHATOPS_DATABASE_URL",), parse_database_url,
                          in_profile=False,
                          unset="unset (the SQLite files state_db and audit_db)",
                          show=redact_url),
    "policy_path": Spec(("CHATOPS_POLICY",), path_value,
                         unset="unset (everyone may read, nobody may change)"),
    "model_dir": Spec(("CHATOPS_MODEL_DIR",), path_value, unset="unset (the packaged model)"),
    "kubeconfig": Spec(("CHATOPS_KUBECONFIG", "KUBECONFIG"), path_value,
                        unset="unset (in-cluster config, else ~/.kube/config)"),
    "kube_context": Spec(("CHATOPS_KUBE_CONTEXT",), unset="unset (the current context)"),
    "slack_bot_token": Spec(("SLACK_BOT_TOKEN",), secret=True),
    "slack_app_token": Spec(("SLACK_APP_TOKEN",), secret=True),
    "slack_signing_secret": Spec(("SLACK_SIGNING_SECRET",), secret=True),
    "slack_api_url": Spec(("CHATOPS_SLACK_API_URL",), unset="unset (Slack's own)"),
    "alert_rules_path": Spec(("CHATOPS_ALERT_RULES",), path_value),
    "alert_channel": Spec(("CHATOPS_ALERT_CHANNEL",)),
    "alertmanager_token": Spec(("CHATOPS_ALERTMANAGER_TOKEN",), secret=True),
    "sandbox_src": Spec(("CHATOPS_SANDBOX_SRC",), path_value,
                         unset="unset (sandbox/ in the source tree)"),
    "sandbox_state": Spec(("CHATOPS_SANDBOX_STATE",), path_value),
    "nlu_threads": Spec(("CHATOPS_NLU_THREADS",), _int),
    "slack_team_id": Spec(("CHATOPS_SLACK_TEAM_ID",), unset="unset (the bot token's)"),
    "slack_app_id": Spec(("CHATOPS_SLACK_APP_ID",), unset="unset (not checked)"),
    "audit_checkpoint_key": Spec(("CHATOPS_AUDIT_CHECKPOINT_KEY",), secret=True),
    "audit_checkpoint_file": Spec(("CHATOPS_AUDIT_CHECKPOINT_FILE",), path_value),
    "audit_checkpoint_configmap": Spec(("CHATOPS_AUDIT_CHECKPOINT_CONFIGMAP",)),
    "audit_checkpoint_seconds": Spec(("CHATOPS_AUDIT_CHECKPOINT_SECONDS",), _float),
    "http_header_timeout": Spec(("CHATOPS_HTTP_HEADER_TIMEOUT",), _float),
    "http_body_timeout": Spec(("CHATOPS_HTTP_BODY_TIMEOUT",), _float),
    "leader_election": Spec(("CHATOPS_LEADER_ELECTION",), _bool),
    "lease_name": Spec(("CHATOPS_LEASE_NAME",)),
    "lease_namespace": Spec(("CHATOPS_LEASE_NAMESPACE",),
                             unset="unset (the pod's namespace, else default)"),
    "lease_duration": Spec(("CHATOPS_LEASE_DURATION",), _float),
    "lease_renew_deadline": Spec(("CHATOPS_LEASE_RENEW_DEADLINE",), _float),
    "lease_retry_period": Spec(("CHATOPS_LEASE_RETRY_PERIOD",), _float),
    "pod_name": Spec(("CHATOPS_POD_NAME",), unset="unset (the host name)"),
    # A profile holds strings and numbers only; the list stays in the environment.
    "watch_namespaces": Spec(("CHATOPS_WATCH_NAMESPACES",), _namespaces, in_profile=False,
                             unset="unset (no cluster watches)"),
    "watch_pending_minutes": Spec(("CHATOPS_WATCH_PENDING_MINUTES",), _positive),
    "watch_nodes": Spec(("CHATOPS_WATCH_NODES",), _bool),
    # A profile holds strings and numbers only; the list stays in the environment.
    "hygiene_registries": Spec(("CHATOPS_HYGIENE_REGISTRIES",), _registries, in_profile=False,
                               unset="unset (no allow-list: the registry check is off)"),
    "hygiene_max_limit_ratio": Spec(("CHATOPS_HYGIENE_MAX_LIMIT_RATIO",), _ratio),
    "schedule_timezone": Spec(("CHATOPS_SCHEDULE_TIMEZONE",), _zone),
    "schedule_grace_seconds": Spec(("CHATOPS_SCHEDULE_GRACE_SECONDS",), _float),
    "prometheus_url": Spec(("CHATOPS_PROMETHEUS_URL",), _http_url, show=redact_url,
                           unset="unset (rightsize uses no Prometheus)"),
    "metrics_api": Spec(("CHATOPS_METRICS_API",), _bool),
}
