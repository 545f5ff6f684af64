"""`state_read`: a runbook that changes something may name the read-only runbook that
answers a question about the state it sets ("is nightly-report suspended?" read as a
suspend, a session-39 user trial). The file and the catalogue refuse anything else,
naming the key: a read never redirects to a change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chatops.errors import RunbookInvalid
from chatops.model import Risk
from chatops.runbook.catalogue import Catalogue, validate_path
from chatops.runbook.schema import parse_runbook
from runbooks import CATALOGUE_DIR
from tests.runbook.test_catalogue import _minimal

READ_STEP = [{"verb": "get_deployment",
              "params": {"namespace": "{{ namespace }}", "deployment": "{{ deployment }}"}}]


def test_every_shipped_change_that_names_one_names_a_read(catalogue: Catalogue) -> None:
    named = {rb.name: rb.state_read for rb in catalogue.runbooks.values() if rb.state_read}
    assert named["suspend_cronjob"] == named["resume_cronjob"] == "diagnose"
    assert named["cordon_node"] == "node_status"
    for source, target in named.items():
        assert catalogue.get(source).risk is not Risk.READ
        assert catalogue.get(target).risk is Risk.READ


@pytest.mark.parametrize(("doc", "message"), [
    (_minimal(state_read=3), "must be the name of a runbook"),
    (_minimal(risk="read", steps=READ_STEP, verify=[], state_read="deployment_status"),
     "only a runbook that changes something may name one"),
])
def test_bad_values_name_the_key(doc: dict[str, object], message: str) -> None:
    with pytest.raises(RunbookInvalid) as info:
        parse_runbook(doc, "x.yaml")
    assert info.value.field == "state_read" and message in str(info.value)


@pytest.mark.parametrize(("target", "message"), [
    ("no_such_runbook", "no runbook called 'no_such_runbook'"),
    ("resume_cronjob", "resume_cronjob is not read-only"),
    ("deployment_status", "deployment_status needs deployment, which suspend_cronjob does "
                          "not give"),
])
def test_the_catalogue_checks_the_runbook_named(tmp_path: Path, target: str,
                                                message: str) -> None:
    for file in CATALOGUE_DIR.glob("*.yaml"):
        (tmp_path / file.name).write_text(file.read_text())
    suspend = yaml.safe_load((tmp_path / "suspend_cronjob.yaml").read_text())
    suspend["state_read"] = target
    (tmp_path / "suspend_cronjob.yaml").write_text(yaml.safe_dump(suspend))
    _, errors = validate_path(tmp_path)
    assert [(e.field, message in str(e)) for e in errors] == [("state_read", True)], errors
