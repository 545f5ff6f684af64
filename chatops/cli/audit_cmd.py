"""`chatops audit ...`: list, show, verify and export the tamper-evident audit log."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from chatops.audit import AuditEvent, AuditLog
from chatops.settings import Settings

EXIT_TAMPERED = 1
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2

db_option = click.option(
    "--db", "db_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="The audit database file (default: $CHATOPS_AUDIT_DB, else audit.db in the "
         "chatops data folder).",
)


def _has_audit_tables(path: Path) -> bool:
    # Read-only, so pointing --db at the wrong file neither creates tables in it nor
    # reports an empty "intact" log.
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        found = conn.execute(
            "select count(*) from sqlite_master where type = 'table' and name = 'audit_events'"
        ).fetchone()[0]
    finally:
        conn.close()
    return bool(found)


def _open(db_path: Path | None) -> AuditLog:
    """Open an existing audit log, or exit 2 saying what to pass instead."""
    path = db_path or Settings.from_env().audit_db
    if not path.is_file():
        click.echo(f"No audit log at {path}. Pass --db PATH or set CHATOPS_AUDIT_DB.", err=True)
        raise SystemExit(EXIT_USAGE)
    try:
        if not _has_audit_tables(path):
            click.echo(f"{path} is an SQLite file but holds no audit log (no audit_events "
                       "table). Check --db or CHATOPS_AUDIT_DB.", err=True)
            raise SystemExit(EXIT_USAGE)
        return AuditLog(path)
    except sqlite3.DatabaseError as exc:
        click.echo(f"Cannot read the audit log at {path}: {exc}.", err=True)
        raise SystemExit(EXIT_USAGE) from exc


def _summary(event: AuditEvent, width: int = 60) -> str:
    text = json.dumps(dict(event.data), ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 1] + "…"


def _event_line(event: AuditEvent) -> str:
    when = event.ts[:19].replace("T", " ")
    return (f"{event.id:>6}  {when}  {event.kind:<14} {event.actor or '-':<12} "
            f"{event.run_id or '-':<14} {_summary(event)}")


@click.group()
def audit() -> None:
    """List, show, verify and export the audit log.

    Every message, parse, plan, approval, step and result is an event; each row carries the
    hash of the one before, so `verify` finds rows edited or removed by hand.
    """


@audit.command("list")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=50, show_default=True,
              help="How many events to show (newest first).")
@click.option("--run", "run_id", default=None, help="Only events of this run id.")
@click.option("--kind", default=None, help="Only events of this kind (message, plan, ...).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event.")
@db_option
def list_(limit: int, run_id: str | None, kind: str | None, as_json: bool,
          db_path: Path | None) -> None:
    """List the newest events, newest first."""
    with _open(db_path) as log:
        events = log.list(limit=limit, run_id=run_id, kind=kind)
    for event in events:
        if as_json:
            click.echo(json.dumps(event.to_dict(), ensure_ascii=False))
        else:
            click.echo(_event_line(event))


@audit.command()
@click.argument("event_id", metavar="ID", type=int)
@db_option
def show(event_id: int, db_path: Path | None) -> None:
    """Show one event, with its data and hashes, as indented JSON."""
    with _open(db_path) as log:
        event = log.get(event_id)
    if event is None:
        click.echo(f"No audit event {event_id}. `chatops audit list` shows the ids.", err=True)
        raise SystemExit(EXIT_NOT_FOUND)
    click.echo(json.dumps(event.to_dict(), indent=2, ensure_ascii=False))


@audit.command()
@db_option
def verify(db_path: Path | None) -> None:
    """Check the whole hash chain.

    Exits 0 when it is intact; exits 1 naming the first row that was edited, is missing,
    does not chain to the row before it, or was removed from the end.
    """
    with _open(db_path) as log:
        report = log.verify()
    if report.ok:
        click.echo(f"OK: {report.checked} events, chain intact (head {report.head_hash[:16]}).")
        return
    where = f"row {report.first_bad_id}" if report.first_bad_id is not None else "the head"
    click.echo(f"TAMPERED at {where}: {report.problem}.", err=True)
    click.echo(f"{report.checked} event(s) before it are intact. Compare with a backup or "
               "an earlier export (`chatops audit export --jsonl`).", err=True)
    raise SystemExit(EXIT_TAMPERED)


@audit.command()
@click.option("--jsonl", is_flag=True, default=True,
              help="JSON lines: one event per line, oldest first (the default, and for now "
                   "the only format).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of stdout.")
@db_option
def export(jsonl: bool, output: Path | None, db_path: Path | None) -> None:
    """Export every event, oldest first, for archiving or another tool."""
    with _open(db_path) as log:
        if output is None:
            log.export_jsonl(sys.stdout)
            return
        with output.open("w", encoding="utf-8") as out:
            count = log.export_jsonl(out)
    click.echo(f"Exported {count} event(s) to {output}.", err=True)
