"""One settings object, read once at the entry point from the environment.

Slack's own variable names are used as they are (`SLACK_BOT_TOKEN`, `SLACK_APP_TOKEN`,
`SLACK_SIGNING_SECRET`); everything else has a `CHATOPS_` prefix. Nothing below the CLI
reads `os.environ`: the CLI builds `Settings` and passes what each part needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


def _data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local/share")
    return Path(base) / "chatops"


def _cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".cache")
    return Path(base) / "chatops"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults that work on a laptop."""

    data_dir: Path
    cache_dir: Path
    state_db: Path
    audit_db: Path
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `env` (the process environment by default)."""
        env = os.environ if env is None else env
        data_dir = Path(env["CHATOPS_DATA_DIR"]) if env.get("CHATOPS_DATA_DIR") else _data_dir(env)
        cache_dir = (Path(env["CHATOPS_CACHE_DIR"]) if env.get("CHATOPS_CACHE_DIR")
                     else _cache_dir(env))

        def path(name: str) -> Path | None:
            value = env.get(name)
            return Path(value).expanduser() if value else None

        return cls(
            data_dir=data_dir,
            cache_dir=cache_dir,
            state_db=path("CHATOPS_STATE_DB") or data_dir / "state.db",
            audit_db=path("CHATOPS_AUDIT_DB") or data_dir / "audit.db",
            policy_path=path("CHATOPS_POLICY"),
            model_dir=path("CHATOPS_MODEL_DIR"),
            kubeconfig=path("CHATOPS_KUBECONFIG") or path("KUBECONFIG"),
            kube_context=env.get("CHATOPS_KUBE_CONTEXT") or None,
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_app_token=env.get("SLACK_APP_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_api_url=env.get("CHATOPS_SLACK_API_URL") or None,
            alert_rules_path=path("CHATOPS_ALERT_RULES"),
            alert_channel=env.get("CHATOPS_ALERT_CHANNEL") or None,
            alertmanager_token=env.get("CHATOPS_ALERTMANAGER_TOKEN") or None,
            sandbox_src=path("CHATOPS_SANDBOX_SRC"),
            sandbox_state=path("CHATOPS_SANDBOX_STATE"),
            nlu_threads=int(env.get("CHATOPS_NLU_THREADS", "2")),
            slack_team_id=env.get("CHATOPS_SLACK_TEAM_ID") or None,
            slack_app_id=env.get("CHATOPS_SLACK_APP_ID") or None,
            audit_checkpoint_key=env.get("CHATOPS_AUDIT_CHECKPOINT_KEY") or None,
            audit_checkpoint_file=path("CHATOPS_AUDIT_CHECKPOINT_FILE"),
            audit_checkpoint_configmap=env.get("CHATOPS_AUDIT_CHECKPOINT_CONFIGMAP") or None,
            audit_checkpoint_seconds=float(env.get("CHATOPS_AUDIT_CHECKPOINT_SECONDS", "60")),
            http_header_timeout=float(env.get("CHATOPS_HTTP_HEADER_TIMEOUT", "10")),
            http_body_timeout=float(env.get("CHATOPS_HTTP_BODY_TIMEOUT", "10")),
        )

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields replaced (CLI options override the environment)."""
        return replace(self, **changes)  # type: ignore[arg-type]
