from __future__ import annotations

import pytest

from chatops.errors import MissingSlots, SlotError
from chatops.model import Risk
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.render import relative_replicas, render, undo_slots

SCALE = {"deployment": "checkout", "namespace": "prod", "replicas": "5"}


def test_scale_renders_a_typed_frozen_plan(catalogue: Catalogue) -> None:
    plan = render(catalogue.get("scale_deployment"), SCALE)
    assert plan.risk is Risk.WRITE
    assert [s.verb for s in plan.steps] == ["scale"]
    assert dict(plan.steps[0].params) == {"namespace": "prod", "deployment": "checkout",
                                          "replicas": 5}
    assert plan.verify[0].verb == "wait_rollout"
    assert plan.verify[0].params["timeout_seconds"] == 300
    assert plan.explanation == "Scale deployment checkout in prod to 5 replicas."
    with pytest.raises(TypeError):
        plan.steps[0].params["replicas"] = 100  # type: ignore[index]


def test_digest_depends_on_what_runs(catalogue: Catalogue) -> None:
    rb = catalogue.get("scale_deployment")
    assert render(rb, SCALE).digest == render(rb, dict(SCALE)).digest
    assert render(rb, SCALE).digest != render(rb, {**SCALE, "replicas": "6"}).digest


@pytest.mark.parametrize(
    ("slot", "value"),
    [
        ("deployment", "checkout\n  replicas: 100"),
        ("deployment", "{{ 7*7 }}"),
        ("deployment", "{% for %}"),
        ("deployment", "x; rm -rf /"),
        ("deployment", "a" * 300),
        ("namespace", "../etc"),
        ("namespace", ""),
        ("replicas", "100000"),
    ],
)
def test_hostile_values_are_refused_before_rendering(
    catalogue: Catalogue, slot: str, value: str
) -> None:
    with pytest.raises(SlotError) as info:
        render(catalogue.get("scale_deployment"), {**SCALE, slot: value})
    assert info.value.slot == slot


def test_negative_replicas_need_and_respect_the_current_count(catalogue: Catalogue) -> None:
    rb = catalogue.get("scale_deployment")
    raw = {**SCALE, "replicas": "-3"}
    assert relative_replicas(rb, raw)
    with pytest.raises(SlotError, match="current count"):
        render(rb, raw)
    with pytest.raises(SlotError, match="would be -1"):
        render(rb, raw, current_replicas=2)
    assert render(rb, raw, current_replicas=5).steps[0].params["replicas"] == 2


def test_missing_required_slots_carry_the_question(catalogue: Catalogue) -> None:
    with pytest.raises(MissingSlots) as info:
        render(catalogue.get("scale_deployment"), {"deployment": "checkout"})
    assert [name for name, _ in info.value.needed] == ["namespace", "replicas"]
    assert info.value.needed[0][1] == "In which namespace?"


def test_one_of_groups_are_enforced(catalogue: Catalogue) -> None:
    with pytest.raises(MissingSlots) as info:
        render(catalogue.get("pod_logs"), {"namespace": "prod"})
    assert info.value.needed[0][0] == "pod"
    plan = render(catalogue.get("pod_logs"), {"namespace": "prod", "deployment": "checkout",
                                              "since": "10m"})
    params = plan.steps[0].params
    assert params["lines"] == 50 and params["since_seconds"] == 600 and params["pod"] is None


def test_unknown_slot_is_refused_with_a_suggestion(catalogue: Catalogue) -> None:
    with pytest.raises(SlotError) as info:
        render(catalogue.get("scale_deployment"), {**SCALE, "replica": "3"})
    assert "replicas" in info.value.hint


def test_undo_of_scale_restores_the_previous_count(catalogue: Catalogue) -> None:
    plan = render(catalogue.get("scale_deployment"), SCALE)
    slots = undo_slots(plan, {"replicas": 2})
    assert slots == {"deployment": "checkout", "namespace": "prod", "replicas": "2"}
    undo = render(catalogue.get(plan.undo.runbook if plan.undo else ""), slots)
    assert undo.steps[0].params["replicas"] == 2


def test_undo_without_recorded_state_is_refused(catalogue: Catalogue) -> None:
    plan = render(catalogue.get("scale_deployment"), SCALE)
    with pytest.raises(SlotError, match="cannot be undone"):
        undo_slots(plan, {})


def test_every_runbook_renders_its_first_example(catalogue: Catalogue) -> None:
    from chatops.runbook.markup import markup_slots

    for rb in catalogue:
        for example in rb.examples:
            slots = markup_slots(example)
            if any(spec.required and spec.name not in slots for spec in rb.slots.values()):
                continue
            try:
                plan = render(rb, slots, current_replicas=4)
            except MissingSlots:
                continue
            assert plan.steps and plan.explanation, rb.name
            break
