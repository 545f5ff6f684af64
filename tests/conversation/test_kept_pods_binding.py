"""The pods a change keeps as they are (a rollback's revision's) are bound with the plan by
their count: should fewer be kept when it runs (the rollout in progress moved on), more pods
are replaced than were approved, and the plan is shown again (an attacker review)."""

from __future__ import annotations

from chatops.conversation.planning import binding
from chatops.model import Plan, Risk, Step


def _plan() -> Plan:
    return Plan("rollback_deployment", Risk.WRITE, {"deployment": "web"},
                (Step("rollout_undo", {"deployment": "web"}),), explanation="Roll web back.")


def _preview(kept: list[str]) -> list[dict[str, object]]:
    change = {"path": "spec.template.spec.containers[app].image", "before": "web:bad",
              "after": "web:1.0"}
    return [{"changes": [change], "affected_pods": ["web-new-1"], "kept_pods": kept}]


def test_fewer_kept_pods_is_another_binding() -> None:
    plan = _plan()
    assert binding(plan, _preview(["a", "b"])) == binding(plan, _preview(["c", "d"]))
    assert binding(plan, _preview(["a", "b"])) != binding(plan, _preview(["a"]))
    assert binding(plan, _preview(["a"])) != binding(plan, _preview([]))


def test_a_plan_that_keeps_no_pods_binds_as_before() -> None:
    # The bindings of plans proposed before the count was bound still match.
    plan, preview = _plan(), _preview([])
    without = [{k: v for k, v in step.items() if k != "kept_pods"} for step in preview]
    assert binding(plan, preview) == binding(plan, without)
