"""Where a setting's value can come from (a flag, a variable, the active profile, the
default), the profile's record and where it is kept, and the errors that name the source of
a value that cannot be used. `chatops.settings` resolves the values; it is still the only
module that reads the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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

