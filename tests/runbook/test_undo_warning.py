"""`undo.warning`: a template said with every undo's plan, validated like the undo's slots,
kept in the plan's record, and rendered with what the run saw before its change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chatops.errors import RunbookInvalid
from chatops.model import Plan, UndoRef
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.render import render, undo_warning
from chatops.runbook.schema import parse_runbook
from tests.runbook.test_catalogue import _minimal

SLOTS = {"deployment": "{{ deployment }}", "namespace": "{{ namespace }}"}


def test_it_is_read_and_kept_in_the_plan_record(catalogue: Catalogue) -> None:
    rollback = catalogue.get("rollback_deployment")
    assert rollback.undo is not None and "{{ before.revision }}" in rollback.undo.warning
    plan = render(rollback, {"deployment": "api", "namespace": "prod"})
    again = Plan.from_record(plan.to_record())
    assert again.undo == plan.undo and again.digest == plan.digest
    assert undo_warning(again, {"revision": 7}).startswith(
        "This rolls api forward again to revision 7,")
    # What was not recorded says nothing rather than half a sentence.
    assert undo_warning(again, {}) == ""
    # Runbooks without one, and records written before the key, have none.
    scale = render(catalogue.get("scale_deployment"),
                        {"deployment": "api", "namespace": "prod", "replicas": "2"})
    assert undo_warning(scale, {"replicas": 3}) == ""
    old = plan.to_record()
    old["undo"].pop("warning")
    assert undo_warning(Plan.from_record(old), {"revision": 7}) == ""


@pytest.mark.parametrize(("undo", "field", "message"), [
    ({"runbook": "restart_deployment", "slots": SLOTS, "warning": "{{ replicas }}"},
     "undo.warning", "undeclared slot(s) replicas"),
    ({"runbook": "restart_deployment", "slots": SLOTS, "warning": ["a"]},
     "undo.warning", ""),
    ({"runbook": "restart_deployment", "slots": SLOTS, "note": "x"}, "undo.note",
     "unknown key"),
])
def test_bad_warnings_and_unknown_keys_name_the_field(undo: dict[str, object], field: str,
                                                      message: str) -> None:
    with pytest.raises(RunbookInvalid) as info:
        parse_runbook(_minimal(undo=undo), "x.yaml")
    assert info.value.field == field and message in str(info.value)


def test_a_warning_that_cannot_be_rendered_says_nothing(catalogue: Catalogue) -> None:
    """A warning is a courtesy: a template that fails on the values seen (a number added to
    text) never turns the undo into an internal error."""
    plan = render(catalogue.get("rollback_deployment"), {"deployment": "api",
                                                         "namespace": "prod"})
    assert plan.undo is not None
    broken = replace(plan, undo=UndoRef(plan.undo.runbook, plan.undo.slots,
                                        "{{ before.revision + 'x' }}"))
    assert undo_warning(broken, {"revision": 7}) == ""
