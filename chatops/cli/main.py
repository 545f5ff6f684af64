"""The `chatops` command line: the only place that sets up logging.

Every command builds its settings with `chatops.cli.settings_cmd.load_settings` (flags, then
the environment, then the active profile, then defaults); `chatops settings` shows them.
"""

from __future__ import annotations

import logging
import sys

import click

from chatops.cli.audit_cmd import audit
from chatops.cli.autofix_cmd import autofix
from chatops.cli.db_cmd import db
from chatops.cli.demo_cmd import demo
from chatops.cli.nlu_cmd import nlu
from chatops.cli.policy_cmd import policy
from chatops.cli.runbooks_cmd import runbooks
from chatops.cli.sandbox_cmd import sandbox
from chatops.cli.serve_cmd import serve
from chatops.cli.settings_cmd import settings
from chatops.cli.shell_cmd import shell


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Logs on stderr as text lines or JSON lines (for log "
              "shippers).")
@click.option("--log-json", is_flag=True, hidden=True, help="Same as --log-format json.")
def cli(verbose: int, log_format: str, log_json: bool) -> None:
    """chatops: operate Kubernetes from chat, through reviewed runbooks."""
    from chatops.logs import configure_logging

    level = logging.WARNING - 10 * min(verbose, 2)
    configure_logging(level, json_lines=log_json or log_format == "json")


cli.add_command(runbooks)
cli.add_command(audit)
cli.add_command(shell)
cli.add_command(demo)
cli.add_command(serve)
cli.add_command(nlu)
cli.add_command(sandbox)
cli.add_command(policy)
cli.add_command(settings)
cli.add_command(db)
cli.add_command(autofix)


def main() -> None:
    """Entry point of the `chatops` script."""
    sys.exit(cli.main(standalone_mode=True))
