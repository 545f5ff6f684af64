"""The runbook file format, parsed into frozen dataclasses with errors that name file and field.

A runbook file is YAML:

    name: scale_deployment            # = the intent name, = the file name
    description: ...
    risk: read | write | critical
    slots:
      replicas: {type: replicas, required: true, min: 0, max: 50, prompt: How many?}
    one_of: [[pod, deployment]]       # optional: at least one slot of each group
    examples: ["scale [checkout](deployment) to [5](replicas)", ...]
    steps:   [{verb: scale, params: {replicas: "{{ replicas }}", ...}}]
    verify:  [{verb: wait_rollout, params: {...}}]
    explain: "Scale {{ deployment }} ..."
    undo:    {runbook: scale_deployment, slots: {replicas: "{{ before.replicas }}"},
              warning: "..."}     # optional warning: said with every undo's plan
    rollback_on_failure: true         # optional: a scheduled firing whose verification
                                      # fails runs the undo at once
    namespace_wide: diagnose          # optional, read-only runbooks: asked with a
                                      # namespace and no target of its own, answer with
                                      # this read-only runbook for the whole namespace
    one_workload: deployment_status   # optional, read-only runbooks: asked about one
                                      # deployment, answer with this read-only runbook
    state_read: deployment_status     # optional, changes: a question about the state the
                                      # change sets ("is it scaled to 3?"), read as the
                                      # change, is answered with this read-only runbook
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from chatops.errors import RunbookInvalid, SlotError
from chatops.model import META_INTENTS, OUT_OF_SCOPE, Risk, frozen_map
from chatops.runbook.markup import parse_markup
from chatops.runbook.slots import SLOT_TYPES, Bounds, parse_slot
from chatops.verbs import VERBS

MIN_EXAMPLES = 12
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_TOP_KEYS = {"name", "description", "risk", "slots", "one_of", "examples", "steps", "verify",
             "explain", "undo", "rollback_on_failure", "namespace_wide", "one_workload",
             "state_read"}
_SLOT_KEYS = {"type", "required", "default", "prompt", "min", "max", "choices", "description"}
_NUMERIC_TYPES = {"integer", "replicas", "duration", "lines", "cpu", "memory"}
UNDO_CONTEXT = "before"
"""The name under which undo templates see the values observed before the change."""


def template_env() -> SandboxedEnvironment:
    """The only jinja2 environment runbooks are rendered with: sandboxed, strict, no autoescape.

    Sandboxing stops a template reaching Python internals; StrictUndefined turns a misspelt
    slot into an error instead of an empty string in a cluster call.
    """
    return SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        finalize=lambda value: "" if value is None else value,
    )


@dataclass(frozen=True)
class SlotSpec:
    """A slot a runbook declares: its type, whether it is needed, and how to ask for it."""

    name: str
    type: str
    required: bool = False
    prompt: str = ""
    default: str | None = None
    bounds: Bounds = field(default_factory=Bounds)
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class StepTemplate:
    """A step before rendering: a verb and parameter templates (or fixed scalars)."""

    verb: str
    params: Mapping[str, str | int | bool]

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", frozen_map(self.params))


@dataclass(frozen=True)
class UndoTemplate:
    """The runbook that reverses this one, with slot templates that may use `before.*`,
    and what the person should know before approving an undo (`warning`, a template)."""

    runbook: str
    slots: Mapping[str, str]
    warning: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", frozen_map(self.slots))


@dataclass(frozen=True)
class Runbook:
    """One catalogue entry; `name` is also the intent the NLU predicts."""

    name: str
    description: str
    risk: Risk
    slots: Mapping[str, SlotSpec]
    examples: tuple[str, ...]
    steps: tuple[StepTemplate, ...]
    verify: tuple[StepTemplate, ...] = ()
    explain: str = ""
    undo: UndoTemplate | None = None
    one_of: tuple[tuple[str, ...], ...] = ()
    source: str = "<memory>"
    rollback_on_failure: bool = False
    """Run the undo at once when verification fails (a schedule's firing: nobody is
    watching); needs an `undo`."""
    namespace_wide: str | None = None
    """A read-only runbook asked with a namespace and none of its own targets ("is prod
    healthy?" read as a deployment's status) is answered with this read-only runbook for
    the whole namespace instead of a question for the target."""
    one_workload: str | None = None
    """A read-only runbook about a namespace asked about one deployment ("what image is api
    running?" read as the namespace's image list) is answered with this read-only runbook
    about that deployment, instead of the whole list with the name dropped."""
    state_read: str | None = None
    """A question about the state this change sets, read as the change ("is nightly-report
    suspended?" as a suspend, turned down by the guards as no request) is answered with
    this read-only runbook about the same object, instead of a refusal."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", frozen_map(self.slots))

    @property
    def required_slots(self) -> tuple[SlotSpec, ...]:
        """Slots a request must fill before the runbook can be planned."""
        return tuple(spec for spec in self.slots.values() if spec.required)


class _Reader:
    """Walks one runbook document, raising `RunbookInvalid` with the path of the bad field."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.env = template_env()

    def fail(self, where: str, message: str) -> RunbookInvalid:
        return RunbookInvalid(self.path, where, message)

    def text(self, value: Any, where: str, *, allow_empty: bool = False) -> str:
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self.fail(where, "must be a non-empty string")
        return value

    def template_vars(self, template: str, where: str) -> set[str]:
        try:
            ast = self.env.parse(template)
        except jinja2.TemplateSyntaxError as exc:
            raise self.fail(where, f"template syntax error: {exc.message}") from exc
        return set(meta.find_undeclared_variables(ast))

    def check_template(self, template: str, where: str, allowed: set[str]) -> None:
        unknown = self.template_vars(template, where) - allowed
        if unknown:
            raise self.fail(
                where,
                f"template refers to undeclared slot(s) {', '.join(sorted(unknown))}; "
                f"declared: {', '.join(sorted(allowed)) or 'none'}",
            )

    def slot(self, name: Any, raw: Any) -> SlotSpec:
        where = f"slots.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.fail(where, "slot names are lower_snake_case")
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a mapping with at least a type")
        unknown = set(raw) - _SLOT_KEYS
        if unknown:
            raise self.fail(f"{where}.{sorted(unknown)[0]}", "unknown key")
        if "type" not in raw:
            raise self.fail(f"{where}.type", "missing: every slot declares a type "
                            f"({', '.join(sorted(SLOT_TYPES))})")
        slot_type = raw["type"]
        if slot_type not in SLOT_TYPES:
            raise self.fail(f"{where}.type", f"unknown slot type {slot_type!r}; known: "
                            f"{', '.join(sorted(SLOT_TYPES))}")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(f"{where}.required", "must be true or false")
        prompt = raw.get("prompt", "")
        if required and not (isinstance(prompt, str) and prompt.strip()):
            raise self.fail(f"{where}.prompt", "a required slot needs the question to ask")
        bounds = Bounds()
        if slot_type in _NUMERIC_TYPES:
            lo, hi = raw.get("min"), raw.get("max")
            for key, val in (("min", lo), ("max", hi)):
                if val is not None and (not isinstance(val, int) or isinstance(val, bool)):
                    raise self.fail(f"{where}.{key}", "must be an integer")
            if hi is None:
                raise self.fail(f"{where}.max", f"a {slot_type} slot needs an upper bound")
            bounds = Bounds(lo, hi)
        elif "min" in raw or "max" in raw:
            raise self.fail(f"{where}.min", f"bounds do not apply to {slot_type} slots")
        choices: tuple[str, ...] = ()
        if slot_type == "enum":
            raw_choices = raw.get("choices")
            if not isinstance(raw_choices, list) or not raw_choices:
                raise self.fail(f"{where}.choices", "an enum slot lists its choices")
            choices = tuple(str(c).lower() for c in raw_choices)
        default = raw.get("default")
        if default is not None:
            default = str(default)
            try:
                parse_slot(name, slot_type, default, bounds, choices)
            except SlotError as exc:
                raise self.fail(f"{where}.default", exc.message) from exc
        return SlotSpec(
            name=name,
            type=slot_type,
            required=required,
            prompt=str(prompt),
            default=default,
            bounds=bounds,
            choices=choices,
            description=str(raw.get("description", "")),
        )

    def step(self, raw: Any, where: str, slot_names: set[str], risk: Risk,
             verification: bool) -> StepTemplate:
        if not isinstance(raw, dict):
            raise self.fail(where, "a step is a mapping with verb and params")
        verb = raw.get("verb")
        if verb not in VERBS:
            raise self.fail(f"{where}.verb", f"unknown verb {verb!r}")
        spec = VERBS[verb]
        if verification != (spec.kind == "verify"):
            kind = "a verification" if spec.kind == "verify" else "an action"
            raise self.fail(f"{where}.verb", f"{verb} is {kind} and cannot stand here")
        if risk is Risk.READ and spec.mutating:
            raise self.fail(f"{where}.verb", f"{verb} changes the cluster but risk is read")
        params = raw.get("params", {})
        if not isinstance(params, dict):
            raise self.fail(f"{where}.params", "must be a mapping")
        extra = set(raw) - {"verb", "params"}
        if extra:
            raise self.fail(f"{where}.{sorted(extra)[0]}", "unknown key")
        for name in params:
            if name not in spec.params:
                raise self.fail(f"{where}.params.{name}", f"{verb} takes no parameter {name!r}")
        for name, param in spec.params.items():
            if param.required and name not in params:
                raise self.fail(f"{where}.params.{name}", f"{verb} needs {name}")
        for name, value in params.items():
            if isinstance(value, str):
                self.check_template(value, f"{where}.params.{name}", slot_names)
            elif not isinstance(value, int | bool):
                raise self.fail(f"{where}.params.{name}", "must be a template string or scalar")
        return StepTemplate(verb=verb, params=params)

    def runbook(self, data: Any, stem: str | None) -> Runbook:
        if not isinstance(data, dict):
            raise self.fail("<root>", "a runbook file is a YAML mapping")
        unknown = set(data) - _TOP_KEYS
        if unknown:
            raise self.fail(sorted(unknown)[0], "unknown key")
        name = data.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.fail("name", "must be lower_snake_case")
        if name in META_INTENTS or name == OUT_OF_SCOPE:
            raise self.fail("name", f"{name!r} is reserved for the conversation")
        if stem is not None and stem != name:
            raise self.fail("name", f"must match the file name {stem!r}")
        description = self.text(data.get("description"), "description")
        try:
            risk = Risk(str(data.get("risk")))
        except ValueError:
            raise self.fail("risk", f"{data.get('risk')!r} is not one of read, write, "
                            "critical") from None
        raw_slots = data.get("slots") or {}
        if not isinstance(raw_slots, dict):
            raise self.fail("slots", "must be a mapping of slot name to spec")
        slots = {name_: self.slot(name_, spec) for name_, spec in raw_slots.items()}
        names = set(slots)
        one_of = self.one_of(data.get("one_of", []), names)
        examples = self.examples(data.get("examples"), slots)
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            raise self.fail("steps", "a runbook has at least one step")
        steps = tuple(self.step(s, f"steps[{i}]", names, risk, False)
                      for i, s in enumerate(raw_steps))
        raw_verify = data.get("verify") or []
        if not isinstance(raw_verify, list):
            raise self.fail("verify", "must be a list of steps")
        verify = tuple(self.step(s, f"verify[{i}]", names, risk, True)
                       for i, s in enumerate(raw_verify))
        if risk is not Risk.READ and not verify:
            raise self.fail("verify", "a runbook that changes the cluster declares a "
                            "verification")
        explain = self.text(data.get("explain"), "explain")
        self.check_template(explain, "explain", names)
        undo = self.undo(data.get("undo"), names)
        rollback = data.get("rollback_on_failure", False)
        if not isinstance(rollback, bool):
            raise self.fail("rollback_on_failure", "must be true or false")
        if rollback and undo is None:
            raise self.fail("rollback_on_failure", "needs an undo to roll back with")
        wide = self.namespace_wide(data.get("namespace_wide"), risk, slots)
        one = self.read_only_target("one_workload", data.get("one_workload"), risk)
        state = self.runbook_name("state_read", data.get("state_read"))
        if state is not None and risk is Risk.READ:
            raise self.fail("state_read", "only a runbook that changes something may name one")
        return Runbook(
            name=name, description=description, risk=risk, slots=slots, examples=examples,
            steps=steps, verify=verify, explain=explain, undo=undo,
            one_of=one_of, source=self.path, rollback_on_failure=rollback,
            namespace_wide=wide, one_workload=one, state_read=state,
        )

    def namespace_wide(self, raw: Any, risk: Risk, slots: Mapping[str, SlotSpec]
                       ) -> str | None:
        name = self.read_only_target("namespace_wide", raw, risk)
        if name is None:
            return None
        namespace = slots.get("namespace")
        if namespace is None or namespace.type != "namespace":
            raise self.fail("namespace_wide", "needs a slot 'namespace' of type namespace")
        return name

    def runbook_name(self, key: str, raw: Any) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str) or not _NAME.match(raw):
            raise self.fail(key, "must be the name of a runbook")
        return raw

    def read_only_target(self, key: str, raw: Any, risk: Risk) -> str | None:
        name = self.runbook_name(key, raw)
        if name is None:
            return None
        if risk is not Risk.READ:
            # A change is never redirected: its target is always asked for.
            raise self.fail(key, "only a read-only runbook may name one")
        return name

    def one_of(self, raw: Any, names: set[str]) -> tuple[tuple[str, ...], ...]:
        if not isinstance(raw, list):
            raise self.fail("one_of", "must be a list of slot-name lists")
        groups = []
        for i, group in enumerate(raw):
            if not isinstance(group, list) or len(group) < 2:
                raise self.fail(f"one_of[{i}]", "each group lists two or more slots")
            for slot in group:
                if slot not in names:
                    raise self.fail(f"one_of[{i}]", f"undeclared slot {slot!r}")
            groups.append(tuple(group))
        return tuple(groups)

    def examples(self, raw: Any, slots: Mapping[str, SlotSpec]) -> tuple[str, ...]:
        if not isinstance(raw, list) or len(raw) < MIN_EXAMPLES:
            raise self.fail("examples", f"at least {MIN_EXAMPLES} example utterances are needed")
        seen: set[str] = set()
        for i, example in enumerate(raw):
            where = f"examples[{i}]"
            text = self.text(example, where)
            if text in seen:
                raise self.fail(where, "duplicate example")
            seen.add(text)
            for span in parse_markup(text)[1]:
                spec = slots.get(span.slot)
                if spec is None:
                    raise self.fail(where, f"marks up undeclared slot {span.slot!r}")
                try:
                    parse_slot(spec.name, spec.type, span.text, spec.bounds, spec.choices)
                except SlotError as exc:
                    raise self.fail(where, f"example value rejected: {exc}") from exc
        return tuple(raw)

    def undo(self, raw: Any, names: set[str]) -> UndoTemplate | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("runbook"), str):
            raise self.fail("undo", "must be a mapping with runbook and slots")
        unknown = set(raw) - {"runbook", "slots", "warning"}
        if unknown:
            raise self.fail(f"undo.{sorted(map(str, unknown))[0]}", "unknown key")
        slots = raw.get("slots") or {}
        if not isinstance(slots, dict):
            raise self.fail("undo.slots", "must be a mapping")
        for key, value in slots.items():
            self.check_template(self.text(value, f"undo.slots.{key}"), f"undo.slots.{key}",
                                names | {UNDO_CONTEXT})
        warning = ""
        if raw.get("warning") is not None:
            warning = self.text(raw["warning"], "undo.warning")
            self.check_template(warning, "undo.warning", names | {UNDO_CONTEXT})
        return UndoTemplate(runbook=raw["runbook"], slots={k: str(v) for k, v in slots.items()},
                            warning=warning)


def parse_runbook(data: Any, path: str = "<memory>", stem: str | None = None) -> Runbook:
    """Build a `Runbook` from a parsed YAML document, or raise `RunbookInvalid`."""
    return _Reader(path).runbook(data, stem)
