"""`chatops shell`: the conversation engine in a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chatops.cli.settings_cmd import load_settings
from chatops.cli.wiring import SetupError, build_service
from chatops.console import Shell
from chatops.settings import Settings


def run_shell(settings: Settings, user: str) -> None:
    """Open the console as `user`: interactive on a terminal, line by line otherwise."""
    try:
        service = build_service(settings)
    except SetupError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from exc
    shell = Shell(service, user=user, out=sys.stdout)
    if sys.stdin.isatty():
        import readline  # noqa: F401 - line editing for input()

        click.echo("Type a request (`help` lists runbooks), `approve ID`, `:as NAME`, `:quit`.")
        shell.run((), read_prompt=input)
    else:
        shell.run(sys.stdin)


@click.command()
@click.option("--as", "user", default="alice", show_default=True,
              help="Who you are: an identity name from the policy (or a chat user id).")
@click.option("--kubeconfig", type=click.Path(path_type=Path, exists=True), default=None,
              help="Kubeconfig of the cluster (default: CHATOPS_KUBECONFIG / KUBECONFIG, "
                   "else the active profile's, e.g. the demo sandbox).")
@click.option("--policy", type=click.Path(path_type=Path, exists=True), default=None,
              help="Policy file (default: CHATOPS_POLICY, else the active profile's; "
                   "without one, read-only for all).")
def shell(user: str, kubeconfig: Path | None, policy: Path | None) -> None:
    """Talk to the bot in the terminal, against the configured cluster.

    Lines are messages; `approve ID` / `deny ID` decide on plans; `:as bob` switches user.
    With stdin not a terminal it reads one message per line and prints the replies.
    """
    run_shell(load_settings(note_shadowed=True, kubeconfig=kubeconfig, policy_path=policy), user)
