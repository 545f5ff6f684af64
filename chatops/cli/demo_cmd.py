"""`chatops demo`: a sandbox cluster with demo workloads, a demo policy, and the console."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
import yaml

from chatops.cli.policy_cmd import default_identity_documents
from chatops.cli.sandbox_cmd import src_dir
from chatops.cli.settings_cmd import resolve_or_exit
from chatops.cli.shell_cmd import run_shell
from chatops.demo import DEMO_POLICY, demo_documents
from chatops.settings import (
    NO_PROFILE,
    PROFILE_VARIABLE,
    Resolved,
    default_profile_path,
    write_profile,
)

PROFILE_LABELS = {"kubeconfig": "kubeconfig", "policy_path": "policy", "state_db": "state db",
                  "audit_db": "audit log", "sandbox_state": "sandbox state"}

TRY = """\
The sandbox cluster is up with demo workloads in prod, staging and dev:
  prod/checkout-api (healthy), prod/calc-app (crash-looping), prod/web-frontend (bad image),
  prod/search-indexer (with an autoscaler), prod/nightly-report (a cronjob).
People: alice (may change dev), bob, carol and erin (SREs, approvers), mallory (no rights).

Try, as alice:
  show pods in prod
  why is calc-app crashing in prod?
  scale checkout in dev to 3          then `:as bob` and `approve r-...`
  undo                                (back as alice, in the same console)
  restart web-frontend in prod        (the cluster refuses alice outside dev)
  :as bob  then  drain node-2         (needs two approvers other than bob: carol and erin)
Type `help` for every runbook, `:quit` to leave. The cluster keeps running:
`chatops sandbox down` stops it.
"""


def _profile_text(path: Path, values: dict[str, Path]) -> str:
    width = max(map(len, PROFILE_LABELS.values()))
    lines = [f"Wrote the demo profile to {path}.",
             "Later commands (chatops shell, audit, policy, sandbox, serve) use these unless "
             "a flag or the environment says otherwise:"]
    lines += [f"  {PROFILE_LABELS[name]:<{width}}  {value}" for name, value in values.items()]
    lines.append("`chatops settings` shows what commands resolve and from where; "
                 "`chatops settings --clear-profile` forgets the demo.")
    return "\n".join(lines)


def _environment_note(later: Resolved) -> str | None:
    """What in the environment will win over the profile just written, if anything."""
    if later.profile_path is None:
        return (f"Note: {PROFILE_VARIABLE}={NO_PROFILE} is set, so later commands ignore the "
                "profile.")
    shadowed = later.shadowed()
    if not shadowed:
        return None
    variables = ", ".join(sorted({source.detail for source in shadowed.values()}))
    labels = ", ".join(PROFILE_LABELS[name] for name in shadowed)
    return (f"Note: {variables} in this environment win over the demo profile ({labels}) "
            "for later commands; unset them, or pass flags, to use the demo's.")


DEMO_FILES = ("state.db", "audit.db")
"""The demo's stores, with SQLite's files beside them (`-wal`, `-shm`)."""


def set_aside(demo_dir: Path) -> Path | None:
    """Move the last demo's stores into a folder of their own in `demo_dir`, returned; None
    when there are none. A new sandbox cluster has none of their runs: their plans and
    interrupted runs would be about objects that are gone (a user trial: a new demo began
    with "r-... was interrupted"). The audit log is moved, never deleted."""
    found = [path for name in DEMO_FILES for path in sorted(demo_dir.glob(f"{name}*"))]
    if not found:
        return None
    kept = demo_dir / f"previous-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"
    kept.mkdir()
    for path in found:
        path.rename(kept / path.name)
    return kept


@click.command()
@click.option("--as", "user", default="alice", show_default=True, help="Who you start as.")
@click.option("--no-shell", is_flag=True, help="Set everything up, print how to connect, exit.")
def demo(user: str, no_shell: bool) -> None:
    """Start (or reuse) the sandbox cluster, seed demo workloads and open the console.

    The demo's kubeconfig, policy, state and audit files are written to the active profile
    (profile.json in the data folder), so that `chatops shell`, `chatops audit list` and the
    others use them afterwards without any variables set.
    """
    from chatops.executor import api_client_from_kubeconfig
    from chatops.executor.apply import apply_documents
    from chatops.sandbox import manager

    resolved = resolve_or_exit()
    settings = resolved.settings
    state_dir = settings.sandbox_dir
    current = manager.status(state_dir)
    started = not current.ready
    try:
        if started:
            click.echo("Building the sandbox control plane (cached after the first time)...")
            binary = manager.build_binary(src_dir(settings),
                                          progress=lambda line: click.echo(f"  {line}"))
            click.echo("Starting the sandbox cluster...")
            current = manager.up(state_dir, binary)
    except manager.SandboxError as exc:
        raise click.ClickException(str(exc)) from exc
    assert current.kubeconfig is not None
    api = api_client_from_kubeconfig(current.kubeconfig)
    # The alert identities get what the runbooks need, as `chatops policy rbac` renders it.
    count = apply_documents(api, demo_documents() + default_identity_documents())
    demo_dir = settings.data_dir / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    kept = set_aside(demo_dir) if started else None
    if kept is not None:
        click.echo(f"The last demo's state and audit log (of a cluster that is gone) are kept "
                   f"in {kept}; this demo starts on new ones.")
    policy_path = demo_dir / "policy.yaml"
    policy_path.write_text(yaml.safe_dump(DEMO_POLICY, sort_keys=False), encoding="utf-8")
    values = {"kubeconfig": Path(current.kubeconfig), "policy_path": policy_path,
              "state_db": demo_dir / "state.db", "audit_db": demo_dir / "audit.db",
              "sandbox_state": state_dir}
    profile_path = resolved.profile_path or default_profile_path(settings.data_dir)
    write_profile(profile_path, "demo", values, written_by="chatops demo")
    click.echo(f"Applied {count} demo objects to the sandbox cluster.")
    click.echo(_profile_text(profile_path, values))
    # What the next command will resolve: the environment still wins over the profile.
    note = _environment_note(resolve_or_exit())
    if note:
        click.echo(note)
    click.echo(TRY)
    if no_shell:
        click.echo(f"Connect later with: chatops shell --as {user}")
        return
    # The demo's own console is on the demo's files whatever the environment says.
    run_shell(resolve_or_exit(dict(values)).settings, user)
