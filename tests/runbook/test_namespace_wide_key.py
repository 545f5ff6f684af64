"""`namespace_wide`: a read-only runbook may name the read-only runbook that answers for a
whole namespace; the file and the catalogue refuse anything else, naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chatops.errors import RunbookInvalid
from chatops.runbook.catalogue import Catalogue, validate_path
from chatops.runbook.schema import parse_runbook
from runbooks import CATALOGUE_DIR
from tests.runbook.test_catalogue import _minimal

READ_STEP = [{"verb": "get_deployment",
              "params": {"namespace": "{{ namespace }}", "deployment": "{{ deployment }}"}}]


def _read(**overrides: object) -> dict[str, object]:
    return _minimal(risk="read", steps=READ_STEP, verify=[], **overrides)


def test_the_shipped_status_runbook_scans_the_namespace(catalogue: Catalogue) -> None:
    assert catalogue.get("deployment_status").namespace_wide == "diagnose"
    assert parse_runbook(_read(), "x.yaml").namespace_wide is None


OTHER_NAMESPACE_SLOT = {
    "slots": {"deployment": {"type": "deployment", "required": True, "prompt": "Which?"},
              "ns": {"type": "namespace", "prompt": "Where?"}},
    "steps": [{"verb": "get_deployment",
               "params": {"namespace": "{{ ns }}", "deployment": "{{ deployment }}"}}],
}


@pytest.mark.parametrize(("doc", "message"), [
    (_read(namespace_wide=3), "must be the name of a runbook"),
    (_read(namespace_wide="Diagnose!"), "must be the name of a runbook"),
    # A change is never redirected: its target is always asked for.
    (_minimal(namespace_wide="diagnose"), "only a read-only runbook may name one"),
    ({**_read(namespace_wide="diagnose"), **OTHER_NAMESPACE_SLOT},
     "needs a slot 'namespace' of type namespace"),
])
def test_bad_values_name_the_key(doc: dict[str, object], message: str) -> None:
    with pytest.raises(RunbookInvalid) as info:
        parse_runbook(doc, "x.yaml")
    assert info.value.field == "namespace_wide" and message in str(info.value)


@pytest.mark.parametrize(("target", "message"), [
    ("no_such_runbook", "no runbook called 'no_such_runbook'"),
    ("restart_deployment", "restart_deployment is not read-only"),
    ("pod_logs", "pod_logs needs more than a namespace"),
    ("node_status", "node_status has no slot 'namespace'"),
])
def test_the_catalogue_checks_the_runbook_named(tmp_path: Path, target: str,
                                                message: str) -> None:
    for file in CATALOGUE_DIR.glob("*.yaml"):
        (tmp_path / file.name).write_text(file.read_text())
    status = yaml.safe_load((tmp_path / "deployment_status.yaml").read_text())
    status["namespace_wide"] = target
    (tmp_path / "deployment_status.yaml").write_text(yaml.safe_dump(status))
    good, errors = validate_path(tmp_path)
    assert [(e.field, message in str(e)) for e in errors] == [("namespace_wide", True)], errors
    assert "deployment_status" in good
