"""`chatops runbooks ...`: list, show, validate and render the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import click

from chatops.errors import Refusal, RunbookInvalid
from chatops.messages import plan_text, refusal_text, runbook_text
from chatops.runbook.catalogue import Catalogue, load_catalogue, validate_path
from chatops.runbook.render import render

EXIT_INVALID = 1
EXIT_USAGE = 2


def _catalogue(path: Path | None) -> Catalogue:
    try:
        return load_catalogue(path)
    except RunbookInvalid as exc:
        click.echo(f"The catalogue is invalid: {exc}", err=True)
        raise SystemExit(EXIT_INVALID) from exc


catalogue_option = click.option(
    "--catalogue", "catalogue_path", type=click.Path(path_type=Path, exists=True),
    default=None, help="A folder of runbook files instead of the packaged catalogue.",
)


@click.group()
def runbooks() -> None:
    """List, show, validate and render runbooks."""


@runbooks.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per runbook.")
@catalogue_option
def list_(as_json: bool, catalogue_path: Path | None) -> None:
    """List the runbooks with their risk and slots."""
    for rb in sorted(_catalogue(catalogue_path), key=lambda r: r.name):
        if as_json:
            click.echo(json.dumps({"name": rb.name, "risk": rb.risk.value,
                                   "slots": list(rb.slots), "description": rb.description}))
        else:
            click.echo(f"{rb.name:22} {rb.risk.value:9} {', '.join(rb.slots)}")


@runbooks.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
def validate(path: Path | None) -> None:
    """Check every runbook file under PATH (default: the packaged catalogue).

    Exits 1 and names the file and field of every problem found.
    """
    from runbooks import CATALOGUE_DIR

    target = path or CATALOGUE_DIR
    if not target.exists():
        click.echo(f"{target}: no such file or folder", err=True)
        raise SystemExit(EXIT_USAGE)
    good, errors = validate_path(target)
    for error in errors:
        click.echo(f"{error.path}: {error.field}: {error.message}", err=True)
    if errors:
        click.echo(f"{len(errors)} problem(s) found; {len(good)} runbook(s) valid.", err=True)
        raise SystemExit(EXIT_INVALID)
    if not good:
        click.echo(f"{target}: no runbook files found", err=True)
        raise SystemExit(EXIT_INVALID)
    click.echo(f"{len(good)} runbook(s) valid.")


@runbooks.command()
@click.argument("name")
@catalogue_option
def show(name: str, catalogue_path: Path | None) -> None:
    """Show one runbook: description, slots, examples, undo."""
    try:
        runbook = _catalogue(catalogue_path).get(name)
    except Refusal as exc:
        click.echo(refusal_text(exc), err=True)
        raise SystemExit(EXIT_USAGE) from exc
    click.echo(runbook_text(runbook))


@runbooks.command("render")
@click.argument("name")
@click.argument("slots", nargs=-1)
@click.option("--current-replicas", type=int, default=None,
              help="The deployment's current replica count, for relative changes (+2, half).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@catalogue_option
def render_(name: str, slots: tuple[str, ...], current_replicas: int | None, as_json: bool,
            catalogue_path: Path | None) -> None:
    """Render runbook NAME with SLOTS (key=value ...) into a plan, without running it.

    Exits 2 with a clear message when a slot value is missing or refused.
    """
    raw: dict[str, str] = {}
    for item in slots:
        key, sep, value = item.partition("=")
        if not sep:
            click.echo(f"{item!r} is not key=value.", err=True)
            raise SystemExit(EXIT_USAGE)
        raw[key] = value
    try:
        plan = render(_catalogue(catalogue_path).get(name), raw,
                      current_replicas=current_replicas)
    except Refusal as exc:
        click.echo(f"Refused: {refusal_text(exc)}", err=True)
        raise SystemExit(EXIT_USAGE) from exc
    if as_json:
        click.echo(json.dumps({**plan.to_json(), "digest": plan.digest,
                               "explanation": plan.explanation}, indent=2))
    else:
        click.echo(plan_text(plan))
