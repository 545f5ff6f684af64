from __future__ import annotations

import pytest

from chatops.errors import GrammarError
from chatops.runbook.catalogue import Catalogue
from chatops.runbook.grammar import is_explicit, parse_explicit


def test_explicit_command_parses_into_a_grammar_intent(catalogue: Catalogue) -> None:
    parsed = parse_explicit(
        "run scale_deployment deployment=checkout namespace=prod replicas=5", catalogue
    )
    assert parsed.intent == "scale_deployment"
    assert dict(parsed.slots) == {"deployment": "checkout", "namespace": "prod", "replicas": "5"}
    assert parsed.confidence == 1.0 and parsed.source == "grammar"


def test_quoted_values_keep_spaces(catalogue: Catalogue) -> None:
    parsed = parse_explicit('run scale_deployment replicas="by 50%"', catalogue)
    assert parsed.slots["replicas"] == "by 50%"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("run scale_deploymnet deployment=x", "scale_deployment"),
        ("run scale_deployment deploymnet=x", "deployment"),
        ("run scale_deployment replicas", "key=value"),
        ("run", "Which runbook"),
        ('run scale_deployment deployment="x', "quote"),
        ("run scale_deployment replicas=1 replicas=2", "twice"),
    ],
)
def test_bad_commands_explain_themselves(catalogue: Catalogue, text: str, expected: str) -> None:
    with pytest.raises(GrammarError) as info:
        parse_explicit(text, catalogue)
    assert expected in str(info.value)


def test_is_explicit() -> None:
    assert is_explicit("run show_pods namespace=dev")
    assert is_explicit("  RUN show_pods")
    assert not is_explicit("running out of memory in prod?")
    assert is_explicit("run diagnose") and is_explicit("run nosuch_thing please")
    assert is_explicit("run diagnose namespace=prod please")
    # Plain words after "run" are for the model.
    assert not is_explicit("run 3 replicas of api in prod")
    assert not is_explicit("run diagnose on api in prod")
    assert not is_explicit("run kubectl scale deploy/api --replicas=3")
