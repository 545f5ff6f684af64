"""`chatops audit ...`: list, show, verify, checkpoint and export the tamper-evident audit log,
in its SQLite file or in the PostgreSQL database of `CHATOPS_DATABASE_URL`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from chatops.audit import (
    AuditEvent,
    AuditLog,
    AuditTampered,
    Checkpoint,
    FileSink,
    newest_checkpoint,
    read_checkpoint_file,
)
from chatops.audit.log import EVENTS_TABLE
from chatops.cli.checkpoints import (
    CONFIGMAP_PREFIX,
    default_api_client,
    parse_configmap_ref,
)
from chatops.cli.db_cmd import database_url_option
from chatops.cli.settings_cmd import load_settings
from chatops.cli.wiring import SetupError
from chatops.errors import ClusterError
from chatops.settings import Settings
from chatops.settings_sources import redact_url
from chatops.storage import DatabaseUnavailable, has_table, is_postgres_url

EXIT_TAMPERED = 1
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2



class _AuditDatabase(click.Path):
    """An SQLite file (a `Path`), or a `postgresql://` URL (kept as text)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and is_postgres_url(value):
            return value
        return super().convert(value, param, ctx)


_db_option = click.option(
    "--db", "db_path", type=_AuditDatabase(path_type=Path, dir_okay=False), default=None,
    help="The audit database file, or a postgresql:// URL (default: $CHATOPS_DATABASE_URL, "
         "else $CHATOPS_AUDIT_DB, else the active profile's, e.g. the demo's, else audit.db "
         "in the chatops data folder).",
)


def db_option(command: Callable[..., None]) -> Callable[..., None]:
    """`--db` and `--database-url`, the audit database's two options."""
    return _db_option(database_url_option(command))


def _audit_settings(db_path: Path | str | None, database_url: str | None) -> Settings:
    """The settings with the audit database the options name: `--db FILE` beats a URL
    from the environment, and a URL may be given to either option."""
    if isinstance(db_path, str):
        if database_url is not None and database_url != db_path:
            _usage("Give the audit database once: --db or --database-url.")
        database_url, db_path = db_path, None
    settings = load_settings(audit_db=db_path, database_url=database_url)
    if db_path is not None and database_url is None:
        settings = settings.with_(database_url=None)
    return settings


def _open_url(url: str) -> AuditLog:
    """Open the audit log in the PostgreSQL database at `url` when it has one, or exit 2."""
    where = redact_url(url)
    try:
        if not has_table(url, EVENTS_TABLE):
            _usage(f"{where} holds no audit log (no {EVENTS_TABLE} table). Check --db, "
                   "--database-url or CHATOPS_DATABASE_URL, or run `chatops db migrate`.")
        return AuditLog(url)
    except DatabaseUnavailable as exc:
        _usage(f"Cannot read the audit log: {exc}.")


def _open(settings: Settings) -> AuditLog:
    """Open the settings' existing audit log, or exit 2 saying what to pass instead."""
    if settings.database_url is not None:
        return _open_url(settings.database_url)
    path = settings.audit_db
    if not path.is_file():
        click.echo(f"No audit log at {path}. Pass --db PATH or set CHATOPS_AUDIT_DB "
                   "(`chatops settings` shows where the path came from).", err=True)
        raise SystemExit(EXIT_USAGE)
    try:
        # Looked up read-only, so pointing --db at the wrong file neither creates tables in
        # it nor reports an empty "intact" log.
        if not has_table(path, EVENTS_TABLE):
            click.echo(f"{path} is an SQLite file but holds no audit log (no audit_events "
                       "table). Check --db or CHATOPS_AUDIT_DB.", err=True)
            raise SystemExit(EXIT_USAGE)
        return AuditLog(path)
    except DatabaseUnavailable as exc:
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
def list_(limit: int, run_id: str | None, kind: str | None, as_json: bool,  # noqa: PLR0917
          db_path: Path | str | None, database_url: str | None) -> None:
    """List the newest events, newest first."""
    with _open(_audit_settings(db_path, database_url)) as log:
        events = log.list(limit=limit, run_id=run_id, kind=kind)
    for event in events:
        if as_json:
            click.echo(json.dumps(event.to_dict(), ensure_ascii=False))
        else:
            click.echo(_event_line(event))


@audit.command()
@click.argument("event_id", metavar="ID", type=int)
@db_option
def show(event_id: int, db_path: Path | str | None, database_url: str | None) -> None:
    """Show one event, with its data and hashes, as indented JSON."""
    with _open(_audit_settings(db_path, database_url)) as log:
        event = log.get(event_id)
    if event is None:
        click.echo(f"No audit event {event_id}. `chatops audit list` shows the ids.", err=True)
        raise SystemExit(EXIT_NOT_FOUND)
    click.echo(json.dumps(event.to_dict(), indent=2, ensure_ascii=False))


def _usage(text: str) -> NoReturn:
    click.echo(text, err=True)
    raise SystemExit(EXIT_USAGE)


def _configmap_checkpoint(ref: str, settings: Settings) -> Checkpoint:
    from chatops.executor.checkpoints import read_checkpoint_configmap

    try:
        namespace, name = parse_configmap_ref(ref)
    except ValueError as exc:
        _usage(f"--against {CONFIGMAP_PREFIX}{ref}: {exc}; the form is "
               f"{CONFIGMAP_PREFIX}NAMESPACE/NAME.")
    try:
        api = default_api_client(settings)()
    except SetupError as exc:
        _usage(str(exc))
    try:
        text = read_checkpoint_configmap(api, namespace, name)
    except ClusterError as exc:
        _usage(f"Cannot read the checkpoint from ConfigMap {namespace}/{name}: {exc}")
    finally:
        api.close()
    if text is None:
        _usage(f"No checkpoint in ConfigMap {namespace}/{name} (no such ConfigMap, or no "
               "`checkpoint` key). If one was written there before, that is suspicious too.")
    try:
        return Checkpoint.from_json(text)
    except ValueError as exc:
        _usage(f"ConfigMap {namespace}/{name}: {exc}.")


def _load_checkpoint(against: str, settings: Settings) -> Checkpoint:
    """The checkpoint `--against` names (a file, or configmap:NS/NAME), or exit 2."""
    if against.startswith(CONFIGMAP_PREFIX):
        return _configmap_checkpoint(against.removeprefix(CONFIGMAP_PREFIX), settings)
    path = Path(against)
    try:
        return read_checkpoint_file(path)
    except FileNotFoundError:
        _usage(f"No checkpoint file at {path}. Pass the file `chatops audit checkpoint --out` "
               f"wrote, or {CONFIGMAP_PREFIX}NAMESPACE/NAME.")
    except (OSError, UnicodeDecodeError) as exc:
        _usage(f"Cannot read the checkpoint file {path}: {exc}.")
    except ValueError as exc:
        _usage(f"{path}: {exc}.")


def _signature_note(checkpoint: Checkpoint, key: str | None) -> str:
    if checkpoint.signature is None:
        return "unsigned: only as trustworthy as where it was kept"
    if key is None:
        return "signature not checked: set CHATOPS_AUDIT_CHECKPOINT_KEY to check it"
    return "signature checked"


@audit.command()
@click.option("--against", metavar="CHECKPOINT", default=None,
              help="Also check that the log still reaches this checkpoint unchanged: a file "
                   "(JSON, or JSON lines where the line with the highest event id wins, not "
                   "the last line) or configmap:NAMESPACE/NAME (read with the kubeconfig). "
                   "Its signature is checked with $CHATOPS_AUDIT_CHECKPOINT_KEY when that "
                   "is set.")
@db_option
def verify(against: str | None, db_path: Path | str | None, database_url: str | None) -> None:
    """Check the whole hash chain, and with --against that its end was not cut off.

    Exits 0 when it is intact; exits 1 naming the first row that was edited, is missing,
    does not chain to the row before it, or was removed from the end, or saying how the
    log differs from the checkpoint ("truncated", "differs from the checkpoint", "bad
    signature"); exits 2 when the log or the checkpoint cannot be read.

    Without --against, newest rows removed together with the head row go unnoticed: only a
    checkpoint kept outside the database remembers how far the chain went. Of a file of
    checkpoints the one with the highest event id counts, so deleting its newest lines can
    only roll it back to an older checkpoint: a cut above that one then goes unnoticed.
    """
    settings = _audit_settings(db_path, database_url)
    key = settings.audit_checkpoint_key
    checkpoint = _load_checkpoint(against, settings) if against is not None else None
    with _open(settings) as log:
        anchored = log.verify_against(checkpoint, key) if checkpoint is not None else None
        report = log.verify()
    if checkpoint is not None and anchored is not None and not anchored.ok:
        click.echo(f"TAMPERED: {anchored.problem}.", err=True)
        if anchored.problem.startswith("bad signature"):
            click.echo("Whoever wrote this checkpoint did not hold the checkpoint key: trust "
                       "neither it nor the log until you know who did.", err=True)
        else:
            click.echo(f"The checkpoint of {checkpoint.taken_at} saw {checkpoint.count} "
                       f"event(s) ending at event #{checkpoint.event_id}. Compare with a "
                       "backup or an earlier export (`chatops audit export --jsonl`).",
                       err=True)
        raise SystemExit(EXIT_TAMPERED)
    if report.ok:
        line = f"OK: {report.checked} events, chain intact (head {report.head_hash[:16]})"
        if checkpoint is not None:
            line += (f"; it holds the checkpoint at event #{checkpoint.event_id} of "
                     f"{checkpoint.taken_at} ({_signature_note(checkpoint, key)})")
        click.echo(line + ".")
        return
    where = f"row {report.first_bad_id}" if report.first_bad_id is not None else "the head"
    click.echo(f"TAMPERED at {where}: {report.problem}.", err=True)
    click.echo(f"{report.checked} event(s) before it are intact. Compare with a backup or "
               "an earlier export (`chatops audit export --jsonl`).", err=True)
    raise SystemExit(EXIT_TAMPERED)


@audit.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Append the checkpoint to this file as one JSON line (created if "
                   "missing) instead of printing it; refused when the log no longer "
                   "reaches the newest checkpoint the file holds.")
@db_option
def checkpoint(out: Path | None, db_path: Path | str | None,
               database_url: str | None) -> None:
    """Record where the chain ends now, to keep outside the database.

    Checks the chain first (exit 1 and no checkpoint when it is broken), then prints the
    checkpoint as one JSON line, or appends it to --out. It is signed with
    $CHATOPS_AUDIT_CHECKPOINT_KEY when that is set; an unsigned checkpoint only helps if it is
    kept where whoever can write the database cannot. Check it later with
    `chatops audit verify --against FILE`.

    With --out the log must also still reach the newest checkpoint already in the file (and,
    with the key set, that one must carry its signature): exit 1 and nothing appended
    otherwise, so a cut log is never signed into the file at its shorter end.
    """
    settings = _audit_settings(db_path, database_url)
    key = settings.audit_checkpoint_key
    stored = _stored_checkpoint(out) if out is not None else None
    with _open(settings) as log:
        try:
            taken = log.checkpoint(key)
        except AuditTampered as exc:
            click.echo(f"TAMPERED: {exc}. No checkpoint was written; `chatops audit verify` "
                       "says more.", err=True)
            raise SystemExit(EXIT_TAMPERED) from exc
        anchored = log.verify_against(stored, key) if stored is not None else None
    if stored is not None and anchored is not None and not anchored.ok:
        click.echo(f"TAMPERED: {anchored.problem}, but {out} holds the checkpoint of "
                   f"{stored.taken_at} at event #{stored.event_id}. No checkpoint was "
                   f"written; `chatops audit verify --against {out}` says more.", err=True)
        raise SystemExit(EXIT_TAMPERED)
    if key is None:
        click.echo("Warning: unsigned checkpoint (CHATOPS_AUDIT_CHECKPOINT_KEY is not set); "
                   "keep it where whoever can write the database cannot.", err=True)
    if out is None:
        click.echo(taken.to_json())
        return
    try:
        FileSink(out).write(taken)
    except OSError as exc:
        _usage(f"Cannot append to {out}: {exc}.")
    click.echo(f"Checkpoint at event #{taken.event_id} ({taken.count} events) appended to "
               f"{out}.", err=True)


def _stored_checkpoint(out: Path) -> Checkpoint | None:
    """The newest checkpoint `--out` already holds (None when it is missing or empty), or
    exit 2 when it cannot be read or holds lines but no checkpoint."""
    try:
        text = out.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        _usage(f"Cannot read the checkpoint file {out}: {exc}.")
    stored, problems = newest_checkpoint(text)
    if stored is None and problems:
        _usage(f"{out} holds no audit checkpoint ({problems[0]}); pass another --out.")
    return stored


@audit.command()
@click.option("--jsonl", is_flag=True, default=True,
              help="JSON lines: one event per line, oldest first (the default, and for now "
                   "the only format).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of stdout.")
@db_option
def export(jsonl: bool, output: Path | None, db_path: Path | str | None,
           database_url: str | None) -> None:
    """Export every event, oldest first, for archiving or another tool."""
    with _open(_audit_settings(db_path, database_url)) as log:
        if output is None:
            log.export_jsonl(sys.stdout)
            return
        with output.open("w", encoding="utf-8") as out:
            count = log.export_jsonl(out)
    click.echo(f"Exported {count} event(s) to {output}.", err=True)
