"""`chatops db migrate`: create or upgrade every store's tables where the settings say.

With `CHATOPS_DATABASE_URL` (or `--database-url`) that is one PostgreSQL database holding
every store; otherwise the SQLite files `state_db` (runs, dedupe keys, workers, threads,
alerts) and `audit_db` (the audit log). `chatops serve` and `shell` migrate at start-up
too; this command does it ahead of a deployment, and says which versions are there.

Also the `--database-url` option and its type, which the audit commands take as well.
"""

from __future__ import annotations

from pathlib import Path

import click

from chatops.alerts.autofix import SCHEMA as AUTOFIX_SCHEMA
from chatops.alerts.store import SCHEMA as ALERTS_SCHEMA
from chatops.audit.schema import SCHEMA as AUDIT_SCHEMA
from chatops.cli.settings_cmd import load_settings
from chatops.runs.dedupe import SCHEMA as DEDUPE_SCHEMA
from chatops.runs.store import SCHEMA as RUNS_SCHEMA
from chatops.runs.threads import SCHEMA as THREADS_SCHEMA
from chatops.runs.workers import SCHEMA as WORKERS_SCHEMA
from chatops.schedules.store import SCHEDULE_SCHEMA
from chatops.storage import (
    DatabaseUnavailable,
    SchemaTooNew,
    StoreSchema,
    is_postgres_url,
    migrate_all,
    open_database,
    schema_version,
)

EXIT_FAILED = 1
EXIT_USAGE = 2

STATE_SCHEMAS: tuple[StoreSchema, ...] = (RUNS_SCHEMA, DEDUPE_SCHEMA, WORKERS_SCHEMA,
                                          THREADS_SCHEMA, ALERTS_SCHEMA, AUTOFIX_SCHEMA,
                                          SCHEDULE_SCHEMA)
"""The stores of the state database, in the order the bot opens them."""
AUDIT_SCHEMAS: tuple[StoreSchema, ...] = (AUDIT_SCHEMA,)


def _check_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A `postgresql://` (or `postgres://`) URL, or a usage error that does not repeat it
    (it may hold a password)."""
    if value is not None and not is_postgres_url(value):
        raise click.BadParameter("not a PostgreSQL URL: write postgresql://USER@HOST:PORT/"
                                 "DATABASE (the password in $PGPASSWORD or ~/.pgpass, or in "
                                 "the URL)", ctx, param)
    return value


database_url_option = click.option(
    "--database-url", "database_url", metavar="URL", default=None, callback=_check_url,
    help="A PostgreSQL database holding every store, postgresql://USER@HOST:PORT/DATABASE "
         "(default: $CHATOPS_DATABASE_URL, else the SQLite files).",
)


def _migrate(location: str | Path, schemas: tuple[StoreSchema, ...]) -> str:
    """Migrate `schemas` at `location`; one line naming it (without a password) and the
    version of each store."""
    db = open_database(location)
    try:
        migrate_all(db, schemas)
        versions = ", ".join(f"{s.store} {schema_version(db, s.store)}" for s in schemas)
    finally:
        db.close_all()
    return f"{db.path}: {versions}"


@click.group()
def db() -> None:
    """The bot's databases: create or upgrade their tables."""


@db.command()
@database_url_option
def migrate(database_url: str | None) -> None:
    """Create or upgrade every store's tables, and print each store's version.

    Safe to run while bots use the database and from several places at once: a store
    already at its newest version is left as it is. Exits 1 when a database was migrated
    by a newer release, 2 when it cannot be reached.
    """
    settings = load_settings(database_url=database_url)
    targets: list[tuple[str | Path, tuple[StoreSchema, ...]]]
    if settings.database_url is not None:
        targets = [(settings.database_url, STATE_SCHEMAS + AUDIT_SCHEMAS)]
    else:
        targets = [(settings.state_db, STATE_SCHEMAS), (settings.audit_db, AUDIT_SCHEMAS)]
    for location, schemas in targets:
        try:
            click.echo(_migrate(location, schemas))
        except DatabaseUnavailable as exc:
            click.echo(f"chatops db migrate: {exc}.", err=True)
            raise SystemExit(EXIT_USAGE) from exc
        except SchemaTooNew as exc:
            click.echo(f"chatops db migrate: {exc}", err=True)
            raise SystemExit(EXIT_FAILED) from exc
