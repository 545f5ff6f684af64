"""Loading and validating the runbook catalogue from a folder of YAML files."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

from chatops.errors import RunbookInvalid, UnknownRunbook
from chatops.model import Risk, frozen_map
from chatops.runbook.schema import Runbook, parse_runbook
from runbooks import CATALOGUE_DIR

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Catalogue:
    """All runbooks by name; the single source of intents, slots and training examples."""

    runbooks: Mapping[str, Runbook] = field(default_factory=frozen_map)

    def __post_init__(self) -> None:
        object.__setattr__(self, "runbooks", frozen_map(self.runbooks))

    def __iter__(self) -> Iterator[Runbook]:
        return iter(self.runbooks.values())

    def __len__(self) -> int:
        return len(self.runbooks)

    def __contains__(self, name: object) -> bool:
        return name in self.runbooks

    def get(self, name: str) -> Runbook:
        """The runbook called `name`, or a refusal naming the closest ones."""
        try:
            return self.runbooks[name]
        except KeyError:
            close = closest(name, self.runbooks)
            hint = f"Did you mean {', '.join(close)}?" if close else "Try `help`."
            raise UnknownRunbook(f"There is no runbook called {name!r}.", hint) from None

    @property
    def fingerprint(self) -> dict[str, tuple[str, ...]]:
        """Runbook names with their slot names: what a trained model must know about."""
        return catalogue_fingerprint(self.runbooks)


class _HasSlots(Protocol):
    @property
    def slots(self) -> Mapping[str, object]: ...


def catalogue_fingerprint(runbooks: Mapping[str, _HasSlots]) -> dict[str, tuple[str, ...]]:
    """Sorted runbook names with their sorted slot names: what a trained model must know.

    The training pipeline stores it in the model's meta.json; a model whose stored
    fingerprint differs from the live catalogue's was trained on another catalogue.
    """
    return {name: tuple(sorted(runbooks[name].slots)) for name in sorted(runbooks)}


def closest(word: str, choices: Mapping[str, object] | list[str], n: int = 3) -> list[str]:
    """Up to `n` names from `choices` that look like `word`, best first."""
    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.5)


def _runbook_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"})


def _load_file(path: Path) -> Runbook:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RunbookInvalid(str(path), "<yaml>", f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise RunbookInvalid(str(path), "<file>", f"cannot be read: {exc.strerror}") from exc
    return parse_runbook(data, str(path), stem=path.stem)


def _read_only(name: str, runbooks: Mapping[str, Runbook]) -> tuple[Runbook | None, str | None]:
    """The runbook called `name`, or why it cannot be one a read redirects to."""
    target = runbooks.get(name)
    if target is None:
        return None, f"no runbook called {name!r}"
    if target.risk is not Risk.READ:
        return None, f"{target.name} is not read-only"
    return target, None


def _check_namespace_wide(rb: Runbook, runbooks: Mapping[str, Runbook]
                          ) -> RunbookInvalid | None:
    """The runbook a namespace-only request goes to: read-only, and able to run on a
    namespace alone."""
    target, problem = _read_only(rb.namespace_wide or "", runbooks)
    if target is not None and ("namespace" not in target.slots
                               or target.slots["namespace"].type != "namespace"):
        problem = f"{target.name} has no slot 'namespace' of type namespace"
    elif target is not None and (any(s.name != "namespace" for s in target.required_slots)
                                 or target.one_of):
        problem = f"{target.name} needs more than a namespace"
    return RunbookInvalid(rb.source, "namespace_wide", problem) if problem else None


def _check_one_workload(rb: Runbook, runbooks: Mapping[str, Runbook]
                        ) -> RunbookInvalid | None:
    """The runbook a request about one deployment goes to: read-only, with a slot for it."""
    target, problem = _read_only(rb.one_workload or "", runbooks)
    if target is not None and not any(s.type == "deployment" for s in target.slots.values()):
        problem = f"{target.name} has no slot of type deployment"
    return RunbookInvalid(rb.source, "one_workload", problem) if problem else None


def _check_state_read(rb: Runbook, runbooks: Mapping[str, Runbook]
                      ) -> RunbookInvalid | None:
    """The read a question about a change's state goes to: read-only, needing no value the
    change's slots cannot give (same name, same type)."""
    target, problem = _read_only(rb.state_read or "", runbooks)
    if target is not None:
        missing = [s.name for s in target.required_slots
                   if s.name not in rb.slots or rb.slots[s.name].type != s.type]
        if missing:
            problem = f"{target.name} needs {', '.join(missing)}, which {rb.name} does not give"
    return RunbookInvalid(rb.source, "state_read", problem) if problem else None


def _cross_check(runbooks: dict[str, Runbook]) -> list[RunbookInvalid]:
    errors = []
    for rb in runbooks.values():
        if rb.namespace_wide is not None:
            wide = _check_namespace_wide(rb, runbooks)
            if wide is not None:
                errors.append(wide)
        if rb.one_workload is not None:
            one = _check_one_workload(rb, runbooks)
            if one is not None:
                errors.append(one)
        if rb.state_read is not None:
            state = _check_state_read(rb, runbooks)
            if state is not None:
                errors.append(state)
        if rb.undo is None:
            continue
        target = runbooks.get(rb.undo.runbook)
        if target is None:
            errors.append(RunbookInvalid(rb.source, "undo.runbook",
                                         f"no runbook called {rb.undo.runbook!r}"))
            continue
        for slot in rb.undo.slots:
            if slot not in target.slots:
                errors.append(RunbookInvalid(rb.source, f"undo.slots.{slot}",
                                             f"{target.name} has no slot {slot!r}"))
    return errors


def validate_path(path: Path) -> tuple[dict[str, Runbook], list[RunbookInvalid]]:
    """Load every runbook under `path`; return the good ones and every error found."""
    good: dict[str, Runbook] = {}
    errors: list[RunbookInvalid] = []
    for file in _runbook_files(path):
        try:
            runbook = _load_file(file)
        except RunbookInvalid as exc:
            errors.append(exc)
            continue
        if runbook.name in good:
            errors.append(RunbookInvalid(str(file), "name",
                                         f"duplicate of {good[runbook.name].source}"))
            continue
        good[runbook.name] = runbook
    if path.is_dir():
        errors.extend(_cross_check(good))
    return good, errors


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the catalogue (the packaged one by default); raise on the first invalid file."""
    good, errors = validate_path(path or CATALOGUE_DIR)
    if errors:
        raise errors[0]
    log.debug("loaded %d runbooks", len(good))
    return Catalogue(good)
