"""What changed on the cluster between a run and its undo.

An undo puts back the values from before the run. When someone (a person, a pipeline, an
autoscaler) changed a field after the run, the undo overwrites that too: the undo's
dry-run shows the field's value now, but nothing said it was not the value the run left.
A user trial: an undo of a scale to 4 planned "spec.replicas: 6 -> 3" after a colleague
had scaled to 6, without a word. The plan now says so, so the approver decides on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chatops.results import FieldChange


def _changes(preview: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Each changed field's path and the value it was to get, over a preview's steps."""
    return {str(change["path"]): change.get("after")
            for step in preview for change in step.get("changes") or ()
            if isinstance(change, Mapping) and "path" in change}


def changed_since(run_preview: Iterable[Mapping[str, Any]],
                  undo_preview: Iterable[Mapping[str, Any]]) -> tuple[FieldChange, ...]:
    """The fields the undo changes whose value now (its dry-run's `before`) is not the one
    the run set (its dry-run's `after`): `FieldChange(path, left by the run, now)`."""
    left = _changes(run_preview)
    drifted = []
    for step in undo_preview:
        for change in step.get("changes") or ():
            if not isinstance(change, Mapping) or change.get("path") not in left:
                continue
            path = str(change["path"])
            if str(change.get("before")) != str(left[path]):
                drifted.append(FieldChange(path, left[path], change.get("before")))
    return tuple(drifted)
