"""`chatops demo`: a sandbox cluster with demo workloads, a demo policy, and the console."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from chatops.cli.shell_cmd import run_shell
from chatops.demo import DEMO_POLICY, demo_documents
from chatops.settings import Settings

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


@click.command()
@click.option("--as", "user", default="alice", show_default=True, help="Who you start as.")
@click.option("--no-shell", is_flag=True, help="Set everything up, print how to connect, exit.")
def demo(user: str, no_shell: bool) -> None:
    """Start (or reuse) the sandbox cluster, seed demo workloads and open the console."""
    from chatops.executor import api_client_from_kubeconfig
    from chatops.executor.apply import apply_documents
    from chatops.sandbox import manager

    settings = Settings.from_env()
    state_dir = settings.sandbox_state or manager.default_state_dir()
    current = manager.status(state_dir)
    if not current.ready:
        click.echo("Building the sandbox control plane (cached after the first time)...")
        binary = manager.build_binary(progress=lambda line: click.echo(f"  {line}"))
        click.echo("Starting the sandbox cluster...")
        current = manager.up(state_dir, binary)
    assert current.kubeconfig is not None
    api = api_client_from_kubeconfig(current.kubeconfig)
    count = apply_documents(api, demo_documents())
    demo_dir = settings.data_dir / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    policy_path = demo_dir / "policy.yaml"
    policy_path.write_text(yaml.safe_dump(DEMO_POLICY, sort_keys=False), encoding="utf-8")
    settings = settings.with_(kubeconfig=Path(current.kubeconfig), policy_path=policy_path,
                              state_db=demo_dir / "state.db", audit_db=demo_dir / "audit.db")
    click.echo(f"Applied {count} demo objects; policy written to {policy_path}.")
    click.echo(TRY)
    if no_shell:
        click.echo(f"Connect later with: KUBECONFIG={current.kubeconfig} "
                   f"CHATOPS_POLICY={policy_path} CHATOPS_STATE_DB={settings.state_db} "
                   f"CHATOPS_AUDIT_DB={settings.audit_db} chatops shell --as {user}")
        return
    run_shell(settings, user)
