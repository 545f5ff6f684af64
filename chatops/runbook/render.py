"""Rendering a runbook with validated slot values into a typed, frozen `Plan`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2

from chatops.errors import MissingSlots, RunbookInvalid, SlotError
from chatops.model import ParamValue, Plan, Step, UndoRef
from chatops.runbook.catalogue import closest
from chatops.runbook.schema import UNDO_CONTEXT, Runbook, SlotSpec, StepTemplate, template_env
from chatops.runbook.slots import ReplicaExpr, parse_slot, resolve_replicas
from chatops.verbs import VERBS

TypedValue = str | int | ReplicaExpr
_SINGLE_VAR = re.compile(r"^\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}$")
_ENV = template_env()


def validate_slots(runbook: Runbook, raw: Mapping[str, str]) -> dict[str, TypedValue]:
    """Check every given slot value against its declared type; unknown slot names are refused.

    Optional slots that were not given take their declared default. Missing required slots
    are not an error here (see `missing_slots`), so a conversation can collect them.
    """
    values: dict[str, TypedValue] = {}
    for name, value in raw.items():
        spec = runbook.slots.get(name)
        if spec is None:
            close = closest(name, runbook.slots)
            valid = ", ".join(runbook.slots) or "none"
            hint = f"Did you mean {close[0]}?" if close else f"Valid slots: {valid}."
            raise SlotError(name, f"{runbook.name} has no slot called {name!r}.", hint)
        values[name] = parse_slot(name, spec.type, value, spec.bounds, spec.choices)
    for spec in runbook.slots.values():
        if spec.name not in values and spec.default is not None:
            values[spec.name] = parse_slot(spec.name, spec.type, spec.default, spec.bounds,
                                           spec.choices)
    return values


def missing_slots(runbook: Runbook, values: Mapping[str, object]) -> tuple[SlotSpec, ...]:
    """Required slots not yet filled, then the first slot of each unsatisfied `one_of` group."""
    missing = [spec for spec in runbook.required_slots if values.get(spec.name) is None]
    for group in runbook.one_of:
        if all(values.get(name) is None for name in group):
            missing.append(runbook.slots[group[0]])
    return tuple(missing)


def _param(template: str | int | bool, context: Mapping[str, Any], where: str) -> ParamValue:
    if not isinstance(template, str):
        return template
    single = _SINGLE_VAR.match(template)
    if single:
        # Pass the typed value through untouched; no string round-trip, no re-parsing.
        value = context[single.group(1)]
        return value if value is None or isinstance(value, str | int | bool) else str(value)
    try:
        return _ENV.from_string(template).render(context)
    except jinja2.TemplateError as exc:
        raise RunbookInvalid(where, "template", str(exc)) from exc


def _coerce(verb: str, name: str, value: ParamValue, source: str) -> ParamValue:
    kind = VERBS[verb].params[name].type
    if value is None or value == "":
        return None
    if kind == "int" and not isinstance(value, int):
        if not str(value).lstrip("-").isdigit():
            raise RunbookInvalid(source, f"{verb}.{name}", f"rendered {value!r}, not an integer")
        return int(value)
    if kind == "bool" and not isinstance(value, bool):
        return str(value).lower() in {"true", "yes", "1"}
    if kind == "str":
        return str(value)
    return value


def _render_step(template: StepTemplate, context: Mapping[str, Any], source: str) -> Step:
    params: dict[str, ParamValue] = {}
    for name, raw in template.params.items():
        value = _param(raw, context, f"{source}: {template.verb}.{name}")
        params[name] = _coerce(template.verb, name, value, source)
    for name, spec in VERBS[template.verb].params.items():
        if spec.required and params.get(name) is None:
            raise SlotError(name, f"{template.verb} needs a value for {name}.")
    return Step(template.verb, params)


def render(
    runbook: Runbook,
    raw_slots: Mapping[str, str],
    *,
    current_replicas: int | None = None,
) -> Plan:
    """Validate `raw_slots` and render `runbook` into a `Plan`.

    `current_replicas` is the deployment's present count; it is needed only when a
    replicas slot is relative (`+2`, `half`). Raises `SlotError` or `MissingSlots` before
    anything is rendered.
    """
    values = validate_slots(runbook, raw_slots)
    needed = missing_slots(runbook, values)
    if needed:
        raise MissingSlots(runbook.name, tuple((s.name, s.prompt or f"Which {s.name}?")
                                               for s in needed))
    resolved: dict[str, ParamValue] = {}
    for name, value in values.items():
        if isinstance(value, ReplicaExpr):
            spec = runbook.slots[name]
            resolved[name] = resolve_replicas(name, value, current_replicas, spec.bounds)
        else:
            resolved[name] = value
    context: dict[str, Any] = {name: None for name in runbook.slots}
    context.update(resolved)
    steps = tuple(_render_step(t, context, runbook.source) for t in runbook.steps)
    verify = tuple(_render_step(t, context, runbook.source) for t in runbook.verify)
    explanation = _ENV.from_string(runbook.explain).render(context).strip()
    undo = (UndoRef(runbook.undo.runbook, runbook.undo.slots, runbook.undo.warning)
            if runbook.undo else None)
    return Plan(runbook=runbook.name, risk=runbook.risk, slots=resolved, steps=steps,
                verify=verify, explanation=explanation, undo=undo)


def relative_replicas(runbook: Runbook, raw_slots: Mapping[str, str]) -> bool:
    """Whether rendering needs the deployment's current replica count first."""
    values = validate_slots(runbook, raw_slots)
    return any(isinstance(v, ReplicaExpr) and v.relative for v in values.values())


def _undo_context(plan: Plan, before: Mapping[str, Any]) -> dict[str, Any]:
    """What undo templates see: the plan's slots, and `before.*` as the run observed it."""
    return {**plan.slots, UNDO_CONTEXT: dict(before)}


def undo_slots(plan: Plan, before: Mapping[str, Any]) -> dict[str, str]:
    """Raw slot values for the plan's undo runbook, given what was observed before the run."""
    if plan.undo is None:
        return {}
    context = _undo_context(plan, before)
    slots: dict[str, str] = {}
    for name, template in plan.undo.slots.items():
        try:
            value = _ENV.from_string(template).render(context).strip()
        except jinja2.UndefinedError as exc:
            raise SlotError(name, "the value before the change was not recorded, so this "
                            "cannot be undone automatically.") from exc
        if value:
            slots[name] = value
    return slots


def undo_warning(plan: Plan, before: Mapping[str, Any]) -> str:
    """The plan's undo warning for what was observed before the run ("" when it has none,
    or refers to a value that was not recorded)."""
    if plan.undo is None or not plan.undo.warning:
        return ""
    try:
        return _ENV.from_string(plan.undo.warning).render(_undo_context(plan, before)).strip()
    except (jinja2.TemplateError, TypeError, ValueError):
        # A warning is a courtesy: one that cannot be rendered never stops the undo.
        return ""


def observed_check(check: Step, before: Mapping[str, Any]) -> Step:
    """`check` with the parameters its verb `observes` taken from what the run's steps saw
    (`before`): what a step saw of the object it changed beats a guess made afterwards."""
    spec = VERBS.get(check.verb)
    seen = {name: before[name] for name in (spec.observes if spec else ()) if name in before}
    return Step(check.verb, {**check.params, **seen}) if seen else check
