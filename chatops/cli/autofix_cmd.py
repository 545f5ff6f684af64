"""`chatops autofix list` and `chatops autofix restore RULE TARGET`: the targets alert rules
stopped fixing automatically after a failed run, and lifting such a demotion once the cause
is fixed (audited, with who ran the command)."""

from __future__ import annotations

import getpass
import shlex
from datetime import UTC, datetime

import click

from chatops.cli.db_cmd import database_url_option
from chatops.cli.settings_cmd import load_settings
from chatops.storage import DatabaseUnavailable

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _target(words: tuple[str, ...]) -> str:
    """TARGET as `target_of` writes it: the runbook, then its slot values sorted by name,
    whether it was given as one quoted word or as several."""
    from chatops.alerts.autofix import target_of

    tokens = [t for word in words for t in word.split()]
    if not tokens or "=" in tokens[0]:
        raise click.UsageError("TARGET is the runbook and its values, as `chatops autofix "
                               "list` shows it: restart_deployment deployment=api "
                               "namespace=dev")
    slots: dict[str, str] = {}
    for token in tokens[1:]:
        key, sep, value = token.partition("=")
        if not sep or not key:
            raise click.UsageError(f"{token!r} in TARGET is not name=value")
        slots[key] = value
    return target_of(tokens[0], slots)


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        return "unknown"


@click.group()
def autofix() -> None:
    """Automatic fixes (alert rules with `auto: true`): demoted targets, and lifting them."""


@autofix.command(name="list")
@database_url_option
def list_(database_url: str | None) -> None:
    """List the targets automatic fixes are demoted on (they are only proposed there since a
    run failed): since when, the rule, the target, the run that failed and how it ended."""
    from chatops.alerts.autofix import AutoFixStore

    settings = load_settings(database_url=database_url)
    try:
        demotions = AutoFixStore(settings.state_location).demotions()
    except DatabaseUnavailable as exc:
        click.echo(f"chatops autofix list: {exc}.", err=True)
        raise SystemExit(EXIT_USAGE) from exc
    if not demotions:
        click.echo("No demoted automatic fixes: every auto rule runs where it is allowed.")
        return
    for d in demotions:
        click.echo(f"{_when(d.created_at)}  rule {d.rule!r}  target {d.target!r}  "
                   f"after {d.run_id} {d.reason}")
    first = demotions[0]
    click.echo(f"Lift one with: chatops autofix restore {shlex.quote(first.rule)} "
               f"{shlex.quote(first.target)}")


@autofix.command(short_help="Let a demoted rule fix a target automatically again.")
@click.argument("rule")
@click.argument("target", nargs=-1, required=True)
@click.option("--actor", default=None,
              help="Who lifts it, as the audit log records it [default: your user name].")
@database_url_option
def restore(rule: str, target: tuple[str, ...], actor: str | None,
            database_url: str | None) -> None:
    """Lift RULE's demotion on TARGET (as `chatops autofix list` shows them): the next alert
    on TARGET is fixed automatically again, within the rule's namespaces and hourly limit.

    Do it once what made the automatic run fail is fixed, or it fails (and demotes) again.
    Audited as `auto_fix_restored`, with the actor (--actor, else your user name) and the
    run that had failed. Exits 1 when RULE has no demotion on TARGET.
    """
    from chatops.alerts.autofix import AutoFixStore
    from chatops.audit import AuditLog
    from chatops.audit.records import AutoFixRestored

    name = _target(target)
    who = (actor or "").strip() or _default_actor()
    settings = load_settings(database_url=database_url)
    try:
        store = AutoFixStore(settings.state_location)
        audit = AuditLog(settings.audit_location)
        lifted = store.lift(rule, name)
        if lifted is None:
            click.echo(f"chatops autofix restore: no demotion of rule {rule!r} on {name!r}; "
                       "`chatops autofix list` shows the demoted rules and targets.", err=True)
            raise SystemExit(EXIT_NOT_FOUND)
        audit.record(AutoFixRestored(lifted.rule, lifted.target, lifted.run_id),
                     actor=who, run_id=lifted.run_id)
    except DatabaseUnavailable as exc:
        click.echo(f"chatops autofix restore: {exc}.", err=True)
        raise SystemExit(EXIT_USAGE) from exc
    click.echo(f"restored: rule {rule!r} runs automatically on {name!r} again (demoted after "
               f"{lifted.run_id} {lifted.reason}; recorded as lifted by {who}).")
