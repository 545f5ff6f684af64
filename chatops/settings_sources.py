"""Where a setting's value can come from (a flag, a variable, the active profile, the
default), the profile's record and where it is kept, and the errors that name the source of
a value that cannot be used, and the database URL's check and redaction (a URL is shown
without its password everywhere). `chatops.settings` resolves the values; it is still the
only module that reads the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

PROFILE_FILE = "profile.json"
"""The active profile's file name, in the data folder."""
PROFILE_VARIABLE = "CHATOPS_PROFILE"
NO_PROFILE = "none"
"""`CHATOPS_PROFILE=none`: ignore any profile (scripts that must depend on nothing else)."""


class SettingsError(ValueError):
    """A setting's value cannot be used; the message names where it came from."""


class ProfileError(SettingsError):
    """The profile file cannot be read or holds something a profile may not hold."""


@dataclass(frozen=True)
class Source:
    """Where one setting's value came from."""

    kind: str
    """`flag`, `env`, `profile` or `default`."""
    detail: str = ""
    """The variable for `env`, the file for `profile`."""

    def __str__(self) -> str:
        return f"env {self.detail}" if self.kind == "env" and self.detail else self.kind


FLAG = Source("flag")
DEFAULT = Source("default")


@dataclass(frozen=True)
class Profile:
    """Settings kept in a file for later commands (what `chatops demo` set up)."""

    path: Path
    name: str
    values: Mapping[str, object]


def default_profile_path(data_dir: Path) -> Path:
    """Where the active profile is kept when `CHATOPS_PROFILE` does not say."""
    return data_dir / PROFILE_FILE



def parse_database_url(text: str, _env: Mapping[str, str]) -> str:
    """`CHATOPS_DATABASE_URL`'s value, checked; the error never repeats it (a password)."""
    if not text.startswith(("postgresql://", "postgres://")):
        raise SettingsError("not a PostgreSQL URL (postgresql://USER@HOST:PORT/DATABASE); "
                            "leave it unset for the SQLite files")
    return text


def redact_url(url: str) -> str:
    """`url` without its password (after `user:` or in a `password=` parameter), to show
    where a database is without handing out the key to it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("://", 1)[0] + "://[an unreadable URL]"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hosts = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{hosts}" if user else hosts
    query = "&".join(p for p in parts.query.split("&")
                     if p and p.split("=", 1)[0].lower() != "password")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_password(url: str) -> str | None:
    """The password in `url` (after `user:`, or a `password=` parameter), or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.password:
        return unquote(parts.password)
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if name.lower() == "password" and value:
            return unquote(value)
    return None
