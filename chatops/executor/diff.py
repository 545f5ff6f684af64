"""Structured diffs between a live object and what the server says it will become.

Objects are compared as the JSON the API server returns (camelCase dicts). Paths read like
`spec.replicas`, `spec.template.spec.containers[api].image` (lists of named items are keyed
by name, so reordering is no change) and
`spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt]` (keys that are not
plain identifiers go in brackets). A dry-run and the real run are diffed by the same
function over the same roots, so both name the same fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from chatops.model import ParamValue
from chatops.results import FieldChange

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Fields the server or controllers own; a patch never means to change them.
_IGNORED = frozenset({
    "metadata.annotations[deployment.kubernetes.io/revision]",
    "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]",
    # Provenance the real run writes beside a new template (`writes.deployment_write`):
    # the preview cannot know its run's approvers, and a diff of it is no change.
    "metadata.annotations[kubernetes.io/change-cause]",
})

DEFAULT_ROOTS: tuple[str, ...] = (
    "spec", "metadata.labels", "metadata.annotations", "metadata.deletionTimestamp",
)


def _join(prefix: str, key: str) -> str:
    if _IDENT.match(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{key}]"


def _named_list(value: list[Any]) -> bool:
    return bool(value) and all(isinstance(v, Mapping) and isinstance(v.get("name"), str)
                               for v in value)


def flatten(value: Any, prefix: str = "") -> dict[str, ParamValue]:
    """Flatten JSON into `path -> scalar`; unnamed lists become one compact JSON value."""
    out: dict[str, ParamValue] = {}
    if isinstance(value, Mapping):
        for key in sorted(value):
            out.update(flatten(value[key], _join(prefix, str(key))))
    elif isinstance(value, list):
        if _named_list(value):
            for item in value:
                out.update(flatten(item, f"{prefix}[{item['name']}]"))
        elif value:
            out[prefix] = json.dumps(value, sort_keys=True, separators=(",", ":"))
    elif value is None or isinstance(value, str | int | bool):
        out[prefix] = value
    else:
        out[prefix] = str(value)
    return out


def _pick(obj: Mapping[str, Any], root: str) -> Any:
    node: Any = obj
    for part in root.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def diff(before: Mapping[str, Any], after: Mapping[str, Any],
         roots: Iterable[str] = DEFAULT_ROOTS) -> tuple[FieldChange, ...]:
    """The fields under `roots` whose values differ, sorted by path.

    A boolean that only appears on one side is compared against `false` (the API omits
    false booleans such as `spec.unschedulable`), so cordoning reads `false -> true`.
    """
    changes: list[FieldChange] = []
    for root in roots:
        old = flatten(_pick(before, root), root)
        new = flatten(_pick(after, root), root)
        for path in sorted(set(old) | set(new)):
            if path in _IGNORED:
                continue
            a, b = old.get(path), new.get(path)
            if a is None and isinstance(b, bool):
                a = False
            if b is None and isinstance(a, bool):
                b = False
            if a != b:
                changes.append(FieldChange(path, a, b))
    return tuple(changes)


def render_change(change: FieldChange) -> str:
    """`spec.replicas: 3 -> 5`, the form plans and summaries show."""
    return f"{change.path}: {_show(change.before)} -> {_show(change.after)}"


def _show(value: ParamValue) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
