"""`chatops shell`: the conversation engine in a terminal."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import click

from chatops.cli.settings_cmd import load_settings
from chatops.cli.wiring import SetupError, build_runtime
from chatops.console import Shell
from chatops.messages.console import SHELL_GREETING, thread_text
from chatops.replies import Reply
from chatops.settings import Settings


def _print_recovered(replies: list[Reply]) -> None:
    for reply in replies:
        click.echo(reply.text)


def new_thread() -> str:
    """A console session's own thread: a request, a question or `undo` of an earlier
    session (someone else's, hours old) is not this session's."""
    return f"console-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"


def run_shell(settings: Settings, user: str, thread: str | None = None) -> None:
    """Open the console as `user` in `thread` (a new one when None): interactive on a
    terminal, line by line otherwise.

    The runtime's heartbeat runs meanwhile, so a `serve` replica sharing the database does
    not take the console's runs for orphans. Alerts are not taken in the console.
    """
    try:
        runtime = build_runtime(settings, alerts=False)
    except SetupError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from exc
    runtime.attach(announce=_print_recovered)
    shell = Shell(runtime.service, user=user, out=sys.stdout, thread=thread or new_thread())
    runtime.start()
    try:
        if sys.stdin.isatty():
            import readline  # noqa: F401 - line editing for input()

            click.echo(SHELL_GREETING)
            click.echo(thread_text(shell.thread))
            shell.run((), read_prompt=input)
        else:
            shell.run(sys.stdin)
    finally:
        runtime.stop()


@click.command()
@click.option("--as", "user", default="alice", show_default=True,
              help="Who you are: an identity name from the policy (or a chat user id).")
@click.option("--kubeconfig", type=click.Path(path_type=Path, exists=True), default=None,
              help="Kubeconfig of the cluster (default: CHATOPS_KUBECONFIG / KUBECONFIG, "
                   "else the active profile's, e.g. the demo sandbox).")
@click.option("--policy", type=click.Path(path_type=Path, exists=True), default=None,
              help="Policy file (default: CHATOPS_POLICY, else the active profile's; "
                   "without one, read-only for all).")
@click.option("--thread", default=None,
              help="Continue this console thread (its plans, questions and `undo`); "
                   "default: a new thread for this session.")
def shell(user: str, kubeconfig: Path | None, policy: Path | None,
          thread: str | None) -> None:
    """Talk to the bot in the terminal, against the configured cluster.

    Lines are messages; `approve ID` / `deny ID` decide on plans; `:as bob` switches user.
    With stdin not a terminal it reads one message per line and prints the replies.
    """
    run_shell(load_settings(note_shadowed=True, kubeconfig=kubeconfig, policy_path=policy), user,
              thread)
