"""`chatops settings`: what every command resolves, and where each value came from.

Also `load_settings`, the one way commands build their `Settings`: flags, then the
environment, then the active profile (`chatops demo` writes one), then the defaults.
"""

from __future__ import annotations

import json

import click

from chatops.settings import (
    NO_PROFILE,
    PROFILE_VARIABLE,
    ProfileError,
    Resolved,
    Settings,
    SettingsError,
    profile_location,
    resolve_settings,
    setting_names,
)

EXIT_USAGE = 2
ORDER = "command-line flags, then the environment, then the active profile, then defaults"


def resolve_or_exit(flags: dict[str, object | None] | None = None, *,
                    use_profile: bool = True) -> Resolved:
    """`resolve_settings` with `flags` (None: not given), or exit 2 saying what is wrong."""
    try:
        return resolve_settings(overrides=flags, use_profile=use_profile)
    except SettingsError as exc:
        hint = (f" Fix or delete that file (`chatops settings --clear-profile`), or set "
                f"{PROFILE_VARIABLE}={NO_PROFILE}." if isinstance(exc, ProfileError) else "")
        click.echo(f"chatops: {exc}.{hint}", err=True)
        raise SystemExit(EXIT_USAGE) from exc


def shadow_note(resolved: Resolved) -> str | None:
    """One line naming the profile's settings that the environment overrides, if any."""
    shadowed = resolved.shadowed()
    if not shadowed or resolved.profile is None:
        return None
    which = ", ".join(f"{name} ({source.detail})" for name, source in shadowed.items())
    return (f"chatops: the environment overrides the {resolved.profile.name} profile for "
            f"{which}; `chatops settings` shows where every setting comes from.")


def load_settings(*, note_shadowed: bool = False, **flags: object | None) -> Settings:
    """The settings a command runs with, given its `flags` (None: not given).

    With `note_shadowed` (commands that act on a cluster), says on stderr when the
    environment overrides part of the active profile: the mix is rarely what was meant.
    """
    resolved = resolve_or_exit(flags)
    note = shadow_note(resolved) if note_shadowed else None
    if note:
        click.echo(note, err=True)
    return resolved.settings


def _profile_line(resolved: Resolved) -> str:
    if resolved.profile_path is None:
        return f"profile: off ({PROFILE_VARIABLE}={NO_PROFILE})"
    if resolved.profile is None:
        return f"profile: none (no {resolved.profile_path}; `chatops demo` writes one)"
    return f"profile: {resolved.profile.name} ({resolved.profile.path})"


@click.command("settings")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: every setting's value and source, and the profile.")
@click.option("--clear-profile", is_flag=True,
              help="Forget the active profile (what `chatops demo` wrote); the files it "
                   "points at are kept.")
def settings(as_json: bool, clear_profile: bool) -> None:
    """Show every setting, its value and where it came from.

    Each setting comes from the first of: command-line flags, the environment
    (SLACK_*, KUBECONFIG, CHATOPS_*), the active profile (`chatops demo` writes one in the
    data folder; CHATOPS_PROFILE names another file, or `none`), the defaults. Tokens and
    keys are shown as set or unset, never their values.
    """
    if clear_profile:
        # Without the profile: clearing must work even when the file is unreadable.
        path = profile_location()
        if path is not None and path.is_file():
            path.unlink()
            click.echo(f"Removed the profile {path}.")
        else:
            click.echo("No active profile to remove.")
        return
    resolved = resolve_or_exit()
    names = setting_names()
    if as_json:
        profile = resolved.profile
        click.echo(json.dumps({
            "order": ["flag", "env", "profile", "default"],
            "profile": {"path": str(resolved.profile_path) if resolved.profile_path else None,
                        "active": profile is not None,
                        "name": profile.name if profile else None},
            "settings": {name: {"value": resolved.shown(name),
                                "source": resolved.sources[name].kind,
                                "from": resolved.sources[name].detail or None}
                         for name in names},
        }, indent=2))
        return
    click.echo(f"Each setting comes from {ORDER}.")
    click.echo(_profile_line(resolved))
    click.echo()
    width = max(map(len, names))
    for name in names:
        click.echo(f"{name:<{width}}  {resolved.shown(name)}  [{resolved.sources[name]}]")
    note = shadow_note(resolved)
    if note:
        click.echo()
        click.echo(note)
