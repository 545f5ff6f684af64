"""Every declared verb has exactly one implementation of its kind, and nothing else does."""

from __future__ import annotations

import pytest
from kubernetes import client

from chatops.errors import Permanent
from chatops.executor import KubeExecutor
from chatops.executor.implementations import registry
from chatops.executor.registry import Call, Check, VerbRegistry
from chatops.model import Step
from chatops.results import Record, StepResult
from chatops.verbs import VERBS, VerbSpec


def test_every_declared_verb_is_implemented() -> None:
    assert registry.missing() == (), (
        "declared in chatops/verbs.py but not implemented: register them with "
        "@registry.read/write/check next to their code in chatops/executor/")


def test_every_implementation_names_a_declared_verb_of_its_kind() -> None:
    assert set(registry) == set(VERBS)
    for name in registry:
        impl = registry.find(name)
        assert impl is not None and impl.spec is VERBS[name]
        given = {kind for kind, fn in (("read", impl.read), ("mutate", impl.write),
                                       ("verify", impl.check)) if fn is not None}
        assert given == {impl.spec.kind}, name


def _read(c: Call) -> tuple[Record, ...]:
    return ()


def _write(c: Call) -> StepResult:
    return StepResult("poke", c.dry_run, "poked")


def _check(c: Call) -> Check:
    return lambda: (True, "fine")


def fresh() -> VerbRegistry:
    return VerbRegistry({"peek": VerbSpec("peek", "read", "peek"),
                         "poke": VerbSpec("poke", "mutate", "poke"),
                         "wait_poked": VerbSpec("wait_poked", "verify", "wait")})


def test_an_implementation_without_a_spec_is_refused() -> None:
    with pytest.raises(LookupError, match="not declared"):
        fresh().read("prod")(_read)


def test_an_implementation_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="declared as read"):
        fresh().write("peek")(_write)
    with pytest.raises(TypeError, match="declared as mutate"):
        fresh().check("poke")(_check)


def test_a_verb_registered_twice_is_refused() -> None:
    reg = fresh()
    reg.read("peek")(_read)
    with pytest.raises(ValueError, match="twice"):
        reg.read("peek")(_read)


def test_missing_names_the_specs_nothing_implements() -> None:
    reg = fresh()
    reg.write("poke")(_write)
    assert reg.missing() == ("peek", "wait_poked")
    reg.read("peek")(_read)
    reg.check("wait_poked")(_check)
    assert reg.missing() == ()
    assert list(reg) == ["peek", "poke", "wait_poked"]


@pytest.fixture
def executor() -> KubeExecutor:
    # Never contacted: these steps are refused before any request.
    return KubeExecutor(client.ApiClient())


def test_run_step_refuses_unknown_and_verification_verbs(executor: KubeExecutor) -> None:
    with pytest.raises(Permanent, match="launch is not an action verb"):
        executor.run_step(Step("launch", {}), None)
    with pytest.raises(Permanent, match="wait_rollout is not an action verb"):
        executor.run_step(Step("wait_rollout", {"namespace": "a", "deployment": "b"}), None)


def test_verify_refuses_action_verbs(executor: KubeExecutor) -> None:
    with pytest.raises(Permanent, match="scale is not a verification verb"):
        executor.verify(Step("scale", {"namespace": "a", "deployment": "b"}), None)
