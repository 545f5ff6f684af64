"""Fields changed on the cluster between a run and its undo (pure logic)."""

from __future__ import annotations

from chatops.conversation.drift import changed_since
from chatops.results import FieldChange


def _preview(*changes: tuple[str, object, object]) -> list[dict[str, object]]:
    return [{"verb": "patch", "changes": [{"path": p, "before": b, "after": a}
                                          for p, b, a in changes]}]


def test_a_field_changed_after_the_run_is_named_with_both_values() -> None:
    run = _preview(("spec.replicas", 3, 4))
    undo = _preview(("spec.replicas", 6, 3))
    assert changed_since(run, undo) == (FieldChange("spec.replicas", 4, 6),)


def test_nothing_changed_since_the_run_says_nothing() -> None:
    run = _preview(("spec.replicas", 3, 4))
    assert changed_since(run, _preview(("spec.replicas", 4, 3))) == ()
    # A value the JSON round trip turned into text is the same value.
    assert changed_since(run, _preview(("spec.replicas", "4", 3))) == ()


def test_only_the_fields_the_run_changed_are_compared() -> None:
    path = "spec.template.spec.containers[app].resources.limits.memory"
    run = _preview((path, "256Mi", "512Mi"))
    undo = [*_preview((path, "1Gi", "256Mi")), *_preview(("spec.replicas", 5, 5))]
    undo.append({"verb": "read", "changes": None})
    assert changed_since(run, undo) == (FieldChange(path, "512Mi", "1Gi"),)
    assert changed_since([], undo) == ()
