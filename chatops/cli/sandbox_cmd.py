"""`chatops sandbox ...`: build, start, stop and inspect the local Kubernetes sandbox."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from chatops.cli.settings_cmd import load_settings
from chatops.sandbox import manager
from chatops.settings import Settings


def src_dir(settings: Settings) -> Path:
    """The sandbox's Go source: CHATOPS_SANDBOX_SRC, else `sandbox/` in the source tree."""
    return settings.sandbox_src or manager.DEFAULT_SRC_DIR


def _binary(quiet: bool = False) -> Path:
    try:
        return manager.build_binary(src_dir(load_settings()),
                                    progress=None if quiet else manager.print_progress)
    except manager.SandboxError as e:
        raise click.ClickException(str(e)) from e


def _state(state_dir: Path | None) -> Path:
    return load_settings(sandbox_state=state_dir).sandbox_dir


state_option = click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State directory of the sandbox (PKI, etcd data, logs, kubeconfigs); default: "
         "CHATOPS_SANDBOX_STATE, else the active profile's (the demo's), else "
         "~/.cache/chatops/sandbox-state.",
)


@click.group()
def sandbox() -> None:
    """A real Kubernetes control plane (etcd, apiserver, controllers, fake nodes) for tests."""


@sandbox.command()
def build() -> None:
    """Build the `ktc` binary (cached by source hash) and print its path."""
    click.echo(_binary())


@sandbox.command("up")
@state_option
@click.option("--nodes", default=3, show_default=True, help="Number of fake nodes.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait for Ready.")
def up_cmd(state_dir: Path | None, nodes: int, timeout: float) -> None:
    """Start the sandbox in the background and return once it is Ready."""
    state_dir = _state(state_dir)
    binary = _binary()
    click.echo(f"starting sandbox in {state_dir} ...", err=True)
    try:
        st = manager.up(state_dir, binary, nodes=nodes, timeout=timeout)
    except manager.SandboxError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"sandbox ready: {st.server} (pid {st.pid})")
    click.echo(f"export KUBECONFIG={st.kubeconfig}")


@sandbox.command("down")
@state_option
def down_cmd(state_dir: Path | None) -> None:
    """Stop the sandbox and its components."""
    if manager.down(_state(state_dir)):
        click.echo("sandbox stopped")
    else:
        click.echo("no sandbox was running")


@sandbox.command("status")
@state_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def status_cmd(state_dir: Path | None, as_json: bool) -> None:
    """Say whether the sandbox is running; exit code 1 when it is not."""
    state_dir = _state(state_dir)
    st = manager.status(state_dir)
    if as_json:
        click.echo(json.dumps(st.to_json()))
    elif st.ready:
        click.echo(f"ready: {st.server} (pid {st.pid}, {st.version})\nkubeconfig: {st.kubeconfig}")
    else:
        click.echo(f"not running (state dir {state_dir}); start it with `chatops sandbox up`")
    if not st.ready:
        sys.exit(1)


@sandbox.command("kubeconfig")
@state_option
@click.option("--user", required=True, help="User name (the client certificate's CN).")
@click.option(
    "--group", "groups", multiple=True, help="Group (a certificate O); repeat for several."
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Kubeconfig file to write.",
)
def kubeconfig_cmd(state_dir: Path | None, user: str, groups: tuple[str, ...],
                   out: Path) -> None:
    """Mint a kubeconfig with a client certificate for a restricted identity."""
    binary = _binary(quiet=True)
    try:
        manager.mint_kubeconfig(_state(state_dir), binary, user, groups, out)
    except manager.SandboxError as e:
        raise click.ClickException(str(e)) from e
    click.echo(str(out))
