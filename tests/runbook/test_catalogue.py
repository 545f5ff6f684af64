from __future__ import annotations

from pathlib import Path

import pytest

from chatops.errors import RunbookInvalid, UnknownRunbook
from chatops.model import Risk
from chatops.runbook.catalogue import Catalogue, validate_path
from chatops.runbook.markup import parse_markup
from chatops.runbook.schema import MIN_EXAMPLES, parse_runbook
from chatops.verbs import VERBS
from tests.conftest import FIXTURES

EXPECTED = {
    "show_pods": (Risk.READ, {"namespace", "deployment"}),
    "deployment_status": (Risk.READ, {"deployment", "namespace"}),
    "pod_logs": (Risk.READ, {"pod", "deployment", "namespace", "container", "lines", "since"}),
    "recent_events": (Risk.READ, {"namespace", "deployment", "pod"}),
    "describe_pod": (Risk.READ, {"pod", "namespace"}),
    "node_status": (Risk.READ, {"node"}),
    "rollout_history": (Risk.READ, {"deployment", "namespace"}),
    "list_images": (Risk.READ, {"namespace"}),
    "diagnose": (Risk.READ, {"deployment", "pod", "namespace"}),
    "pod_hygiene": (Risk.READ, {"namespace", "check"}),
    "rightsize": (Risk.READ, {"deployment", "namespace"}),
    "restart_deployment": (Risk.WRITE, {"deployment", "namespace"}),
    "scale_deployment": (Risk.WRITE, {"deployment", "namespace", "replicas"}),
    "rollback_deployment": (Risk.WRITE, {"deployment", "namespace", "revision"}),
    "set_image": (Risk.WRITE, {"deployment", "namespace", "image", "container"}),
    "delete_pod": (Risk.WRITE, {"pod", "namespace"}),
    "cordon_node": (Risk.WRITE, {"node"}),
    "uncordon_node": (Risk.WRITE, {"node"}),
    "suspend_cronjob": (Risk.WRITE, {"cronjob", "namespace"}),
    "resume_cronjob": (Risk.WRITE, {"cronjob", "namespace"}),
    "set_autoscaling": (Risk.WRITE, {"deployment", "namespace", "min_replicas", "max_replicas"}),
    "set_resources": (Risk.WRITE, {"deployment", "namespace", "container", "cpu_request",
                                   "cpu_limit", "memory_request", "memory_limit"}),
    "drain_node": (Risk.CRITICAL, {"node"}),
}


def test_catalogue_has_exactly_the_agreed_intents_and_slots(catalogue: Catalogue) -> None:
    assert {rb.name: (rb.risk, set(rb.slots)) for rb in catalogue} == EXPECTED


def test_every_runbook_has_varied_marked_up_examples(catalogue: Catalogue) -> None:
    for rb in catalogue:
        assert len(set(rb.examples)) >= MIN_EXAMPLES, rb.name
        marked = {span.slot for ex in rb.examples for span in parse_markup(ex)[1]}
        assert marked == set(rb.slots), f"{rb.name}: examples never mark {set(rb.slots) - marked}"


def test_mutating_runbooks_verify_and_read_runbooks_only_read(catalogue: Catalogue) -> None:
    for rb in catalogue:
        kinds = {VERBS[s.verb].kind for s in rb.steps}
        if rb.risk is Risk.READ:
            assert kinds == {"read"}, rb.name
        else:
            assert "mutate" in kinds and rb.verify, rb.name


def test_broken_runbooks_name_file_and_field() -> None:
    good, errors = validate_path(FIXTURES / "broken_runbooks")
    assert good == {}
    found = {(Path(e.path).stem, e.field) for e in errors}
    assert found == {
        ("missing_slot_type", "slots.deployment.type"),
        ("unknown_verb", "steps[0].verb"),
        ("undeclared_slot", "steps[0].params.deployment"),
        ("bad_risk", "risk"),
    }


def _minimal(**overrides: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "name": "restart_thing",
        "description": "d",
        "risk": "write",
        "slots": {"deployment": {"type": "deployment", "required": True, "prompt": "Which?"},
                  "namespace": {"type": "namespace", "required": True, "prompt": "Where?"}},
        "examples": [f"restart [app{i}](deployment)" for i in range(12)],
        "steps": [{"verb": "rollout_restart",
                   "params": {"namespace": "{{ namespace }}", "deployment": "{{ deployment }}"}}],
        "verify": [{"verb": "wait_rollout",
                    "params": {"namespace": "{{ namespace }}", "deployment": "{{ deployment }}"}}],
        "explain": "Restart {{ deployment }}.",
    }
    doc.update(overrides)
    return doc


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "help"}, "name"),
        ({"examples": ["one"]}, "examples"),
        ({"examples": [f"restart [x{i}](deploymentt)" for i in range(12)]}, "examples[0]"),
        ({"examples": [f"scale to [{{{{ 7*7 }}}}](deployment) {i}" for i in range(12)]},
         "examples[0]"),
        ({"verify": []}, "verify"),
        ({"risk": "read"}, "steps[0].verb"),
        ({"explain": "{{ replicas }}"}, "explain"),
        ({"explain": "{% for %}"}, "explain"),
        ({"steps": [{"verb": "scale", "params": {"namespace": "x", "deployment": "y"}}]},
         "steps[0].params.replicas"),
        ({"steps": [{"verb": "wait_rollout", "params": {"namespace": "x", "deployment": "y"}}]},
         "steps[0].verb"),
        ({"slots": {"num": {"type": "integer"}}}, "slots.num.max"),
        ({"undo": {"runbook": "x", "slots": {"a": "{{ nope }}"}}}, "undo.slots.a"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_schema_errors_name_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(RunbookInvalid) as info:
        parse_runbook(_minimal(**overrides), "x.yaml")
    assert info.value.field == field
    assert info.value.path == "x.yaml"


def test_unknown_runbook_suggests_close_names(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownRunbook) as info:
        catalogue.get("scale_deploymnet")
    assert "scale_deployment" in info.value.hint


def test_undo_targets_exist(catalogue: Catalogue) -> None:
    for rb in catalogue:
        if rb.undo:
            assert rb.undo.runbook in catalogue
            assert set(rb.undo.slots) <= set(catalogue.get(rb.undo.runbook).slots)
