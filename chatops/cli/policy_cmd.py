"""`chatops policy validate`: check a policy file before the bot is started with it."""

from __future__ import annotations

from pathlib import Path

import click

from chatops.cli.settings_cmd import load_settings
from chatops.model import Risk
from chatops.policy import Policy, PolicyError, load_policy

EXIT_INVALID = 2


def _count(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def summary(policy: Policy) -> list[str]:
    """A few lines saying what `policy` allows, for a person to check at a glance."""
    lines = [", ".join((_count(len(policy.people), "identity", "identities"),
                        _count(len(policy.chat_groups), "chat group"),
                        _count(len(policy.channel_namespaces), "channel namespace")))]
    lines.append("channels: " + (", ".join(sorted(policy.channels)) if policy.channels
                                 else "all"))
    for risk in Risk:
        asks = ", ".join(policy.request.get(risk, ())) or "nobody"
        approvers = ", ".join(policy.approve.get(risk, ())) or "nobody"
        needed = policy.approvals_needed(risk)
        own = " (or the requester)" if policy.may_self_approve(risk) else ""
        approval = (f"{_count(needed, 'approval')} by {approvers}{own}" if needed
                    else "no approval needed")
        lines.append(f"{risk.value}: requested by {asks}; {approval}")
    lines.append(f"approvals expire after {policy.expiry.total_seconds() / 60:g} minutes")
    allow = policy.unmapped_allow.value if policy.unmapped_allow else "nothing"
    groups = ", ".join(policy.unmapped_groups) or "no groups"
    lines.append(f"unmapped people: up to {allow}, as {policy.unmapped_user} in {groups}")
    return lines


@click.group()
def policy() -> None:
    """Check the policy file: identities, and who may request and approve what."""


@policy.command(short_help="Check a policy file (exit 2 naming the bad key).")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
def validate(file: Path | None) -> None:
    """Check the policy FILE (default: $CHATOPS_POLICY, else the active profile's) as
    `chatops serve` would read it.

    Prints `ok` and a summary and exits 0, or prints `FILE: key.path: reason` and exits 2.
    The file is read strictly: unknown or duplicate keys, unknown risk levels or
    principals, and any Kubernetes user or group starting with system: are errors.
    """
    path = load_settings(policy_path=file).policy_path
    if path is None:
        click.echo("chatops policy validate: name the policy FILE or set CHATOPS_POLICY "
                   "(`chatops demo` writes a demo policy).", err=True)
        raise SystemExit(EXIT_INVALID)
    try:
        parsed = load_policy(path)
    except PolicyError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_INVALID) from exc
    click.echo(f"ok: {path}")
    for line in summary(parsed):
        click.echo(f"  {line}")
