"""`rollback_on_failure`: a boolean, only with an undo to roll back with; off by default."""

from __future__ import annotations

import pytest

from chatops.errors import RunbookInvalid
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.schema import parse_runbook
from tests.runbook.test_catalogue import _minimal

UNDO = {"runbook": "restart_deployment",
        "slots": {"deployment": "{{ deployment }}", "namespace": "{{ namespace }}"}}


def test_it_is_off_unless_set(catalogue: Catalogue) -> None:
    assert parse_runbook(_minimal(), "x.yaml").rollback_on_failure is False
    assert not any(r.rollback_on_failure for r in catalogue.runbooks.values())


def test_true_with_an_undo_is_read() -> None:
    runbook = parse_runbook(_minimal(undo=UNDO, rollback_on_failure=True), "x.yaml")
    assert runbook.rollback_on_failure is True and runbook.undo is not None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"rollback_on_failure": "yes", "undo": UNDO}, "must be true or false"),
    ({"rollback_on_failure": 1, "undo": UNDO}, "must be true or false"),
    ({"rollback_on_failure": True}, "needs an undo to roll back with"),
])
def test_bad_values_name_the_key(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(RunbookInvalid) as info:
        parse_runbook(_minimal(**overrides), "x.yaml")
    assert info.value.field == "rollback_on_failure" and info.value.path == "x.yaml"
    assert message in str(info.value)
